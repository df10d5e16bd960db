"""Profile editing, change requests with proof, support tickets and their pages, in a real browser.

Every step goes through the HTML pages (forms, links, buttons) of the live server; the database
is only read to find things out, or written (through the services) to set up a state that another
test already walks through in the browser.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.accounts.selectors import user_next_step
from creditbank.identity.specimens import card_back
from creditbank.kernel.masking import mask_phone
from creditbank.notices import services as notice_services
from creditbank.notices.models import Notice, Ticket, TicketCategory, TicketStatus
from creditbank.profiles import services as profile_services
from creditbank.profiles import sms
from creditbank.profiles.models import ChangeRequest, EducationLevel, Profile, ProfileChangeStatus, ProfileHistory
from tests.browser.conftest import HTML_LANG, log_in, log_out, shot, switch_language, tr

pytestmark = pytest.mark.browser

ACCOUNT_STATE = "[data-testid=account-state]"
CJK = re.compile(r"[\u3400-\u9fff]")


# --- helpers -----------------------------------------------------------------------------------


def expect_message(page: Any, text: str) -> None:
    expect(page.locator("main ul.messages li")).to_have_text([text])


def submit(page: Any, form: Any, *, expect_status: int = 200) -> None:
    """Click the form's submit button and wait for the page that answers (after redirects)."""
    with page.expect_navigation() as nav:
        form.locator("button[type=submit]").last.click()
    assert nav.value.status == expect_status, (nav.value.status, page.url)


def dd(page: Any, label_msgid: str) -> Any:
    """The <dd> after the <dt> labelled ``label_msgid`` (as the page shows it in Chinese)."""
    return page.locator(f"xpath=//main//dt[normalize-space()='{tr(label_msgid)}']/following-sibling::dd[1]")


def history_rows(page: Any) -> dict[str, list[str]]:
    """field -> [before, after, source] of the rows of /profile/history/ (newest first, first wins).

    Fields and sources come from the rows' data attributes; the cells show their labels."""
    rows: dict[str, list[str]] = {}
    for row in page.locator("main table tbody tr[data-field]").all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        rows.setdefault(
            row.get_attribute("data-field") or "", [cells[2], cells[3], row.get_attribute("data-source") or ""]
        )
    return rows


def proof_file(tmp_path: Path, seed: int = 5) -> Path:
    path = tmp_path / f"proof-{seed}.jpg"
    path.write_bytes(card_back(seed=seed))
    return path


# --- 1. editing the profile, a refusal, a new phone ---------------------------------------------


