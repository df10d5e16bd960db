"""Bulk account opening, one row: checked, then linked to the person who has an account already or
opened as a new account with its initial password sealed beside it."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode as AccountsCode
from creditbank.accounts.id_numbers import id_number_parse
from creditbank.accounts.models import User
from creditbank.accounts.selectors import users_matching
from creditbank.accounts.services import (
    accounts_purge_unactivated,
    email_clean,
    name_clean,
    phone_clean,
    user_open,
)
from creditbank.audit.services import audit_record
from creditbank.identity.services import verification_vouch
from creditbank.institutions.domain.initial_passwords import initial_password
from creditbank.institutions.domain.student_files import StudentRow
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import (
    AccountOpening,
    Enrolment,
    RowStatus,
)
from creditbank.institutions.services.opening.upload import COLUMN_LABELS, on_behalf
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy
from creditbank.kernel.text import clean_text

log = logging.getLogger(__name__)

OPENING_REFUSED = _(
    "This account cannot be opened from the file. The student can register on the credit bank's site themselves."
)
#: Row messages for the institution where the accounts context speaks to the learner.
_ROW_MESSAGES: dict[str, Any] = {
    AccountsCode.NAME_REQUIRED: _("The name is empty."),
    AccountsCode.ID_NUMBER_REQUIRED: _("The ID number is empty."),
    AccountsCode.PHONE_REQUIRED: _("The mobile phone number is empty."),
    ErrorCode.CELL_NOT_TEXT: _(
        "The ID number was typed into a number cell, so the spreadsheet dropped its last digits. Format the "
        "column as text and type the number again."
    ),
}
_LABELLED = _("%(column)s: %(message)s")
_DUPLICATE = _("The same %(column)s is already in row %(row)d: list each student once.")
_UNDER_AGE = _("The student is under %(age)d: an account needs a guardian's consent and cannot be opened from a file.")


# --- the run --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowOutcome:
    status: str
    code: str = ""
    field: str = ""
    #: the row's message in the language active when it is called (called once per site language)
    explain: Callable[[], str] | None = None
    user: User | None = None
    password: str = ""

    def messages(self) -> dict[str, str]:
        if self.explain is None:
            return {}
        out = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                out[language] = self.explain()[:1000]
        return out


@dataclass(frozen=True)
class CleanRow:
    name: str
    id_number: str
    phone: str
    email: str
    student_no: str


def _labelled(errors: list[DomainError]) -> str:
    """Every refusal of a row, each after its column's label, in the active language."""
    parts = []
    for err in errors:
        for field, messages in err.errors.items():
            for msg in messages:
                parts.append(str(_LABELLED % {"column": COLUMN_LABELS.get(field, field), "message": msg}))
    return " ".join(parts)


def _refused(errors: list[DomainError], explain: Callable[[], list[DomainError]] | None = None) -> RowOutcome:
    """An error row: the first refusal's code and column; ``explain`` makes the refusals again in
    the active language (messages formatted with a value are plain text once made)."""
    first = errors[0]
    again = explain or (lambda: errors)
    return RowOutcome(RowStatus.ERROR, code=first.code, field=first.field or "", explain=lambda: _labelled(again()))


def _row_error(code: str, field: str, message: Any = None) -> DomainError:
    return DomainError(code, message if message is not None else _ROW_MESSAGES[code], field=field)


def _clean(row: StudentRow) -> tuple[CleanRow | None, list[DomainError]]:
    """Every column of the row cleaned by the rules of registration, every refusal at once."""
    errors: list[DomainError] = []
    values: dict[str, str] = {}

    def attempt(column: str, clean: Any) -> None:
        raw = row.get(column)
        try:
            values[column] = clean(raw)
        except DomainError as exc:
            if exc.code in _ROW_MESSAGES:
                exc = _row_error(exc.code, column)
            errors.append(DomainError(exc.code, exc.message, field=column))

    attempt("name", lambda raw: name_clean(raw))
    if "id_number" in row.numeric:
        errors.append(_row_error(ErrorCode.CELL_NOT_TEXT, "id_number"))
    else:
        attempt("id_number", lambda raw: id_number_parse(raw).value)
    attempt("phone", lambda raw: phone_clean(raw))
    attempt("email", lambda raw: email_clean(raw) if raw else "")
    attempt("student_no", lambda raw: clean_text(raw, field="student_no", max_length=32))
    if errors:
        return None, errors
    return CleanRow(**values), []


