"""Registration, activation and real-name verification through the pages, in a real browser.

Every step goes through the HTML pages (forms, links, buttons) of the live server; the database
is only read to find things out, or written to set up a state another test already walks through.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_reviewer_user
from creditbank.accounts.id_numbers import id_number_message
from creditbank.accounts.models import AccountStatus, Gender, User
from creditbank.accounts.services import GENERIC_LOGIN_ERROR
from creditbank.identity.labels import CHECK_LABELS, CHECK_STATUS_LABELS, VERIFICATION_STATUS_LABELS
from creditbank.identity.models import VerificationAttempt, VerificationStatus
from creditbank.identity.reasons import ADVICE, REASONS
from creditbank.identity.specimens import card_back, card_front, valid_id_number
from creditbank.kernel.images import _MSG_TYPE
from tests.browser.conftest import log_in, log_out, shot, switch_language, tr
from tests.factories import RejectedVerificationFactory, VerificationAttemptFactory

pytestmark = pytest.mark.browser

STATUS = "[data-testid=verification-status]"
ACCOUNT_STATE = "[data-testid=account-state]"
NOTE = "请在光线充足的地方重新拍摄，避免反光。"
# What the learner sees of the pre-check (OCR is off in the test settings; the face check depends on
# OpenCV); the advisory checks (ID number and photos not used by another account) are for reviewers.
EXPECTED_CHECKS = {
    "id_number_rules": "passed",
    "gender_consistent": "passed",
    "face_present": None,
    "ocr_match": "not_run",
}


# --- helpers -----------------------------------------------------------------------------------


def card_files(tmp_path: Path, *, name: str, id_number: str, gender: str, seed: int) -> tuple[Path, Path]:
    front, back = tmp_path / f"front-{seed}.jpg", tmp_path / f"back-{seed}.jpg"
    front.write_bytes(card_front(name=name, id_number=id_number, gender=gender, seed=seed))
    back.write_bytes(card_back(seed=seed))
    return front, back


def submit_cards(page: Any, front: Any, back: Any, *, expect_status: int = 200) -> None:
    """Fill and send the upload form of /verification/ (``front``/``back``: a path or a file payload)."""
    form = page.locator("[data-testid=upload-form]")
    form.locator("input[name=id_front]").set_input_files(front)
    form.locator("input[name=id_back]").set_input_files(back)
    form.locator("input[name=consent]").check()
    with page.expect_navigation() as nav:
        form.locator("button[type=submit]").click()
    assert nav.value.status == expect_status


def expect_status(page: Any, status: str) -> None:
    badge = page.locator(STATUS)
    expect(badge).to_have_attribute("data-status", status)
    expect(badge).to_have_text(tr(VERIFICATION_STATUS_LABELS[status]))


def expect_checks(page: Any) -> None:
    """The checks list: the expected checks, each labelled with its translated name and outcome."""
    items = page.locator("[data-testid=checks] li")
    expect(items).to_have_count(len(EXPECTED_CHECKS))
    seen = {}
    for item in items.all():
        name, status = item.get_attribute("data-check"), item.get_attribute("data-status")
        seen[name] = status
        line = tr("%(label)s: <strong>%(status)s</strong>") % {
            "label": tr(CHECK_LABELS[name]),
            "status": tr(CHECK_STATUS_LABELS[status]),
        }
        expect(item).to_have_text(re.sub(r"<[^>]+>", "", line))
    assert set(seen) == set(EXPECTED_CHECKS)
    for name, status in EXPECTED_CHECKS.items():
        if status is not None:
            assert seen[name] == status, (name, seen[name])
    assert seen["face_present"] in {"passed", "failed", "warning", "not_run"}


def expect_message(page: Any, text: str) -> None:
    expect(page.locator("main ul.messages li")).to_have_text([text])


def open_only_queue_row(page: Any, declared_name: str) -> None:
    page.goto("/review/verifications/")
    rows = page.locator("[data-testid=queue-row]")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(3)).to_have_text(declared_name)
    with page.expect_navigation():
        rows.get_by_role("link").click()
    assert re.search(r"/review/verifications/\d+/$", page.url), page.url
    expect(page.locator("[data-testid=declared-name]")).to_have_text(declared_name)


def decide(page: Any, decision: str, *, reason_code: str = "", note: str = "") -> None:
    form = page.locator("form:has(input[name=decision])")
    form.locator(f"input[name=decision][value={decision}]").check()
    if reason_code:
        form.locator("select[name=reason_code]").select_option(reason_code)
    if note:
        form.locator("textarea[name=note]").fill(note)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/review/verifications/"), page.url
    expect_message(page, tr("Decision recorded; the learner has been notified."))
    expect(page.locator("[data-testid=queue-row]")).to_have_count(0)


# --- 1. the whole happy path -----------------------------------------------------------------------


def test_register_activate_verify_and_get_approved(
    page: Any, live_server: Any, mailoutbox: list, tmp_path: Path
) -> None:
    name = "阿依古丽·买买提"
    id_number = valid_id_number(birth="19950612", sequence=334)  # even sequence: female
    email, phone = "ayiguli@example.com", "13912345678"

    # Register.
    page.goto("/accounts/register/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.fill("#id_name", name)
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", phone)
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.check("#id_accept_terms")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == live_server.url + "/accounts/register/done/"
    expect(page.locator("main h1")).to_have_text(tr("Check your email"))
    shot(page, "flow-01-register-done")
    user = User.objects.get(email=email)
    assert user.status == AccountStatus.REGISTERED
    assert user.gender == Gender.FEMALE

    # Activate from the emailed link (a GET shows a button; the POST activates).
    assert [m.to for m in mailoutbox] == [[email]]
    match = re.search(r"https?://[^\s/]+(/accounts/activate/[^\s/]+/)", mailoutbox[0].body)
    assert match, mailoutbox[0].body
    page.goto(match.group(1))
    expect(page.locator("main h1")).to_have_text(tr("Activate your account"))
    shot(page, "flow-02-activate")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == live_server.url + "/accounts/login/"
    expect_message(page, tr("Your account is activated. Log in to continue with real-name verification."))

    # Log in with the email: the dashboard shows the state and the next step.
    log_in(page, email)
    expect(page.locator("[data-testid=account-no]")).to_have_text(user.account_no)
    expect(page.locator("[data-testid=status]")).to_have_text(tr(AccountStatus.ACTIVATED.label))
    expect(page.locator(ACCOUNT_STATE)).to_have_class(re.compile(r"\bstate-activated\b"))
    expect(page.locator(ACCOUNT_STATE)).to_contain_text(tr(AccountStatus.ACTIVATED.label))
    shot(page, "flow-03-dashboard")

    # Upload both sides.
    page.goto("/verification/")
    expect_status(page, "none")
    expect(page.locator("[data-testid=attempts-left]")).to_have_text(tr("Attempts left today: %(n)s") % {"n": 3})
    front, back = card_files(tmp_path, name=name, id_number=id_number, gender="女", seed=11)
    submit_cards(page, str(front), str(back))
    assert page.url == live_server.url + "/verification/"
    expect_message(page, tr("Your photos were received. The automatic checks run now; a reviewer decides next."))
    expect_status(page, "pending")
    expect_checks(page)
    expect(page.locator("[data-testid=upload-form]")).to_have_count(0)
    expect(page.locator("[data-testid=attempts-left]")).to_have_text(tr("Attempts left today: %(n)s") % {"n": 2})
    shot(page, "flow-04-verification-pending")
    log_out(page)

    # A reviewer approves.
    reviewer = make_reviewer_user()
    log_in(page, reviewer.email)
    open_only_queue_row(page, name)
    expect(page.locator("main dl")).to_contain_text(tr(Gender.FEMALE.label))
    # the age, never the birth date (masked number + birth date would be the whole number)
    expect(page.locator("main dl")).not_to_contain_text("1995-06-12")
    expect(page.locator("main dl")).not_to_contain_text("19950612")
    photos = page.locator(".photos img")
    expect(photos).to_have_count(2)
    for img in photos.all():
        img.scroll_into_view_if_needed()
        img.evaluate("i => i.decode()")  # rejects if the picture cannot be loaded
        assert img.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [1000, 630]
    shot(page, "flow-05-review-detail")
    decide(page, "approve")
    log_out(page)

    # The learner is verified, on the page and in the header.
    log_in(page, email)
    expect(page.locator(ACCOUNT_STATE)).to_have_class(re.compile(r"\bstate-verified\b"))
    expect(page.locator(ACCOUNT_STATE)).to_contain_text(tr(AccountStatus.VERIFIED.label))
    page.goto("/verification/")
    expect_status(page, "approved")
    expect(page.locator("main p.status-passed")).to_have_text(tr("Your identity is verified."))
    expect(page.locator("[data-testid=checks]")).to_have_count(0)  # the decision replaces the checks
    expect(page.locator("[data-testid=upload-form]")).to_have_count(0)
    expect(page.locator(ACCOUNT_STATE)).to_have_class(re.compile(r"\bstate-verified\b"))
    expect(page.locator(f"{ACCOUNT_STATE} strong")).to_have_text(tr(AccountStatus.VERIFIED.label))
    expect(page.locator(f"{ACCOUNT_STATE} .next-step")).to_have_count(0)
    shot(page, "flow-06-verification-approved")
    user.refresh_from_db()
    assert user.status == AccountStatus.VERIFIED
    assert [m.to for m in mailoutbox] == [[email], [email]]  # activation, then the decision


# --- 2. rejection, reset, a new attempt --------------------------------------------------------------


def test_rejection_is_explained_and_the_learner_starts_over(
    page: Any, make_learner: Any, mailoutbox: list, tmp_path: Path
) -> None:
    id_number = valid_id_number(birth="19880304", sequence=121)  # odd: male
    learner = make_learner(name="王建国", id_number=id_number)
    reviewer = make_reviewer_user()

    log_in(page, learner.email)
    page.goto("/verification/")
    submit_cards(page, *map(str, card_files(tmp_path, name="王建国", id_number=id_number, gender="男", seed=21)))
    expect_status(page, "pending")
    log_out(page)

    log_in(page, reviewer.email)
    open_only_queue_row(page, "王建国")
    decide(page, "reject", reason_code="photo_unclear", note=NOTE)
    log_out(page)

    mailoutbox.clear()
    log_in(page, learner.email)
    page.goto("/verification/")
    expect_status(page, "rejected")
    reason = REASONS["photo_unclear"]
    rejection = page.locator("[data-testid=rejection]")
    expect(rejection.locator("p").nth(0)).to_have_text(f"{tr('Reason:')} {tr(reason.label)} — {tr(reason.explanation)}")
    note_label = tr("Reviewer's note:")
    expect(rejection.locator("p").nth(1)).to_have_text(f"{note_label} {NOTE}")
    expect(rejection.locator("li")).to_have_text([tr(ADVICE[a]) for a in reason.advice])
    expect(page.locator("[data-testid=upload-form] h2")).to_have_text(tr("Submit again"))
    shot(page, "flow-07-verification-rejected")

    with page.expect_navigation():
        page.locator("[data-testid=reset]").click()
    expect_message(page, tr("Your verification was reset. You can start over."))
    expect_status(page, "none")
    expect(page.locator("[data-testid=rejection]")).to_have_count(0)
    expect(page.locator("[data-testid=checks]")).to_have_count(0)
    expect(page.locator("[data-testid=upload-form] h2")).to_have_text(tr("Upload your ID card"))

    submit_cards(page, *map(str, card_files(tmp_path, name="王建国", id_number=id_number, gender="男", seed=22)))
    expect_status(page, "pending")
    expect_checks(page)
    expect(page.locator("[data-testid=attempts-left]")).to_have_text(tr("Attempts left today: %(n)s") % {"n": 1})
    # The reset closes the rejected attempt (its record stays, its photos are deleted).
    first, second = VerificationAttempt.objects.filter(user=learner).order_by("id")
    assert (first.status, first.reason_code, first.note) == (VerificationStatus.REJECTED, "photo_unclear", NOTE)
    assert first.closed_at is not None and first.photos_deleted_at is not None
    assert (second.status, second.closed_at) == (VerificationStatus.PENDING, None)


# --- 3. refusals are explained next to the field ---------------------------------------------------


def test_refusals_are_shown_next_to_the_field(page: Any, make_learner: Any, mailoutbox: list, tmp_path: Path) -> None:
    # Registration: a wrong check digit.
    good = valid_id_number(birth="19920815", sequence=456)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.goto("/accounts/register/")
    page.fill("#id_name", "李娜")
    page.fill("#id_id_number", bad)
    page.fill("#id_phone", "13812345678")
    page.fill("#id_email", "lina@example.com")
    page.fill("#id_password", PASSWORD)
    page.check("#id_accept_terms")
    with page.expect_navigation() as nav:
        page.locator("main form button[type=submit]").click()
    assert nav.value.status == 200
    assert page.url.endswith("/accounts/register/")
    field = page.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field.locator("#id_id_number")).to_have_count(1)
    expect(field.locator("#id_id_number_errors li")).to_have_text([tr(id_number_message("id_number_checksum"))])
    expect(page.locator("#id_name")).to_have_value("李娜")
    expect(page.locator("#id_id_number")).to_have_value(bad)
    expect(page.locator("#id_phone")).to_have_value("13812345678")
    expect(page.locator("#id_email")).to_have_value("lina@example.com")
    expect(page.locator("#id_password")).to_have_value("")  # never sent back
    expect(page.locator("#id_accept_terms")).to_be_checked()
    shot(page, "refused-register")
    assert not User.objects.filter(email="lina@example.com").exists()
    assert mailoutbox == []

    # Login: a wrong password and an unknown account get the same generic answer.
    learner = make_learner()
    for identifier, password in ((learner.email, "wrong password 123"), ("nobody@example.com", PASSWORD)):
        page.goto("/accounts/login/")
        page.fill("#id_identifier", identifier)
        page.fill("#id_password", password)
        with page.expect_navigation() as nav:
            page.locator("main form button[type=submit]").click()
        assert nav.value.status == 400
        assert page.url.endswith("/accounts/login/")
        expect(page.locator("main .form-errors li")).to_have_text([tr(GENERIC_LOGIN_ERROR)])
        expect(page.locator(".field.has-error")).to_have_count(0)
        expect(page.locator("#id_identifier")).to_have_value(identifier)
        expect(page.locator("#id_password")).to_have_value("")
        expect(page.locator(ACCOUNT_STATE)).to_have_count(0)
    shot(page, "refused-login")

    # Upload: a PDF named .jpg is refused next to the portrait side field; nothing is stored.
    log_in(page, learner.email)
    page.goto("/verification/")
    pdf = {"name": "card.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n"}
    _, back = card_files(tmp_path, name=learner.name, id_number=good, gender="男", seed=31)
    submit_cards(page, pdf, str(back), expect_status=400)
    field = page.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field.locator("input[name=id_front]")).to_have_count(1)
    expect(field.locator("#id_id_front_errors li")).to_have_text([tr(_MSG_TYPE)])
    expect(page.locator("main .form-errors")).to_have_count(0)
    expect_status(page, "none")
    shot(page, "refused-upload")
    assert not VerificationAttempt.objects.filter(user=learner).exists()


# --- 4. every page in both languages -----------------------------------------------------------------


def in_both_languages(page: Any, name: str, zh: list[str], en: list[str]) -> None:
    """Screenshot the page in Chinese, switch to English through the header, screenshot, switch back."""
    html, body = page.locator("html"), page.locator("body")
    expect(html).to_have_attribute("lang", "zh-Hans")
    for text in zh:
        expect(body).to_contain_text(text)
    for text in en:
        expect(body).not_to_contain_text(text)
    shot(page, name)
    switch_language(page, "en")
    for text in en:
        expect(body).to_contain_text(text)
    for text in zh:
        expect(body).not_to_contain_text(text)
    shot(page, name)
    switch_language(page, "zh-hans")


def test_every_page_in_both_languages(page: Any, make_learner: Any) -> None:
    page.goto("/accounts/register/")
    in_both_languages(page, "register", ["开通学分银行账号"], ["Open a credit bank account"])
    page.goto("/accounts/login/")
    in_both_languages(
        page, "login", ["学分银行账号/身份证号码/邮箱/手机号"], ["Account number, ID number, email or phone"]
    )

    pending = make_learner(name="王芳")
    rejected = make_learner(name="李娜")
    reviewer = make_reviewer_user()

    log_in(page, pending.email)
    in_both_languages(page, "dashboard", ["实名认证", "账号状态"], ["Real-name verification", "Account status"])
    attempt = VerificationAttemptFactory(user=pending)
    page.goto("/verification/")
    expect_status(page, "pending")
    in_both_languages(
        page,
        "verification-pending",
        ["实名认证", "待审核", "自动核验"],
        ["Real-name verification", "waiting for review", "Automatic checks"],
    )
    log_out(page)

    RejectedVerificationFactory(user=rejected, reviewer=reviewer, reason_code="photo_unclear", note=NOTE)
    log_in(page, rejected.email)
    page.goto("/verification/")
    expect_status(page, "rejected")
    in_both_languages(
        page,
        "verification-rejected",
        ["实名认证", "未通过", "照片不清晰", "您可以："],
        ["Real-name verification", "not approved", "Photo unclear", "What you can do:"],
    )
    log_out(page)

    log_in(page, reviewer.email)
    page.goto("/review/verifications/")
    expect(page.locator("[data-testid=queue-row]")).to_have_count(1)
    in_both_languages(page, "review-queue", ["实名认证审核列表"], ["Real-name verification queue"])
    page.goto(f"/review/verifications/{attempt.pk}/")
    expect(page.locator("[data-testid=declared-name]")).to_have_text("王芳")
    in_both_languages(
        page,
        "review-detail",
        ["填报信息", "自动核验"],  # staff have no "real-name verification" menu entry of their own
        ["Declared data", "Automatic checks"],
    )


# --- 5. phone width ------------------------------------------------------------------------------------


def test_pages_fit_a_phone_screen(new_page: Any, make_learner: Any) -> None:
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True, device_scale_factor=2)
    learner = make_learner()

    def fits(name: str) -> None:
        for lang in ("zh-hans", "en"):
            if lang == "en":
                switch_language(page, "en")
            assert page.evaluate("window.innerWidth") == 375
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375 + 1, f"{name} ({lang}) is {width}px wide on a 375px screen"
            shot(page, f"phone-{name}")
        switch_language(page, "zh-hans")

    page.goto("/accounts/register/")
    fits("register")
    log_in(page, learner.email)
    page.goto("/verification/")
    expect(page.locator("[data-testid=upload-form]")).to_be_visible()
    fits("verification")
