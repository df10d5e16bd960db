"""Conversions in the ledger: freeze, post (at once or after a freeze), release, take back; every
refusal leaves the account, its entries and the claims exactly as they were."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from creditbank.kernel.errors import DomainError
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import ConversionClaim, CreditAccount, LedgerEntry
from creditbank.ledger.selectors import credit_balances, ledger_check_accounts, outcome_ids_converted
from creditbank.ledger.services import (
    conversion_claims_take,
    ledger_freeze_for_application,
    ledger_post,
    ledger_post_conversion,
    ledger_reverse_conversion,
    ledger_unfreeze_for_application,
)
from creditbank.ledger.services.posting import entry_record

pytestmark = pytest.mark.django_db

CS = "demo-univ:CS"
EE = "demo-univ:EE"
APP = 41
USED = [(1, "academic_credit", "4"), (2, "mooc", "2.00")]


@pytest.fixture
def learner(make_learner: Any) -> Any:
    """Three outcomes deposited: 1 (4.00 academic_credit), 2 (2.00 mooc), 3 (1.00 award)."""
    user = make_learner()
    ledger_post(user=user, kind="deposit", amount="4", outcome_id=1, outcome_type="academic_credit")
    ledger_post(user=user, kind="deposit", amount="2", outcome_id=2, outcome_type="mooc")
    ledger_post(user=user, kind="deposit", amount="1", outcome_id=3, outcome_type="award")
    return user


def _claim(user: Any, outcome_ids: list[int], *, programme: str = CS, application_id: int = APP) -> None:
    conversion_claims_take(
        user=user, application_id=application_id, programme=programme, outcome_ids=outcome_ids, exclusive=True
    )


def _rows(entries: list[LedgerEntry]) -> list[tuple[Any, ...]]:
    return [
        (
            e.seq,
            e.kind,
            e.debit,
            e.credit,
            f"{e.amount:.2f}",
            e.outcome_id,
            e.outcome_type,
            e.application_id,
            e.programme,
        )
        for e in entries
    ]


def _projection(user: Any) -> tuple[Any, ...]:
    a = CreditAccount.objects.get(user=user)
    return (f"{a.available:.2f}", f"{a.frozen:.2f}", a.by_type, a.programmes, a.last_seq)


def _state(user: Any) -> tuple[Any, ...]:
    account = CreditAccount.objects.get(user=user)
    claims = list(ConversionClaim.objects.order_by("pk").values_list("outcome_id", "programme", "active"))
    return (*_projection(user), account.last_hash, LedgerEntry.objects.count(), claims)


def _intact() -> None:
    assert [check.problems for check in ledger_check_accounts()] == [[] for _ in ledger_check_accounts()]


def test_a_conversion_approved_at_once_freezes_then_converts(learner: Any) -> None:
    _claim(learner, [1, 2])
    entries = ledger_post_conversion(
        user=learner, application_id=APP, programme=CS, consumed=USED, granted="5", frozen=False
    )
    assert _rows(entries) == [
        (4, "freeze", "available", "frozen", "4.00", 1, "academic_credit", APP, ""),
        (5, "freeze", "available", "frozen", "2.00", 2, "mooc", APP, ""),
        (6, "conversion_debit", "frozen", "converted", "4.00", 1, "academic_credit", APP, ""),
        (7, "conversion_debit", "frozen", "converted", "2.00", 2, "mooc", APP, ""),
        (8, "conversion_credit", "converted", "programme", "5.00", None, "", APP, CS),
    ]
    assert _projection(learner) == ("1.00", "0.00", {"award": "1.00"}, {CS: "5.00"}, 8)
    balances = credit_balances(CreditAccount.objects.get(user=learner))
    assert (balances.total, balances.programmes) == (Decimal("1.00"), {CS: Decimal("5.00")})
    assert [("programme" in entry_record(e).as_dict()) for e in entries] == [False, False, False, False, True]
    assert outcome_ids_converted(learner) == frozenset({1, 2})
    _intact()


def test_a_conversion_after_a_freeze_releases_what_it_did_not_use(learner: Any) -> None:
    frozen = ledger_freeze_for_application(user=learner, application_id=APP, consumed=[*USED, (3, "award", "1.00")])
    assert _rows(frozen) == [
        (4, "freeze", "available", "frozen", "4.00", 1, "academic_credit", APP, ""),
        (5, "freeze", "available", "frozen", "2.00", 2, "mooc", APP, ""),
        (6, "freeze", "available", "frozen", "1.00", 3, "award", APP, ""),
    ]
    assert _projection(learner)[:2] == ("0.00", "7.00")
    _claim(learner, [1, 2])
    entries = ledger_post_conversion(
        user=learner, application_id=APP, programme=CS, consumed=USED, granted="4.5", frozen=True
    )
    assert _rows(entries) == [
        (7, "conversion_debit", "frozen", "converted", "4.00", 1, "academic_credit", APP, ""),
        (8, "conversion_debit", "frozen", "converted", "2.00", 2, "mooc", APP, ""),
        (9, "unfreeze", "frozen", "available", "1.00", 3, "award", APP, ""),
        (10, "conversion_credit", "converted", "programme", "4.50", None, "", APP, CS),
    ]
    assert _projection(learner) == ("1.00", "0.00", {"award": "1.00"}, {CS: "4.50"}, 10)
    _intact()


def test_an_application_rejected_gets_its_credits_back_once(learner: Any) -> None:
    ledger_freeze_for_application(user=learner, application_id=APP, consumed=USED)
    ledger_freeze_for_application(user=learner, application_id=APP + 1, consumed=[(3, "award", "1")])
    released = ledger_unfreeze_for_application(user=learner, application_id=APP)
    assert _rows(released) == [
        (7, "unfreeze", "frozen", "available", "4.00", 1, "academic_credit", APP, ""),
        (8, "unfreeze", "frozen", "available", "2.00", 2, "mooc", APP, ""),
    ]
    assert _projection(learner)[:2] == ("6.00", "1.00")  # the other application's freeze stays
    assert ledger_unfreeze_for_application(user=learner, application_id=APP) == []
    assert _projection(learner)[4] == 8
    _intact()


def test_unfreezing_for_a_learner_without_an_account_opens_none(make_learner: Any) -> None:
    user = make_learner()
    assert ledger_unfreeze_for_application(user=user, application_id=APP) == []
    assert not CreditAccount.objects.filter(user=user).exists()


def test_a_conversion_taken_back(learner: Any) -> None:
    _claim(learner, [1, 2])
    ledger_post_conversion(user=learner, application_id=APP, programme=CS, consumed=USED, granted="5", frozen=False)
    entries = ledger_reverse_conversion(user=learner, application_id=APP)
    assert _rows(entries) == [
        (9, "reversal", "programme", "converted", "5.00", None, "", APP, CS),
        (10, "reversal", "converted", "frozen", "4.00", 1, "academic_credit", APP, ""),
        (11, "reversal", "converted", "frozen", "2.00", 2, "mooc", APP, ""),
        (12, "unfreeze", "frozen", "available", "4.00", 1, "academic_credit", APP, ""),
        (13, "unfreeze", "frozen", "available", "2.00", 2, "mooc", APP, ""),
    ]
    assert [e.reverses.seq for e in entries[:3]] == [8, 6, 7]
    assert _projection(learner) == (
        "7.00",
        "0.00",
        {"academic_credit": "4.00", "award": "1.00", "mooc": "2.00"},
        {},
        13,
    )
    assert outcome_ids_converted(learner) == frozenset()
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_reverse_conversion(user=learner, application_id=APP)
    assert (caught.value.code, caught.value.status) == (ErrorCode.CONVERSION_NOT_POSTED, 409)
    assert _state(learner) == before
    _intact()


def test_nothing_to_take_back_for_a_learner_without_an_account(make_learner: Any) -> None:
    user = make_learner()
    with pytest.raises(DomainError) as caught:
        ledger_reverse_conversion(user=user, application_id=APP)
    assert (caught.value.code, caught.value.status) == (ErrorCode.CONVERSION_NOT_POSTED, 409)
    assert not CreditAccount.objects.filter(user=user).exists()
    assert outcome_ids_converted(user) == frozenset()


def test_a_conversion_whose_programme_credits_are_gone_is_not_taken_back(learner: Any) -> None:
    """The programme must still hold what the conversion granted (no entry spends programme
    credits today; the check stands for when one does): here the projection says it holds less."""
    _claim(learner, [1, 2])
    ledger_post_conversion(user=learner, application_id=APP, programme=CS, consumed=USED, granted="5", frozen=False)
    CreditAccount.objects.filter(user=learner).update(programmes={CS: "4.99"})
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_reverse_conversion(user=learner, application_id=APP)
    assert (caught.value.code, caught.value.status) == (ErrorCode.INSUFFICIENT_CREDITS, 409)
    assert _state(learner) == before


def test_a_second_programme_recognising_a_converted_outcome_is_credited_only(learner: Any) -> None:
    """Where the policy lets several programmes recognise one outcome, its credits left the bank
    credits at its first conversion: the second consumes nothing."""
    conversion_claims_take(user=learner, application_id=APP, programme=CS, outcome_ids=[1], exclusive=False)
    ledger_post_conversion(
        user=learner, application_id=APP, programme=CS, consumed=[USED[0]], granted="3", frozen=False
    )
    conversion_claims_take(user=learner, application_id=APP + 1, programme=EE, outcome_ids=[1], exclusive=False)
    assert 1 in outcome_ids_converted(learner)
    entries = ledger_post_conversion(
        user=learner, application_id=APP + 1, programme=EE, consumed=[], granted="2", frozen=False
    )
    assert _rows(entries) == [(7, "conversion_credit", "converted", "programme", "2.00", None, "", APP + 1, EE)]
    assert _projection(learner) == ("3.00", "0.00", {"award": "1.00", "mooc": "2.00"}, {CS: "3.00", EE: "2.00"}, 7)
    # and its credits cannot be used again
    with pytest.raises(DomainError) as caught:
        ledger_freeze_for_application(user=learner, application_id=APP + 2, consumed=[USED[0]])
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS
    _intact()


def _post(user: Any, **over: Any) -> list[LedgerEntry]:
    args: dict[str, Any] = {
        "user": user,
        "application_id": APP,
        "programme": CS,
        "consumed": USED,
        "granted": "5",
        "frozen": False,
    }
    return ledger_post_conversion(**(args | over))


@pytest.mark.parametrize(
    ("over", "code", "status"),
    [
        ({"programme": "CS"}, ErrorCode.PROGRAMME_KEY_INVALID, 400),
        ({"granted": "0"}, ErrorCode.AMOUNT_INVALID, 400),
        ({"granted": 5.0}, ErrorCode.AMOUNT_INVALID, 400),
        ({"application_id": 0}, ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ({"consumed": [USED[0], USED[0]]}, ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ({"consumed": [(1, "mooc", "4")]}, ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ({"consumed": [(1, "academic_credit", "4.001")]}, ErrorCode.AMOUNT_INVALID, 400),
        ({"consumed": [(1, "academic_credit")]}, ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ({"consumed": [("1", "academic_credit", "4")]}, ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ({"consumed": [(1, "academic_credit", "4.01")]}, ErrorCode.INSUFFICIENT_CREDITS, 409),
        ({"consumed": [*USED, (3, "award", "1")]}, ErrorCode.CONVERSION_CLAIM_MISSING, 409),
        ({"programme": EE}, ErrorCode.CONVERSION_CLAIM_MISSING, 409),
        ({"application_id": APP + 1}, ErrorCode.CONVERSION_CLAIM_MISSING, 409),
        ({"frozen": True}, ErrorCode.FREEZE_MISMATCH, 409),
    ],
)
def test_refusals_post_nothing(learner: Any, over: dict[str, Any], code: ErrorCode, status: int) -> None:
    _claim(learner, [1, 2])
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        _post(learner, **over)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert _state(learner) == before


def test_a_conversion_is_posted_once(learner: Any) -> None:
    _claim(learner, [1, 2])
    _post(learner)
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        _post(learner, consumed=[], granted="1")
    assert (caught.value.code, caught.value.status) == (ErrorCode.CONVERSION_ALREADY_POSTED, 409)
    assert _state(learner) == before


def test_converting_other_credits_than_those_frozen_is_refused(learner: Any) -> None:
    ledger_freeze_for_application(user=learner, application_id=APP, consumed=[(1, "academic_credit", "3")])
    _claim(learner, [1, 2])
    before = _state(learner)
    for frozen, consumed in ((True, USED), (True, [(1, "academic_credit", "4")]), (False, [USED[0]])):
        with pytest.raises(DomainError) as caught:
            _post(learner, consumed=consumed, frozen=frozen)
        assert (caught.value.code, caught.value.status) == (ErrorCode.FREEZE_MISMATCH, 409)
        assert caught.value.extra == {"outcome_ids": [1, 2] if consumed == USED else [1]}
        assert _state(learner) == before


def test_a_late_refusal_takes_back_the_entries_posted_before_it(learner: Any) -> None:
    """The freezes pass, the second debit's outcome holds too little: nothing at all stays."""
    ledger_post(user=learner, kind="freeze", amount="1", outcome_id=2, outcome_type="mooc", application_id=99)
    _claim(learner, [1, 2])
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        _post(learner)
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS
    assert _state(learner) == before


