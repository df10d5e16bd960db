"""Posting to the ledger: entries to one locked account, in one transaction with its projection.

``ledger_post`` posts one entry; the conversion services post several to the same account under
the same lock through :class:`Posting`, which every entry goes through (the posting rules, the
outcome's own holding, the seq, the hash chain, the projection)."""

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
from creditbank.ledger.domain.postings import (
    OWN,
    POSTABLE,
    Balances,
    Kind,
    SubAccount,
    Transfer,
    outcome_check,
    own_changes,
    transfer,
)
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import CreditAccount, LedgerEntry

MESSAGES: dict[ErrorCode, Any] = {
    ErrorCode.AMOUNT_INVALID: _("Enter a positive number of credits with at most two decimal places."),
    ErrorCode.KIND_INVALID: _("This kind of ledger entry cannot be posted."),
    ErrorCode.INSUFFICIENT_CREDITS: _("There are not enough credits for this."),
    ErrorCode.ALREADY_REVERSED: _("This ledger entry has been reversed already."),
    ErrorCode.REVERSAL_INVALID: _("A reversal must name an entry of the same account that is not itself a reversal."),
    ErrorCode.PROGRAMME_REQUIRED: _("Name the programme whose credits this entry moves."),
    ErrorCode.PROGRAMME_UNEXPECTED: _("Only an entry of a programme's credits names a programme."),
    ErrorCode.PROGRAMME_KEY_INVALID: _(
        "A programme is named by the institution's code and the programme's code, as demo-univ:CS."
    ),
}
STATUS = {ErrorCode.INSUFFICIENT_CREDITS: 409, ErrorCode.ALREADY_REVERSED: 409}
FIELD = {
    ErrorCode.AMOUNT_INVALID: "amount",
    ErrorCode.KIND_INVALID: "kind",
    ErrorCode.REVERSAL_INVALID: "reverses",
    ErrorCode.PROGRAMME_REQUIRED: "programme",
    ErrorCode.PROGRAMME_UNEXPECTED: "programme",
    ErrorCode.PROGRAMME_KEY_INVALID: "programme",
}
OUTCOME_TYPE_MAX = 32


def ledger_error(refused: CreditsError) -> DomainError:
    """A domain refusal as the context's DomainError (message in the reader's language)."""
    code = refused.code
    extra: dict[str, Any] | None = {"allowed": sorted(POSTABLE)} if code == ErrorCode.KIND_INVALID else None
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
    programmes = {key: Decimal(value) for key, value in (account.programmes or {}).items()}
    return Balances(account.available, account.frozen, by_type, programmes)


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
        programme=entry.programme,
    )


def _original(account: CreditAccount, reverses: Any) -> LedgerEntry:
    ident = getattr(reverses, "pk", reverses)
    original = LedgerEntry.objects.filter(account=account, pk=ident).first() if isinstance(ident, int) else None
    if original is None:
        raise ledger_error(CreditsError(ErrorCode.REVERSAL_INVALID))
    if LedgerEntry.objects.filter(reverses=original).exists():
        raise ledger_error(CreditsError(ErrorCode.ALREADY_REVERSED))
    return original


def account_lock(*, user: Any) -> CreditAccount:
    """The user's credit account (opened on first use) with its row locked until the end of the
    transaction (``SELECT … FOR UPDATE``): everything that posts to it or claims outcomes for it
    waits here, so they happen one after the other."""
    opened = credit_account_open(user=user)
    return CreditAccount.objects.select_for_update().get(pk=opened.pk)


def outcome_holding(account: CreditAccount, outcome_id: int) -> tuple[Decimal, Decimal]:
    """(available, frozen): what the entries naming ``outcome_id`` put in the account's available
    and frozen credits (the entries of this transaction included)."""
    available = frozen = Decimal("0.00")
    for debit, credit, amount in LedgerEntry.objects.filter(account=account, outcome_id=outcome_id).values_list(
        "debit", "credit", "amount"
    ):
        change_available, change_frozen = own_changes(debit, credit, amount)
        available += change_available
        frozen += change_frozen
    return available, frozen


