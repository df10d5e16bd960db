"""Any sequence of postings, refused or not, keeps the projection equal to the entries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditbank.kernel.errors import DomainError
from creditbank.ledger.models import CreditAccount, LedgerEntry
from creditbank.ledger.selectors import ledger_check_accounts
from creditbank.ledger.services import ledger_post

pytestmark = pytest.mark.django_db

steps = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "freeze", "unfreeze", "expiry", "reversal"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50.00"), places=2),
        st.sampled_from(["", "mooc", "academic_credit"]),
        st.integers(min_value=0, max_value=30),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=steps)
def test_projection_always_equals_the_entries(make_learner: Any, ops: list[tuple[str, Decimal, str, int]]) -> None:
    user = make_learner()
    for kind, amount, outcome_type, target in ops:
        entries = list(LedgerEntry.objects.filter(account__user=user).order_by("seq"))
        try:
            if kind == "reversal":
                if not entries:
                    continue
                ledger_post(user=user, kind=kind, amount=None, reverses=entries[target % len(entries)])
            else:
                ledger_post(user=user, kind=kind, amount=amount, outcome_type=outcome_type)
        except DomainError as refused:
            assert refused.code in {"insufficient_credits", "already_reversed", "reversal_invalid"}
    account = CreditAccount.objects.filter(user=user).first()
    if account is None:
        return
    own = {"available": Decimal("0"), "frozen": Decimal("0")}
    for e in LedgerEntry.objects.filter(account=account):
        own[e.debit] = own.get(e.debit, Decimal("0")) - e.amount
        own[e.credit] = own.get(e.credit, Decimal("0")) + e.amount
    assert sum(own.values()) == 0
    assert (account.available, account.frozen) == (own["available"], own["frozen"])
    assert account.available >= 0 and account.frozen >= 0
    assert [c.problems for c in ledger_check_accounts() if c.account_id == account.pk] == [[]]
