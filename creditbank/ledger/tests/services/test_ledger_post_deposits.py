"""ledger_post_deposits: what ledger_post does deposit by deposit, for many learners at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from creditbank.kernel.errors import DomainError
from creditbank.ledger.domain.canonical import GENESIS
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.selectors import ledger_check_accounts
from creditbank.ledger.services import Deposit, ledger_post, ledger_post_deposits
from creditbank.ledger.services.posting import entry_record

pytestmark = pytest.mark.django_db


def _entries(user: Any) -> list[tuple[Any, ...]]:
    return [
        (e.seq, e.kind, e.debit, e.credit, e.amount, e.outcome_type, e.outcome_id, e.prev_hash == GENESIS)
        for e in LedgerEntry.objects.filter(account__user=user).order_by("seq")
    ]


def test_batch_posts_as_ledger_post_would(make_learner: Any) -> None:
    a, b, c = make_learner(), make_learner(), make_learner()
    ledger_post(user=b, kind="deposit", amount="1", outcome_id=1, outcome_type="mooc")  # b has an account already
    ids = ledger_post_deposits(
        deposits=[
            Deposit(user_id=a.pk, amount=Decimal("4.5"), outcome_id=10, outcome_type="academic_credit"),
            Deposit(user_id=b.pk, amount=Decimal("2.00"), outcome_id=11, outcome_type="mooc"),
            Deposit(user_id=a.pk, amount=Decimal("1.25"), outcome_id=12, outcome_type="award"),
        ]
    )
    assert len(ids) == 3
    assert [LedgerEntry.objects.get(pk=i).outcome_id for i in ids] == [10, 11, 12]
    assert _entries(a) == [
        (1, "deposit", "issued", "available", Decimal("4.50"), "academic_credit", 10, True),
        (2, "deposit", "issued", "available", Decimal("1.25"), "award", 12, False),
    ]
    assert _entries(b) == [
        (1, "deposit", "issued", "available", Decimal("1.00"), "mooc", 1, True),
        (2, "deposit", "issued", "available", Decimal("2.00"), "mooc", 11, False),
    ]
    assert _entries(c) == []
    account = CreditAccount.objects.get(user=a)
    last = LedgerEntry.objects.get(pk=ids[2])
    assert (account.available, account.frozen, account.by_type, account.last_seq, account.last_hash) == (
        Decimal("5.75"), Decimal("0.00"), {"academic_credit": "4.50", "award": "1.25"}, 2, last.hash,
    )  # fmt: skip
    assert CreditAccount.objects.get(user=b).by_type == {"mooc": "3.00"}
    for entry in LedgerEntry.objects.all():
        assert entry_record(entry).sha256() == entry.hash
    assert all(not check.problems for check in ledger_check_accounts())
    # and the single-entry path goes on from where the batch left the chain
    more = ledger_post(user=a, kind="freeze", amount="1", application_id=3)
    assert (more.seq, more.prev_hash) == (3, last.hash)
    assert all(not check.problems for check in ledger_check_accounts())


def test_a_batch_takes_as_many_statements_whatever_its_size(make_learner: Any) -> None:
    learners = [make_learner() for _ in range(4)]
    deposits = [
        Deposit(user_id=u.pk, amount=Decimal("1"), outcome_id=n, outcome_type="mooc")
        for n, u in enumerate(learners * 6)
    ]
    ledger_post_deposits(deposits=deposits[:4])  # opens the accounts
    with CaptureQueriesContext(connection) as small:
        ledger_post_deposits(deposits=deposits[:4])
    with CaptureQueriesContext(connection) as large:
        ledger_post_deposits(deposits=deposits)
    assert len(large.captured_queries) == len(small.captured_queries) <= 7  # with the savepoint and its release
    assert CreditAccount.objects.get(user=learners[0]).last_seq == 1 + 1 + 6
    assert all(not check.problems for check in ledger_check_accounts())


@pytest.mark.parametrize(
    ("amount", "outcome_type", "code"),
    [
        (Decimal("0"), "mooc", "amount_invalid"),
        (Decimal("1.001"), "mooc", "amount_invalid"),
        (Decimal("1"), "x" * 33, "too_long"),
    ],
)
def test_a_refused_deposit_posts_nothing(make_learner: Any, amount: Decimal, outcome_type: str, code: str) -> None:
    a = make_learner()
    with pytest.raises(DomainError) as refused:
        ledger_post_deposits(
            deposits=[
                Deposit(user_id=a.pk, amount=Decimal("1"), outcome_id=1, outcome_type="mooc"),
                Deposit(user_id=a.pk, amount=amount, outcome_id=2, outcome_type=outcome_type),
            ]
        )
    assert refused.value.code == code
    assert LedgerEntry.objects.count() == CreditAccount.objects.count() == 0


def test_nothing_to_post_is_nothing() -> None:
    assert ledger_post_deposits(deposits=[]) == []
