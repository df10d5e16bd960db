"""What every new account passes, whoever opens it (the learner registering, or an institution):
the checks of its name, ID number, phone and email, the minimum age, and the row it becomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.domain import account_numbers
from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.id_numbers import IdNumber, id_number_parse, region_flagged
from creditbank.accounts.models import IssuedAccountNumber, User
from creditbank.accounts.personal_data import ID_CONTEXT, PHONE_CONTEXT
from creditbank.accounts.selectors import users_matching
from creditbank.accounts.services.fields import email_clean, name_clean, phone_clean
from creditbank.kernel.errors import DomainError
from creditbank.kernel.masking import mask_id_number, mask_phone
from creditbank.kernel.pii import seal
from creditbank.kernel.policy import policy


@dataclass(frozen=True)
class Applicant:
    """The cleaned values of a new account; a refused value is empty (``id_number``: None)."""

    name: str
    id_number: IdNumber | None
    phone: str  # E.164
    email: str


def applicant_check(
    *, name: str, id_number: str, phone: str, email: str, email_required: bool = True
) -> tuple[Applicant, list[DomainError]]:
    """Clean the four values; every refused one is an error of its own field, in form order.
    Without ``email_required`` an empty email is no email (an account an institution opens)."""
    errors: list[DomainError] = []

    def cleaned(clean: Any, raw: str, empty: Any) -> Any:
        try:
            return clean(raw)
        except DomainError as exc:
            errors.append(exc)
            return empty

    applicant = Applicant(
        name=cleaned(name_clean, name, ""),
        id_number=cleaned(id_number_parse, id_number, None),
        phone=cleaned(phone_clean, phone, ""),
        email=cleaned(email_clean, email, "") if email_required or (email or "").strip() else "",
    )
    return applicant, errors


def applicant_age_problems(applicant: Applicant) -> list[DomainError]:
    """``guardian_consent_required`` below the policy's MINIMUM_AGE (PIPL art. 31)."""
    parsed = applicant.id_number
    if parsed is None or parsed.age_on(timezone.localdate()) >= policy().minimum_age:
        return []
    return [
        DomainError(
            ErrorCode.GUARDIAN_CONSENT_REQUIRED,
            _(
                "You are under %(age)d. Under the Personal Information Protection Law (art. 31) a "
                "guardian must consent for you; online registration is not open to you yet. Ask "
                "your school or a guardian to contact the credit bank."
            )
            % {"age": policy().minimum_age},
            field="id_number",
        )
    ]


def applicant_holders(applicant: Applicant) -> list[User]:
    """Existing accounts holding the applicant's ID number, email or phone."""
    parsed = applicant.id_number
    return users_matching(
        id_number=parsed.value if parsed else None, email=applicant.email or None, phone=applicant.phone or None
    )


def account_number_issue() -> str:
    for _attempt in range(20):
        number = account_numbers.generate()
        try:
            with transaction.atomic():
                IssuedAccountNumber.objects.create(number=number)
        except IntegrityError:
            continue
        return number
    raise RuntimeError("could not issue a unique account number")


def applicant_user(applicant: Applicant, *, email_required: bool = True, **columns: Any) -> User:
    """The new account's row (not saved yet): a fresh account number, the applicant's values, the
    ID number and the phone sealed, what the ID number tells, and ``columns`` (status, password …)."""
    parsed = applicant.id_number
    if parsed is None or not (applicant.name and applicant.phone and (applicant.email or not email_required)):
        raise ValueError("applicant_user needs an applicant without errors")
    id_number = seal(parsed.value, context=ID_CONTEXT, mask=mask_id_number)
    phone = seal(applicant.phone, context=PHONE_CONTEXT, mask=mask_phone)
    return User(
        account_no=account_number_issue(),
        name=applicant.name,
        email=applicant.email,
        id_number_enc=id_number.ciphertext,
        id_number_index=id_number.index,
        id_number_masked=id_number.masked,
        phone_enc=phone.ciphertext,
        phone_index=phone.index,
        phone_masked=phone.masked,
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        region_code=parsed.region_code,
        region_flagged=region_flagged(parsed),
        **columns,
    )
