"""change_request_get_for_actor: the request for its requester and for change reviewers (only the
requester with ``acting=Acting.OWNER``); for anyone else the same NotFound as for a request that does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from creditbank.accounts.roles import Acting
from creditbank.kernel.errors import NotFound
from creditbank.profiles.models import ChangeRequest
from creditbank.profiles.selectors import change_request_get_for_actor
from tests import factories
from tests.row_locks import expected_locks, locking


@pytest.fixture
def request_(db: Any) -> ChangeRequest:
    return factories.ChangeRequestFactory()


def refused(actor: Any, id: int, **options: Any) -> NotFound:
    with pytest.raises(NotFound) as info:
        change_request_get_for_actor(actor=actor, id=id, **options)
    return info.value


def test_the_requester_gets_their_request(request_: ChangeRequest) -> None:
    got = change_request_get_for_actor(actor=request_.user, id=request_.pk)
    assert (got.pk, got.user, got.field, got.status) == (request_.pk, request_.user, "name", "pending")
    assert [p.pk for p in got.proofs.all()] == [p.pk for p in request_.proofs.all()]


def test_another_learner_gets_the_answer_for_a_request_that_does_not_exist(request_: ChangeRequest) -> None:
    other = factories.LearnerFactory()
    hidden, missing = refused(other, request_.pk), refused(other, request_.pk + 1000)
    assert (hidden.code, hidden.status, str(hidden.message)) == (missing.code, missing.status, str(missing.message))
    assert (hidden.code, hidden.status) == ("not_found", 404)


@pytest.mark.parametrize("make", [factories.ChangeReviewerFactory, factories.ReviewerFactory])
def test_a_change_reviewer_gets_any_request(request_: ChangeRequest, make: Any) -> None:
    assert change_request_get_for_actor(actor=make(), id=request_.pk).pk == request_.pk


@pytest.mark.parametrize(
    "make", [factories.VerificationReviewerFactory, factories.SupportStaffFactory, factories.StaffFactory]
)
def test_staff_without_the_change_reviewer_role_get_not_found(request_: ChangeRequest, make: Any) -> None:
    assert refused(make(), request_.pk).code == "not_found"


def test_acting_as_owner_a_reviewer_gets_only_their_own_requests(request_: ChangeRequest) -> None:
    reviewer = factories.ChangeReviewerFactory()
    assert refused(reviewer, request_.pk, acting=Acting.OWNER).code == "not_found"
    assert change_request_get_for_actor(actor=request_.user, id=request_.pk, acting=Acting.OWNER).pk == request_.pk


def test_an_unknown_id_is_not_found_even_for_a_reviewer(request_: ChangeRequest) -> None:
    assert refused(factories.ChangeReviewerFactory(), request_.pk + 1).code == "not_found"


def test_for_update_locks_the_request_row_inside_the_transaction(request_: ChangeRequest) -> None:
    reviewer = factories.ChangeReviewerFactory()
    with locking() as locks:
        got = change_request_get_for_actor(actor=reviewer, id=request_.pk, for_update=True)
    assert (got.pk, got.user.pk) == (request_.pk, request_.user_id)
    assert locks == expected_locks("profiles_changerequest")


def test_for_update_refuses_others_as_without_it(request_: ChangeRequest) -> None:
    with locking(), pytest.raises(NotFound):
        change_request_get_for_actor(actor=factories.LearnerFactory(), id=request_.pk, for_update=True)
