"""The programme pages at phone width in both languages: the administrator's list and programme
page (with the course form) and the public list, with nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from creditbank.institutions.tests.factories import make_institution, make_programme
from tests.browser.conftest import HTML_LANG, log_in, shot, switch_language
from tests.browser.test_layout_and_polish import PHONE, overflow

pytestmark = pytest.mark.browser


def test_programme_pages_fit_a_phone_screen(new_page: Any, make_learner: Any) -> None:
    admin = make_learner()
    institution = make_institution("uni-a", admin=admin, name_zh="演示开放大学", name_en="Demo Open University")
    make_programme(institution, admin=admin, code="CS")
    make_programme(institution, admin=admin, code="ACC-2024", publish=False, name_zh="会计学", name_en="Accounting")
    page = new_page(**PHONE)
    log_in(page, admin.email)
    urls = [
        "/institutions/uni-a/programmes/",
        "/institutions/uni-a/programmes/CS/",
        "/programmes/",
        "/programmes/uni-a/CS/",
    ]
    for lang in ("zh-hans", "en"):
        if lang == "en":
            switch_language(page, "en")
        for url in urls:
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
            measured = overflow(page)
            assert measured["scrollWidth"] <= measured["innerWidth"], (url, lang, measured)
            if lang == "zh-hans":
                shot(page, "phone-" + url.strip("/").replace("/", "-"))
    page.goto("/institutions/uni-a/programmes/CS/")
    page.fill("#id_course-code", "CS102")
    page.fill("#id_course-name_zh", "程序设计基础")
    page.fill("#id_course-credits", "0")
    page.get_by_role("button", name="Add course").click()
    expect(page.locator("#id_course-credits_errors")).to_contain_text("greater than 0 and at most 300")
    assert overflow(page)["scrollWidth"] <= 390
