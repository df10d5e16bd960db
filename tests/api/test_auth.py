"""Activation, tokens, login throttling, logout, passwords and the must-change-password gate."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.test import Client

from conftest import PASSWORD, Api
from creditbank.accounts import tokens
from creditbank.accounts.models import AccountStatus, ApiToken, User


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def link_token(message) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r"/accounts/(?:activate|password/reset)/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1)


def test_activation_link_works_once(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.REGISTERED)
    token = link_token(mail.outbox[-1])
    response = api.post("/api/v1/auth/activate", {"token": token})
    assert response.status_code == 200
    assert response.json() == {"status": "activated"}
    user.refresh_from_db()
    assert user.status == AccountStatus.ACTIVATED
    assert user.activated_at is not None
    again = api.post("/api/v1/auth/activate", {"token": token})
    assert again.status_code == 400
    assert again.json()["code"] == "token_invalid"


def test_activation_token_expires(api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.REGISTERED)
    token = tokens.make_token(user, tokens.ACTIVATION)
    settings.ACTIVATION_TOKEN_MAX_AGE = -1
    response = api.post("/api/v1/auth/activate", {"token": token})
    assert response.status_code == 400
    assert response.json()["code"] == "token_expired"
    user.refresh_from_db()
    assert user.status == AccountStatus.REGISTERED


def test_reset_token_cannot_activate_and_activation_token_cannot_reset(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.REGISTERED)
    reset = tokens.make_token(user, tokens.PASSWORD_RESET)
    assert api.post("/api/v1/auth/activate", {"token": reset}).json()["code"] == "token_invalid"
    activation = tokens.make_token(user, tokens.ACTIVATION)
    r = api.post("/api/v1/auth/password-reset/confirm", {"token": activation, "new_password": "a brand new passphrase"})
    assert r.json()["code"] == "token_invalid"
    user.refresh_from_db()
    assert user.status == AccountStatus.REGISTERED
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a" * 600, signing.dumps({"u": 1, "f": "x"}, salt="other")],
    ids=["empty", "garbage", "600-chars", "signed-for-another-purpose"],  # the signed one holds the time
)
def test_bad_activation_tokens(api, db, token) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/auth/activate", {"token": token})
    assert response.status_code == 400
    assert response.json()["code"] == "token_invalid"


def test_resend_is_generic_and_rate_limited(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.REGISTERED)
    mail.outbox.clear()
    with commit():
        known = api.post("/api/v1/auth/activation/resend", {"email": user.email})
        unknown = api.post("/api/v1/auth/activation/resend", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(mail.outbox) == 1
    for _ in range(2):
        api.post("/api/v1/auth/activation/resend", {"email": user.email})
    limited = api.post("/api/v1/auth/activation/resend", {"email": user.email})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"


def test_login_with_every_identifier(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(
        AccountStatus.ACTIVATED, id_number="11010519491231002X", phone="13912345678", email="li@example.com"
    )
    for identifier in [
        user.account_no,
        "11010519491231002x",
        "110105 19491231 002X",
        "LI@example.com",
        "139 1234 5678",
        "+8613912345678",
    ]:
        response = api.post("/api/v1/auth/token", {"identifier": identifier, "password": PASSWORD})
        assert response.status_code == 200, identifier
        out = response.json()
        assert out["token_type"] == "Bearer"
        assert out["expires_in"] == 7200
        assert out["access_token"].startswith("cbt_")
    stored = ApiToken.objects.filter(user=user).values_list("key_hash", flat=True)
    assert out["access_token"] not in stored
    assert len(stored) == 6


def test_unknown_identifier_and_wrong_password_get_the_same_answer(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    wrong = api.post("/api/v1/auth/token", {"identifier": user.email, "password": "not the password"})
    unknown = api.post("/api/v1/auth/token", {"identifier": "nobody@example.com", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    a, b = wrong.json(), unknown.json()
    a.pop("instance", None)
    b.pop("instance", None)
    assert a == b
    assert a["code"] == "invalid_credentials"


def test_missing_credentials(api, db) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/auth/token", {"identifier": "", "password": ""})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"identifier", "password"}


def test_an_unknown_grant_type_is_refused_clearly(api, db) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/auth/token", {"grant_type": "authorization_code", "client_id": "x"})
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["allowed"]) == ("unsupported_grant_type", ["password", "client_credentials"])


def test_client_credentials_of_an_unknown_client_are_refused(api, db) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/auth/token", {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_client"


def test_guessing_address_blocked_for_the_account_even_with_the_right_password(api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    for _ in range(settings.CREDITBANK_POLICY["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"]):
        assert api.post("/api/v1/auth/token", {"identifier": user.email, "password": "wrong-guess"}).status_code == 400
    # switching identifier (account number instead of email) does not reset the count
    limited = api.post("/api/v1/auth/token", {"identifier": user.account_no, "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert not ApiToken.objects.filter(user=user).exists()


def test_login_throttled_per_client_address(api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "LOGIN_ATTEMPTS_PER_ADDRESS": 3}
    for i in range(3):
        api.post("/api/v1/auth/token", {"identifier": f"u{i}@example.com", "password": "x"})
    response = api.post("/api/v1/auth/token", {"identifier": "other@example.com", "password": "x"})
    assert response.status_code == 429


def test_suspended_account_cannot_log_in(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(status=AccountStatus.SUSPENDED)
    response = api.post("/api/v1/auth/token", {"identifier": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "account_inactive"


def test_logout_revokes_the_token(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    assert api.get("/api/v1/me").status_code == 200
    assert api.post("/api/v1/auth/logout").status_code == 204
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_expired_token_is_refused(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    user = make_learner()
    api.login(user.email)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/me").status_code == 401


def test_password_change_ends_other_tokens_and_sessions(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    other = Api(Client())
    other.login(user.email)
    browser = Client()
    browser.post("/accounts/login/", {"identifier": user.email, "password": PASSWORD})
    assert browser.get("/").status_code == 200
    assert "_auth_user_id" in browser.session
    api.login(user.email)
    bad = api.post("/api/v1/auth/password", {"old_password": "wrong", "new_password": "a new long passphrase"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_password"
    weak = api.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": "12345678"})
    assert weak.json()["code"] == "password_invalid"
    ok = api.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": "a new long passphrase"})
    assert ok.status_code == 200
    assert api.get("/api/v1/me").status_code == 200  # the token that changed it lives on
    assert other.get("/api/v1/me").status_code == 401
    browser.get("/")
    assert "_auth_user_id" not in browser.session  # the other session is dead
    user.refresh_from_db()
    assert user.check_password("a new long passphrase")


def test_password_reset_flow(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    other = Api(Client())
    other.login(user.email)
    mail.outbox.clear()
    with commit():
        assert api.post("/api/v1/auth/password-reset", {"email": user.email.upper()}).status_code == 202
        assert api.post("/api/v1/auth/password-reset", {"email": "ghost@example.com"}).status_code == 202
    assert len(mail.outbox) == 1
    token = link_token(mail.outbox[0])
    weak = api.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "password"})
    assert weak.json()["code"] == "password_invalid"
    ok = api.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "reset to a new passphrase"})
    assert ok.status_code == 200
    again = api.post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": "and once more please"})
    assert again.json()["code"] == "token_invalid"
    assert other.get("/api/v1/me").status_code == 401
    api.login(user.email, "reset to a new passphrase")


def test_must_change_password_gate(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    response = api.login(user.account_no)
    assert response.json()["must_change_password"] is True
    me = api.get("/api/v1/me").json()
    assert me["next_step"]["code"] == "change_password"
    blocked = api.get("/api/v1/me/verification")
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "password_change_required"
    same = api.post("/api/v1/auth/password", {"old_password": PASSWORD, "new_password": PASSWORD})
    assert same.json()["code"] == "password_unchanged"
    assert (
        api.post(
            "/api/v1/auth/password", {"old_password": PASSWORD, "new_password": "my very own passphrase"}
        ).status_code
        == 200
    )
    assert api.get("/api/v1/me/verification").status_code == 200
    user.refresh_from_db()
    assert user.must_change_password is False


def test_must_change_password_pages_redirect(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    browser = Client()
    response = browser.post("/accounts/login/", {"identifier": user.account_no, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/set/"
    assert browser.get("/verification/")["Location"] == "/accounts/password/set/"
    response = browser.post("/accounts/password/set/", {"new_password": "my very own passphrase"})
    assert response.status_code == 302
    assert browser.get("/verification/").status_code == 200


def test_session_key_changes_at_login_and_logout_kills_it(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    browser = Client()
    browser.get("/accounts/login/")
    browser.session.save()
    before = browser.session.session_key
    browser.post("/accounts/login/", {"identifier": user.email, "password": PASSWORD})
    after = browser.session.session_key
    assert after and after != before
    browser.post("/accounts/logout/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=after).exists()


def test_me_requires_auth(api, db) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_session_cookie_api_calls_need_csrf(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post("/api/v1/auth/logout", content_type="application/json")
    assert response.status_code == 403
    assert browser.get("/api/v1/me").status_code == 200


def test_logging_in_before_activating_keeps_the_activation_link_valid(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.REGISTERED)
    token = link_token(mail.outbox[-1])
    api.login(user.email)
    assert api.get("/api/v1/me").json()["status"] == "registered"
    assert api.post("/api/v1/auth/activate", {"token": token}).json() == {"status": "activated"}


def test_admin_login_with_a_wrong_password_is_a_form_error_not_a_crash(make_learner) -> None:  # type: ignore[no-untyped-def]
    make_learner()
    response = Client().post("/admin/login/", {"username": "nobody@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()


def test_suspended_accounts_lose_their_tokens_and_sessions(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    browser = Client()
    browser.post("/accounts/login/", {"identifier": user.email, "password": PASSWORD})
    User.objects.filter(pk=user.pk).update(status=AccountStatus.SUSPENDED)
    assert api.get("/api/v1/me").status_code == 401
    browser.get("/")
    assert "_auth_user_id" not in browser.session or browser.get("/verification/").status_code == 302