def first_rows(rows: list[StudentRow]) -> dict[tuple[str, str], int]:
    """(column, normalised value) -> the first row holding it, for the duplicates in one file."""
    first: dict[tuple[str, str], int] = {}
    for row in rows:
        cleaned, _errors = _clean(row)
        if cleaned is None:
            continue
        for column in ("id_number", "phone", "email"):
            value = getattr(cleaned, column).lower()
            if value:
                first.setdefault((column, value), row.number)
    return first


def _duplicate(cleaned: CleanRow, number: int, first: dict[tuple[str, str], int]) -> RowOutcome | None:
    for column in ("id_number", "phone", "email"):
        value = getattr(cleaned, column).lower()
        earlier = first.get((column, value)) if value else None
        if earlier is not None and earlier != number:
            return RowOutcome(
                RowStatus.ERROR, code=ErrorCode.ROW_DUPLICATE, field=column,
                explain=functools.partial(_duplicate_message, column, earlier),
            )  # fmt: skip
    return None


def _duplicate_message(column: str, earlier: int) -> str:
    return str(_DUPLICATE % {"column": COLUMN_LABELS[column], "row": earlier})


def _under_age() -> DomainError:
    return DomainError(
        AccountsCode.GUARDIAN_CONSENT_REQUIRED, _UNDER_AGE % {"age": policy().minimum_age}, field="id_number"
    )


def _holder(id_number: str) -> User | None:
    """The account holding this ID number, if any (one never activated in time holds nothing)."""
    holders = users_matching(id_number=id_number, email=None, phone=None)
    if holders:
        accounts_purge_unactivated(among=holders)
        holders = users_matching(id_number=id_number, email=None, phone=None)
    return holders[0] if holders else None


def _enrol(opening: AccountOpening, user: User, cleaned: CleanRow, *, opened: bool) -> None:
    enrolment, made = Enrolment.objects.get_or_create(
        institution=opening.institution,
        user=user,
        defaults={
            "student_no": cleaned.student_no, "opened": opened, "name_matched": user.name == cleaned.name,
            "opening": opening, "created_by": opening.created_by, "client": opening.client,
        },
    )  # fmt: skip
    if not made and cleaned.student_no and enrolment.student_no != cleaned.student_no:
        enrolment.student_no = cleaned.student_no
        enrolment.save(update_fields=["student_no"])


def _link(opening: AccountOpening, holder: User, cleaned: CleanRow) -> RowOutcome:
    _enrol(opening, holder, cleaned, opened=False)
    audit_record(
        actor=opening.created_by, action="institution.student_linked", subject=holder, object_type="account_opening",
        object_id=opening.pk, reason=f"institution:{opening.institution.code}",
    )  # fmt: skip
    return RowOutcome(RowStatus.LINKED, user=holder)


def _open(opening: AccountOpening, cleaned: CleanRow, on_behalf: str) -> RowOutcome:
    password = initial_password()
    try:
        with transaction.atomic():
            user = user_open(
                name=cleaned.name, id_number=cleaned.id_number, phone=cleaned.phone, email=cleaned.email,
                initial_password=password, opened_by=opening.created_by, on_behalf=on_behalf,
            )  # fmt: skip
            _enrol(opening, user, cleaned, opened=True)
            if opening.vouched:
                verification_vouch(user=user, institution_code=opening.institution.code)
    except DomainError as exc:
        if exc.code == AccountsCode.ID_NUMBER_TAKEN:  # opened meanwhile (another file, a registration)
            holder = _holder(cleaned.id_number)
            if holder is not None:
                return _link(opening, holder, cleaned)
        if exc.code in (AccountsCode.ID_NUMBER_TAKEN, AccountsCode.CONTACT_TAKEN):
            return RowOutcome(RowStatus.ERROR, code=ErrorCode.OPENING_REFUSED, explain=lambda: str(OPENING_REFUSED))
        if exc.code == AccountsCode.GUARDIAN_CONSENT_REQUIRED:
            return _refused([_under_age()], explain=lambda: [_under_age()])
        return _refused([exc])
    return RowOutcome(RowStatus.CREATED, user=user, password=password)


def process(opening: AccountOpening, row: StudentRow, first: dict[tuple[str, str], int]) -> RowOutcome:
    cleaned, errors = _clean(row)
    if cleaned is None:
        return _refused(errors, explain=lambda: _clean(row)[1])
    duplicate = _duplicate(cleaned, row.number, first)
    if duplicate is not None:
        return duplicate
    holder = _holder(cleaned.id_number)
    if holder is not None:
        return _link(opening, holder, cleaned)
    return _open(opening, cleaned, on_behalf=on_behalf(opening.institution, None) + client_suffix(opening))


def client_suffix(opening: AccountOpening) -> str:
    return f" client:{opening.client.client_id}" if opening.client is not None else ""
