"""Reason codes of review decisions, with what each means and what to do, in both languages.

One registry for every kind of reviewed request: a context registers its kind's reasons once
(``register_reasons`` in its ``reasons`` module) and reads them back here, so a learner sees
every rejection in the same shape: ``{"code", "label", "explanation", "advice": [...]}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Advice a reason may point to (keys are stable; texts are translated).
ADVICE: dict[str, Any] = {
    "correct_information": _("Check the information you registered and correct it if needed."),
    "reupload_clearer": _(
        "Upload clearer photos of the whole card, in JPEG, PNG or WebP, at most 8 MB, at least 400×250 pixels, "
        "without glare or cropping."
    ),
    "other_device": _("Try another browser or device."),
    "contact_support": _("Contact support if you cannot fix it yourself."),
    "reset_and_restart": _("Reset your verification and start over."),
    "clearer_proof": _("Attach a clearer or more complete proof (a photo or a PDF) and submit the request again."),
    "matching_proof": _("Attach a proof that shows exactly the new value you ask for."),
    "read_note": _("Read the reviewer's note."),
    "add_evidence": _(
        "Add the evidence the reviewer asks for (a certificate, a transcript: a photo or a PDF) to the outcome and "
        "apply again."
    ),
    "check_standard": _("Read the certification standard for this outcome: what it certifies and what it asks for."),
    "correct_outcome": _("Correct the outcome's details and apply again."),
}


@dataclass(frozen=True)
class Reason:
    code: str
    label: Any
    explanation: Any
    advice: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [a for a in self.advice if a not in ADVICE]
        if unknown:
            raise ValueError(f"reason {self.code!r}: unknown advice {unknown}")


_registry: dict[str, dict[str, Reason]] = {}


def register_reasons(kind: str, reasons: Iterable[Reason]) -> dict[str, Reason]:
    """Register (or replace) the reasons of one kind of request; returns them by code."""
    _registry[kind] = {r.code: r for r in reasons}
    return _registry[kind]


def reasons_for(kind: str) -> dict[str, Reason]:
    try:
        return _registry[kind]
    except KeyError as exc:
        raise LookupError(f"no reasons registered for {kind!r}") from exc


def reason_as_dict(kind: str, code: str) -> dict[str, Any]:
    reason = reasons_for(kind).get(code)
    if reason is None:
        return {"code": code, "label": code, "explanation": "", "advice": []}
    return {
        "code": reason.code,
        "label": str(reason.label),
        "explanation": str(reason.explanation),
        "advice": [str(ADVICE[a]) for a in reason.advice],
    }
