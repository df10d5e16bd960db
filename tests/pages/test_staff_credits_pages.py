"""The staff view of a learner's credit account: ledger auditors look an account up by account
number saying why; every view is in the audit log with that reason. Everyone else: 404."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.audit.models import AuditEvent
from creditbank.ledger import views as ledger_views
from creditbank.ledger.models import CreditAccount
from tests.ledger_entries import small_conversion, small_ledger
from tests.pages.html_tables import table_rows

pytestmark = pytest.mark.django_db
LOOKUP = "/staff/credits/"
REASON = "工单 12：学员询问学分余额"


def signed_in(user: Any) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture
def learner(make_learner: Any) -> Any:
    user = make_learner(AccountStatus.VERIFIED)
    small_ledger(user)
    return user


@pytest.fixture
def account(learner: Any) -> CreditAccount:
    return CreditAccount.objects.get(user=learner)


@pytest.fixture
def auditor() -> Any:
    return make_reviewer_user(perms=("view_credit_account",))


def views_recorded() -> list[tuple[int | None, int | None, str, str, str, str, str]]:
    return list(
        AuditEvent.objects.filter(action__startswith="ledger.")
        .order_by("id")
        .values_list("actor_id", "subject_id", "action", "object_type", "object_id", "reason", "client_address")
    )


def look_up(client: Client, account_no: str, reason: str = REASON) -> Any:
    return client.post(LOOKUP, {"account_no": account_no, "reason": reason})


def test_look_up_then_every_view_is_recorded_with_the_reason(
    learner: Any, account: CreditAccount, auditor: Any
) -> None:
    client = signed_in(auditor)
    form = client.get(LOOKUP)
    assert form.status_code == 200 and 'data-testid="staff-lookup"' in form.content.decode()
    response = look_up(client, learner.account_no)
    assert (response.status_code, response["Location"]) == (302, f"/staff/credits/{account.pk}/")
    assert views_recorded() == []  # the look-up itself shows nothing of the account

    html = client.get(f"/staff/credits/{account.pk}/").content.decode()
    assert '<strong data-testid="total">4.00</strong>' in html
    assert f'<q data-testid="reason">{REASON}</q>' in html
    assert learner.account_no in html and learner.name in html
    assert table_rows(html, "by-type-table")[1:] == [["Academic credit", "2.50"], ["Other", "1.50"]]
    assert table_rows(html, "programmes-table") == []  # no conversion yet
    row = (auditor.pk, learner.pk, "ledger.account_viewed", "credit_account", str(account.pk), REASON, "127.0.0.1")
    assert views_recorded() == [row]

    filtered = client.get(f"/staff/credits/{account.pk}/", {"kind": "deposit"}).content.decode()
    assert 'data-seq="4"' in filtered and 'data-seq="3"' not in filtered
    assert views_recorded() == [row, row]
    assert 'data-testid="export"' not in filtered  # the statement is the learner's own download


def test_staff_see_the_credits_by_programme(make_learner: Any, auditor: Any) -> None:
    learner = make_learner(AccountStatus.VERIFIED)
    small_conversion(learner)
    account = CreditAccount.objects.get(user=learner)
    client = signed_in(auditor)
    look_up(client, learner.account_no)
    html = client.get(f"/staff/credits/{account.pk}/").content.decode()
    assert table_rows(html, "programmes-table") == [["Programme", "Credits"], ["demo-univ:CS", "2.00"]]
    assert '<strong data-testid="total">1.50</strong>' in html


def test_the_reason_is_required_and_nothing_is_recorded_without_it(
    learner: Any, account: CreditAccount, auditor: Any
) -> None:
    client = signed_in(auditor)
    response = look_up(client, learner.account_no, reason="  ")
    assert response.status_code == 400
    assert "Say why you need to see this credit account." in response.content.decode()
    assert 'id="id_reason_errors"' in response.content.decode()
    assert client.get(f"/staff/credits/{account.pk}/").status_code == 302  # no look-up, no view
    assert views_recorded() == []


def test_an_unknown_account_number_is_told_next_to_the_field(learner: Any, auditor: Any) -> None:
    response = look_up(signed_in(auditor), "000000000000")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_account_no_errors"' in html and "No credit account has this account number" in html
    assert views_recorded() == []


def test_the_view_needs_a_look_up_in_this_session(account: CreditAccount, auditor: Any) -> None:
    client = signed_in(auditor)
    response = client.get(f"/staff/credits/{account.pk}/")
    assert (response.status_code, response["Location"]) == (302, LOOKUP)
    assert views_recorded() == []


def test_the_reason_covers_thirty_minutes(
    learner: Any, account: CreditAccount, auditor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(auditor)
    look_up(client, learner.account_no)
    later = timezone.now() + timedelta(minutes=31)
    monkeypatch.setattr(ledger_views, "timezone", SimpleNamespace(now=lambda: later))
    response = client.get(f"/staff/credits/{account.pk}/")
    assert (response.status_code, response["Location"]) == (302, LOOKUP)
    assert views_recorded() == []


def test_a_look_up_covers_only_its_account(learner: Any, make_learner: Any, auditor: Any) -> None:
    other = make_learner(AccountStatus.VERIFIED)
    small_ledger(other)
    client = signed_in(auditor)
    look_up(client, learner.account_no)
    other_account = CreditAccount.objects.get(user=other)
    assert client.get(f"/staff/credits/{other_account.pk}/").status_code == 302
    assert views_recorded() == []


def test_everyone_else_gets_404(learner: Any, account: CreditAccount, make_learner: Any, reviewer: Any) -> None:
    for person in (learner, make_learner(AccountStatus.VERIFIED), reviewer):
        client = signed_in(person)
        assert client.get(LOOKUP).status_code == 404
        assert look_up(client, learner.account_no).status_code == 404
        assert client.get(f"/staff/credits/{account.pk}/").status_code == 404
    assert views_recorded() == []


def test_visitors_are_sent_to_log_in(account: CreditAccount, client: Client) -> None:
    for url in (LOOKUP, f"/staff/credits/{account.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_auditors_find_the_view_in_the_navigation(auditor: Any, learner: Any) -> None:
    assert '<a href="/staff/credits/">' in signed_in(auditor).get("/").content.decode()
    assert '<a href="/staff/credits/">' not in signed_in(learner).get("/").content.decode()
