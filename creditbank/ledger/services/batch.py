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

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.bulk import insert_rows
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.ledger.domain.credits import CreditsError, credits
from creditbank.ledger.domain.postings import Balances, Kind, transfer
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.services.posting import OUTCOME_TYPE_MAX, account_balances, entry_record, ledger_error


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
    accounts = {a.user_id: a for a in CreditAccount.objects.select_for_update().filter(user_id__in=user_ids).order_by("user_id")}  # fmt: skip
    balances: dict[int, Balances] = {u: account_balances(a) for u, a in accounts.items()}
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for deposit, move in zip(deposits, moves, strict=True):
        account = accounts[deposit.user_id]
        try:
            balances[deposit.user_id] = balances[deposit.user_id].apply(move, outcome_type=deposit.outcome_type)
        except CreditsError as refused:  # pragma: no cover - a deposit only adds
            raise ledger_error(refused) from None
        entry = LedgerEntry(
            account=account,
            seq=account.last_seq + 1,
            kind=move.kind,
            debit=move.debit,
            credit=move.credit,
            amount=credits(move.amount),
            outcome_type=deposit.outcome_type,
            outcome_id=deposit.outcome_id,
            application_id=None,
            reverses=None,
            created_at=now,
            prev_hash=account.last_hash,
        )
        entry.hash = entry_record(entry, reverses_seq=None).sha256()
        account.last_seq, account.last_hash = entry.seq, entry.hash
        rows.append(
            {"account_id": account.pk, "seq": entry.seq, "kind": entry.kind, "debit": entry.debit,
             "credit": entry.credit, "amount": entry.amount, "outcome_type": entry.outcome_type,
             "outcome_id": entry.outcome_id, "application_id": None, "reverses_id": None,
             "created_at": now, "prev_hash": entry.prev_hash, "hash": entry.hash, "log_index": None}
        )  # fmt: skip
    ids = insert_rows(LedgerEntry, rows)
    touched = {d.user_id for d in deposits}
    for user_id in touched:
        account, held = accounts[user_id], balances[user_id]
        account.available, account.frozen = held.available, held.frozen
        account.by_type = {key: f"{value:.2f}" for key, value in sorted(held.by_type.items())}
    CreditAccount.objects.bulk_update(
        [accounts[u] for u in sorted(touched)], ["available", "frozen", "by_type", "last_seq", "last_hash"]
    )
    return ids
