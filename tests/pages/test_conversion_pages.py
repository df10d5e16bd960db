"""The conversion pages: apply by a rule (a refusal explains itself and writes nothing; success
redirects to the applications), withdraw, the institution's reviewer approves or rejects, another
institution's reviewer gets 404; the pathway page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from conftest import PASSWORD
from creditbank.ledger.models import ConversionClaim, CreditAccount, LedgerEntry
from creditbank.rules import plain
from creditbank.rules.domain.evaluator import Check, months_between
from creditbank.rules.models import ConversionApplication
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.browser.conftest import tr
from tests.factories import LearnerFactory, VerifiedLearnerFactory

pytestmark = pytest.mark.django_db

REVIEWED = {"code": "CET4-REV", "requires_review": True}


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.account_no, password=PASSWORD)
    return client


def state(learner: Any) -> tuple[Any, ...]:
    a = CreditAccount.objects.get(user=learner)
    return (a.available, a.frozen, dict(a.programmes), a.last_seq, LedgerEntry.objects.count(),
            ConversionApplication.objects.count(), ConversionClaim.objects.count())  # fmt: skip


def test_the_apply_page_describes_the_rule_and_ticks_what_it_would_take() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1", title="大学英语四级")
    html = signed_in(learner).get(f"/conversions/apply/{rule.pk}/").content.decode()
    assert 'data-testid="rule-description"' in html
    assert "大学英语（ENG1）" in html  # the course by its name, from the published programme
    assert f'value="{oid}" checked data-testid="outcome-{oid}"' in html
    assert 'data-testid="preview" data-eligible="true"' in html
    assert (
        '<p class="status-passed" data-testid="preview-credits">' + tr("%(credits)s credits") % {"credits": "4.00"}
        in html
    )
    assert ConversionApplication.objects.count() == 0


def test_a_refused_application_explains_itself_and_writes_nothing() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "old", achieved_on="2019-01-10")
    before = state(learner)
    client = signed_in(learner)
    preview = client.get(f"/conversions/apply/{rule.pk}/?outcome_ids={oid}").content.decode()
    assert 'data-eligible="false"' in preview
    response = client.post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": [str(oid)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="refusal"' in html
    with translation.override("zh-hans"):
        refusal = plain.explain_refusal("criteria_not_met")
        months = months_between(date(2019, 1, 10), timezone.localdate())
        lines = [
            plain.explain_check(Check("requirement", "max_age_months", False, "60", str(months), oid, 0)),
            plain.explain_check(Check("choice", "any_of", False, "1", "0")),
        ]
    assert escape(refusal) in html
    failed = html.split('data-testid="failed-checks">')[1].split("</ul>")[0]
    assert failed == "".join(f"<li>{escape(line)}</li>" for line in lines)
    assert state(learner) == before
    nothing = client.post(f"/conversions/apply/{rule.pk}/", {})
    assert nothing.status_code == 400
    assert 'id="id_outcome_ids_errors"' in nothing.content.decode()
    assert state(learner) == before


def test_a_successful_application_redirects_to_the_list_with_a_message() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1")
    client = signed_in(learner)
    response = client.post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": [str(oid)]})
    assert (response.status_code, response["Location"]) == (302, "/conversions/")
    made = ConversionApplication.objects.get(user=learner)
    assert (made.status, f"{made.credits}") == ("approved", "4.00")
    page = client.get("/conversions/").content.decode()
    assert (
        tr("Converted: %(credits)s credits into %(programme)s.")
        % {
            "credits": "4.00",
            "programme": "计算机科学与技术",
        }
        in page
    )
    assert 'data-status="approved"' in page and 'data-testid="withdraw"' not in page
    assert CreditAccount.objects.get(user=learner).programmes == {"uni-a:CS": "4.00"}


def test_withdrawing_a_pending_application_releases_the_credits() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin, **REVIEWED)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1")
    client = signed_in(learner)
    client.post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": [str(oid)]})
    made = ConversionApplication.objects.get(user=learner)
    assert made.status == "pending"
    assert 'data-testid="withdraw"' in client.get("/conversions/").content.decode()
    other = signed_in(VerifiedLearnerFactory()).post(f"/conversions/{made.pk}/withdraw/")
    assert other.status_code == 404
    response = client.post(f"/conversions/{made.pk}/withdraw/")
    assert (response.status_code, response["Location"]) == (302, "/conversions/")
    made.refresh_from_db()
    a = CreditAccount.objects.get(user=learner)
    assert (made.status, f"{a.available}", f"{a.frozen}") == ("withdrawn", "2.00", "0.00")
    again = client.post(f"/conversions/{made.pk}/withdraw/", follow=True).content.decode()
    assert tr("This conversion application has already been decided or withdrawn.") in again


def test_the_institution_reviewer_approves_and_rejects_another_institution_gets_404() -> None:
    school, other = make_programme_school(), make_programme_school("uni-b")
    rule = make_rule(actor=school.admin, **REVIEWED)
    learner = VerifiedLearnerFactory()
    first, second = certified(learner, school, "c1"), certified(learner, school, "c2")
    client = signed_in(learner)
    client.post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": [str(first)]})
    pending = ConversionApplication.objects.get(user=learner)

    stranger = signed_in(other.reviewer)
    assert stranger.get(f"/review/conversions/{pending.pk}/").status_code == 404
    assert stranger.post(f"/review/conversions/{pending.pk}/", {"decision": "approve"}).status_code == 404
    assert 'data-testid="queue-row"' not in stranger.get("/review/conversions/").content.decode()
    assert client.get("/review/conversions/").status_code == 404
    assert client.get(f"/review/conversions/{pending.pk}/").status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"

    reviewer = signed_in(school.reviewer)
    assert 'data-queue="conversions" data-pending="1"' in reviewer.get("/").content.decode()
    assert 'data-queue="conversions" data-pending="0"' in stranger.get("/").content.decode()
    assert 'data-testid="latest-conversion"' in client.get("/").content.decode()
    queue = reviewer.get("/review/conversions/").content.decode()
    assert f'href="/review/conversions/{pending.pk}/"' in queue and learner.account_no in queue
    detail = reviewer.get(f"/review/conversions/{pending.pk}/").content.decode()
    assert f"{learner.name} · {learner.account_no}" in detail and 'data-testid="trace"' in detail
    assert f"#{first} CET-4" in detail
    refused = reviewer.post(f"/review/conversions/{pending.pk}/", {"decision": "reject"})
    assert refused.status_code == 400 and 'id="id_reason_code_errors"' in refused.content.decode()
    rejected = reviewer.post(
        f"/review/conversions/{pending.pk}/", {"decision": "reject", "reason_code": "content_mismatch", "note": "x"}
    )
    assert (rejected.status_code, rejected["Location"]) == (302, "/review/conversions/")
    pending.refresh_from_db()
    assert (pending.status, pending.reason_code) == ("rejected", "content_mismatch")
    assert 'data-testid="conversion-reason"' in client.get("/conversions/").content.decode()

    client.post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": [str(second)]})
    again = ConversionApplication.objects.get(user=learner, status="pending")
    assert reviewer.post(f"/review/conversions/{again.pk}/", {"decision": "approve"}).status_code == 302
    again.refresh_from_db()
    assert again.status == "approved"
    assert CreditAccount.objects.get(user=learner).programmes == {"uni-a:CS": "4.00"}


def test_unverified_learners_are_told_what_to_do() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    client = signed_in(LearnerFactory())
    for path in ("/conversions/", f"/conversions/apply/{rule.pk}/", "/pathways/"):
        html = client.get(path).content.decode()
        assert 'data-testid="not-verified"' in html and 'href="/verification/"' in html, path
    assert client.post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": ["1"]}).status_code == 403
    assert ConversionApplication.objects.count() == 0


def test_the_pathway_page_lists_programmes_best_first_with_an_apply_link() -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1", title="大学英语四级")
    html = signed_in(learner).get("/pathways/").content.decode()
    assert 'data-programme="uni-a:CS"' in html
    assert f'href="/conversions/apply/{rule.pk}/?outcome_ids={oid}"' in html
    assert 'max="160.00" value="4.00"' in html
    empty = signed_in(VerifiedLearnerFactory()).get("/pathways/").content.decode()
    assert 'data-testid="no-pathways"' in empty


def test_the_reviewer_resolves_a_conversion_flagged_by_a_revoked_outcome_on_the_page() -> None:
    from creditbank.outcomes import services as outcome_services

    school = make_programme_school()
    rule = make_rule(actor=school.admin)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "c1")
    signed_in(learner).post(f"/conversions/apply/{rule.pk}/", {"outcome_ids": [str(oid)]})
    made = ConversionApplication.objects.get(user=learner, status="approved")
    outcome_services.outcome_revoke(
        institution=school.institution, outcome_id=oid, reason="证书无效", actor=school.issuer, revoked_by="test"
    )
    reviewer = signed_in(school.reviewer)
    queue = reviewer.get("/review/conversions/?status=flagged").content.decode()
    assert f'href="/review/conversions/{made.pk}/"' in queue
    detail = reviewer.get(f"/review/conversions/{made.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="proposed"' in detail and "<code>conversion_credit</code>" in detail
    no_note = reviewer.post(f"/review/conversions/{made.pk}/", {"flag": "1", "action": "keep"})
    assert no_note.status_code == 400 and 'id="id_note_errors"' in no_note.content.decode()
    made.refresh_from_db()
    assert made.flag_resolution == ""
    done = reviewer.post(f"/review/conversions/{made.pk}/", {"flag": "1", "action": "reverse"})
    assert (done.status_code, done["Location"]) == (302, "/review/conversions/")
    made.refresh_from_db()
    assert made.flag_resolution == "reversed"
    assert CreditAccount.objects.get(user=learner).programmes == {}
