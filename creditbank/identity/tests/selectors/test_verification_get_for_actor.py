"""verification_get_for_actor: the attempt for its learner and for verification reviewers; for
anyone else the same NotFound as for an attempt that does not exist (no existence leak)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from creditbank.identity.models import VerificationAttempt
from creditbank.identity.selectors import verification_get_for_actor
from creditbank.kernel.errors import NotFound
from tests import factories
from tests.row_locks import expected_locks, locking


@pytest.fixture
def attempt(db: Any) -> VerificationAttempt:
    return factories.VerificationAttemptFactory()


def refused(actor: Any, id: int) -> NotFound:
    with pytest.raises(NotFound) as info:
        verification_get_for_actor(actor=actor, id=id)
    return info.value


def test_the_learner_gets_their_attempt(attempt: VerificationAttempt) -> None:
    got = verification_get_for_actor(actor=attempt.user, id=attempt.pk)
    assert (got.pk, got.user, got.status) == (attempt.pk, attempt.user, "pending")


def test_another_learner_gets_the_answer_for_an_attempt_that_does_not_exist(attempt: VerificationAttempt) -> None:
    other = factories.PendingLearnerFactory()
    missing = refused(other, VerificationAttempt.objects.order_by("-pk").first().pk + 1000)
    hidden = refused(other, attempt.pk)
    assert (hidden.code, hidden.status, str(hidden.message)) == (missing.code, missing.status, str(missing.message))
    assert (hidden.code, hidden.status) == ("not_found", 404)


@pytest.mark.parametrize("make", [factories.VerificationReviewerFactory, factories.ReviewerFactory])
def test_a_verification_reviewer_gets_any_attempt(attempt: VerificationAttempt, make: Any) -> None:
    got = verification_get_for_actor(actor=make(), id=attempt.pk)
    assert (got.pk, got.user) == (attempt.pk, attempt.user)


@pytest.mark.parametrize(
    "make", [factories.ChangeReviewerFactory, factories.SupportStaffFactory, factories.StaffFactory]
)
def test_staff_without_the_verification_role_get_not_found(attempt: VerificationAttempt, make: Any) -> None:
    assert refused(make(), attempt.pk).code == "not_found"


def test_a_deactivated_reviewer_and_anonymous_get_not_found(attempt: VerificationAttempt) -> None:
    reviewer = factories.VerificationReviewerFactory(is_active=False)
    assert refused(reviewer, attempt.pk).code == "not_found"
    assert refused(AnonymousUser(), attempt.pk).code == "not_found"


def test_an_unknown_id_is_not_found_even_for_a_reviewer(attempt: VerificationAttempt) -> None:
    assert refused(factories.VerificationReviewerFactory(), attempt.pk + 1).code == "not_found"


def test_for_update_locks_the_attempt_row_inside_the_transaction(attempt: VerificationAttempt) -> None:
    with locking() as locks:
        got = verification_get_for_actor(actor=attempt.user, id=attempt.pk, for_update=True)
    assert got.pk == attempt.pk
    assert got.user.pk == attempt.user_id  # the learner comes with it (joined), not locked
    assert locks == expected_locks("identity_verificationattempt")


def test_for_update_refuses_others_as_without_it(attempt: VerificationAttempt) -> None:
    other = factories.LearnerFactory()
    with locking() as locks, pytest.raises(NotFound):
        verification_get_for_actor(actor=other, id=attempt.pk, for_update=True)
    assert len(locks) == len(expected_locks("identity_verificationattempt"))