def test_edit_profile_refuse_bad_text_and_change_phone(page: Any, live_server: Any, make_learner: Any) -> None:
    learner = make_learner(AccountStatus.VERIFIED)
    sms.outbox.clear()
    address, occupation, contact, contact_phone = "北京市朝阳区建国路 88 号 3 单元 501", "会计", "李四", "13800138000"

    log_in(page, learner.email)
    page.goto("/profile/")
    expect(page.locator("[data-testid=profile-name]")).to_have_text(learner.name)
    expect(page.locator("[data-testid=profile-address]")).to_have_text("—")
    with page.expect_navigation():
        page.locator("main a[href='/profile/edit/']").click()
    assert page.url == live_server.url + "/profile/edit/"

    form = page.locator("main form")
    form.locator("[name=p-address]").fill(address)
    form.locator("[name=p-occupation]").fill(occupation)
    form.locator("[name=p-education_level]").select_option("bachelor")
    form.locator("[name=p-emergency_contact_name]").fill(contact)
    form.locator("[name=p-emergency_contact_phone]").fill("138 0013 8000")  # spaces are accepted
    form.locator("[name=p-preferred_language]").select_option("zh-hans")
    submit(page, form)
    assert page.url == live_server.url + "/profile/"
    expect_message(page, tr("Your profile was saved."))
    expect(page.locator("[data-testid=profile-address]")).to_have_text(address)
    expect(dd(page, "Occupation")).to_have_text(occupation)
    expect(dd(page, "Highest education level")).to_have_text(tr(EducationLevel.BACHELOR.label))
    expect(dd(page, "Emergency contact")).to_have_text(f"{contact} {mask_phone(contact_phone)}")
    assert contact_phone not in page.content()

    # The history lists each change; the emergency phone is masked.
    with page.expect_navigation():
        page.locator("main a[href='/profile/history/']").click()
    rows = history_rows(page)
    assert rows["address"] == ["—", address, "self"], rows
    assert rows["occupation"] == ["—", occupation, "self"], rows
    assert rows["emergency_contact_name"] == ["—", contact, "self"], rows
    assert rows["emergency_contact_phone"] == ["—", mask_phone(contact_phone), "self"], rows
    shot(page, "profile-history")
    html = page.content()
    assert contact_phone not in html and "+86" + contact_phone not in html
    saved = ProfileHistory.objects.filter(user=learner).count()

    # A right-to-left override in the address: refused next to the field, nothing saved.
    page.goto("/profile/edit/")
    expect(form.locator("[name=p-address]")).to_have_value(address)
    bad = "北京市\u202e朝阳区"
    form.locator("[name=p-address]").fill(bad)
    form.locator("[name=p-occupation]").fill("厨师")  # valid, but the edit is all or nothing
    submit(page, form, expect_status=400)
    assert page.url == live_server.url + "/profile/edit/"
    field = page.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field.locator("[name=p-address]")).to_have_attribute("aria-invalid", "true")
    expect(field.locator("#id_p-address_errors li")).to_have_text(
        [tr("Remove control or invisible characters from this field.")]
    )
    expect(form.locator("[name=p-address]")).to_have_value(bad)
    expect(form.locator("[name=p-occupation]")).to_have_value("厨师")
    shot(page, "refused-profile-edit")
    profile = Profile.objects.get(user=learner)
    assert (profile.address, profile.occupation) == (address, occupation)
    assert ProfileHistory.objects.filter(user=learner).count() == saved
    page.goto("/profile/")
    expect(page.locator("[data-testid=profile-address]")).to_have_text(address)
    expect(dd(page, "Occupation")).to_have_text(occupation)

    # A new phone: the password, then the code sent to the new number.
    new_phone = "13700001234"
    old_masked = learner.phone_masked
    expect(dd(page, "Mobile phone")).to_have_text(old_masked)
    page.goto("/profile/edit/")
    form.locator("[name=c-phone]").fill(new_phone)
    form.locator("[name=c-password]").fill(PASSWORD)
    submit(page, form)
    assert page.url == live_server.url + "/profile/phone/confirm/"
    expect_message(page, tr("Enter the code we sent to your new phone."))
    assert len(sms.outbox) == 1, sms.outbox
    to, text = sms.outbox[0]
    assert to == "+86" + new_phone
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)  # type: ignore[union-attr]

    confirm = page.locator("main form")
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    confirm.locator("[name=code]").fill(wrong)
    submit(page, confirm, expect_status=400)
    expect(page.locator("#id_code_errors li")).to_have_text(
        [tr("The code is not correct. %(n)d tries left.") % {"n": 4}]
    )
    confirm.locator("[name=code]").fill(code)
    submit(page, confirm)
    assert page.url == live_server.url + "/profile/"
    expect_message(page, tr("Your new phone number is confirmed."))
    expect(dd(page, "Mobile phone")).to_have_text(mask_phone(new_phone))
    assert new_phone not in page.content()
    learner.refresh_from_db()
    assert learner.phone_masked == mask_phone(new_phone) != old_masked
    page.goto("/profile/history/")
    assert history_rows(page)["phone"] == [old_masked, mask_phone(new_phone), "self"]
    assert new_phone not in page.content()


# --- 2. a name change with proof, approved by a reviewer ------------------------------------------