@pytest.mark.parametrize(
    ("consumed", "code", "status"),
    [
        ([], ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ([USED[0], USED[0]], ErrorCode.CONVERSION_INPUT_INVALID, 400),
        ([(1, "academic_credit", "4.01")], ErrorCode.INSUFFICIENT_CREDITS, 409),
        ([(1, "academic_credit", "-1")], ErrorCode.AMOUNT_INVALID, 400),
        ([(1, "x" * 33, "1")], "too_long", 400),
        ([(9, "mooc", "1")], ErrorCode.INSUFFICIENT_CREDITS, 409),
    ],
)
def test_freeze_refusals_post_nothing(learner: Any, consumed: Any, code: str, status: int) -> None:
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_freeze_for_application(user=learner, application_id=APP, consumed=consumed)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert _state(learner) == before


def test_an_outcome_is_frozen_once_per_application(learner: Any) -> None:
    ledger_freeze_for_application(user=learner, application_id=APP, consumed=[(1, "academic_credit", "1")])
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_freeze_for_application(user=learner, application_id=APP, consumed=[(1, "academic_credit", "1")])
    assert (caught.value.code, caught.value.status, caught.value.extra) == (
        ErrorCode.FREEZE_MISMATCH,
        409,
        {"outcome_ids": [1]},
    )
    assert _state(learner) == before
