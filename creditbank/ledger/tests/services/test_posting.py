"""ledger_post: gap-free seqs, the hash chain, the projection, refusals that change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from creditbank.kernel.errors import DomainError
from creditbank.ledger.domain.canonical import GENESIS
from creditbank.ledger.errors import ErrorCode
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.selectors import credit_balances, ledger_check_accounts
from creditbank.ledger.services import ledger_post
from creditbank.ledger.services.posting import entry_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(make_learner: Any) -> Any:
    return make_learner()


def _state(user: Any) -> tuple[Any, ...]:
    account = CreditAccount.objects.get(user=user)
    return (
        account.available,
        account.frozen,
        account.by_type,
        account.programmes,
        account.last_seq,
        account.last_hash,
        LedgerEntry.objects.count(),
    )


def test_posting_chains_and_projects(learner: Any) -> None:
    first = ledger_post(user=learner, kind="deposit", amount="4.5", outcome_id=9, outcome_type="academic_credit")
    second = ledger_post(user=learner, kind="deposit", amount=Decimal("2"), outcome_type="mooc")
    freeze = ledger_post(user=learner, kind="freeze", amount="1.25", application_id=3)
    assert [first.seq, second.seq, freeze.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash and freeze.prev_hash == second.hash
    assert (first.debit, first.credit, first.amount) == ("issued", "available", Decimal("4.50"))
    assert entry_record(first).sha256() == first.hash
    account = CreditAccount.objects.get(user=learner)
    assert (account.available, account.frozen) == (Decimal("5.25"), Decimal("1.25"))
    assert account.by_type == {"academic_credit": "4.50", "mooc": "2.00"}
    assert (account.last_seq, account.last_hash) == (3, freeze.hash)
    balances = credit_balances(account)
    assert balances.total == Decimal("6.50")
    assert all(not check.problems for check in ledger_check_accounts())


def test_reversal_mirrors_the_original_once(learner: Any) -> None:
    deposit = ledger_post(user=learner, kind="deposit", amount="3", outcome_id=5, outcome_type="mooc")
    back = ledger_post(user=learner, kind="reversal", amount=None, reverses=deposit)
    assert (back.debit, back.credit, back.amount, back.reverses_id) == (
        "available",
        "issued",
        Decimal("3.00"),
        deposit.pk,
    )
    assert (back.outcome_id, back.outcome_type) == (5, "mooc")
    account = CreditAccount.objects.get(user=learner)
    assert (account.available, account.by_type) == (Decimal("0.00"), {})
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_post(user=learner, kind="reversal", amount=None, reverses=deposit.pk)
    assert (caught.value.code, caught.value.status) == (ErrorCode.ALREADY_REVERSED, 409)
    with pytest.raises(DomainError) as caught:
        ledger_post(user=learner, kind="reversal", amount=None, reverses=back)
    assert caught.value.code == ErrorCode.REVERSAL_INVALID
    assert _state(learner) == before


def test_reversal_of_another_accounts_entry_is_refused(make_learner: Any, learner: Any) -> None:
    other = make_learner()
    theirs = ledger_post(user=other, kind="deposit", amount="1")
    ledger_post(user=learner, kind="deposit", amount="1")
    with pytest.raises(DomainError) as caught:
        ledger_post(user=learner, kind="reversal", amount=None, reverses=theirs)
    assert caught.value.code == ErrorCode.REVERSAL_INVALID


@pytest.mark.parametrize(
    ("kind", "amount", "programme", "code", "status"),
    [
        ("freeze", "2.01", "", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("expiry", "2.01", "", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("unfreeze", "0.01", "", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("deposit", "1.001", "", ErrorCode.AMOUNT_INVALID, 400),
        ("deposit", "-1", "", ErrorCode.AMOUNT_INVALID, 400),
        ("deposit", "0", "", ErrorCode.AMOUNT_INVALID, 400),
        ("conversion_debit", "1", "", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("conversion_credit", "1", "", ErrorCode.PROGRAMME_REQUIRED, 400),
        ("conversion_credit", "1", "CS", ErrorCode.PROGRAMME_KEY_INVALID, 400),
        ("deposit", "1", "demo-univ:CS", ErrorCode.PROGRAMME_UNEXPECTED, 400),
        ("bogus", "1", "", ErrorCode.KIND_INVALID, 400),
        ("reversal", "1", "", ErrorCode.REVERSAL_INVALID, 400),
    ],
)
def test_refusals_leave_the_state(
    learner: Any, kind: str, amount: str, programme: str, code: ErrorCode, status: int
) -> None:
    ledger_post(user=learner, kind="deposit", amount="2")
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_post(user=learner, kind=kind, amount=amount, programme=programme)
    assert (caught.value.code, caught.value.status) == (code, status)
    if code.startswith("programme"):
        assert caught.value.errors == {"programme": [caught.value.message]}
    assert _state(learner) == before


def test_a_conversion_credit_and_its_reversal_name_the_programme(learner: Any) -> None:
    credit = ledger_post(user=learner, kind="conversion_credit", amount="3", application_id=8, programme="demo-univ:CS")
    assert (credit.debit, credit.credit, credit.programme, credit.application_id) == (
        "converted",
        "programme",
        "demo-univ:CS",
        8,
    )
    account = CreditAccount.objects.get(user=learner)
    assert (account.available, account.frozen, account.by_type, account.programmes) == (
        Decimal("0.00"),
        Decimal("0.00"),
        {},
        {"demo-univ:CS": "3.00"},
    )
    assert credit_balances(account).total == Decimal("0.00")
    back = ledger_post(user=learner, kind="reversal", amount=None, reverses=credit)
    assert (back.debit, back.credit, back.programme, back.application_id) == (
        "programme",
        "converted",
        "demo-univ:CS",
        8,
    )
    account.refresh_from_db()
    assert account.programmes == {}
    assert entry_record(back).as_dict()["programme"] == "demo-univ:CS"
    assert all(not check.problems for check in ledger_check_accounts())


def test_an_outcome_gives_up_only_the_credits_it_holds(learner: Any) -> None:
    """Another outcome's credits never stand in for an outcome's: its expiry or revocation
    after its credits were frozen or converted is refused although the account holds enough."""
    ledger_post(user=learner, kind="deposit", amount="4", outcome_id=1, outcome_type="mooc")
    ledger_post(user=learner, kind="deposit", amount="9", outcome_id=2, outcome_type="mooc")
    ledger_post(user=learner, kind="freeze", amount="3", outcome_id=1, outcome_type="mooc", application_id=5)
    before = _state(learner)
    for kind in ("expiry", "freeze"):
        with pytest.raises(DomainError) as caught:
            ledger_post(user=learner, kind=kind, amount="1.01", outcome_id=1, outcome_type="mooc")
        assert (caught.value.code, caught.value.status) == (ErrorCode.INSUFFICIENT_CREDITS, 409)
    with pytest.raises(DomainError) as caught:
        ledger_post(user=learner, kind="unfreeze", amount="3.01", outcome_id=1, outcome_type="mooc")
    assert caught.value.code == ErrorCode.INSUFFICIENT_CREDITS
    assert _state(learner) == before
    ledger_post(user=learner, kind="expiry", amount="1", outcome_id=1, outcome_type="mooc")
    assert CreditAccount.objects.get(user=learner).available == Decimal("9.00")


def test_entries_refuse_rewriting_in_code(learner: Any) -> None:
    entry = ledger_post(user=learner, kind="deposit", amount="2")
    entry.amount = Decimal("200")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
