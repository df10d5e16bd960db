"""Double entry: every transfer sums to zero; own sub-accounts never go negative."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditbank.ledger.domain.credits import ZERO, CreditsError
from creditbank.ledger.domain.postings import (
    COUNTER,
    LEGS,
    OWN,
    Balances,
    Kind,
    SubAccount,
    Transfer,
    outcome_check,
    programme_key,
    transfer,
)
from creditbank.ledger.errors import ErrorCode

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000.00"), places=2)
simple_kinds = st.sampled_from([k for k in Kind if k != Kind.REVERSAL])
types = st.sampled_from(["", "academic_credit", "mooc"])
programmes = st.sampled_from(["demo-univ:CS", "demo-univ:EE", "other-univ:CS"])
CS = "demo-univ:CS"


def _programme(kind: str) -> str:
    return CS if kind == Kind.CONVERSION_CREDIT else ""


@given(simple_kinds, amounts)
def test_every_transfer_sums_to_zero(kind: Kind, amount: Decimal) -> None:
    move = transfer(kind, amount, programme=_programme(kind))
    assert sum(signed for _account, signed in move.legs()) == ZERO
    assert move.debit != move.credit
    back = transfer(Kind.REVERSAL, amount, reverses=move)
    assert sum(signed for _account, signed in back.legs()) == ZERO
    assert (back.debit, back.credit, back.programme) == (move.credit, move.debit, move.programme)


def test_the_legs_of_each_kind() -> None:
    assert LEGS == {
        Kind.DEPOSIT: (SubAccount.ISSUED, SubAccount.AVAILABLE),
        Kind.FREEZE: (SubAccount.AVAILABLE, SubAccount.FROZEN),
        Kind.UNFREEZE: (SubAccount.FROZEN, SubAccount.AVAILABLE),
        Kind.CONVERSION_DEBIT: (SubAccount.FROZEN, SubAccount.CONVERTED),
        Kind.CONVERSION_CREDIT: (SubAccount.CONVERTED, SubAccount.PROGRAMME),
        Kind.EXPIRY: (SubAccount.AVAILABLE, SubAccount.EXPIRED),
    }
    assert transfer("conversion_credit", "3", programme=CS) == Transfer(
        Kind.CONVERSION_CREDIT, SubAccount.CONVERTED, SubAccount.PROGRAMME, Decimal("3.00"), CS
    )


def test_a_conversion_moves_bank_credits_out_and_programme_credits_in() -> None:
    held = Balances().apply(transfer("deposit", "4.00"), outcome_type="mooc")
    held = held.apply(transfer("deposit", "1.00"), outcome_type="award")
    held = held.apply(transfer("freeze", "4.00"), outcome_type="mooc")
    assert (held.available, held.frozen, held.by_type, held.programmes) == (
        Decimal("1.00"),
        Decimal("4.00"),
        {"mooc": Decimal("4.00"), "award": Decimal("1.00")},
        {},
    )
    debit = transfer("conversion_debit", "4.00")
    held = held.apply(debit, outcome_type="mooc")
    assert (held.available, held.frozen, held.total, held.by_type, held.programmes) == (
        Decimal("1.00"),
        Decimal("0.00"),
        Decimal("1.00"),
        {"award": Decimal("1.00")},
        {},
    )
    credit = transfer("conversion_credit", "3.00", programme=CS)
    held = held.apply(credit)
    assert (held.total, held.by_type, held.programmes) == (
        Decimal("1.00"),
        {"award": Decimal("1.00")},
        {CS: Decimal("3.00")},
    )
    # taken back: the programme's credits first, then the outcome's, frozen again
    held = held.apply(transfer("reversal", "3.00", reverses=credit))
    assert held.programmes == {}
    held = held.apply(transfer("reversal", "4.00", reverses=debit), outcome_type="mooc")
    assert (held.available, held.frozen, held.by_type) == (
        Decimal("1.00"),
        Decimal("4.00"),
        {"mooc": Decimal("4.00"), "award": Decimal("1.00")},
    )


def test_programme_credits_never_go_negative() -> None:
    credit = transfer("conversion_credit", "2.00", programme=CS)
    held = Balances().apply(credit)
    with pytest.raises(CreditsError) as caught:
        held.apply(Transfer(Kind.REVERSAL, SubAccount.PROGRAMME, SubAccount.CONVERTED, Decimal("2.01"), CS))
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS
    with pytest.raises(CreditsError) as caught:
        held.apply(Transfer(Kind.REVERSAL, SubAccount.PROGRAMME, SubAccount.CONVERTED, Decimal("1.00"), "demo-univ:EE"))
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS


@pytest.mark.parametrize(
    ("kind", "programme", "code"),
    [
        ("conversion_credit", "", ErrorCode.PROGRAMME_REQUIRED),
        ("conversion_credit", "CS", ErrorCode.PROGRAMME_KEY_INVALID),
        ("conversion_credit", "Demo-Univ:CS", ErrorCode.PROGRAMME_KEY_INVALID),
        ("conversion_credit", "demo-univ:CS ", ErrorCode.PROGRAMME_KEY_INVALID),
        ("conversion_credit", "demo-univ:C:S", ErrorCode.PROGRAMME_KEY_INVALID),
        ("deposit", CS, ErrorCode.PROGRAMME_UNEXPECTED),
        ("conversion_debit", CS, ErrorCode.PROGRAMME_UNEXPECTED),
    ],
)
def test_programme_refusals(kind: str, programme: str, code: ErrorCode) -> None:
    with pytest.raises(CreditsError) as caught:
        transfer(kind, "1", programme=programme)
    assert caught.value.code == code


def test_a_reversal_takes_the_reversed_entrys_programme() -> None:
    credit = transfer("conversion_credit", "1", programme=CS)
    assert transfer("reversal", "1", reverses=credit, programme=CS).programme == CS
    with pytest.raises(CreditsError) as caught:
        transfer("reversal", "1", reverses=credit, programme="demo-univ:EE")
    assert caught.value.code == ErrorCode.PROGRAMME_UNEXPECTED


def test_a_stored_move_naming_a_programme_wrongly_is_refused_on_replay() -> None:
    """What verify replays: a programme entry without its programme, or another with one."""
    with pytest.raises(CreditsError) as caught:
        Balances().apply(Transfer(Kind.CONVERSION_CREDIT, SubAccount.CONVERTED, SubAccount.PROGRAMME, Decimal("1")))
    assert caught.value.code == ErrorCode.PROGRAMME_REQUIRED
    with pytest.raises(CreditsError) as caught:
        Balances().apply(Transfer(Kind.DEPOSIT, SubAccount.ISSUED, SubAccount.AVAILABLE, Decimal("1"), CS))
    assert caught.value.code == ErrorCode.PROGRAMME_UNEXPECTED


@pytest.mark.parametrize(
    "key", ["demo-univ:CS", "pku:0812", "a:b", "sh-open-univ:CS.2026/evening_A-1", "x" * 32 + ":" + "Y" * 64]
)
def test_programme_keys(key: str) -> None:
    assert programme_key(key) == key


@pytest.mark.parametrize(
    "key", ["", "demo-univ", ":CS", "demo-univ:", "demo_univ:CS", "x" * 33 + ":CS", "a:" + "Y" * 65, "a:-CS", 7, None]
)
def test_malformed_programme_keys(key: object) -> None:
    with pytest.raises(CreditsError) as caught:
        programme_key(key)
    assert caught.value.code == ErrorCode.PROGRAMME_KEY_INVALID


def test_an_outcome_gives_up_only_what_it_holds() -> None:
    freeze = transfer("freeze", "2.00")
    outcome_check(freeze, outcome_id=7, available=Decimal("2.00"), frozen=ZERO)
    with pytest.raises(CreditsError) as caught:
        outcome_check(freeze, outcome_id=7, available=Decimal("1.99"), frozen=Decimal("5.00"))
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS
    assert caught.value.detail == "outcome 7 holds 1.99 available and 5.00 frozen"
    with pytest.raises(CreditsError):
        outcome_check(transfer("conversion_debit", "2.00"), outcome_id=7, available=Decimal("9"), frozen=Decimal("1"))
    outcome_check(transfer("deposit", "2.00"), outcome_id=7, available=ZERO, frozen=ZERO)


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, Decimal, str, int, str]]:
    """(kind, amount, outcome type, which earlier operation a reversal names, the programme a
    conversion_credit credits)"""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(
                    ["deposit", "freeze", "unfreeze", "expiry", "reversal", "conversion_debit", "conversion_credit"]
                ),
                amounts,
                types,
                st.integers(min_value=0, max_value=50),
                programmes,
            ),
            max_size=40,
        )
    )


@given(operations())
def test_balances_never_negative_and_equal_the_sum_of_legs(ops: list[tuple[str, Decimal, str, int, str]]) -> None:
    balances = Balances()
    posted: list[tuple[Transfer, str]] = []
    sums = dict.fromkeys(SubAccount, ZERO)
    by_programme: dict[str, Decimal] = {}
    for kind, amount, outcome_type, target, programme in ops:
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
        move = transfer(kind, amount, reverses=reverses, programme=_programme(kind) and programme)
        try:
            balances = balances.apply(move, outcome_type=outcome_type)
        except CreditsError as refused:
            assert refused.code == ErrorCode.INSUFFICIENT_CREDITS
            continue
        posted.append((move, outcome_type))
        for account, signed in move.legs():
            sums[account] += signed
            if account == SubAccount.PROGRAMME:
                by_programme[move.programme] = by_programme.get(move.programme, ZERO) + signed
        assert balances.available >= ZERO and balances.frozen >= ZERO
        assert all(v > ZERO for v in balances.by_type.values())
        assert all(v > ZERO for v in balances.programmes.values())
        assert sum(sums.values()) == ZERO
        assert balances.available == sums[SubAccount.AVAILABLE]
        assert balances.frozen == sums[SubAccount.FROZEN]
        assert sum(balances.by_type.values(), ZERO) == balances.total
        assert dict(balances.programmes) == {k: v for k, v in by_programme.items() if v}
        assert sum(balances.programmes.values(), ZERO) == sums[SubAccount.PROGRAMME]
        # what left the counter-accounts is what the learner holds: bank credits and programmes'
        assert -sum(v for k, v in sums.items() if k in COUNTER) == balances.total + sums[SubAccount.PROGRAMME]
        assert set(SubAccount) == COUNTER | OWN | {SubAccount.PROGRAMME}


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
