"""The learner's credits page in a real browser: the charts' figures, a filter with an error next
to its field, the filtered entries, and the CSV statement downloaded from the page's link; the
page at phone width; the staff view's look-up."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.audit.models import AuditEvent
from tests.browser.conftest import log_in, shot, switch_language
from tests.ledger_entries import small_ledger

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def cells(page: Any, testid: str) -> list[list[str]]:
    return [
        [c.strip() for c in row.locator("th, td").all_inner_texts()]
        for row in page.locator(f"[data-testid={testid}] tr").all()
    ]


def show(page: Any) -> None:
    with page.expect_navigation():
        page.locator("[data-testid=filters] button[type=submit]").click()


def test_filter_the_entries_and_download_them(page: Any, make_learner: Any) -> None:
    learner = make_learner(AccountStatus.VERIFIED)
    entries = small_ledger(learner)
    log_in(page, learner.email)
    with page.expect_navigation():
        page.locator("header nav a", has_text="我的学分").click()
    expect(page.locator("[data-testid=total]")).to_have_text("4.00")
    assert cells(page, "by-type-table") == [["成果类型", "学分"], ["学历教育课程学分", "2.50"], ["其他", "1.50"]]
    assert cells(page, "by-year-table")[1:] == [
        ["2025", "3.00", "—", "—", "3.00"],
        ["2026", "—", "2.00", "1.50", "3.50"],
        ["2027", "-0.50", "-2.00", "—", "-2.50"],
    ]
    expect(page.locator("[data-testid=entry-row]")).to_have_count(6)

    # a range that ends before it starts: told next to the field, no entries shown
    page.fill("#id_from", "2026-02-01")
    page.fill("#id_to", "2026-01-31")
    show(page)
    expect(page.locator("#id_to_errors")).to_have_text("截止日期不能早于起始日期。")
    expect(page.locator("[data-testid=entry-row]")).to_have_count(0)
    expect(page.locator("[data-testid=export]")).to_have_count(0)

    # deposits from 2026 on
    page.select_option("#id_kind", "deposit")
    page.fill("#id_from", "2026-01-01")
    page.fill("#id_to", "")
    show(page)
    expect(page.locator("#id_to_errors")).to_have_count(0)
    expect(page.locator("[data-testid=entry-row]")).to_have_count(2)
    assert [r.get_attribute("data-seq") for r in page.locator("[data-testid=entry-row]").all()] == ["4", "2"]
    expect(page.locator("#id_kind")).to_have_value("deposit")
    expect(page.locator("#id_from")).to_have_value("2026-01-01")
    shot(page, "credits-filtered")

    link = page.locator("[data-testid=export]")
    expect(link).to_have_text("下载这些流水（CSV）")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith(f"credits-{learner.account_no}-")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["序号", "2", "4"]
    assert rows[1][12] == entries[1].hash and rows[2][12] == entries[3].hash
    assert rows[1][13] == rows[2][13] == ""  # no programme: not a conversion


def test_the_credits_page_fits_a_phone_in_both_languages(new_page: Any, make_learner: Any) -> None:
    learner = make_learner(AccountStatus.VERIFIED)
    small_ledger(learner)
    page = new_page(**PHONE)
    log_in(page, learner.email)
    for lang in ("zh-hans", "en"):
        page.goto("/credits/")
        if lang == "en":
            switch_language(page, "en")
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (lang, width)
        shot(page, "phone-credits")


def test_staff_look_up_an_account_with_a_reason(page: Any, make_learner: Any) -> None:
    learner = make_learner(AccountStatus.VERIFIED)
    small_ledger(learner)
    auditor = make_reviewer_user(perms=("view_credit_account",))
    log_in(page, auditor.email)
    with page.expect_navigation():
        page.locator("header nav a", has_text="学分账户查询").click()
    page.fill("#id_account_no", learner.account_no)
    with page.expect_navigation():
        page.locator("[data-testid=staff-lookup] button[type=submit]").click()
    expect(page.locator("#id_reason_errors")).to_have_text("请说明需要查看该学分账户的原因。")
    page.fill("#id_reason", "工单 12：学员询问学分余额")
    with page.expect_navigation():
        page.locator("[data-testid=staff-lookup] button[type=submit]").click()
    expect(page.locator("[data-testid=total]")).to_have_text("4.00")
    expect(page.locator("[data-testid=reason]")).to_have_text("工单 12：学员询问学分余额")
    assert list(AuditEvent.objects.filter(action="ledger.account_viewed").values_list("actor_id", "reason")) == [
        (auditor.pk, "工单 12：学员询问学分余额")
    ]
    shot(page, "staff-credit-account")
