"""Identity providers: where the automatic checks of a verification come from.

A provider looks at what the learner submitted and returns named checks. The default,
:class:`LocalChecksProvider`, needs no network: ID number rules, gender consistency, a face on
the portrait side, and OCR of the card compared with the declared data. A government ID check
or the national network identity service would be another implementation of
:class:`IdentityProvider`, chosen with ``CREDITBANK_POLICY["IDENTITY_PROVIDER"]``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

from creditbank.accounts.id_numbers import id_number_parse
from creditbank.identity import recognition
from creditbank.kernel.errors import DomainError
from creditbank.kernel.masking import mask_id_number
from creditbank.kernel.policy import policy

PASSED, FAILED, WARNING, NOT_RUN = "passed", "failed", "warning", "not_run"


@dataclass(frozen=True)
class Submission:
    """What a provider may look at. ``id_number`` is in clear: never log it."""

    user_id: int
    declared_name: str
    declared_gender: str
    id_number: str
    front: bytes
    back: bytes


@dataclass
class Check:
    name: str
    status: str
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "data": self.data}


class IdentityProvider(abc.ABC):
    name: str = "abstract"

    @abc.abstractmethod
    def checks(self, submission: Submission) -> list[Check]:
        """Run this provider's checks; never raise for a failed check (return it)."""


class LocalChecksProvider(IdentityProvider):
    name = "local"

    def checks(self, submission: Submission) -> list[Check]:
        rules = policy()
        out = [self._id_rules(submission), self._gender(submission)]
        if rules.verification_face_check:
            out.append(_from_recognition("face_present", recognition.detect_face(submission.front)))
        else:
            out.append(Check("face_present", NOT_RUN, "disabled by policy"))
        if rules.verification_ocr:
            result = recognition.ocr_card(
                submission.front, declared_name=submission.declared_name, declared_id_number=submission.id_number
            )
            out.append(_from_recognition("ocr_match", result))
        else:
            out.append(Check("ocr_match", NOT_RUN, "disabled by policy"))
        return out

    @staticmethod
    def _id_rules(s: Submission) -> Check:
        try:
            parsed = id_number_parse(s.id_number)
        except DomainError as exc:
            return Check("id_number_rules", FAILED, exc.code)
        data = {"id_number": mask_id_number(parsed.value), "region": parsed.region_name or ""}
        if parsed.region_name is None:
            return Check("id_number_rules", WARNING, "region code unknown inside a known province", data)
        if parsed.region_historical:
            return Check("id_number_rules", PASSED, "historical region code", data)
        return Check("id_number_rules", PASSED, "", data)

    @staticmethod
    def _gender(s: Submission) -> Check:
        try:
            parsed = id_number_parse(s.id_number)
        except DomainError:
            return Check("gender_consistent", NOT_RUN, "ID number invalid")
        if not s.declared_gender:
            return Check("gender_consistent", WARNING, "no declared gender")
        if parsed.gender != s.declared_gender:
            return Check("gender_consistent", FAILED, "declared gender differs from the ID number")
        return Check("gender_consistent", PASSED)


def _from_recognition(name: str, result: Any) -> Check:
    status = getattr(result.status, "value", str(result.status))
    return Check(name, status, result.detail, dict(result.data))


def get_provider() -> IdentityProvider:
    cls = import_string(policy().identity_provider)
    provider: IdentityProvider = cls()
    return provider
