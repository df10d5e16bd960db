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
    ("kind", "amount", "code", "status"),
    [
        ("freeze", "2.01", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("expiry", "2.01", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("unfreeze", "0.01", ErrorCode.INSUFFICIENT_CREDITS, 409),
        ("deposit", "1.001", ErrorCode.AMOUNT_INVALID, 400),
        ("deposit", "-1", ErrorCode.AMOUNT_INVALID, 400),
        ("deposit", "0", ErrorCode.AMOUNT_INVALID, 400),
        ("conversion_debit", "1", ErrorCode.KIND_INVALID, 400),
        ("bogus", "1", ErrorCode.KIND_INVALID, 400),
        ("reversal", "1", ErrorCode.REVERSAL_INVALID, 400),
    ],
)
def test_refusals_leave_the_state(learner: Any, kind: str, amount: str, code: ErrorCode, status: int) -> None:
    ledger_post(user=learner, kind="deposit", amount="2")
    before = _state(learner)
    with pytest.raises(DomainError) as caught:
        ledger_post(user=learner, kind=kind, amount=amount)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert _state(learner) == before


def test_entries_refuse_rewriting_in_code(learner: Any) -> None:
    entry = ledger_post(user=learner, kind="deposit", amount="2")
    entry.amount = Decimal("200")
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
