"""Institutions deposit their learners' outcomes: certified on arrival, credits in the ledger.

A deposit is idempotent per (institution, ``external_id``): the database's unique constraint
decides, so a resent batch, or the same batch sent twice at once, deposits each outcome once
and answers ``duplicate`` for the rest. Learners are named by account number or ID number
(blind index); an unknown learner is an error row, never a new account. Rows are checked one
by one and every accepted row is deposited in a savepoint of the batch's one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.selectors import learner_find
from creditbank.audit.services import audit_record
from creditbank.kernel.errors import DomainError
from creditbank.ledger.services import ledger_post
from creditbank.outcomes.errors import ErrorCode
from creditbank.outcomes.models import Outcome, OutcomeSource, OutcomeStatus
from creditbank.outcomes.services.fields import CleanOutcome, outcome_clean

MAX_BATCH = 1000
_EXTERNAL_ID = re.compile(r"\A[\x21-\x7e]{1,64}\Z")
ROW_MESSAGES: dict[ErrorCode, Any] = {
    ErrorCode.LEARNER_REQUIRED: _("Name the learner by account_no or id_number."),
    ErrorCode.LEARNER_NOT_FOUND: _("No learner has this account number or ID number."),
    ErrorCode.EXTERNAL_ID_INVALID: _("external_id is required: 1 to 64 printable characters without spaces."),
    ErrorCode.RESULT_NOT_PASSING: _("A failing result earns no credits and is not deposited."),
}


@dataclass
class DepositReport:
    """What a batch did: the API's ``{"accepted", "duplicates", "errors"}`` plus each accepted
    row's outcome id (``outcome_ids`` by row index)."""

    accepted: int = 0
    duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    outcome_ids: dict[int, int] = field(default_factory=dict)
    duplicate_indexes: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "errors": self.errors}


@dataclass(frozen=True)
class CheckedRow:
    """A row that passed its checks, with its learner: ready to deposit."""

    index: int
    external_id: str
    user: Any
    clean: CleanOutcome


def _error(report: DepositReport, index: int, refused: DomainError) -> None:
    report.errors.append(
        {"index": index, "code": refused.code, "field": refused.field or next(iter(refused.errors), ""),
         "message": str(refused.message)}
    )  # fmt: skip


def _learner_ref(row: Mapping[str, Any]) -> tuple[str, str]:
    learner = row.get("learner")
    if not isinstance(learner, Mapping):
        return "", ""
    account_no, id_number = learner.get("account_no"), learner.get("id_number")
    return (account_no if isinstance(account_no, str) else ""), (id_number if isinstance(id_number, str) else "")


def deposit_row_check(row: Any, *, today: Any) -> tuple[str, tuple[str, str], CleanOutcome]:
    """One row's external id, learner reference and fields, or the row's refusal."""
    if not isinstance(row, Mapping):
        raise DomainError(ErrorCode.EXTERNAL_ID_INVALID, _("Each outcome is a JSON object."))
    external_id = row.get("external_id")
    if not isinstance(external_id, str) or not _EXTERNAL_ID.match(external_id):
        raise DomainError(
            ErrorCode.EXTERNAL_ID_INVALID, ROW_MESSAGES[ErrorCode.EXTERNAL_ID_INVALID], field="external_id"
        )
    account_no, id_number = _learner_ref(row)
    if not (account_no.strip() or id_number.strip()):
        raise DomainError(ErrorCode.LEARNER_REQUIRED, ROW_MESSAGES[ErrorCode.LEARNER_REQUIRED], field="learner")
    clean = outcome_clean(row, today=today, issuer_required=False)
    if clean.result is not None and not clean.result.passing:
        raise DomainError(ErrorCode.RESULT_NOT_PASSING, ROW_MESSAGES[ErrorCode.RESULT_NOT_PASSING], field="result")
    return external_id, (account_no.strip(), id_number.strip()), clean


def outcome_deposit(*, institution: Any, row: CheckedRow) -> Outcome | None:
    """Deposit one checked row (inside the caller's transaction): the outcome, certified, and
    its ledger entry. None when the institution deposited this external id already."""
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                user=row.user,
                source=OutcomeSource.INSTITUTION,
                issuer_institution=institution,
                external_id=row.external_id,
                status=OutcomeStatus.CERTIFIED,
                certified_credits=row.clean.credits,
                certified_at=timezone.now(),
                deposit_entry_id=0,  # set below, in this savepoint
                **row.clean.columns(),
            )
            entry = ledger_post(
                user=row.user, kind="deposit", amount=row.clean.credits, outcome_id=outcome.pk,
                outcome_type=outcome.type,
            )  # fmt: skip
            Outcome.objects.filter(pk=outcome.pk).update(deposit_entry_id=entry.pk)
            outcome.deposit_entry_id = entry.pk
    except IntegrityError:
        if Outcome.objects.filter(issuer_institution=institution, external_id=row.external_id).exists():
            return None
        raise
    return outcome


def outcomes_deposit(
    *, institution: Any, rows: Sequence[Any], actor: Any = None, deposited_by: str, client_address: str = ""
) -> DepositReport:
    """Deposit a batch (at most 1,000 rows) for ``institution`` (the caller checked that the
    actor deposits for it: an issuer there, or its API client with ``outcomes:write``).
    ``deposited_by`` names the depositor in the audit row (``user:ID`` or ``client:CLIENT_ID``)."""
    if len(rows) > MAX_BATCH:
        raise DomainError(
            ErrorCode.BATCH_TOO_LARGE, _("At most 1000 outcomes per call; send the rest in another call or as a file."),
            field="outcomes", status=413, extra={"max_items": MAX_BATCH},
        )  # fmt: skip
    report = DepositReport()
    today = timezone.localdate()
    checked: list[CheckedRow] = []
    seen: set[str] = set()
    existing = set(
        Outcome.objects.filter(
            issuer_institution=institution,
            external_id__in=[
                r.get("external_id") for r in rows if isinstance(r, Mapping) and isinstance(r.get("external_id"), str)
            ],
        ).values_list("external_id", flat=True)
    )
    for index, raw in enumerate(rows):
        try:
            external_id, (account_no, id_number), clean = deposit_row_check(raw, today=today)
        except DomainError as refused:
            _error(report, index, refused)
            continue
        if external_id in existing or external_id in seen:
            report.duplicates += 1
            report.duplicate_indexes.append(index)
            continue
        user = learner_find(account_no=account_no, id_number=id_number)
        if user is None:
            _error(
                report,
                index,
                DomainError(ErrorCode.LEARNER_NOT_FOUND, ROW_MESSAGES[ErrorCode.LEARNER_NOT_FOUND], field="learner"),
            )
            continue
        seen.add(external_id)
        checked.append(CheckedRow(index, external_id, user, clean))
    # one account at a time, in a fixed order, so that concurrent batches never deadlock
    with transaction.atomic():
        for row in sorted(checked, key=lambda r: (r.user.pk, r.index)):
            outcome = outcome_deposit(institution=institution, row=row)
            if outcome is None:
                report.duplicates += 1
                report.duplicate_indexes.append(row.index)
            else:
                report.accepted += 1
                report.outcome_ids[row.index] = outcome.pk
        audit_record(
            actor=actor, action="outcomes.deposited", object_type="institution", object_id=institution.code,
            reason=f"{deposited_by} accepted={report.accepted} duplicates={report.duplicates} errors={len(report.errors)}",
            client_address=client_address,
        )  # fmt: skip
    report.errors.sort(key=lambda e: e["index"])
    return report
