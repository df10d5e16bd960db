"""verification_vouch: the institution that opened an account vouches for its identity (where the
policy allows it; the institutions context asks). The account becomes verified through an attempt
with the institution as its source, decided automatically through the review workflow (one audit
row with the decision's digest), without photos or email. An account that is not simply activated
is left as it is."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError

from creditbank.accounts.models import AccountStatus, User
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.selectors import verification_state
from creditbank.identity.services import verification_vouch
from tests import factories
from tests.decisions import decision_digest


@pytest.fixture
def learner(db: Any) -> User:
    user = factories.LearnerFactory()
    mail.outbox.clear()
    return user


def test_an_activated_account_is_verified_on_the_institutions_word(learner) -> None:  # type: ignore[no-untyped-def]
    with factories.committed():
        attempt = verification_vouch(user=learner, institution_code="uni-a", client_address="10.0.0.1")

    assert attempt is not None
    stored = VerificationAttempt.objects.get(user=learner)
    assert stored.pk == attempt.pk
    assert (stored.status, stored.source, stored.source_institution, stored.auto_decided, stored.reviewer) == (
        "approved", "institution", "uni-a", True, None,
    )  # fmt: skip
    assert (stored.provider, stored.declared_name, stored.front_blob, stored.back_blob) == (
        "institution:uni-a", learner.name, "", "",
    )  # fmt: skip
    assert stored.checks == [{"name": "institution_vouched", "status": "passed", "data": {"institution": "uni-a"}}]
    user = User.objects.get(pk=learner.pk)
    assert (user.status, user.verified_at) == (AccountStatus.VERIFIED, stored.decided_at)
    assert (learner.status, learner.verified_at) == (AccountStatus.VERIFIED, stored.decided_at)  # refreshed
    event = AuditEvent.objects.get(subject=learner)
    assert (event.action, event.actor, event.reason, event.client_address, event.object_id) == (
        "verification.approve", None, "institution:uni-a", "10.0.0.1", str(stored.pk),
    )  # fmt: skip
    assert event.digest == decision_digest(
        kind="verification", request=stored, decision="approve", reason_code="", actor=None
    )
    assert mail.outbox == []
    state = verification_state(user)
    assert (state["status"], state["source"], state["source_institution"]) == ("approved", "institution", "uni-a")


@pytest.mark.parametrize("state", ["verified", "pending", "suspended"])
def test_an_account_not_simply_activated_is_left_as_it_is(db, state) -> None:  # type: ignore[no-untyped-def]
    user = {
        "verified": factories.VerifiedLearnerFactory, "pending": factories.PendingLearnerFactory,
        "suspended": factories.LearnerFactory,
    }[state]()  # fmt: skip
    if state == "suspended":
        User.objects.filter(pk=user.pk).update(status=AccountStatus.SUSPENDED)
        user.refresh_from_db()
    attempts, events, status = VerificationAttempt.objects.count(), AuditEvent.objects.count(), user.status

    assert verification_vouch(user=user, institution_code="uni-a") is None

    assert VerificationAttempt.objects.count() == attempts
    assert AuditEvent.objects.count() == events
    assert User.objects.get(pk=user.pk).status == status


def test_an_institution_is_named(learner) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="by its code"):
        verification_vouch(user=learner, institution_code="")
    assert not VerificationAttempt.objects.filter(user=learner).exists()


def test_the_database_refuses_a_source_without_its_institution(learner) -> None:  # type: ignore[no-untyped-def]
    from django.db import transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationAttempt.objects.create(
            user=learner, declared_name="x", consent_at=timezone.now(), consent_version="x", source="institution"
        )
