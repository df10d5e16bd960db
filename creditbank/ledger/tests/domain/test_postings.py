"""Double entry: every transfer sums to zero; own sub-accounts never go negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.ledger.domain.credits import ZERO, CreditsError
from creditbank.ledger.domain.postings import OWN, Balances, Kind, SubAccount, Transfer, transfer
from creditbank.ledger.errors import ErrorCode

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000.00"), places=2)
simple_kinds = st.sampled_from([k for k in Kind if k != Kind.REVERSAL])
types = st.sampled_from(["", "academic_credit", "mooc"])


@given(simple_kinds, amounts)
def test_every_transfer_sums_to_zero(kind: Kind, amount: Decimal) -> None:
    move = transfer(kind, amount)
    assert sum(signed for _account, signed in move.legs()) == ZERO
    assert move.debit != move.credit
    back = transfer(Kind.REVERSAL, amount, reverses=move)
    assert sum(signed for _account, signed in back.legs()) == ZERO
    assert (back.debit, back.credit) == (move.credit, move.debit)


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, Decimal, str, int]]:
    """(kind, amount, outcome type, which earlier operation a reversal names)"""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(["deposit", "freeze", "unfreeze", "expiry", "reversal"]),
                amounts,
                types,
                st.integers(min_value=0, max_value=50),
            ),
            max_size=40,
        )
    )


@given(operations())
def test_balances_never_negative_and_equal_the_sum_of_legs(ops: list[tuple[str, Decimal, str, int]]) -> None:
    balances = Balances()
    posted: list[tuple[Transfer, str]] = []
    sums = dict.fromkeys(SubAccount, ZERO)
    for kind, amount, outcome_type, target in ops:
        reverses = None
        if kind == "reversal":
            if not posted:
                continue
            reverses, outcome_type = posted[target % len(posted)]
            if reverses.kind == Kind.REVERSAL:
                with pytest.raises(CreditsError):
                    transfer(kind, reverses.amount, reverses=reverses)
                continue
            amount = reverses.amount
        move = transfer(kind, amount, reverses=reverses)
        try:
            balances = balances.apply(move, outcome_type=outcome_type)
        except CreditsError as refused:
            assert refused.code == ErrorCode.INSUFFICIENT_CREDITS
            continue
        posted.append((move, outcome_type))
        for account, signed in move.legs():
            sums[account] += signed
        assert balances.available >= ZERO and balances.frozen >= ZERO
        assert all(v > ZERO for v in balances.by_type.values())
        assert sum(sums.values()) == ZERO
        assert balances.available == sums[SubAccount.AVAILABLE]
        assert balances.frozen == sums[SubAccount.FROZEN]
        assert sum(balances.by_type.values(), ZERO) == balances.total
        assert -sum(v for k, v in sums.items() if k not in OWN) == balances.total


def test_freeze_beyond_available_is_refused() -> None:
    balances = Balances().apply(transfer("deposit", "2.00"))
    with pytest.raises(CreditsError) as caught:
        balances.apply(transfer("freeze", "2.01"))
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS


@pytest.mark.parametrize(
    ("kind", "amount", "reverses", "code"),
    [
        ("bogus", "1", None, ErrorCode.KIND_INVALID),
        ("deposit", "1.001", None, ErrorCode.AMOUNT_INVALID),
        ("deposit", "-1", None, ErrorCode.AMOUNT_INVALID),
        ("reversal", "1", None, ErrorCode.REVERSAL_INVALID),
        (
            "reversal",
            "2",
            Transfer(Kind.DEPOSIT, SubAccount.ISSUED, SubAccount.AVAILABLE, Decimal("1.00")),
            ErrorCode.AMOUNT_INVALID,
        ),
        (
            "deposit",
            "1",
            Transfer(Kind.DEPOSIT, SubAccount.ISSUED, SubAccount.AVAILABLE, Decimal("1.00")),
            ErrorCode.REVERSAL_INVALID,
        ),
    ],
)
def test_invalid_postings(kind: str, amount: str, reverses: Transfer | None, code: ErrorCode) -> None:
    with pytest.raises(CreditsError) as caught:
        transfer(kind, amount, reverses=reverses)
    assert caught.value.code == code
