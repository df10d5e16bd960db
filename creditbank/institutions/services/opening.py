"""Bulk account opening (批量开户): an institution uploads a file of its students; each new
person gets an activated account with a random initial password that must be changed at the
first login, each person who has an account already is linked to the institution, never
duplicated; the initial passwords reach the uploader once, in the result file (ADR 0023).

- :func:`account_opening_upload` checks the caller, counts the upload, reads and checks the file
  as a whole (type, encoding, columns, row count), keeps its rows encrypted in the private vault
  and queues the work; nothing else is written on a refusal.
- :func:`account_opening_run` (the background task) works through the rows in small
  transactions, each row's account, enrolment, vouched verification and report committed
  together, so a worker stopped at any point resumes where it stopped and no account is ever
  opened without its initial password sealed beside it.
- :func:`account_opening_result` makes the result file, once, for the uploader only, then wipes
  the sealed passwords and the rows; :func:`account_openings_purge` does the same to results
  nobody fetched in time.

What the report tells the institution is deliberately little: ``linked`` for a person who had an
account (never their name, contacts or whether the name given matched), and one neutral refusal
(``opening_refused``) when a new person's phone or email belongs to another account.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode as AccountsCode
from creditbank.accounts.id_numbers import check_char, id_number_parse
from creditbank.accounts.models import User
from creditbank.accounts.selectors import users_matching
from creditbank.accounts.services import (
    accounts_purge_unactivated,
    email_clean,
    name_clean,
    phone_clean,
    uploads_allow,
    user_open,
)
from creditbank.audit.services import audit_record
from creditbank.identity.services import verification_vouch
from creditbank.institutions import tasks
from creditbank.institutions.domain import student_files
from creditbank.institutions.domain.initial_passwords import initial_password
from creditbank.institutions.domain.principals import ClientPrincipal
from creditbank.institutions.domain.student_files import StudentFileError, StudentRow
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import (
    AccountOpening,
    AccountOpeningRow,
    Enrolment,
    Institution,
    OpeningStatus,
    RowStatus,
)
from creditbank.institutions.personal_data import INITIAL_PASSWORD_CONTEXT, OPENING_ROWS_CONTEXT
from creditbank.institutions.selectors import (
    account_opening_get_for_actor,
    account_opening_is_uploader,
    account_opening_rows,
    opening_institution_for,
)
from creditbank.kernel import ratelimit
from creditbank.kernel.documents import clean_filename
from creditbank.kernel.errors import DomainError, PermissionDenied, RateLimited
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.images import read_limited
from creditbank.kernel.pii import cipher
from creditbank.kernel.policy import policy
from creditbank.kernel.text import clean_text
from creditbank.kernel.vault import vault

log = logging.getLogger(__name__)

#: The largest file taken (5,000 rows of a CSV are about 400 KB).
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Rows per transaction of the run: a stopped worker loses at most this much work.
CHUNK = 25
#: A queued or running opening that has not moved for this long is started again.
STALLED_AFTER = timedelta(minutes=10)

CONTENT_TYPES = {
    student_files.FileFormat.CSV: "text/csv; charset=utf-8",
    student_files.FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMN_LABELS: dict[str, Any] = {
    "name": _("Name"),
    "id_number": _("ID number"),
    "phone": _("Mobile phone"),
    "email": _("Email"),
    "student_no": _("Student number"),
}
RESULT_HEADERS: tuple[Any, ...] = (
    _("Row"), _("Name"), _("Student number"), _("Status"), _("Result"), _("Account number"),
    _("Initial password"), _("Code"), _("Message"),
)  # fmt: skip
STATUS_LABELS: dict[str, Any] = {
    RowStatus.CREATED: _("Account opened: hand over the initial password"),
    RowStatus.LINKED: _("Linked to your institution"),
    RowStatus.ERROR: _("Not opened"),
}
OPENINGS_SPENT = _("Your institution has uploaded many files in the last hour. Try again %(when)s.")
OPENING_REFUSED = _(
    "This account cannot be opened from the file. The student can register on the credit bank's site themselves."
)
_FILE_MESSAGES: dict[str, Any] = {
    KernelCode.UPLOAD_EMPTY: _("The file is empty: it needs a header row and at least one student."),
    KernelCode.UPLOAD_TYPE_NOT_ALLOWED: _("Upload a CSV file (UTF-8) or an Excel workbook (.xlsx)."),
    ErrorCode.FILE_ENCODING: _(
        "The file is not in UTF-8. In Excel save it as “CSV UTF-8 (comma delimited)”; in WPS or LibreOffice "
        "choose UTF-8 as the character set. Or upload the workbook (.xlsx) itself."
    ),
    ErrorCode.FILE_UNREADABLE: _(
        "The file cannot be read: it is damaged or not a spreadsheet. Save it again as .xlsx or as CSV UTF-8."
    ),
    ErrorCode.FILE_COLUMNS_MISSING: _(
        "The header row lacks: %(columns)s. Name, ID number and mobile phone are needed; email and student "
        "number may be left out. The template shows the header row."
    ),
    ErrorCode.FILE_COLUMN_REPEATED: _("Two columns of the header row are both “%(column)s”: keep one of them."),
    ErrorCode.FILE_NO_ROWS: _("The file has a header row but no students."),
    ErrorCode.FILE_TOO_MANY_ROWS: _(
        "The file has more than %(max_rows)d students. Split it into files of at most %(max_rows)d rows."
    ),
}
_TOO_LARGE = _("The file is larger than %(mb)d MB: split it into smaller files.")
_OLD_EXCEL = _("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8.")
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


# --- the caller -----------------------------------------------------------------------------------


def _who(caller: Any) -> tuple[User | None, ClientPrincipal | None]:
    if isinstance(caller, ClientPrincipal):
        return None, caller
    return caller, None


def _on_behalf(institution: Institution, client: ClientPrincipal | None) -> str:
    return f"institution:{institution.code}" + (f" client:{client.client_id}" if client else "")


# --- upload ---------------------------------------------------------------------------------------


def _file_error(exc: StudentFileError) -> DomainError:
    if exc.code == KernelCode.UPLOAD_TYPE_NOT_ALLOWED and exc.details.get("found") == "xls":
        message: Any = _OLD_EXCEL
    else:
        message = _FILE_MESSAGES[exc.code]
    extra: dict[str, Any] = {}
    if exc.code == ErrorCode.FILE_COLUMNS_MISSING:
        missing = list(exc.details["missing"])
        message = message % {"columns": _listed([str(COLUMN_LABELS[c]) for c in missing])}
        extra = {"missing": missing}
    elif exc.code == ErrorCode.FILE_COLUMN_REPEATED:
        message = message % {"column": COLUMN_LABELS[exc.details["column"]]}
        extra = {"column": exc.details["column"]}
    elif exc.code == ErrorCode.FILE_TOO_MANY_ROWS:
        message = message % {"max_rows": exc.details["max_rows"]}
        extra = {"max_rows": exc.details["max_rows"]}
    elif exc.code == KernelCode.UPLOAD_TYPE_NOT_ALLOWED:
        extra = {"accepted": ["text/csv", CONTENT_TYPES[student_files.FileFormat.XLSX]]}
    return DomainError(exc.code, message, field="file", extra=extra)


def _listed(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` in the reader's language (``a、b和c``)."""
    if len(items) == 1:
        return items[0]
    return str(_("%(first)s and %(last)s") % {"first": str(_(", ")).join(items[:-1]), "last": items[-1]})


