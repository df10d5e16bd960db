"""actor(request): the typed account of a page request (request.user) or an API call (request.auth)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from creditbank.accounts.actor import actor
from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError


@pytest.fixture
def user(make_learner) -> User:  # type: ignore[no-untyped-def]
    learner: User = make_learner()
    return learner


def test_a_page_request_acts_for_its_session_user(user: User) -> None:
    request = RequestFactory().get("/profile/")
    request.user = user
    assert actor(request) == user
    assert type(actor(request)) is User


def test_an_api_call_acts_for_what_the_authenticator_returned(user: User) -> None:
    request = RequestFactory().get("/api/v1/me")
    request.user = AnonymousUser()  # a bearer token leaves the session anonymous
    request.auth = user  # type: ignore[attr-defined]
    assert actor(request) == user


@pytest.mark.parametrize("principal", [None, AnonymousUser(), "a client id"], ids=["none", "anonymous", "not_a_user"])
def test_no_signed_in_account_is_refused(db, principal: object) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/api/v1/me")
    request.user = AnonymousUser()
    if principal is not None:
        request.auth = principal  # type: ignore[attr-defined]
    with pytest.raises(DomainError) as refused:
        actor(request)
    assert (refused.value.code, refused.value.status) == ("not_authenticated", 401)
