"""Layout and finish in a real browser: phone-width staff queues, a one-line staff menu, the
language switcher, empty states, the favicon, and the verification page updating itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conftest import back_upload, front_upload, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.identity import services as identity_services
from creditbank.identity.labels import CHECK_LABELS
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.specimens import card_back
from creditbank.notices import services as notice_services
from creditbank.profiles import services as profile_services
from tests.browser.conftest import HTML_LANG, log_in, shot, switch_language, tr
from tests.factories import VerificationAttemptFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def overflow(page: Any) -> dict[str, Any]:
    """How far the page reaches past the viewport, and the widest elements that stick out."""
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            culprits: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)),
        })"""
    )


@pytest.fixture
def queues(make_learner: Any) -> dict[str, Any]:
    attempt = VerificationAttemptFactory(user=make_learner(name="阿依古丽·买买提"))
    verified = make_learner(AccountStatus.VERIFIED, name="王芳")
    change = profile_services.change_request_create(
        user=verified,
        field="name",
        new_value="王芳芳",
        reason="户口簿上的姓名已变更。",
        proofs=[SimpleUploadedFile("户口簿 第3页（变更记录）.jpg", card_back(seed=7), content_type="image/jpeg")],
    )
    ticket = notice_services.ticket_open(
        user=verified,
        category="account",
        subject="如何修改绑定邮箱以及找回旧账号的学习记录",
        message="我换了新的邮箱，请问怎么修改？",
        attachments=[
            SimpleUploadedFile("截图 2026-03-01 上午10.15.32.jpg", card_back(seed=9), content_type="image/jpeg")
        ],
    )
    return {"attempt": attempt, "change": change, "ticket": ticket, "reviewer": make_reviewer_user()}


def test_staff_pages_fit_a_phone_screen_in_both_languages(new_page: Any, queues: dict[str, Any]) -> None:
    page = new_page(**PHONE)
    log_in(page, queues["reviewer"].email)
    urls = [
        "/",
        "/review/verifications/",
        f"/review/verifications/{queues['attempt'].pk}/",
        "/review/change-requests/",
        f"/review/change-requests/{queues['change'].pk}/",
        "/support/queue/",
        f"/support/queue/{queues['ticket'].pk}/",
        "/notices/",
    ]
    for lang in ("zh-hans", "en"):
        if lang == "en":
            switch_language(page, "en")
        for url in urls:
            page.goto(url)
            expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
            measured = overflow(page)
            assert measured["innerWidth"] == 390
            assert measured["scrollWidth"] <= measured["innerWidth"], (url, lang, measured)
            if url in ("/review/verifications/", "/support/queue/"):
                shot(page, "phone-" + url.strip("/").replace("/", "-"))


def test_the_staff_menu_is_one_line_at_1280_px_in_both_languages(new_page: Any, queues: dict[str, Any]) -> None:
    page = new_page(**DESKTOP)
    log_in(page, queues["reviewer"].email)
    for lang in ("zh-hans", "en"):
        if lang == "en":
            switch_language(page, "en")
        page.goto("/")
        items = page.locator("header nav > a, header nav > form")
        assert items.count() == 8  # notices, account, profile, support, three queues, log out
        tops = {round(box["y"] + box["height"] / 2) for box in (i.bounding_box() for i in items.all())}
        assert len(tops) == 1, (lang, tops)
        # One row: the brand, the menu and the language switcher side by side.
        row = [page.locator(s).bounding_box() for s in ("header .brand", "header nav", "header form.lang")]
        centres = [box["y"] + box["height"] / 2 for box in row]
        assert max(centres) - min(centres) <= 4, (lang, row)
        assert overflow(page)["scrollWidth"] <= 1280
        shot(page, "staff-menu")


def test_the_language_switcher_is_a_compact_control(new_page: Any, make_learner: Any) -> None:
    page = new_page(**DESKTOP)
    page.goto("/")
    select = page.locator("#lang-select").bounding_box()
    button = page.locator("header form.lang button[type=submit]").bounding_box()
    assert abs(select["height"] - button["height"]) <= 2, (select, button)
    assert button["height"] <= 36, button
    assert abs((select["y"] + select["height"] / 2) - (button["y"] + button["height"] / 2)) <= 1
    styled = page.locator("#lang-select").evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderRadius, s.borderTopStyle, s.paddingLeft] }"
    )
    assert styled[0] != "0px" and styled[1] == "solid" and styled[2] != "0px", styled
    switch_language(page, "en")
    switch_language(page, "zh-hans")