def _count_upload(institution: Institution, user: User | None) -> None:
    """Counted before the file is read: per institution, and against a person's upload allowance."""
    try:
        ratelimit.hit(
            f"account-openings:{institution.pk}", limit=policy().account_openings_per_institution_per_hour, window=3600
        )
    except RateLimited as exc:
        raise ratelimit.refusal(OPENINGS_SPENT, retry_after=exc.retry_after) from exc
    if user is not None:
        uploads_allow(user=user, files=1)


def account_opening_upload(
    *, caller: Any, code: str, upload: Any, language: str = "", client_address: str = ""
) -> AccountOpening:
    """Queue the opening of the accounts of the students in ``upload`` (CSV or XLSX) for
    institution ``code``. ``caller`` is an account that may manage the institution, or its API
    client with ``accounts:write``. Refusals (the file as a whole) write nothing but the counts."""
    institution = opening_institution_for(caller=caller, code=code)
    user, client = _who(caller)
    if upload is None:
        raise DomainError(KernelCode.UPLOAD_MISSING, _("Choose the file of students to upload."), field="file")
    _count_upload(institution, user)
    source = upload.chunks() if hasattr(upload, "chunks") else upload
    try:
        data = read_limited(source, max_bytes=MAX_FILE_BYTES, field="file")
    except DomainError as exc:
        raise DomainError(
            exc.code, _TOO_LARGE % {"mb": MAX_FILE_BYTES // (1024 * 1024)}, field="file", status=exc.status,
            extra=exc.extra,
        ) from exc  # fmt: skip
    try:
        parsed = student_files.read_student_file(data, max_rows=policy().account_opening_max_rows)
    except StudentFileError as exc:
        raise _file_error(exc) from exc
    blob = vault().save(_rows_json(parsed.rows), context=OPENING_ROWS_CONTEXT)
    try:
        with transaction.atomic():
            opening = AccountOpening.objects.create(
                institution=institution,
                created_by=user,
                client_id=client.client_pk if client else None,
                filename=clean_filename(getattr(upload, "name", "")),
                file_format=parsed.format.value,
                language=(language or translation.get_language() or settings.LANGUAGE_CODE)[:8],
                rows_total=len(parsed.rows),
                vouched=policy().institution_vouches_identity,
                source_blob=blob,
            )
            audit_record(
                actor=user, action="institution.accounts_uploaded", object_type="account_opening",
                object_id=opening.pk, reason=f"{_on_behalf(institution, client)} rows:{len(parsed.rows)}",
                client_address=client_address,
            )  # fmt: skip
            opening_id = opening.pk
            transaction.on_commit(lambda: tasks.run_account_opening.enqueue(opening_id))
    except BaseException:
        vault().delete(blob)
        raise
    log.info("account opening %s queued: institution=%s rows=%s", opening.pk, institution.code, len(parsed.rows))
    return opening


def _rows_json(rows: Iterable[StudentRow]) -> bytes:
    return json.dumps(
        {"rows": [{"n": r.number, "v": dict(r.values), "x": sorted(r.numeric)} for r in rows]}, ensure_ascii=False
    ).encode()


def _rows_of(opening: AccountOpening) -> list[StudentRow]:
    payload = json.loads(vault().read(opening.source_blob, context=OPENING_ROWS_CONTEXT))
    return [StudentRow(number=r["n"], values=r["v"], numeric=frozenset(r["x"])) for r in payload["rows"]]


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


def _first_rows(rows: list[StudentRow]) -> dict[tuple[str, str], int]:
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


def _process(opening: AccountOpening, row: StudentRow, first: dict[tuple[str, str], int]) -> RowOutcome:
    cleaned, errors = _clean(row)
    if cleaned is None:
        return _refused(errors, explain=lambda: _clean(row)[1])
    duplicate = _duplicate(cleaned, row.number, first)
    if duplicate is not None:
        return duplicate
    holder = _holder(cleaned.id_number)
    if holder is not None:
        return _link(opening, holder, cleaned)
    return _open(opening, cleaned, on_behalf=_on_behalf(opening.institution, None) + _client_suffix(opening))


def _client_suffix(opening: AccountOpening) -> str:
    return f" client:{opening.client.client_id}" if opening.client is not None else ""


def _claim(opening_id: int) -> AccountOpening | None:
    with transaction.atomic():
        opening = AccountOpening.objects.select_for_update().filter(pk=opening_id).first()
        if opening is None or opening.finished:
            return None
        if opening.status == OpeningStatus.QUEUED:
            opening.status = OpeningStatus.RUNNING
            opening.started_at = timezone.now()
            opening.save(update_fields=["status", "started_at", "updated_at"])
    return opening


def account_opening_run(*, opening_id: int) -> AccountOpening | None:
    """Work through an opening's rows (the background task). Safe to run again at any point: rows
    already reported are skipped, and each chunk of rows commits with its accounts."""
    opening = _claim(opening_id)
    if opening is None:
        return None
    try:
        with translation.override(opening.language):
            _run(opening)
    except Exception:
        log.exception("account opening %s stopped by an error", opening_id)
        _finish(opening_id, OpeningStatus.FAILED)
        raise
    return _finish(opening_id, OpeningStatus.DONE)


def _run(opening: AccountOpening) -> None:
    rows = _rows_of(opening)
    first = _first_rows(rows)
    done = set(AccountOpeningRow.objects.filter(opening=opening).values_list("number", flat=True))
    pending = [row for row in rows if row.number not in done]
    for start in range(0, len(pending), CHUNK):
        with transaction.atomic():
            locked = (
                AccountOpening.objects.select_for_update(of=("self",))
                .select_related("institution", "client")
                .get(pk=opening.pk)
            )
            if locked.finished:
                return
            chunk = pending[start : start + CHUNK]
            reported = set(  # by a run of the same opening that overlapped this one
                AccountOpeningRow.objects.filter(opening=locked, number__in=[r.number for r in chunk]).values_list(
                    "number", flat=True
                )
            )
            for row in chunk:
                if row.number in reported:
                    continue
                outcome = _process(locked, row, first)
                AccountOpeningRow.objects.create(
                    opening=locked, number=row.number, status=outcome.status, code=outcome.code,
                    field=outcome.field, messages=outcome.messages(), user=outcome.user,
                    initial_password_enc=(
                        cipher().encrypt(outcome.password, context=INITIAL_PASSWORD_CONTEXT) if outcome.password else ""
                    ),
                )  # fmt: skip
                counter = {"created": "created", "linked": "linked"}.get(str(outcome.status), "errors")
                setattr(locked, counter, getattr(locked, counter) + 1)
                locked.rows_done += 1
            locked.save(update_fields=["created", "linked", "errors", "rows_done", "updated_at"])


def _finish(opening_id: int, status: str) -> AccountOpening:
    with transaction.atomic():
        opening = (
            AccountOpening.objects.select_for_update(of=("self",)).select_related("institution").get(pk=opening_id)
        )
        if opening.finished:
            return opening
        now = timezone.now()
        opening.status = status
        opening.finished_at = now
        opening.result_expires_at = now + timedelta(hours=policy().account_opening_result_hours)
        opening.save(update_fields=["status", "finished_at", "result_expires_at", "updated_at"])
        expires = opening.result_expires_at
        transaction.on_commit(lambda: _schedule_purge(expires))
        audit_record(
            actor=opening.created_by, action="institution.accounts_opened", object_type="account_opening",
            object_id=opening.pk,
            reason=(
                f"{_on_behalf(opening.institution, None)}{_client_suffix(opening)} status:{status} "
                f"created:{opening.created} linked:{opening.linked} errors:{opening.errors}"
            ),
        )  # fmt: skip
    log.info(
        "account opening %s %s: created=%s linked=%s errors=%s",
        opening.pk, status, opening.created, opening.linked, opening.errors,
    )  # fmt: skip
    return opening


def _schedule_purge(at: datetime) -> None:
    try:
        tasks.purge_account_opening_results.using(run_after=at + timedelta(seconds=1)).enqueue()
    except Exception:  # the immediate and dummy backends refuse run_after; the daily command covers it
        log.debug("result purge not scheduled for %s; purge_account_openings will", at)


def account_openings_resume(*, now: datetime | None = None) -> list[int]:
    """Queue again every opening left queued or running without progress for ``STALLED_AFTER``
    (its worker stopped); the run picks up at its first unreported row."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    stalled = list(
        AccountOpening.objects.filter(
            status__in=[OpeningStatus.QUEUED, OpeningStatus.RUNNING], updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for opening_id in stalled:
        tasks.run_account_opening.enqueue(opening_id)
    return stalled


# --- the result file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultFile:
    data: bytes
    content_type: str
    filename: str


def _result_gone() -> DomainError:
    return DomainError(
        ErrorCode.OPENING_RESULT_GONE,
        _(
            "The result file was downloaded already or has expired, and its initial passwords are deleted. "
            "Students without their password use “Forgot password” with their email, or contact the credit bank."
        ),
        status=410,
    )


def account_opening_result(*, caller: Any, code: str, id: int, client_address: str = "") -> ResultFile:
    """The result file of a finished opening, in the format of the upload: each row's status and,
    for each account opened, its account number and initial password. Once: for the uploader
    only (403 ``opening_result_not_yours``), after the run (409 ``opening_not_finished``), within
    ``ACCOUNT_OPENING_RESULT_HOURS`` and not fetched before (410 ``opening_result_gone``). Fetching
    it deletes the sealed passwords and the file's rows; the report stays."""
    with transaction.atomic():
        opening = account_opening_get_for_actor(actor=caller, code=code, id=id, for_update=True)
        if not account_opening_is_uploader(opening=opening, caller=caller):
            raise PermissionDenied(
                ErrorCode.OPENING_RESULT_NOT_YOURS,
                _("Only the person or system that uploaded the file receives its initial passwords."),
            )
        if not opening.finished:
            raise DomainError(
                ErrorCode.OPENING_NOT_FINISHED,
                _("The accounts are still being opened. Download the result when the report is complete."),
                status=409,
            )
        now = timezone.now()
        expired = opening.result_expires_at is not None and opening.result_expires_at <= now
        if opening.result_downloaded_at or opening.result_purged_at or expired or not opening.source_blob:
            raise _result_gone()
        data = _render_result(opening)
        blob = opening.source_blob
        AccountOpeningRow.objects.filter(opening=opening).exclude(initial_password_enc="").update(
            initial_password_enc=""
        )
        opening.source_blob = ""
        opening.result_downloaded_at = now
        opening.save(update_fields=["source_blob", "result_downloaded_at", "updated_at"])
        user, client = _who(caller)
        audit_record(
            actor=user, action="institution.accounts_result_downloaded", object_type="account_opening",
            object_id=opening.pk, reason=_on_behalf(opening.institution, client), client_address=client_address,
        )  # fmt: skip
        transaction.on_commit(lambda: vault().delete(blob))
    kind = student_files.FileFormat(opening.file_format)
    stamp = timezone.localtime(opening.created_at).strftime("%Y%m%d-%H%M")
    return ResultFile(data, CONTENT_TYPES[kind], f"accounts-{opening.institution.code}-{stamp}.{kind.value}")


def _render_result(opening: AccountOpening) -> bytes:
    source = {row.number: row for row in _rows_of(opening)}
    report = account_opening_rows(opening=opening).select_related("user")
    lines: list[list[object]] = []
    with translation.override(opening.language):
        header = [str(h) for h in RESULT_HEADERS]
        for row in report:
            given = source.get(row.number)
            created = row.status == RowStatus.CREATED
            password = (
                cipher().decrypt(row.initial_password_enc, context=INITIAL_PASSWORD_CONTEXT)
                if created and row.initial_password_enc
                else ""
            )
            lines.append(
                [
                    row.number,
                    given.get("name") if given else "",
                    given.get("student_no") if given else "",
                    row.status,
                    str(STATUS_LABELS[row.status]),
                    row.user.account_no if created and row.user else "",
                    password,
                    row.code,
                    row.message_in(opening.language),
                ]
            )
    return student_files.render(student_files.FileFormat(opening.file_format), header, lines)


def account_openings_purge(*, now: datetime | None = None) -> int:
    """Delete the initial passwords and the file's rows of every result nobody fetched before it
    expired (daily, ``purge_account_openings``). The report stays. Returns how many."""
    at = now or timezone.now()
    count = 0
    expired = AccountOpening.objects.filter(
        result_expires_at__lte=at, result_downloaded_at__isnull=True, result_purged_at__isnull=True
    ).values_list("pk", flat=True)
    for opening_id in list(expired):
        with transaction.atomic():
            opening = AccountOpening.objects.select_for_update().get(pk=opening_id)
            if opening.result_downloaded_at or opening.result_purged_at:
                continue
            blob = opening.source_blob
            AccountOpeningRow.objects.filter(opening=opening).exclude(initial_password_enc="").update(
                initial_password_enc=""
            )
            opening.source_blob = ""
            opening.result_purged_at = at
            opening.save(update_fields=["source_blob", "result_purged_at", "updated_at"])
            if blob:
                transaction.on_commit(functools.partial(vault().delete, blob))
        count += 1
    return count


# --- the template ---------------------------------------------------------------------------------

#: The template's one sample row: a made-up student (the ID number's check digit is right).
_SAMPLE_ID = "11010520050307002"


def account_opening_template(*, kind: str, headers: str) -> ResultFile:
    """The column template (数据标准): the header row in Chinese (``zh``) or English (``en``) and
    one sample row, as CSV or XLSX (its ID number and phone columns formatted as text)."""
    file_kind = student_files.FileFormat(kind)
    header = student_files.TEMPLATE_HEADERS[headers]
    sample = ["张三", _SAMPLE_ID + check_char(_SAMPLE_ID), "13800138000", "zhangsan@example.com", "2026001"]
    data = student_files.render(file_kind, header, [sample], text_columns=(1, 2), title="students")
    return ResultFile(data, CONTENT_TYPES[file_kind], f"account-opening-template-{headers}.{file_kind.value}")