def test_name_change_with_proof_is_approved_and_verification_restarts(
    page: Any, live_server: Any, make_learner: Any, mailoutbox: list, tmp_path: Path
) -> None:
    learner = make_learner(AccountStatus.VERIFIED, name="张三")
    reviewer = make_reviewer_user()
    new_name = "张三丰"

    log_in(page, learner.email)
    page.goto("/profile/")
    with page.expect_navigation():
        page.locator("main a[href='/profile/change-requests/']").click()
    expect(page.locator("[data-testid=my-request]")).to_have_count(0)
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("[name=field]").select_option("name")
    form.locator("[name=new_value]").fill(new_name)
    form.locator("[name=reason]").fill("户口簿上的姓名已变更。")
    form.locator("input[name=proof]").set_input_files(str(proof_file(tmp_path)))
    submit(page, form)
    assert page.url == live_server.url + "/profile/change-requests/"
    expect_message(page, tr("Your request was sent. Staff will review it; we will email you the decision."))
    mine = page.locator("[data-testid=my-request]")
    expect(mine).to_have_count(1)
    expect(page.locator("[data-testid=my-request][data-status=pending]")).to_have_count(1)
    expect(mine.locator("td").nth(1)).to_have_text(f"张三 → {new_name}")
    expect(mine.locator("td").nth(2)).to_have_text(tr(ProfileChangeStatus.PENDING.label))
    log_out(page)

    mailoutbox.clear()
    log_in(page, reviewer.email)
    with page.expect_navigation():
        page.locator("header nav a[href='/review/change-requests/']").click()
    rows = page.locator("[data-testid=change-row]")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(2)).to_have_text(learner.account_no)
    with page.expect_navigation():
        rows.get_by_role("link").click()
    change = ChangeRequest.objects.get(user=learner)
    assert page.url == f"{live_server.url}/review/change-requests/{change.pk}/"
    expect(page.locator("[data-testid=new-value]")).to_have_text(new_name)
    img = page.locator(".photos img")
    expect(img).to_have_count(1)
    img.scroll_into_view_if_needed()
    img.evaluate("i => i.decode()")  # rejects if the picture cannot be loaded
    assert img.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1000, 630]
    decision = page.locator("main form:has(input[name=decision])")
    decision.locator("input[name=decision][value=approve]").check()
    submit(page, decision)
    assert page.url == live_server.url + "/review/change-requests/"
    expect_message(page, tr("Decision recorded; the learner has been notified."))
    expect(rows).to_have_count(0)
    log_out(page)
    assert [m.to for m in mailoutbox] == [[learner.email]]

    # The new name shows; the account is back to "activated", the next step is verification.
    log_in(page, learner.email)
    state = page.locator(ACCOUNT_STATE)
    expect(state).to_have_class(re.compile(r"\bstate-activated\b"))
    expect(state.locator("strong")).to_have_text(tr(AccountStatus.ACTIVATED.label))
    learner.refresh_from_db()
    step = user_next_step(learner)
    assert step is not None and step.code == "verify_identity"
    link = state.locator(".next-step a[href='/verification/']")
    expect(link).to_have_text(tr(step.message))
    page.goto("/profile/")
    expect(page.locator("[data-testid=profile-name]")).to_have_text(new_name)
    page.goto("/profile/change-requests/")
    expect(page.locator("[data-testid=my-request][data-status=approved]")).to_have_count(1)
    # Change requests are for verified accounts: the form is gone until the learner verifies again.
    expect(page.locator("main form[enctype='multipart/form-data']")).to_have_count(0)
    assert learner.name == new_name and learner.status == AccountStatus.ACTIVATED


# --- 3. a support ticket round trip --------------------------------------------------------------