class Posting:
    """Entries posted to one account whose row this transaction has locked (:func:`account_lock`):
    each takes the next seq and chains to the previous hash, the balances move with it, and
    :meth:`save` writes the projection once, after the last. A refusal raises before its entry is
    written; the caller's transaction then takes back whatever was posted before it."""

    def __init__(self, account: CreditAccount) -> None:
        self.account = account
        self.balances = account_balances(account)

    def post(
        self,
        *,
        kind: str,
        amount: object,
        outcome_id: int | None = None,
        application_id: int | None = None,
        reverses: LedgerEntry | int | None = None,
        outcome_type: str = "",
        programme: str = "",
    ) -> LedgerEntry:
        """Post one entry (the rules of :func:`ledger_post`)."""
        account = self.account
        original: LedgerEntry | None = None
        reversed_move: Transfer | None = None
        if kind == Kind.REVERSAL or reverses is not None:
            if reverses is None:
                raise ledger_error(CreditsError(ErrorCode.REVERSAL_INVALID))
            original = _original(account, reverses)
            if kind == Kind.REVERSAL:
                reversed_move = Transfer(
                    Kind(original.kind),
                    SubAccount(original.debit),
                    SubAccount(original.credit),
                    original.amount,
                    original.programme,
                )
                amount = original.amount if amount is None else amount
                outcome_type = original.outcome_type
                outcome_id = original.outcome_id if outcome_id is None else outcome_id
                application_id = original.application_id if application_id is None else application_id
        try:
            move = transfer(kind, amount, reverses=reversed_move, programme=programme)
            if original is not None and kind != Kind.REVERSAL:
                raise CreditsError(ErrorCode.REVERSAL_INVALID)
            if outcome_id is not None and move.debit in OWN:
                available, frozen = outcome_holding(account, outcome_id)
                outcome_check(move, outcome_id=outcome_id, available=available, frozen=frozen)
            balances = self.balances.apply(move, outcome_type=outcome_type)
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
            programme=move.programme,
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
        self.balances = balances
        account.last_seq = entry.seq
        account.last_hash = entry.hash
        return entry

    def save(self) -> None:
        """Write the projection: the balances after the entries posted, the last seq and hash."""
        account, balances = self.account, self.balances
        account.available = balances.available
        account.frozen = balances.frozen
        account.by_type = {key: f"{value:.2f}" for key, value in sorted(balances.by_type.items())}
        account.programmes = {key: f"{value:.2f}" for key, value in sorted(balances.programmes.items())}
        account.save(update_fields=["available", "frozen", "by_type", "programmes", "last_seq", "last_hash"])


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
    programme: str = "",
) -> LedgerEntry:
    """Post one entry to ``user``'s credit account: the account row is locked, the entry takes
    the next seq and chains to the previous hash, and the balances are updated in the same
    transaction. A reversal (``reverses``: an entry of this account, or its id) moves the
    original's amount back between the same sub-accounts, keeps its outcome type, ids and
    programme, and may be posted once; ``amount`` None takes the original's. ``programme`` (a
    programme key, ``"demo-univ:CS"``) names the programme a conversion_credit credits, and no
    other kind takes one. An entry naming an outcome never takes more from the available or
    frozen credits than that outcome's entries put there. Refusals: ``amount_invalid``,
    ``kind_invalid``, ``insufficient_credits``, ``already_reversed``, ``reversal_invalid``,
    ``programme_required``, ``programme_unexpected``, ``programme_key_invalid``."""
    if kind not in POSTABLE:
        raise ledger_error(CreditsError(ErrorCode.KIND_INVALID))
    if len(outcome_type) > OUTCOME_TYPE_MAX:
        raise DomainError(KernelCode.TOO_LONG, _("The outcome type is too long."), field="outcome_type")
    posting = Posting(account_lock(user=user))
    entry = posting.post(
        kind=kind,
        amount=amount,
        outcome_id=outcome_id,
        application_id=application_id,
        reverses=reverses,
        outcome_type=outcome_type,
        programme=programme,
    )
    posting.save()
    return entry
