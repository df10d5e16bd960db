"""Double entry: every posting is a transfer from one sub-account to another.

A learner's credit account has two sub-accounts of its own, ``available`` and ``frozen`` (the
bank credits), and one ``programme`` sub-account per programme a conversion credited (named by
its key, ``<institution code>:<programme code>``); credits come from and go to counter-accounts
outside the learner (``issued``: credits the bank has recognised; ``expired``; ``converted``:
the clearing account of conversions, which takes an outcome's bank credits and gives the
credits a programme recognises). A transfer moves a positive amount from its debit sub-account
to its credit sub-account, so its two legs (−amount, +amount) sum to zero: credits are never
created or lost, only moved, and the counter-accounts record where they came from and went.

| kind                | debit (from) | credit (to) |
|---------------------|--------------|-------------|
| deposit             | issued       | available   |
| freeze              | available    | frozen      |
| unfreeze            | frozen       | available   |
| conversion_debit    | frozen       | converted   |
| conversion_credit   | converted    | programme   |
| expiry              | available    | expired     |
| reversal            | the reversed entry's credit | its debit |

A learner's own sub-accounts (the bank credits and every programme's) never go negative; the
counter-accounts are the mirror image of the learner's holdings (``issued`` is minus everything
ever deposited). An entry that touches a programme sub-account names its programme, and no other
entry names one.
"""

from __future__ import annotations

import re
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
    PROGRAMME = "programme"


#: The learner's bank credits: the sub-accounts ``total`` sums (available and frozen), never negative.
OWN = frozenset({SubAccount.AVAILABLE, SubAccount.FROZEN})
#: The accounts outside the learner, where credits come from and go to.
COUNTER = frozenset({SubAccount.ISSUED, SubAccount.EXPIRED, SubAccount.CONVERTED})


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
    Kind.CONVERSION_CREDIT: (SubAccount.CONVERTED, SubAccount.PROGRAMME),
    Kind.EXPIRY: (SubAccount.AVAILABLE, SubAccount.EXPIRED),
}

#: Kinds the ledger posts: all of them (the conversion kinds mostly through the conversion services).
POSTABLE = frozenset(Kind)

#: A programme's key: ``<institution code>:<programme code>``. The institution's code as the
#: institutions context makes them (lower-case letters, digits and hyphens, at most 32), the
#: programme's as the institution prints it (letters, digits and ``. _ / -``, at most 64; case
#: counts: ``CS`` and ``cs`` are two programmes). The ledger checks the shape only; which
#: programmes exist is for the contexts that own them.
_PROGRAMME_KEY = re.compile(r"\A[0-9a-z][0-9a-z-]{0,31}:[0-9A-Za-z][0-9A-Za-z._/-]{0,63}\Z")
PROGRAMME_KEY_MAX = 97


def programme_key(value: object) -> str:
    """``value`` if it is a programme key (``"demo-univ:CS"``), else ``programme_key_invalid``.
    Nothing is folded or trimmed: the key is an identifier that entries and claims store."""
    if not isinstance(value, str) or not _PROGRAMME_KEY.match(value):
        raise CreditsError(ErrorCode.PROGRAMME_KEY_INVALID, f"{value!r} is not <institution code>:<programme code>")
    return value


def _programme_check(debit: str, credit: str, programme: str) -> None:
    """An entry names a programme exactly when one of its sides is a programme sub-account."""
    touches = SubAccount.PROGRAMME in (debit, credit)
    if touches and not programme:
        raise CreditsError(ErrorCode.PROGRAMME_REQUIRED, "an entry of a programme sub-account names its programme")
    if programme and not touches:
        raise CreditsError(ErrorCode.PROGRAMME_UNEXPECTED, f"{debit} → {credit} touches no programme")


@dataclass(frozen=True)
class Transfer:
    """``amount`` (positive) moved from ``debit`` to ``credit``; ``programme`` names the programme
    sub-account where one side is one (``""`` otherwise)."""

    kind: Kind
    debit: SubAccount
    credit: SubAccount
    amount: Decimal
    programme: str = ""

    def legs(self) -> tuple[tuple[SubAccount, Decimal], tuple[SubAccount, Decimal]]:
        """The two legs, signed: they sum to zero."""
        return ((self.debit, -self.amount), (self.credit, self.amount))