def test_support_ticket_round_trip(page: Any, live_server: Any, make_learner: Any, mailoutbox: list) -> None:
    learner = make_learner(name="刘洋")  # activated, not verified: support is open to everyone signed in
    reviewer = make_reviewer_user()
    mailoutbox.clear()
    subject, question = "无法上传身份证照片", "上传身份证背面时页面提示文件类型不对，请问应该怎么办？"
    answer, follow_up = "请使用 JPEG 或 PNG 格式的照片重新上传。", "谢谢，我再试一次。"

    log_in(page, learner.email)
    with page.expect_navigation():
        page.locator("header nav a[href='/support/tickets/']").click()
    expect(page.locator("[data-testid=ticket-row]")).to_have_count(0)
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("[name=category]").select_option("verification")
    form.locator("[name=subject]").fill(subject)
    form.locator("[name=message]").fill(question)
    submit(page, form)
    ticket = Ticket.objects.get(user=learner)
    ticket_url = f"/support/tickets/{ticket.pk}/"
    assert page.url == live_server.url + ticket_url
    expect_message(page, tr("Your question was sent. We will email you when support replies."))
    expect(page.locator("main h1")).to_have_text(subject)
    status = page.locator("[data-testid=ticket-status]")
    expect(status).to_have_attribute("data-status", "open")
    expect(status).to_have_text(tr(TicketStatus.OPEN.label))
    thread = page.locator("[data-testid=thread] > li")
    expect(thread).to_have_text([re.compile(re.escape(question))])
    log_out(page)

    log_in(page, reviewer.email)
    with page.expect_navigation():
        page.locator("header nav a[href='/support/queue/']").click()
    rows = page.locator("[data-testid=support-row]")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(1)).to_have_text(tr(TicketCategory.VERIFICATION.label))
    expect(rows.locator("td").nth(3)).to_have_text(learner.account_no)
    with page.expect_navigation():
        rows.get_by_role("link", name=subject).click()
    assert page.url == f"{live_server.url}/support/queue/{ticket.pk}/"
    expect(thread).to_have_text([re.compile(re.escape(question))])
    reply = page.locator("main form[enctype='multipart/form-data']")
    reply.locator("[name=message]").fill(answer)
    expect(reply.locator("input[name=close]")).not_to_be_checked()
    submit(page, reply)
    assert page.url == live_server.url + "/support/queue/"
    expect_message(page, tr("Reply sent; the user has been emailed."))
    expect(rows).to_have_count(0)  # the queue shows open tickets; this one is answered
    log_out(page)

    # The learner is emailed a link to the ticket, and reads the answer there.
    assert [m.to for m in mailoutbox] == [[learner.email]]
    assert subject in mailoutbox[0].subject
    match = re.search(r"https?://[^\s/]+(/support/tickets/\d+/)", mailoutbox[0].body)
    assert match and match.group(1) == ticket_url, mailoutbox[0].body
    log_in(page, learner.email)
    page.goto(match.group(1))
    expect(status).to_have_attribute("data-status", "answered")
    expect(status).to_have_text(tr(TicketStatus.ANSWERED.label))
    expect(thread).to_have_text([re.compile(re.escape(question)), re.compile(re.escape(answer))])
    expect(thread.nth(0)).not_to_have_class("from-staff")
    expect(thread.nth(1)).to_have_class("from-staff")
    expect(thread.nth(1)).to_contain_text(tr("Support"))
    shot(page, "flow-ticket-answered")

    # The learner answers back: the ticket is open again.
    reply.locator("[name=message]").fill(follow_up)
    submit(page, reply)
    assert page.url == live_server.url + ticket_url
    expect(status).to_have_attribute("data-status", "open")
    expect(thread).to_have_count(3)
    expect(thread.nth(2)).to_contain_text(follow_up)
    page.goto("/support/tickets/")
    expect(page.locator("[data-testid=ticket-row] td").nth(2)).to_have_text(tr(TicketStatus.OPEN.label))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN and ticket.messages.count() == 3


# --- 4. every page in both languages -------------------------------------------------------------


def expect_language(page: Any, lang: str, msgid: str, *, name: str) -> None:
    """<html lang>, and ``msgid`` shown translated; then a full-page screenshot."""
    body = page.locator("body")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
    word = tr(msgid, lang)
    if lang == "zh-hans":
        assert CJK.search(word), f"{msgid!r} has no Chinese translation (page {name})"
    expect(body).to_contain_text(word)
    if lang == "en":
        expect(body).not_to_contain_text(tr(msgid, "zh-hans"))
    shot(page, name)


