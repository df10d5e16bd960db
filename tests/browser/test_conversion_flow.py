"""Pathway → apply by a rule that needs review → the institution's reviewer approves → the learner
sees it, in a real browser: the learner on a phone-width screen in Chinese, then English; the
reviewer in English."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from creditbank.ledger.models import CreditAccount
from creditbank.rules.models import ConversionApplication
from creditbank.rules.tests.factories import certified, make_programme_school, make_rule
from tests.browser.conftest import log_in, log_out, shot, switch_language, tr
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.browser


def test_a_learner_applies_for_a_reviewed_conversion_and_the_reviewer_approves(new_page: Any) -> None:
    school = make_programme_school()
    rule = make_rule(actor=school.admin, code="CET4-REV", requires_review=True)
    learner = VerifiedLearnerFactory()
    oid = certified(learner, school, "cet-1", title="大学英语四级证书")

    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, learner.email)
    page.goto("/")
    page.get_by_test_id("dashboard-conversions").get_by_role("link", name=tr("Where my outcomes count")).click()
    expect(page.get_by_test_id("pathway")).to_have_count(1)
    expect(page.get_by_test_id("pathway-credits")).to_have_text(tr("+%(credits)s credits") % {"credits": "4.00"})
    shot(page, "pathways-phone")
    page.get_by_role("link", name=tr("Apply by this rule")).click()
    expect(page.get_by_test_id("preview")).to_have_attribute("data-eligible", "true")
    expect(page.get_by_test_id(f"outcome-{oid}")).to_be_checked()
    expect(page.get_by_test_id("preview")).to_contain_text(
        tr("A reviewer of the institution decides; the outcomes' credits are frozen until then.")
    )
    shot(page, "conversion-apply-phone")
    page.get_by_test_id("apply").click()
    expect(page.locator("main ul.messages li")).to_contain_text(tr("Application sent: %(credits)s credits into %(programme)s once the institution's reviewers approve. The outcomes' credits are frozen until then; we will email you.") % {"credits": "4.00", "programme": "计算机科学与技术"})  # fmt: skip
    expect(page.get_by_test_id("conversion-status")).to_have_text(tr("Pending review"))
    switch_language(page, "en")
    expect(page.get_by_test_id("conversion-status")).to_have_text("Pending review")
    expect(page.get_by_test_id("conversion-next-step")).to_contain_text("Waiting for the reviewers of")
    shot(page, "conversions-pending-phone")
    log_out(page)

    log_in(page, school.reviewer.email)  # the browser keeps English
    page.goto("/review/conversions/")
    page.get_by_test_id("queue-row").first.locator("a").click()
    expect(page.get_by_test_id("learner")).to_have_text(f"{learner.name} · {learner.account_no}")
    expect(page.get_by_test_id("rule-description")).to_contain_text("Needs review by a person.")
    expect(page.get_by_test_id("outcomes-used")).to_contain_text("大学英语四级证书")
    page.locator("input[name=decision][value=approve]").check()
    page.get_by_test_id("decide").click()
    expect(page.locator("main ul.messages li")).to_have_text(["Decision recorded; the learner has been notified."])
    log_out(page)

    log_in(page, learner.email)
    page.goto("/conversions/")
    expect(page.get_by_test_id("conversion-status")).to_have_text("Approved")
    switch_language(page, "zh-hans")
    expect(page.get_by_test_id("conversion-status")).to_have_text(tr("Approved"))
    expect(page.get_by_test_id("conversion-credits")).to_have_text("4.00")
    shot(page, "conversions-approved-phone")
    application = ConversionApplication.objects.get(user=learner)
    assert (application.status, application.rule_id) == ("approved", rule.pk)
    assert CreditAccount.objects.get(user=learner).programmes == {"uni-a:CS": "4.00"}
