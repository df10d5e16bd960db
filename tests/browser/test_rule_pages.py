"""The public conversion rules at phone width: search by a certificate code, open a rule and read
it in plain words in Chinese, then in English, with nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from creditbank.rules.tests.factories import make_programme_school, make_rule
from tests.browser.conftest import HTML_LANG, shot, switch_language
from tests.browser.test_layout_and_polish import PHONE, overflow

pytestmark = pytest.mark.browser

MOOC = {
    "code": "MOOC-PY",
    "target": {"institution": "uni-a", "programme": "CS", "course": None},
    "criteria": {"combine": "any_of", "requirements": [{"types": ["mooc"], "min_credits": "1.00"}]},
    "grants": {"mode": "ratio", "ratio": "0.5", "step": "0.50"},
    "requires_review": True,
}


def test_searching_rules_and_reading_one_in_both_languages(new_page: Any) -> None:
    school = make_programme_school()
    cet = make_rule(actor=school.admin)
    make_rule(actor=school.admin, **MOOC)
    page = new_page(**PHONE)
    page.goto("/standards/")
    with page.expect_navigation():
        page.get_by_test_id("rules-link").click()
    expect(page.locator("h1")).to_have_text("认证和转换规则查询")
    expect(page.get_by_test_id("rule-row")).to_have_count(2)
    page.fill("#id_code", "cet4")
    with page.expect_navigation():
        page.get_by_test_id("rule-search").get_by_role("button", name="搜索").click()
    expect(page.get_by_test_id("rule-row")).to_have_count(1)
    assert overflow(page)["scrollWidth"] <= overflow(page)["innerWidth"]
    shot(page, "phone-rules-search")
    with page.expect_navigation():
        page.get_by_role("link", name="CET4-ENG1").click()
    assert page.url.endswith(f"/rules/{cet.pk}/")
    description = page.get_by_test_id("rule-description").locator("li")
    expect(description.first).to_have_text(
        "持有以下任一成果：职业资格证书，代码 CET4，取得不超过 60 个月且未过期 → 授予 4.00 学分，免修课程 大学英语（ENG1）。"
    )
    expect(page.get_by_test_id("rule-hash")).to_have_text(cet.hash)
    expect(page.get_by_test_id("check-outcomes")).to_contain_text("请登录已完成实名认证的账户")
    measured = overflow(page)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    shot(page, "phone-rule-detail")
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG["en"])
    expect(description.first).to_have_text(
        "Any one of: a vocational certificate with code CET4, achieved within the last 60 months and not expired → "
        "grants 4.00 credits, exempts course College English (ENG1)."
    )
    expect(description.nth(2)).to_have_text("Granted automatically when the conditions are met.")
    measured = overflow(page)
    assert measured["scrollWidth"] <= measured["innerWidth"], measured
    shot(page, "phone-rule-detail")
