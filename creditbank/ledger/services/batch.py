"""Deposits for many learners at once: the bulk path of institution imports.

``ledger_post_deposits`` does what ``ledger_post(kind="deposit")`` does for each deposit in turn,
in one transaction with a handful of statements instead of five per entry: the accounts are
opened where missing and locked together (``SELECT … FOR UPDATE`` in the order of their users'
ids, the order every batch of deposits locks them in, so two batches never deadlock), each entry
takes its account's next seq and chains to its previous hash in the order given, the entries are
written in one bulk insert (COPY on PostgreSQL) and each account's projection is updated once.
Every invariant of ``ledger_post`` holds (ADR 0021): the canonical form and hash of each entry
are the same function's, seqs are gap-free, balances equal the sums of the entries, nothing is
updated or deleted; a refusal (an invalid amount or outcome type) raises before anything is
written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.bulk import insert_rows
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.ledger.domain.canonical import EntryRecord, account_pseudonym
from creditbank.ledger.domain.credits import CreditsError
from creditbank.ledger.domain.postings import Balances, Kind, transfer
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.services.posting import OUTCOME_TYPE_MAX, ledger_error


@dataclass(frozen=True)
class Deposit:
    """One deposit to post: ``amount`` credits of ``outcome_type`` for outcome ``outcome_id``."""

    user_id: int
    amount: Decimal
    outcome_id: int
    outcome_type: str


@transaction.atomic
def ledger_post_deposits(*, deposits: Sequence[Deposit]) -> list[int]:
    """Post a ``deposit`` entry for each of ``deposits`` (in this order within an account) and
    answer the new entries' ids in the same order."""
    if not deposits:
        return []
    moves = []
    for deposit in deposits:
        if len(deposit.outcome_type) > OUTCOME_TYPE_MAX:
            raise DomainError(KernelCode.TOO_LONG, _("The outcome type is too long."), field="outcome_type")
        try:
            moves.append(transfer(Kind.DEPOSIT, deposit.amount))
        except CreditsError as refused:
            raise ledger_error(refused) from None
    user_ids = sorted({d.user_id for d in deposits})
    have = set(CreditAccount.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    if missing := [u for u in user_ids if u not in have]:
        CreditAccount.objects.bulk_create([CreditAccount(user_id=u) for u in missing], ignore_conflicts=True)
    locked = (
        CreditAccount.objects.select_for_update()
        .filter(user_id__in=user_ids)
        .order_by("user_id")
        .values_list("user_id", "id", "available", "frozen", "by_type", "last_seq", "last_hash")
    )
    accounts: dict[int, _Account] = {}
    for user_id, pk, available, frozen, by_type, last_seq, last_hash in locked:
        held = Balances(available, frozen, {key: Decimal(value) for key, value in (by_type or {}).items()})
        accounts[user_id] = _Account(pk, held, last_seq, last_hash)
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for deposit, move in zip(deposits, moves, strict=True):
        account = accounts[deposit.user_id]
        try:
            account.held = account.held.apply(move, outcome_type=deposit.outcome_type)
        except CreditsError as refused:  # pragma: no cover - a deposit only adds
            raise ledger_error(refused) from None
        record = EntryRecord(
            account=account_pseudonym(account.pk), seq=account.last_seq + 1, kind=move.kind, debit=move.debit,
            credit=move.credit, amount=move.amount, outcome_type=deposit.outcome_type, outcome_id=deposit.outcome_id,
            application_id=None, reverses_seq=None, created_at=now, prev=account.last_hash,
        )  # fmt: skip
        digest = record.sha256()
        rows.append(
            {"account_id": account.pk, "seq": record.seq, "kind": move.kind.value, "debit": move.debit.value,
             "credit": move.credit.value, "amount": move.amount, "outcome_type": deposit.outcome_type,
             "outcome_id": deposit.outcome_id, "application_id": None, "programme": "", "reverses_id": None,
             "created_at": now, "prev_hash": account.last_hash, "hash": digest, "log_index": None}
        )  # fmt: skip
        account.last_seq, account.last_hash = record.seq, digest
    ids = insert_rows(LedgerEntry, rows)
    _projections_save([accounts[u] for u in user_ids])
    return ids


@dataclass
class _Account:
    """A locked account's projection while the batch posts to it."""

    pk: int
    held: Balances
    last_seq: int
    last_hash: str


_UPDATE_PG = (
    "UPDATE ledger_creditaccount AS a SET available = v.available, frozen = v.frozen, by_type = v.by_type, "
    "last_seq = v.last_seq, last_hash = v.last_hash FROM jsonb_to_recordset(%s::jsonb) "
    "AS v(id bigint, available numeric, frozen numeric, by_type jsonb, last_seq bigint, last_hash text) "
    "WHERE a.id = v.id"
)
_UPDATE_ONE = (
    "UPDATE ledger_creditaccount SET available = %s, frozen = %s, by_type = %s, last_seq = %s, last_hash = %s "
    "WHERE id = %s"
)


def _projections_save(changed: Sequence[_Account]) -> None:
    """Each account's new projection in one statement (PostgreSQL: ``UPDATE … FROM
    jsonb_to_recordset``; elsewhere one prepared UPDATE run for each account)."""
    rows = [
        {"id": a.pk, "available": f"{a.held.available:.2f}", "frozen": f"{a.held.frozen:.2f}",
         "by_type": {k: f"{v:.2f}" for k, v in sorted(a.held.by_type.items())}, "last_seq": a.last_seq,
         "last_hash": a.last_hash}
        for a in changed
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_UPDATE_PG, [json.dumps(rows)])
        else:
            params: list[tuple[Any, ...]] = [
                (r["available"], r["frozen"], json.dumps(r["by_type"]), r["last_seq"], r["last_hash"], r["id"])
                for r in rows
            ]
            cursor.executemany(_UPDATE_ONE, params)
