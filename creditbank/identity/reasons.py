"""Reason codes of a rejected verification: what went wrong and what to do, in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

ADVICE: dict[str, Any] = {
    "correct_information": _("Check the information you registered and correct it if needed."),
    "reupload_clearer": _(
        "Upload clearer photos of the whole card, in JPEG, PNG or WebP, at most 8 MB, at least 400×250 pixels, "
        "without glare or cropping."
    ),
    "other_device": _("Try another browser or device."),
    "contact_support": _("Contact support if you cannot fix it yourself."),
    "reset_and_restart": _("Reset your verification and start over."),
}


@dataclass(frozen=True)
class Reason:
    code: str
    label: Any
    explanation: Any
    advice: tuple[str, ...]


REASONS: dict[str, Reason] = {
    r.code: r
    for r in [
        Reason(
            "photo_unclear",
            _("Photo unclear"),
            _("The photos are blurred, dark or have glare, so the card cannot be read."),
            ("reupload_clearer", "other_device", "reset_and_restart"),
        ),
        Reason(
            "photo_incomplete",
            _("Card not fully visible"),
            _("Part of the card is cut off or covered."),
            ("reupload_clearer", "reset_and_restart"),
        ),
        Reason(
            "info_mismatch",
            _("Information does not match"),
            _("The name or ID number on the card differs from what you registered."),
            ("correct_information", "contact_support", "reset_and_restart"),
        ),
        Reason(
            "not_id_card",
            _("Not a resident ID card"),
            _("The photos do not show the front and back of a resident ID card."),
            ("reupload_clearer", "reset_and_restart"),
        ),
        Reason(
            "card_expired",
            _("Card expired"),
            _("The ID card's validity period has ended."),
            ("contact_support", "reset_and_restart"),
        ),
        Reason(
            "photo_reused",
            _("Photos used by another account"),
            _("The same photos were submitted for another account."),
            ("contact_support",),
        ),
        Reason(
            "upload_problem",
            _("Upload problem"),
            _("The photos could not be processed."),
            ("other_device", "reupload_clearer", "contact_support"),
        ),
        Reason(
            "other",
            _("Other"),
            _("The reviewer explains the reason in the note."),
            ("contact_support", "reset_and_restart"),
        ),
    ]
}


def reason_as_dict(code: str) -> dict[str, Any]:
    reason = REASONS.get(code)
    if reason is None:
        return {"code": code, "label": code, "explanation": "", "advice": []}
    return {
        "code": reason.code,
        "label": str(reason.label),
        "explanation": str(reason.explanation),
        "advice": [str(ADVICE[a]) for a in reason.advice],
    }
