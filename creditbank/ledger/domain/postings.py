"""Double entry: every posting is a transfer from one sub-account to another.

A learner's credit account has two sub-accounts of its own, ``available`` and ``frozen``; credits
come from and go to counter-accounts outside the learner (``issued``: credits the bank has
recognised; ``expired``; ``converted``: credits turned into recognised credit elsewhere). A
transfer moves a positive amount from its debit sub-account to its credit sub-account, so its two
legs (−amount, +amount) sum to zero: credits are never created or lost, only moved, and the
counter-accounts record where they came from and went.

| kind                | debit (from) | credit (to) |
|---------------------|--------------|-------------|
| deposit             | issued       | available   |
| freeze              | available    | frozen      |
| unfreeze            | frozen       | available   |
| conversion_debit    | frozen       | converted   |
| conversion_credit   | converted    | available   |
| expiry              | available    | expired     |
| reversal            | the reversed entry's credit | its debit |

A learner's own sub-accounts never go negative; the counter-accounts are the mirror image of
the learner's holdings (``issued`` is minus everything ever deposited).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from creditbank.ledger.domain.credits import ZERO, CreditsError, positive_credits
from creditbank.ledger.errors import ErrorCode


class SubAccount(StrEnum):
    AVAILABLE = "available"
    FROZEN = "frozen"
    ISSUED = "issued"
    EXPIRED = "expired"
    CONVERTED = "converted"


#: The learner's own sub-accounts: their balances are the account's projection, never negative.
OWN = frozenset({SubAccount.AVAILABLE, SubAccount.FROZEN})


class Kind(StrEnum):
    DEPOSIT = "deposit"
    FREEZE = "freeze"
    UNFREEZE = "unfreeze"
    CONVERSION_DEBIT = "conversion_debit"
    CONVERSION_CREDIT = "conversion_credit"
    REVERSAL = "reversal"
    EXPIRY = "expiry"


#: (debit, credit) of each kind but reversal, whose legs are the reversed entry's, swapped.
LEGS: dict[Kind, tuple[SubAccount, SubAccount]] = {
    Kind.DEPOSIT: (SubAccount.ISSUED, SubAccount.AVAILABLE),
    Kind.FREEZE: (SubAccount.AVAILABLE, SubAccount.FROZEN),
    Kind.UNFREEZE: (SubAccount.FROZEN, SubAccount.AVAILABLE),
    Kind.CONVERSION_DEBIT: (SubAccount.FROZEN, SubAccount.CONVERTED),
    Kind.CONVERSION_CREDIT: (SubAccount.CONVERTED, SubAccount.AVAILABLE),
    Kind.EXPIRY: (SubAccount.AVAILABLE, SubAccount.EXPIRED),
}

#: Kinds the ledger posts now; the conversion kinds are reserved for the conversion service.
POSTABLE = frozenset({Kind.DEPOSIT, Kind.FREEZE, Kind.UNFREEZE, Kind.EXPIRY, Kind.REVERSAL})


@dataclass(frozen=True)
class Transfer:
    """``amount`` (positive) moved from ``debit`` to ``credit``."""

    kind: Kind
    debit: SubAccount
    credit: SubAccount
    amount: Decimal

    def legs(self) -> tuple[tuple[SubAccount, Decimal], tuple[SubAccount, Decimal]]:
        """The two legs, signed: they sum to zero."""
        return ((self.debit, -self.amount), (self.credit, self.amount))


def transfer(kind: str, amount: object, *, reverses: Transfer | None = None) -> Transfer:
    """The transfer a posting of ``kind`` makes. A reversal moves the reversed transfer's amount
    back (``amount`` must equal it); a reversal cannot itself be reversed."""
    try:
        kind = Kind(kind)
    except ValueError:
        raise CreditsError(ErrorCode.KIND_INVALID, f"unknown kind {kind!r}") from None
    value = positive_credits(amount)
    if kind == Kind.REVERSAL:
        if reverses is None or reverses.kind == Kind.REVERSAL:
            raise CreditsError(ErrorCode.REVERSAL_INVALID, "a reversal names an entry that is not a reversal")
        if value != reverses.amount:
            raise CreditsError(ErrorCode.AMOUNT_INVALID, "a reversal moves the reversed entry's amount")
        return Transfer(kind, reverses.credit, reverses.debit, value)
    if reverses is not None:
        raise CreditsError(ErrorCode.REVERSAL_INVALID, "only a reversal names an entry it reverses")
    debit, credit = LEGS[kind]
    return Transfer(kind, debit, credit, value)


#: The outcome types of the API contract (../shared/API.md, "outcome"), in its order; the ledger
#: keeps an entry's type as a string and knows them only to name and filter them.
OUTCOME_TYPES = (
    "academic_credit",
    "vocational_certificate",
    "non_formal",
    "mooc",
    "work_experience",
    "award",
)
#: The ``by_type`` key of credits posted without an outcome type.
UNSPECIFIED = "unspecified"


def type_key(outcome_type: str) -> str:
    """The key of ``by_type`` for an outcome type (credits of no stated type: ``unspecified``)."""
    return outcome_type or UNSPECIFIED


@dataclass(frozen=True)
class Balances:
    """A learner's holdings: the two own sub-accounts, and what they hold by outcome type
    (credits that entered from outside, less those that left; moves between own sub-accounts
    leave it unchanged)."""

    available: Decimal = ZERO
    frozen: Decimal = ZERO
    by_type: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.available + self.frozen

    def apply(self, move: Transfer, *, outcome_type: str = "") -> Balances:
        """The balances after ``move``; refuses (``insufficient_credits``) a move that would take
        an own sub-account, or an outcome type's holding, below zero."""
        own = {SubAccount.AVAILABLE: self.available, SubAccount.FROZEN: self.frozen}
        for account, signed in move.legs():
            if account in own:
                own[account] += signed
                if own[account] < ZERO:
                    raise CreditsError(ErrorCode.INSUFFICIENT_CREDITS, f"{account} would be negative")
        by_type = dict(self.by_type)
        entering = move.credit in OWN and move.debit not in OWN
        leaving = move.debit in OWN and move.credit not in OWN
        if entering or leaving:
            key = type_key(outcome_type)
            held = by_type.get(key, ZERO) + (move.amount if entering else -move.amount)
            if held < ZERO:
                raise CreditsError(ErrorCode.INSUFFICIENT_CREDITS, f"credits of type {key} would be negative")
            by_type[key] = held
        by_type = {k: v for k, v in by_type.items() if v != ZERO}
        return Balances(own[SubAccount.AVAILABLE], own[SubAccount.FROZEN], by_type)


def own_changes(debit: str, credit: str, amount: Decimal) -> tuple[Decimal, Decimal]:
    """What an entry of ``amount`` from ``debit`` to ``credit`` does to the learner's own
    sub-accounts: (change of available, change of frozen). Their sum is the change of the total
    held: positive when credits enter from a counter-account, negative when they leave, zero for
    a move between the learner's own sub-accounts."""
    available = frozen = ZERO
    for account, signed in ((debit, -amount), (credit, amount)):
        if account == SubAccount.AVAILABLE:
            available += signed
        elif account == SubAccount.FROZEN:
            frozen += signed
    return available, frozen


def replay(moves: Iterable[tuple[Transfer, str]]) -> Balances:
    """The balances a sequence of (transfer, outcome type) leads to from nothing."""
    balances = Balances()
    for move, outcome_type in moves:
        balances = balances.apply(move, outcome_type=outcome_type)
    return balances
