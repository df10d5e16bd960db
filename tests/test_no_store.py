"""Answers that carry personal data are never stored by a browser or a shared cache.

Every API answer and every page shown to a signed-in account carries ``Cache-Control: no-store``.
"""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import PASSWORD, Api, back_upload, front_upload
from creditbank.accounts.models import AccountStatus
from creditbank.identity.models import VerificationAttempt


def no_store(response) -> bool:  # type: ignore[no-untyped-def]
    return "no-store" in [d.strip() for d in response.get("Cache-Control", "").split(",")]


@pytest.fixture
def pending(api, make_learner):  # type: ignore[no-untyped-def]
    """A learner with a pending verification (their ID number and phone behind the reveal)."""
    user = make_learner(AccountStatus.ACTIVATED)
    api.login(user.email)
    api.post(
        "/api/v1/me/verification",
        {"consent": "true", "id_front": front_upload(user), "id_back": back_upload(user)},
        multipart=True,
    )
    return user, VerificationAttempt.objects.get(user=user)


def test_reveal_answers_no_store(api, pending, reviewer) -> None:  # type: ignore[no-untyped-def]
    _user, attempt = pending
    staff = Api(Client())
    staff.login(reviewer.email)
    shown = staff.post(f"/api/v1/review/verifications/{attempt.pk}/reveal", {"reason": "card number unreadable"})
    assert shown.status_code == 200
    assert no_store(shown)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me",
        "/api/v1/me/verification",
        "/api/v1/me/history",
        "/api/v1/me/tickets",
        "/api/v1/me/change-requests",
        "/api/v1/notices",
    ],
)
def test_api_answers_to_a_bearer_token_are_no_store(api, pending, path) -> None:  # type: ignore[no-untyped-def]
    response = api.get(path)
    assert response.status_code == 200
    assert no_store(response)


def test_api_answers_to_a_session_are_no_store(pending) -> None:  # type: ignore[no-untyped-def]
    user, _attempt = pending
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert no_store(response)


def test_every_api_answer_is_no_store_even_anonymous(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert no_store(client.get("/api/v1/notices"))
    assert no_store(client.get("/api/v1/verification/reasons"))
    assert no_store(client.post("/api/v1/auth/token", {"identifier": "x", "password": "y"}, "application/json"))


def test_reviewer_pages_are_no_store(pending, reviewer) -> None:  # type: ignore[no-untyped-def]
    _user, attempt = pending
    client = Client()
    client.force_login(reviewer)
    for path in ("/review/verifications/", f"/review/verifications/{attempt.pk}/", "/support/queue/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path
    revealed = client.post(f"/review/verifications/{attempt.pk}/reveal/", {"reason": "card number unreadable"})
    assert revealed.status_code == 200
    assert no_store(revealed)


@pytest.mark.parametrize("path", ["/", "/profile/", "/verification/", "/support/tickets/", "/notices/"])
def test_pages_for_a_signed_in_account_are_no_store(pending, path) -> None:  # type: ignore[no-untyped-def]
    user, _attempt = pending
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    assert no_store(response)


def test_the_login_that_signs_in_is_no_store_and_anonymous_pages_stay_cacheable(pending) -> None:  # type: ignore[no-untyped-def]
    user, _attempt = pending
    client = Client()
    landing = client.get("/")
    assert landing.status_code == 200
    assert not no_store(landing)
    assert not no_store(client.get("/notices/"))
    signed_in = client.post("/accounts/login/", {"identifier": user.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    assert no_store(signed_in)


def test_no_store_when_the_account_cannot_be_read() -> None:
    """On the 500 page of a database outage the session cannot be read: assume the page is personal."""
    from django.db import DatabaseError
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.functional import SimpleLazyObject

    from creditbank.kernel.middleware import NoStoreMiddleware

    def unreachable() -> object:
        raise DatabaseError("the database is down")

    request = RequestFactory().get("/profile/")
    request.user = SimpleLazyObject(unreachable)
    response = NoStoreMiddleware(lambda r: HttpResponse("page", status=500))(request)
    assert response["Cache-Control"] == "no-store"
