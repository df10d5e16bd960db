"""Login throttling: guessing is slowed and blocked per address, the owner is never locked out (ADR 0011)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from conftest import PASSWORD, Api
from creditbank.accounts.models import ApiToken, User

TOKEN = "/api/v1/auth/token"
#: 2026-03-01 10:00:30 in Asia/Shanghai.
FIXED_CLOCK = 1772330430.0


def client_at(address: str) -> Api:
    return Api(Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en"))


WRONG = "wrong guess"


def attempt(address: str, identifier: str, password: str = WRONG) -> Any:
    return client_at(address).post(TOKEN, {"identifier": identifier, "password": password})


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    import time

    monkeypatch.setattr(time, "time", lambda: FIXED_CLOCK)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_attacker_cannot_lock_the_owner_out(make_learner, clock) -> None:  # type: ignore[no-untyped-def]
    owner = make_learner()
    for _ in range(5):
        assert attempt("198.51.100.7", owner.account_no).status_code == 400
    # the attacker's address is blocked for this account, even with the right password…
    blocked = attempt("198.51.100.7", owner.account_no, PASSWORD)
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "rate_limited"
    assert blocked["Retry-After"] == "870"  # the 15-minute window ends at 10:15
    assert blocked.json()["detail"] == (
        "Too many wrong passwords for this account from your network address. Try again at 10:15 "
        "(in 15 minutes), or reset your password."
    )
    assert not ApiToken.objects.filter(user=owner).exists()
    # …while the owner, from their own address, logs in at once
    assert attempt("203.0.113.20", owner.email, PASSWORD).status_code == 200
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_many_guessing_addresses_slow_down_but_never_stop_a_clean_one(make_learner, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "LOGIN_ALERT_AFTER_FAILURES": 1000}
    owner = make_learner()
    for n in range(20):  # 20 failures, each from a new address (never slowed: no failure there yet)
        assert attempt(f"198.51.100.{n}", owner.email).status_code == 400
    # an address that has failed once waits: 21 failures on the account → 2 × 2^16 s, capped at 300
    assert attempt("192.0.2.9", owner.email).status_code == 400
    assert attempt("192.0.2.9", owner.email).status_code == 400  # the one attempt of this 300 s slot
    slowed = attempt("192.0.2.9", owner.email, PASSWORD)
    assert slowed.status_code == 429
    assert slowed["Retry-After"] == "270"
    assert slowed.json()["detail"] == (
        "This account has had many failed logins, so attempts are slowed down. Try again at 10:05 (in 5 "
        "minutes). Forgot your password? Reset it instead."
    )
    for _ in range(10):  # waiting does not use up the address's own budget of failures
        assert attempt("192.0.2.9", owner.email).status_code == 429
    # the owner from an address with no failures is not slowed at all
    assert attempt("203.0.113.20", owner.email, PASSWORD).status_code == 200
    assert ApiToken.objects.filter(user=owner).count() == 1


def test_the_owner_is_emailed_once_when_guessing_starts(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    owner = make_learner()
    User.objects.filter(pk=owner.pk).update(preferred_language="en")
    mail.outbox.clear()
    with commit():
        for n in range(15):  # 15 failures, the alert threshold is 10
            assert attempt(f"198.51.100.{n}", owner.email).status_code == 400
    assert [m.to for m in mail.outbox] == [[owner.email]]
    body = mail.outbox[0].body
    assert owner.account_no in body
    assert mail.outbox[0].subject == "Someone is trying to log in to your credit bank account"
    assert (
        f"In the last 15 minutes, 10 wrong passwords were entered for your credit bank account {owner.account_no}"
        in body
    )
    assert "198.51.100.0/24" in body
    assert "198.51.100.9" not in body  # no address of the attacker, only its network
    assert "/accounts/password/reset/" in body
    assert attempt("203.0.113.20", owner.email, PASSWORD).status_code == 200


def test_unknown_identifiers_get_the_same_answers(make_learner, settings, clock) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "LOGIN_ALERT_AFTER_FAILURES": 1000}
    owner = make_learner()

    def script(identifier: str, prefix: str) -> list[tuple[int, str, str]]:
        answers = []
        for n in range(2):
            for _ in range(6):
                response = attempt(f"{prefix}.{n}", identifier)
                problem = response.json()
                answers.append((response.status_code, problem["code"], problem["detail"].split(" Try again")[0]))
        return answers

    assert script(owner.email, "198.51.100") == script("nobody@example.com", "192.0.2")


def test_successful_logins_do_not_use_up_a_shared_address(make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "LOGIN_ATTEMPTS_PER_ADDRESS": 3}
    school = [make_learner() for _ in range(5)]
    for learner in school:
        assert attempt("203.0.113.99", learner.email, PASSWORD).status_code == 200
    for learner in school[:3]:
        assert attempt("203.0.113.99", learner.email).status_code == 400
    blocked = attempt("203.0.113.99", school[4].email, PASSWORD)
    assert blocked.status_code == 429
    assert blocked.json()["detail"].startswith("Too many failed logins from your network address. Try again ")


def test_login_page_says_when_to_retry(make_learner, clock) -> None:  # type: ignore[no-untyped-def]
    owner = make_learner()
    browser = Client(REMOTE_ADDR="198.51.100.7", HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(5):
        assert browser.post("/accounts/login/", {"identifier": owner.email, "password": "nope nope"}).status_code == 400
    page = browser.post("/accounts/login/", {"identifier": owner.email, "password": PASSWORD})
    assert page.status_code == 429
    assert page["Retry-After"] == "870"
    assert "Try again at 10:15 (in 15 minutes)" in page.content.decode()
    assert "_auth_user_id" not in browser.session
    owner_browser = Client(REMOTE_ADDR="203.0.113.20")
    assert owner_browser.post("/accounts/login/", {"identifier": owner.email, "password": PASSWORD}).status_code == 302
