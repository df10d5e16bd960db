"""Bulk account opening, the upload: who may, the file checked as a whole, its rows sealed in the vault, the
work queued; nothing but the rate-limit counts is written on a refusal."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.accounts.services import (
    uploads_allow,
)
from creditbank.audit.services import audit_record
from creditbank.institutions import tasks
from creditbank.institutions.domain import student_files
from creditbank.institutions.domain.principals import ClientPrincipal
from creditbank.institutions.domain.student_files import StudentFileError, StudentRow
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import (
    AccountOpening,
    Institution,
)
from creditbank.institutions.personal_data import OPENING_ROWS_CONTEXT
from creditbank.institutions.selectors import (
    opening_institution_for,
)
from creditbank.kernel import ratelimit
from creditbank.kernel.documents import clean_filename
from creditbank.kernel.errors import DomainError, RateLimited
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.images import read_limited
from creditbank.kernel.policy import policy
from creditbank.kernel.vault import vault

log = logging.getLogger(__name__)

#: The largest file taken (5,000 rows of a CSV are about 400 KB).
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
MAX_FILE_BYTES = 5 * 1024 * 1024
OPENINGS_SPENT = _("Your institution has uploaded many files in the last hour. Try again %(when)s.")
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


# --- the caller -----------------------------------------------------------------------------------


def who(caller: Any) -> tuple[User | None, ClientPrincipal | None]:
    if isinstance(caller, ClientPrincipal):
        return None, caller
    return caller, None


def on_behalf(institution: Institution, client: ClientPrincipal | None) -> str:
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
    user, client = who(caller)
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
                object_id=opening.pk, reason=f"{on_behalf(institution, client)} rows:{len(parsed.rows)}",
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


def rows_of(opening: AccountOpening) -> list[StudentRow]:
    payload = json.loads(vault().read(opening.source_blob, context=OPENING_ROWS_CONTEXT))
    return [StudentRow(number=r["n"], values=r["v"], numeric=frozenset(r["x"])) for r in payload["rows"]]
