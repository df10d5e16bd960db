"""Posting to the ledger: one entry per call, in one transaction with its projection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.ledger.domain.canonical import EntryRecord, account_pseudonym
from creditbank.ledger.domain.credits import CreditsError, credits
from creditbank.ledger.domain.postings import POSTABLE, Balances, Kind, SubAccount, Transfer, transfer
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import CreditAccount, LedgerEntry

MESSAGES: dict[ErrorCode, Any] = {
    ErrorCode.AMOUNT_INVALID: _("Enter a positive number of credits with at most two decimal places."),
    ErrorCode.KIND_INVALID: _("This kind of ledger entry cannot be posted."),
    ErrorCode.INSUFFICIENT_CREDITS: _("There are not enough credits for this."),
    ErrorCode.ALREADY_REVERSED: _("This ledger entry has been reversed already."),
    ErrorCode.REVERSAL_INVALID: _("A reversal must name an entry of the same account that is not itself a reversal."),
}
STATUS = {ErrorCode.INSUFFICIENT_CREDITS: 409, ErrorCode.ALREADY_REVERSED: 409}
FIELD = {ErrorCode.AMOUNT_INVALID: "amount", ErrorCode.KIND_INVALID: "kind", ErrorCode.REVERSAL_INVALID: "reverses"}
OUTCOME_TYPE_MAX = 32


def ledger_error(refused: CreditsError) -> DomainError:
    """A domain refusal as the context's DomainError (message in the reader's language)."""
    code = refused.code
    extra = {"allowed": sorted(POSTABLE)} if code == ErrorCode.KIND_INVALID else None
    if code in FIELD:
        return DomainError(code, MESSAGES[code], field=FIELD[code], extra=extra)
    return DomainError(code, MESSAGES[code], status=STATUS.get(code, 400), extra=extra)


def credit_account_open(*, user: Any) -> CreditAccount:
    """The user's credit account, created on first use (one per user, the database's unique
    constraint decides a race)."""
    found = CreditAccount.objects.filter(user=user).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CreditAccount.objects.create(user=user)
    except IntegrityError:
        return CreditAccount.objects.get(user=user)


def account_balances(account: CreditAccount) -> Balances:
    by_type = {key: Decimal(value) for key, value in (account.by_type or {}).items()}
    return Balances(account.available, account.frozen, by_type)


def entry_record(entry: LedgerEntry, *, reverses_seq: int | None = None) -> EntryRecord:
    """The canonical record of a stored or new entry (``reverses_seq``: the reversed entry's seq,
    looked up when not given)."""
    if entry.reverses_id is not None and reverses_seq is None:
        reverses_seq = LedgerEntry.objects.values_list("seq", flat=True).get(pk=entry.reverses_id)
    return EntryRecord(
        account=account_pseudonym(entry.account_id),
        seq=entry.seq,
        kind=entry.kind,
        debit=entry.debit,
        credit=entry.credit,
        amount=entry.amount,
        outcome_type=entry.outcome_type,
        outcome_id=entry.outcome_id,
        application_id=entry.application_id,
        reverses_seq=reverses_seq,
        created_at=entry.created_at,
        prev=entry.prev_hash,
    )


def _original(account: CreditAccount, reverses: Any) -> LedgerEntry:
    ident = getattr(reverses, "pk", reverses)
    original = LedgerEntry.objects.filter(account=account, pk=ident).first() if isinstance(ident, int) else None
    if original is None:
        raise ledger_error(CreditsError(ErrorCode.REVERSAL_INVALID))
    if LedgerEntry.objects.filter(reverses=original).exists():
        raise ledger_error(CreditsError(ErrorCode.ALREADY_REVERSED))
    return original


@transaction.atomic
def ledger_post(
    *,
    user: Any,
    kind: str,
    amount: object,
    outcome_id: int | None = None,
    application_id: int | None = None,
    reverses: LedgerEntry | int | None = None,
    outcome_type: str = "",
) -> LedgerEntry:
    """Post one entry to ``user``'s credit account: the account row is locked, the entry takes
    the next seq and chains to the previous hash, and the balances are updated in the same
    transaction. A reversal (``reverses``: an entry of this account, or its id) moves the
    original's amount back between the same sub-accounts, keeps its outcome type and ids, and
    may be posted once; ``amount`` None takes the original's. Refusals: ``amount_invalid``,
    ``kind_invalid``, ``insufficient_credits``, ``already_reversed``, ``reversal_invalid``."""
    if kind not in POSTABLE:
        raise ledger_error(CreditsError(ErrorCode.KIND_INVALID))
    if len(outcome_type) > OUTCOME_TYPE_MAX:
        raise DomainError(KernelCode.TOO_LONG, _("The outcome type is too long."), field="outcome_type")
    opened = credit_account_open(user=user)
    account = CreditAccount.objects.select_for_update().get(pk=opened.pk)
    original: LedgerEntry | None = None
    reversed_move: Transfer | None = None
    if kind == Kind.REVERSAL or reverses is not None:
        if reverses is None:
            raise ledger_error(CreditsError(ErrorCode.REVERSAL_INVALID))
        original = _original(account, reverses)
        if kind == Kind.REVERSAL:
            reversed_move = Transfer(
                Kind(original.kind), SubAccount(original.debit), SubAccount(original.credit), original.amount
            )
            amount = original.amount if amount is None else amount
            outcome_type = original.outcome_type
            outcome_id = original.outcome_id if outcome_id is None else outcome_id
            application_id = original.application_id if application_id is None else application_id
    try:
        move = transfer(kind, amount, reverses=reversed_move)
        if original is not None and kind != Kind.REVERSAL:
            raise CreditsError(ErrorCode.REVERSAL_INVALID)
        balances = account_balances(account).apply(move, outcome_type=outcome_type)
    except CreditsError as refused:
        raise ledger_error(refused) from None
    entry = LedgerEntry(
        account=account,
        seq=account.last_seq + 1,
        kind=move.kind,
        debit=move.debit,
        credit=move.credit,
        amount=credits(move.amount),
        outcome_type=outcome_type,
        outcome_id=outcome_id,
        application_id=application_id,
        reverses=original,
        created_at=timezone.now(),
        prev_hash=account.last_hash,
    )
    entry.hash = entry_record(entry, reverses_seq=original.seq if original else None).sha256()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # the unique reversal: a concurrent reversal of the same entry committed first
        if original is not None:
            raise ledger_error(CreditsError(ErrorCode.ALREADY_REVERSED)) from None
        raise
    account.available = balances.available
    account.frozen = balances.frozen
    account.by_type = {key: f"{value:.2f}" for key, value in sorted(balances.by_type.items())}
    account.last_seq = entry.seq
    account.last_hash = entry.hash
    account.save(update_fields=["available", "frozen", "by_type", "last_seq", "last_hash"])
    return entry
