"""Bulk account opening, what the institution gets back: the one-time result file, the purge of
results nobody fetched, the template."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.id_numbers import check_char
from creditbank.audit.services import audit_record
from creditbank.institutions.domain import student_files
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import (
    AccountOpening,
    AccountOpeningRow,
    RowStatus,
)
from creditbank.institutions.personal_data import INITIAL_PASSWORD_CONTEXT
from creditbank.institutions.selectors import (
    account_opening_get_for_actor,
    account_opening_is_uploader,
    account_opening_rows,
)
from creditbank.institutions.services.opening.upload import CONTENT_TYPES, on_behalf, rows_of, who
from creditbank.kernel.errors import DomainError, PermissionDenied
from creditbank.kernel.pii import cipher
from creditbank.kernel.vault import vault

log = logging.getLogger(__name__)

RESULT_HEADERS: tuple[Any, ...] = (
    _("Row"), _("Name"), _("Student number"), _("Status"), _("Result"), _("Account number"),
    _("Initial password"), _("Code"), _("Message"),
)  # fmt: skip
STATUS_LABELS: dict[str, Any] = {
    RowStatus.CREATED: _("Account opened: hand over the initial password"),
    RowStatus.LINKED: _("Linked to your institution"),
    RowStatus.ERROR: _("Not opened"),
}


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
        user, client = who(caller)
        audit_record(
            actor=user, action="institution.accounts_result_downloaded", object_type="account_opening",
            object_id=opening.pk, reason=on_behalf(opening.institution, client), client_address=client_address,
        )  # fmt: skip
        transaction.on_commit(lambda: vault().delete(blob))
    kind = student_files.FileFormat(opening.file_format)
    stamp = timezone.localtime(opening.created_at).strftime("%Y%m%d-%H%M")
    return ResultFile(data, CONTENT_TYPES[kind], f"accounts-{opening.institution.code}-{stamp}.{kind.value}")


def _render_result(opening: AccountOpening) -> bytes:
    source = {row.number: row for row in rows_of(opening)}
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
