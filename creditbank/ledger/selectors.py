"""Reads of credit accounts and their entries, with the access check, and the ledger's audit.

``credit_account_get_for_actor`` is the gate: the owner, or bank staff holding
``Role.LEDGER_AUDITOR``, whose every read is recorded in the audit trail; anyone else gets the
same ``NotFound`` as for an account that does not exist.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.roles import Acting, Role, object_for_actor
from creditbank.audit.services import audit_record
from creditbank.ledger.domain.credits import ZERO
from creditbank.ledger.domain.verify import Projection, StoredEntry, account_problems
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.services.posting import entry_record

NO_ACCOUNT = _("No such credit account.")


def credit_account_get_for_actor(*, actor: Any, id: int, acting: Acting = Acting.EITHER) -> CreditAccount:
    """The credit account ``id`` if ``actor`` owns it or holds ``Role.LEDGER_AUDITOR`` (as
    ``acting`` says); a staff read of someone else's account is audited."""
    account = object_for_actor(
        CreditAccount.objects.all(), actor=actor, id=id, role=Role.LEDGER_AUDITOR, missing=NO_ACCOUNT, acting=acting
    )
    if account.user_id != getattr(actor, "pk", None):
        audit_record(
            actor=actor,
            action="ledger.account_viewed",
            subject=account.user,
            object_type="credit_account",
            object_id=account.pk,
        )
    return account


def credit_account_of(user: Any) -> CreditAccount | None:
    """The user's own credit account, or None before anything was posted to it."""
    return CreditAccount.objects.filter(user_id=getattr(user, "pk", None) or 0).first()


@dataclass(frozen=True)
class CreditBalances:
    total: Decimal
    available: Decimal
    frozen: Decimal
    by_type: dict[str, Decimal]


def credit_balances(account: CreditAccount | None) -> CreditBalances:
    if account is None:
        return CreditBalances(ZERO, ZERO, ZERO, {})
    by_type = {key: Decimal(value) for key, value in sorted((account.by_type or {}).items())}
    return CreditBalances(account.available + account.frozen, account.available, account.frozen, by_type)


def entries_of(
    account: CreditAccount | None,
    *,
    kind: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> QuerySet[LedgerEntry]:
    """An account's entries, newest first, narrowed by kind and by time (``created_to`` excluded)."""
    if account is None:
        return LedgerEntry.objects.none()
    qs = LedgerEntry.objects.filter(account=account)
    if kind:
        qs = qs.filter(kind=kind)
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_to is not None:
        qs = qs.filter(created_at__lt=created_to)
    return qs.order_by("-seq")


@dataclass(frozen=True)
class AccountCheck:
    account_id: int
    entries: int
    problems: list[str]


def ledger_check_accounts() -> Iterator[AccountCheck]:
    """Every credit account checked against its entries (``domain.verify``), by account id."""
    for account in CreditAccount.objects.order_by("pk").iterator(chunk_size=200):
        rows = list(LedgerEntry.objects.filter(account=account).order_by("seq"))
        seqs = {row.pk: row.seq for row in rows}
        stored = [
            StoredEntry(
                entry_record(row, reverses_seq=seqs.get(row.reverses_id) if row.reverses_id else None), row.hash
            )
            for row in rows
        ]
        projection = Projection(
            available=account.available,
            frozen=account.frozen,
            by_type={key: Decimal(value) for key, value in (account.by_type or {}).items()},
            last_seq=account.last_seq,
            last_hash=account.last_hash,
        )
        yield AccountCheck(account.pk, len(rows), account_problems(stored, projection))
