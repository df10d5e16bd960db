"""Import files for tests: an institution with an issuer and learners, and CSV or XLSX files of rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from creditbank.accounts.models import User
from creditbank.institutions import services as institution_services
from creditbank.institutions.models import Institution
from creditbank.institutions.tests.factories import make_institution, make_manager
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.outcomes.domain.imports import COLUMNS
from creditbank.outcomes.models import ImportJob, ImportRow, Outcome

HEADER = [c.header for c in COLUMNS]


@dataclass
class Setting:
    institution: Institution
    issuer: User
    admin: User
    learners: list[User]
    id_numbers: dict[int, str]  #: each learner's ID number (the database holds it sealed)


def make_setting(code: str, make_learner: Any, *, learners: int = 3, manager: User | None = None) -> Setting:
    """An institution ``code`` with an administrator, an issuer (another account) and learners."""
    from conftest import next_identity

    admin, issuer = make_learner(), make_learner()
    institution = make_institution(code, admin=admin, manager=manager or make_manager())
    institution_services.member_add(actor=admin, code=code, account=issuer.account_no, role="issuer")
    made, id_numbers = [], {}
    for _ in range(learners):
        identity = next_identity()
        learner = make_learner(**identity)
        made.append(learner)
        id_numbers[learner.pk] = identity["id_number"]
    return Setting(institution, issuer, admin, made, id_numbers)


def outcome_row(learner: User | None, n: int, **over: str) -> dict[str, str]:
    """A valid row for ``learner`` (by account number), with external id ``EXT-<n>``."""
    row = {
        "account_no": learner.account_no if learner is not None else "", "id_number": "",
        "external_id": f"EXT-{n:05d}", "type": "academic_credit", "title": f"课程 {n}", "code": f"C{n % 7}",
        "achieved_on": "2024-06-30", "credits": f"{1 + n % 4}.5", "hours": "32", "result_scheme": "percentage",
        "result_value": "88", "level": "6", "expires_on": "",
    }  # fmt: skip
    row.update(over)
    return row


def csv_bytes(
    rows: Iterable[Mapping[str, str]], *, header: Sequence[str] = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    names = [c.name for c in COLUMNS]
    for row in rows:
        writer.writerow([row.get(n, "") for n in names])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[Mapping[str, Any]], *, header: Sequence[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("outcomes")
    sheet.append(list(header))
    names = [c.name for c in COLUMNS]
    for row in rows:
        sheet.append([row.get(n, "") for n in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "outcomes.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def state(setting: Setting, job: ImportJob) -> dict[str, Any]:
    """The end state of an import, with learners named by their place in the file."""
    place = {learner.pk: i for i, learner in enumerate(setting.learners)}
    outcomes = Outcome.objects.filter(issuer_institution=setting.institution)
    external = {o.pk: o.external_id for o in outcomes}
    entries: dict[int, list[tuple[Any, ...]]] = {}
    for entry in (
        LedgerEntry.objects.filter(account__user__in=setting.learners)
        .select_related("account")
        .order_by("account_id", "seq")
    ):
        entries.setdefault(place[entry.account.user_id], []).append(
            (entry.seq, entry.kind, entry.debit, entry.credit, entry.amount, entry.outcome_type,
             external[entry.outcome_id])
        )  # fmt: skip
    job.refresh_from_db()
    return {
        "outcomes": sorted(
            (
                o.external_id,
                place[o.user_id],
                o.type,
                o.title,
                o.code,
                o.achieved_on,
                o.credits,
                o.hours,
                o.result_scheme,
                o.result_value,
                o.level,
                o.expires_on,
                o.status,
                o.source,
                o.certified_credits,
                o.deposit_entry_id is not None,
            )
            for o in outcomes
        ),
        "entries": entries,
        "balances": {
            place[a.user_id]: (a.available, a.frozen, a.by_type, a.last_seq)
            for a in CreditAccount.objects.filter(user__in=setting.learners)
        },
        "report": [
            (
                r.row,
                r.external_id,
                r.status,
                r.code,
                r.field,
                r.message_zh,
                r.message_en,
                external.get(r.outcome_id) if r.outcome_id else None,
            )
            for r in ImportRow.objects.filter(job=job).order_by("row")
        ],
        "job": (job.status, job.total_rows, job.cursor, job.processed_rows, job.accepted, job.duplicates, job.errors),
    }