def test_empty_states_are_panels_not_bullets(new_page: Any, make_learner: Any) -> None:
    page = new_page(**DESKTOP)
    learner = make_learner()
    staff = make_reviewer_user()
    log_in(page, learner.email)
    for url in ("/", "/notices/", "/support/tickets/"):
        page.goto(url)
        empty = page.locator("main .empty-state")
        expect(empty.first).to_be_visible()
        assert page.locator("main li .empty-state, main li.empty-state, main td .empty-state").count() == 0
        display = empty.first.evaluate("e => getComputedStyle(e).display")
        assert display == "block", (url, display)
        assert empty.first.evaluate("e => getComputedStyle(e).borderStyle") != "none"
    page.context.clear_cookies()
    log_in(page, staff.email)
    for url in ("/review/verifications/", "/review/change-requests/", "/support/queue/"):
        page.goto(url)
        expect(page.locator("main .empty-state")).to_have_count(1)
        expect(page.locator("main table")).to_have_count(0)
    shot(page, "empty-support-queue")


def test_the_favicon_is_served(page: Any) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/")
    href = page.locator("link[rel=icon]").first.get_attribute("href")
    assert href
    icon = page.request.get(href)
    assert icon.status == 200
    assert icon.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon", "image/svg+xml"}
    legacy = page.request.get("/favicon.ico")
    assert legacy.status == 200
    assert legacy.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert legacy.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert not failed, failed


def test_the_verification_page_updates_itself_when_the_checks_finish(
    page: Any, make_learner: Any, settings: Any
) -> None:
    learner = make_learner()
    # The worker has not picked the pre-check up yet: nothing runs it until the test does.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    identity_services.verification_submit(
        user=learner, consent=True, id_front=front_upload(learner), id_back=back_upload(learner)
    )
    attempt = VerificationAttempt.objects.get(user=learner)
    log_in(page, learner.email)
    page.goto("/verification/")
    running = page.locator("[data-testid=checks-running]")
    expect(running).to_have_text(tr("The automatic checks are running. This page updates itself when they finish."))
    expect(page.locator("[data-testid=checks] li")).to_have_count(1)  # only "in progress"
    identity_services.verification_precheck(attempt_id=attempt.pk)
    # No reload by the test: the page does it once the checks are done.
    expect(running).to_have_count(0, timeout=15_000)
    expect(page.locator("[data-testid=checks] li[data-check=id_number_rules]")).to_contain_text(
        tr(CHECK_LABELS["id_number_rules"])
    )
    assert page.url.endswith("/verification/")


def test_a_gender_change_is_chosen_from_a_list(page: Any, make_learner: Any, tmp_path: Any) -> None:
    from creditbank.profiles.models import ChangeRequest

    learner = make_learner(AccountStatus.VERIFIED)
    other = "F" if learner.gender == "M" else "M"
    proof = tmp_path / "户口簿.jpg"
    proof.write_bytes(card_back(seed=11))
    log_in(page, learner.email)
    page.goto("/profile/change-requests/")
    form = page.locator("main form[data-change-request]")
    text, choice = form.locator("[name=new_value]"), form.locator("[name=new_gender]")
    expect(text).to_be_visible()
    expect(choice).to_be_hidden()
    form.locator("[name=field]").select_option("gender")
    expect(text).to_be_hidden()
    expect(choice).to_be_visible()
    expect(choice.locator("option")).to_have_text(["—", "男", "女"])
    choice.select_option(other)
    form.locator("[name=reason]").fill("身份证上的性别登记有误。")
    form.locator("input[name=proof]").set_input_files(str(proof))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=my-request]")).to_have_count(1)
    request = ChangeRequest.objects.get(user=learner)
    assert (request.field, request.new_value_masked) == ("gender", other)