def transfer(kind: str, amount: object, *, reverses: Transfer | None = None, programme: str = "") -> Transfer:
    """The transfer a posting of ``kind`` makes. A reversal moves the reversed transfer's amount
    back (``amount`` must equal it) between the same sub-accounts, the same programme's included;
    a reversal cannot itself be reversed. ``programme`` is required for a conversion_credit
    (``programme_required``, ``programme_key_invalid``) and refused for any other kind
    (``programme_unexpected``; a reversal takes the reversed entry's)."""
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
        if programme and programme != reverses.programme:
            raise CreditsError(ErrorCode.PROGRAMME_UNEXPECTED, "a reversal takes the reversed entry's programme")
        return Transfer(kind, reverses.credit, reverses.debit, value, reverses.programme)
    if reverses is not None:
        raise CreditsError(ErrorCode.REVERSAL_INVALID, "only a reversal names an entry it reverses")
    debit, credit = LEGS[kind]
    _programme_check(debit, credit, programme)
    return Transfer(kind, debit, credit, value, programme_key(programme) if programme else "")


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
    """A learner's holdings: the bank credits (the two own sub-accounts), what they hold by
    outcome type (credits that entered from outside, less those that left; moves between own
    sub-accounts leave it unchanged), and the credits held in each programme (not part of the
    total: credits a programme recognised by conversion)."""

    available: Decimal = ZERO
    frozen: Decimal = ZERO
    by_type: Mapping[str, Decimal] = field(default_factory=dict)
    programmes: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.available + self.frozen

    def apply(self, move: Transfer, *, outcome_type: str = "") -> Balances:
        """The balances after ``move``; refuses (``insufficient_credits``) a move that would take
        an own sub-account, a programme's credits or an outcome type's holding below zero, and a
        move that names a programme where it should not or names none where it should."""
        _programme_check(move.debit, move.credit, move.programme)
        own = {SubAccount.AVAILABLE: self.available, SubAccount.FROZEN: self.frozen}
        programmes = dict(self.programmes)
        for account, signed in move.legs():
            if account in own:
                own[account] += signed
                if own[account] < ZERO:
                    raise CreditsError(ErrorCode.INSUFFICIENT_CREDITS, f"{account} would be negative")
            elif account == SubAccount.PROGRAMME:
                held = programmes.get(move.programme, ZERO) + signed
                if held < ZERO:
                    raise CreditsError(
                        ErrorCode.INSUFFICIENT_CREDITS, f"credits of programme {move.programme} would be negative"
                    )
                programmes[move.programme] = held
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
        programmes = {k: v for k, v in programmes.items() if v != ZERO}
        return Balances(own[SubAccount.AVAILABLE], own[SubAccount.FROZEN], by_type, programmes)


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


def outcome_check(move: Transfer, *, outcome_id: int, available: Decimal, frozen: Decimal) -> None:
    """Refuse (``insufficient_credits``) a move naming outcome ``outcome_id`` that would take more
    from the learner's available or frozen credits than that outcome's entries put there
    (``available``, ``frozen``: the sums of the outcome's entries so far): an outcome's credits
    are frozen, converted, expired or taken back once, never another outcome's in their place."""
    change_available, change_frozen = own_changes(move.debit, move.credit, move.amount)
    if available + change_available < ZERO or frozen + change_frozen < ZERO:
        raise CreditsError(
            ErrorCode.INSUFFICIENT_CREDITS,
            f"outcome {outcome_id} holds {available:.2f} available and {frozen:.2f} frozen",
        )


def replay(moves: Iterable[tuple[Transfer, str]]) -> Balances:
    """The balances a sequence of (transfer, outcome type) leads to from nothing."""
    balances = Balances()
    for move, outcome_type in moves:
        balances = balances.apply(move, outcome_type=outcome_type)
    return balances
