"""The learner's credits page: balances, the entries table, the kind filter, verified only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from creditbank.accounts.models import AccountStatus
from creditbank.ledger.services import ledger_post

pytestmark = pytest.mark.django_db
URL = "/credits/"


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_balances_and_entries(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    deposit = ledger_post(user=user, kind="deposit", amount="4.5", outcome_id=7, outcome_type="academic_credit")
    ledger_post(user=user, kind="freeze", amount="1", application_id=3)
    ledger_post(user=user, kind="reversal", amount=None, reverses=ledger_post(user=user, kind="deposit", amount="2"))
    client = signed_in(user)
    html = client.get(URL).content.decode()
    assert '<strong data-testid="total">4.50</strong>' in html
    assert '<span data-testid="available">3.50</span>' in html
    assert '<span data-testid="frozen">1.00</span>' in html
    assert html.count('data-testid="entry-row"') == 4
    assert "academic_credit: 4.50" in html
    filtered = client.get(URL, {"kind": "deposit"}).content.decode()
    assert filtered.count('data-testid="entry-row"') == 2
    assert deposit.hash not in html  # hashes are for the API and the verifier, not the page


def test_an_unverified_account_is_told_what_is_missing(make_learner: Any) -> None:
    html = signed_in(make_learner(AccountStatus.ACTIVATED)).get(URL).content.decode()
    assert 'data-testid="not-verified"' in html
    assert 'data-testid="balances"' not in html


def test_visitors_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302


def test_the_dashboard_shows_a_verified_learners_balances(make_learner: Any) -> None:
    user = make_learner(AccountStatus.VERIFIED)
    ledger_post(user=user, kind="deposit", amount="3.25")
    html = signed_in(user).get("/").content.decode()
    assert 'data-testid="dashboard-credits"' in html and "3.25" in html
    other = signed_in(make_learner(AccountStatus.ACTIVATED)).get("/").content.decode()
    assert 'data-testid="dashboard-credits"' not in other