def test_profile_and_support_pages_in_both_languages(new_page: Any, make_learner: Any) -> None:
    learner = make_learner(AccountStatus.VERIFIED, name="王芳")
    reviewer = make_reviewer_user()
    profile_services.history_create(
        kind="education",
        user=learner,
        data={
            "school": "北京开放大学",
            "major": "会计",
            "level": "junior_college",
            "study_mode": "part_time",
            "start": "2015-09",
            "end": "2018-07",
        },
    )
    upload = SimpleUploadedFile("proof.jpg", card_back(seed=6), content_type="image/jpeg")
    change = profile_services.change_request_create(
        user=learner, field="name", new_value="王芳芳", reason="户口簿上的姓名已变更。", proofs=[upload]
    )
    ticket = notice_services.ticket_open(
        user=learner, category="account", subject="如何修改绑定邮箱", message="我换了新的邮箱，请问怎么修改？"
    )
    Notice.objects.create(
        title_zh="2026 年春季学分认定安排",
        title_en="Credit recognition in spring 2026",
        body_zh="**报名时间**：3 月 1 日至 3 月 31 日。",
        body_en="**Registration**: 1 to 31 March.",
        published_at=timezone.now(),
    )

    learner_page, reviewer_page = new_page(), new_page()
    log_in(learner_page, learner.email)
    log_in(reviewer_page, reviewer.email)
    # (page, url, screenshot name, a msgid the page shows, something that tells the page is complete)
    pages = [
        (learner_page, "/profile/", "profile", "Contact and details", "[data-testid=profile-name]"),
        (learner_page, "/profile/edit/", "profile-edit", "Edit profile", "[name=p-address]"),
        (learner_page, "/profile/change-requests/", "change-requests", "My requests", "[data-testid=my-request]"),
        (learner_page, "/profile/education/", "education-history", "Add an entry", "[data-testid=history-entries] li"),
        (learner_page, "/support/tickets/", "support-tickets", "Ask a question", "[data-testid=ticket-row]"),
        (learner_page, f"/support/tickets/{ticket.pk}/", "support-ticket", "Send reply", "[data-testid=thread] li"),
        (learner_page, "/notices/", "notices", "Official notices", "[data-testid=notices] a"),
        (reviewer_page, "/review/change-requests/", "review-change-requests", "Submitted", "[data-testid=change-row]"),
        (
            reviewer_page,
            f"/review/change-requests/{change.pk}/",
            "review-change-request",
            "Record decision",
            ".photos img",
        ),
        (reviewer_page, "/support/queue/", "support-queue", "Filter", "[data-testid=support-row]"),
    ]
    for lang in ("zh-hans", "en"):
        if lang == "en":
            for p in (learner_page, reviewer_page):
                switch_language(p, "en")
        for p, url, name, msgid, ready in pages:
            p.goto(url)
            expect(p.locator(ready)).to_have_count(1)
            expect_language(p, lang, msgid, name=name)
            if name == "notices":
                expect(p.locator("[data-testid=notices] a")).to_have_text(
                    "2026 年春季学分认定安排" if lang == "zh-hans" else "Credit recognition in spring 2026"
                )
            if name == "review-change-request":
                p.locator(".photos img").evaluate("i => i.decode()")


# --- 5. phone width ------------------------------------------------------------------------------


def test_profile_and_support_fit_a_phone_screen(new_page: Any, make_learner: Any) -> None:
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2)
    learner = make_learner()
    log_in(page, learner.email)
    for lang in ("zh-hans", "en"):
        if lang == "en":
            switch_language(page, "en")
        for url, name, ready in (
            ("/profile/edit/", "phone-profile-edit", "[name=p-address]"),
            ("/support/tickets/", "phone-support-tickets", "[name=subject]"),
        ):
            page.goto(url)
            expect(page.locator(ready)).to_be_visible()
            expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[lang])
            assert page.evaluate("window.innerWidth") == 375
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375 + 1, f"{url} ({lang}) is {width}px wide on a 375px screen"
            shot(page, name)
