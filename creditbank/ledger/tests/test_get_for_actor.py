"""credit_account_get_for_actor: the owner, or a ledger auditor (audited); nobody else."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_reviewer_user
from creditbank.accounts.roles import Acting
from creditbank.audit.models import AuditEvent
from creditbank.kernel.errors import NotFound
from creditbank.ledger.models import CreditAccount
from creditbank.ledger.selectors import credit_account_get_for_actor
from creditbank.ledger.services import ledger_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(make_learner: Any) -> CreditAccount:
    user = make_learner()
    ledger_post(user=user, kind="deposit", amount="1")
    return CreditAccount.objects.get(user=user)


def test_owner_reads_without_audit(account: CreditAccount) -> None:
    assert credit_account_get_for_actor(actor=account.user, id=account.pk) == account
    assert not AuditEvent.objects.filter(action="ledger.account_viewed").exists()


def test_auditor_reads_and_is_audited(account: CreditAccount) -> None:
    auditor = make_reviewer_user(perms=("view_credit_account",))
    assert credit_account_get_for_actor(actor=auditor, id=account.pk, acting=Acting.STAFF) == account
    event = AuditEvent.objects.get(action="ledger.account_viewed")
    assert (event.actor_id, event.subject_id, event.object_id) == (auditor.pk, account.user_id, str(account.pk))


def test_others_get_not_found(account: CreditAccount, make_learner: Any, reviewer: Any) -> None:
    for stranger in (make_learner(), reviewer):
        with pytest.raises(NotFound):
            credit_account_get_for_actor(actor=stranger, id=account.pk)
    with pytest.raises(NotFound):
        credit_account_get_for_actor(actor=account.user, id=account.pk, acting=Acting.STAFF)
    with pytest.raises(NotFound):
        credit_account_get_for_actor(actor=account.user, id=account.pk + 1000)
