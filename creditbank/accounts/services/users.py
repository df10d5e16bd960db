"""Every change to an existing account's own columns. Only the accounts context writes the User
table: other contexts (profiles' email and phone changes and approved change requests, identity's
decisions) call these. Each one validates its value with the same rules as registration, writes
exactly the columns that value owns (sealed through ``kernel.pii.seal`` where it is personal),
and refuses a value another account holds with a stable code, changing nothing then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.id_numbers import id_number_parse, region_flagged
from creditbank.accounts.models import AccountStatus, Gender, User
from creditbank.accounts.personal_data import ID_CONTEXT, PHONE_CONTEXT
from creditbank.accounts.selectors import id_number_index_candidates, phone_index_candidates
from creditbank.accounts.services.fields import email_clean, name_clean, phone_clean
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.masking import mask_id_number, mask_phone
from creditbank.kernel.pii import open_field, seal

CONTACT_TAKEN = _("This email or phone number is used by another account.")
ID_NUMBER_TAKEN = _("Another account holds this ID number.")


def _taken(field: str) -> DomainError:
    if field == "id_number":
        return DomainError(ErrorCode.ID_NUMBER_TAKEN, ID_NUMBER_TAKEN, field=field, status=409)
    return DomainError(ErrorCode.CONTACT_TAKEN, CONTACT_TAKEN, field=field, status=409)


def taken_errors(
    *, id_number: str = "", phone: str = "", email: str = "", other_than: User | None = None
) -> list[DomainError]:
    """``id_number_taken`` / ``contact_taken`` (409), one per (normalised) value another account holds."""
    others = User.objects.exclude(pk=other_than.pk) if other_than is not None else User.objects.all()
    errors = []
    if id_number and others.filter(id_number_index__in=id_number_index_candidates(id_number)).exists():
        errors.append(_taken("id_number"))
    if phone and others.filter(phone_index__in=phone_index_candidates(phone)).exists():
        errors.append(_taken("phone"))
    if email and others.filter(email__iexact=email).exists():
        errors.append(_taken("email"))
    return errors


def _store(user: User, columns: dict[str, Any], *, taken: DomainError | None = None) -> None:
    """Write ``columns`` of one account in a savepoint. A unique index that another account won
    since the check answers ``taken``; the instance follows only once the row is written."""
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(**columns)
    except IntegrityError as exc:
        if taken is None:
            raise
        raise taken from exc
    for name, value in columns.items():
        setattr(user, name, value)


def _refuse_taken(**values: Any) -> None:
    errors = taken_errors(**values)
    if errors:
        raise errors[0]


def user_set_email(*, user: User, email: str) -> None:
    """The account's email address (a confirmed change): ``email_*`` codes, ``contact_taken``."""
    new = email_clean(email)
    _refuse_taken(email=new, other_than=user)
    _store(user, {"email": new}, taken=_taken("email"))


def user_set_phone(*, user: User, phone: str) -> None:
    """The account's mobile number (a confirmed change): ``phone_*`` codes, ``contact_taken``."""
    new = phone_clean(phone)
    _refuse_taken(phone=new, other_than=user)
    sealed = seal(new, context=PHONE_CONTEXT, mask=mask_phone)
    _store(
        user,
        {"phone_enc": sealed.ciphertext, "phone_index": sealed.index, "phone_masked": sealed.masked},
        taken=_taken("phone"),
    )


def user_set_id_number(*, user: User, id_number: str) -> None:
    """The account's ID number and what it tells (birth date, gender, region): ``id_number_*``
    codes (GB 11643), ``id_number_taken``."""
    parsed = id_number_parse(id_number)
    _refuse_taken(id_number=parsed.value, other_than=user)
    sealed = seal(parsed.value, context=ID_CONTEXT, mask=mask_id_number)
    _store(
        user,
        {
            "id_number_enc": sealed.ciphertext,
            "id_number_index": sealed.index,
            "id_number_masked": sealed.masked,
            "birth_date": parsed.birth_date,
            "gender": parsed.gender,
            "region_code": parsed.region_code,
            "region_flagged": region_flagged(parsed),
        },
        taken=_taken("id_number"),
    )


def user_rename(*, user: User, name: str) -> None:
    """The account's name, as on the ID document: ``name_*`` codes."""
    _store(user, {"name": name_clean(name)})


def user_set_gender(*, user: User, gender: str) -> None:
    """``M`` or ``F``, else ``choice_invalid``."""
    if gender not in Gender.values:
        raise DomainError(
            KernelCode.CHOICE_INVALID,
            _("Gender is M (male) or F (female)."),
            field="gender",
            extra={"allowed": list(Gender.values)},
        )
    _store(user, {"gender": gender})


def user_set_language(*, user: User, language: str) -> None:
    """The language of the account's pages and emails: one the site offers, else ``choice_invalid``."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(
            KernelCode.CHOICE_INVALID, _("Choose 简体中文 (zh-hans) or English (en)."), field="preferred_language"
        )
    _store(user, {"preferred_language": language})


# --- Status changes made by identity's decisions, and the staff view of personal data ------------


def user_mark_verified(*, user: User, at: datetime | None = None) -> None:
    User.objects.filter(pk=user.pk, status=AccountStatus.ACTIVATED).update(
        status=AccountStatus.VERIFIED, verified_at=at or timezone.now()
    )
    user.refresh_from_db(fields=["status", "verified_at"])


def user_mark_unverified(*, user: User) -> None:
    """Back to activated (a staff reset of an approved verification)."""
    User.objects.filter(pk=user.pk, status=AccountStatus.VERIFIED).update(
        status=AccountStatus.ACTIVATED, verified_at=None
    )
    user.refresh_from_db(fields=["status", "verified_at"])


_SEALED_FIELDS = {"id_number": ("id_number_enc", ID_CONTEXT), "phone": ("phone_enc", PHONE_CONTEXT)}


def user_reveal_pii(*, user: User, fields: tuple[str, ...] = ("id_number", "phone")) -> dict[str, str]:
    """The full values of ``fields`` (``id_number``, ``phone``), and only those are decrypted.

    Callers must audit the access (see identity.services). A damaged ciphertext raises
    ``record_damaged`` (500) and alerts the operators (see ``kernel.pii.open_field``).
    """
    out = {}
    for name in fields:
        attribute, context = _SEALED_FIELDS[name]
        out[name] = open_field(getattr(user, attribute), context=context, record=f"accounts.user:{user.pk}", field=name)
    return out
