"""Self-report → apply → the institution's reviewer approves → the credits page, in a real browser,
on a phone-width screen for the learner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from creditbank.identity.specimens import card_back
from creditbank.outcomes.models import Outcome
from creditbank.outcomes.tests.factories import make_school, make_standard, make_standard_editor
from tests.browser.conftest import log_in, log_out, shot, tr
from tests.factories import VerifiedLearnerFactory

pytestmark = pytest.mark.browser


def test_a_learner_gets_an_outcome_certified_and_sees_the_credits(new_page: Any, tmp_path: Path) -> None:
    school = make_school("uni-a")
    make_standard(editor=make_standard_editor(), owner="uni-a", code="1X-WEB-2", credits="6.00",
                  outcome_type="vocational_certificate")  # fmt: skip
    learner = VerifiedLearnerFactory()
    evidence = tmp_path / "certificate.jpg"
    evidence.write_bytes(card_back(seed=5))

    page = new_page(viewport={"width": 390, "height": 844})
    log_in(page, learner.email)
    page.goto("/outcomes/")
    page.get_by_test_id("new-outcome").click()
    page.select_option("#id_type", "vocational_certificate")
    page.fill("#id_title", "Web 前端开发职业技能等级证书（中级）")
    page.fill("#id_code", "1X-WEB-2")
    page.fill("#id_issuer", "uni-a")
    page.fill("#id_achieved_on", "2025-06-30")
    page.fill("#id_credits", "abc")
    page.select_option("#id_result_scheme", "pass_fail")
    page.fill("#id_result_value", "pass")
    page.set_input_files("#id_evidence", str(evidence))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_credits_errors")).to_be_visible()  # the error next to its field
    page.fill("#id_credits", "6")
    page.set_input_files("#id_evidence", str(evidence))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text(tr("Not yet submitted"))
    page.get_by_test_id("apply").click()
    expect(page.get_by_test_id("status")).to_have_text(tr("Waiting for certification"))
    shot(page, "outcome-pending-phone")
    log_out(page)

    log_in(page, school.reviewer.email)
    page.goto("/review/certifications/")
    page.get_by_test_id("queue-row").first.locator("a").click()
    expect(page.get_by_test_id("standard")).to_contain_text("6.00")
    page.locator("input[name=decision][value=approve]").check()
    page.get_by_test_id("decide").click()
    expect(page.locator("main ul.messages li")).to_have_text([tr("Decision recorded; the learner has been notified.")])
    log_out(page)

    log_in(page, learner.email)
    outcome = Outcome.objects.get(user=learner)
    page.goto(f"/outcomes/{outcome.pk}/")
    expect(page.get_by_test_id("status")).to_have_text(tr("Certified"))
    expect(page.get_by_test_id("certified-credits")).to_have_text("6.00")
    page.goto("/credits/")
    expect(page.get_by_test_id("total")).to_have_text("6.00")
    shot(page, "credits-after-certification-phone")
