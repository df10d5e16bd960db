"""The API's authentication is one configured list (settings.API_AUTHENTICATORS, kernel.api_auth):
every operation needs one of its authenticators unless it says ``auth=None``; another way in is
one more entry in the setting; public operations that read an optional caller run the same list."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone
from ninja.security import APIKeyHeader

from conftest import Api
from creditbank.accounts.models import User
from creditbank.kernel.api_auth import ConfiguredAuthenticators
from creditbank.notices.models import Notice, NoticeRead, Ticket

HEADER_AUTH = "tests.api.test_authenticators.AccountNumberHeaderAuth"

#: Exactly these operations are open to anyone.
PUBLIC = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/activate"),
    ("post", "/api/v1/auth/activation/resend"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"),
    ("post", "/api/v1/me/email/confirm"),
    ("get", "/api/v1/notices"),
    ("get", "/api/v1/notices/{notice_id}"),
    ("get", "/api/v1/verification/reasons"),
    ("get", "/api/v1/institutions"),
    ("get", "/api/v1/institutions/{code}"),
    ("get", "/api/v1/rules"),
    ("get", "/api/v1/rules/{rule_id}"),
    ("get", "/api/v1/institutions/{code}/accounts/template"),
    ("get", "/api/v1/outcome-imports/template.csv"),
    ("get", "/api/v1/outcome-imports/template.xlsx"),
    ("get", "/api/v1/outcome-imports/row.schema.json"),
    ("get", "/api/v1/institutions/{code}/programmes"),
    ("get", "/api/v1/institutions/{code}/programmes/{programme}"),
}
SCHEMES = [{"BearerTokenAuth": []}, {"SessionCookieAuth": []}, {"ClientCredentialsAuth": []}]


class AccountNumberHeaderAuth(APIKeyHeader):
    """A way in for these tests only: the ``X-Test-Account`` header names an account number."""

    param_name = "X-Test-Account"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return User.objects.filter(account_no=key).first() if key else None


def document() -> dict[str, Any]:
    """The served OpenAPI document, fetched now (tests.openapi.spec() is cached for the session)."""
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc: dict[str, Any] = response.json()
    return doc


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in doc["paths"].items() for method, op in item.items()]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_default_list_is_the_bearer_token_the_session_then_client_tokens(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.API_AUTHENTICATORS == [
        "config.api_auth.BearerTokenAuth",
        "config.api_auth.SessionCookieAuth",
        "config.api_auth.ClientCredentialsAuth",
    ]
    assert [type(a).__name__ for a in ConfiguredAuthenticators()] == [
        "BearerTokenAuth",
        "SessionCookieAuth",
        "ClientCredentialsAuth",
    ]


def test_an_empty_list_is_a_configuration_error(settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_AUTHENTICATORS = []
    with pytest.raises(ImproperlyConfigured, match="API_AUTHENTICATORS"):
        len(ConfiguredAuthenticators())


def test_every_protected_operation_declares_the_security_schemes(db) -> None:  # type: ignore[no-untyped-def]
    doc = document()
    assert doc["components"]["securitySchemes"] == {
        "BearerTokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionCookieAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
        "ClientCredentialsAuth": {"type": "http", "scheme": "bearer"},
    }
    public = set()
    for method, path, op in operations(doc):
        if "security" in op:
            assert op["security"] == SCHEMES, (method, path)
            assert "401" in op["responses"], (method, path)
        else:
            public.add((method, path))
    assert public == PUBLIC


def test_every_protected_operation_answers_401_problem_details_without_credentials(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    protected = [(m, p) for m, p, op in operations(document()) if "security" in op]
    # + outcomes, + the credits export and the staff view, + imports, + programmes and their courses,
    # + conversion rules (authors: 8) and the learner's conversion preview, + conversion applications
    # (the learner's 4, the reviewers' 3), + the learner's pathways
    assert len(protected) == 58 + 23 + 2 + 4 + 6 + 9 + 7 + 1
    for method, path in protected:
        response = getattr(client, method)(concrete(path))
        assert response.status_code == 401, (method, path, response.content)
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert (body["status"], body["code"]) == (401, "not_authenticated"), (method, path)


def test_a_refused_anonymous_write_stores_nothing(api: Api) -> None:
    response = api.post("/api/v1/me/tickets", {"category": "other", "subject": "你好", "message": "有个问题"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert Ticket.objects.count() == 0


def test_public_operations_stay_public(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for method, path in sorted(PUBLIC):
        response = getattr(client, method)(concrete(path))
        assert response.status_code != 401, (method, path)
    listing = client.get("/api/v1/notices")
    assert listing.status_code == 200
    assert listing.json() == {"items": [], "count": 0, "unread": None}


def test_an_authenticator_added_to_the_setting_is_used(settings, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    header = {"X-Test-Account": user.account_no}
    assert Client().get("/api/v1/me", headers=header).status_code == 401  # not configured: not a way in

    settings.API_AUTHENTICATORS = [*settings.API_AUTHENTICATORS, HEADER_AUTH]
    response = Client().get("/api/v1/me", headers=header)
    assert response.status_code == 200
    assert response.json()["account_no"] == user.account_no
    doc = document()
    assert doc["components"]["securitySchemes"]["AccountNumberHeaderAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Test-Account",
    }
    assert doc["paths"]["/api/v1/me"]["get"]["security"] == [*SCHEMES, {"AccountNumberHeaderAuth": []}]
    assert "security" not in doc["paths"]["/api/v1/notices"]["get"]  # public stays public


def test_the_must_change_password_gate_holds_for_the_session_too(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = Client()
    client.force_login(user)
    blocked = client.get("/api/v1/me/tickets")
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "password_change_required"
    assert client.get("/api/v1/me").status_code == 200


# --- the optional caller of public operations (GET /notices) ---------------------------------------


def make_notice() -> Notice:
    return Notice.objects.create(
        title_zh="通知",
        title_en="Notice",
        body_zh="正文",
        body_en="Body",
        published_at=timezone.now() - timedelta(hours=1),
    )


def test_notices_read_the_session_caller(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    n = make_notice()
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/notices").json()["unread"] == 1
    assert client.get(f"/api/v1/notices/{n.pk}").json()["read"] is True
    assert list(NoticeRead.objects.filter(user=user).values_list("notice_id", flat=True)) == [n.pk]
    assert client.get("/api/v1/notices").json()["unread"] == 0


def test_notices_read_a_caller_named_by_a_configured_authenticator(settings, make_learner) -> None:  # type: ignore[no-untyped-def]
    settings.API_AUTHENTICATORS = [*settings.API_AUTHENTICATORS, HEADER_AUTH]
    user = make_learner()
    n = make_notice()
    client = Client(headers={"X-Test-Account": user.account_no})
    listing = client.get("/api/v1/notices").json()
    assert (listing["unread"], listing["items"][0]["read"]) == (1, False)
    assert client.get(f"/api/v1/notices/{n.pk}").json()["read"] is True
    assert NoticeRead.objects.filter(user=user, notice=n).count() == 1


def test_notices_read_refused_credentials_as_anonymous(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    n = make_notice()
    unknown = Client(headers={"Authorization": "Bearer not-a-token"})
    assert unknown.get("/api/v1/notices").json()["unread"] is None
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    confined = Client()
    confined.force_login(user)
    assert confined.get("/api/v1/notices").json()["unread"] is None  # as with a bearer token
    assert confined.get(f"/api/v1/notices/{n.pk}").json()["read"] is None
    assert NoticeRead.objects.count() == 0
