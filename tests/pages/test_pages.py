"""Pages through Django's test client: errors next to the field, state and next step, i18n, reviewer pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from conftest import PASSWORD, back_upload, front_upload, make_reviewer_user, next_identity
from creditbank.accounts.models import AccountStatus, User
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt, VerificationStatus


def form_data(**over: str) -> dict[str, str]:
    data = {"name": "张三", "password": PASSWORD, "accept_terms": "on", "terms_version": "2026-01", **next_identity()}
    data.update(over)
    return data


def field_block(html: str, name: str) -> str:
    """The .field block of one input, to check its error is next to it."""
    match = re.search(rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}".*?</div>', html, re.S)
    assert match, f"no field block for {name}"
    return match.group(0)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_register_page_shows_each_error_next_to_its_field(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/accounts/register/", form_data(id_number="110105194912310022", phone="12"))
    assert response.status_code == 200
    html = response.content.decode()
    id_block = field_block(html, "id_number")
    assert "has-error" in id_block
    assert "校验码" in id_block or "check digit" in id_block
    assert "has-error" in field_block(html, "phone")
    assert "has-error" not in field_block(html, "email")
    assert 'value="张三"' in html  # what was typed is kept
    assert 'name="password" value' not in html  # the password is not echoed back
    assert User.objects.count() == 0


def test_register_activate_login_flow_on_pages(db, commit) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    data = form_data()
    with commit():
        response = client.post("/accounts/register/", data)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/register/done/"
    assert "/accounts/activate/" in mail.outbox[0].body
    path = re.search(r"(/accounts/activate/[^\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    page = client.get(path)
    assert page.status_code == 200
    user = User.objects.get(email=data["email"])
    assert user.status == AccountStatus.REGISTERED  # a GET (mail scanner) does not activate
    assert client.post(path)["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.status == AccountStatus.ACTIVATED
    used = client.post(path)
    assert used.status_code == 400
    assert 'data-code="token_invalid"' in used.content.decode()
    assert client.post("/accounts/login/", {"identifier": data["phone"], "password": PASSWORD}).status_code == 302
    home = client.get("/").content.decode()
    assert user.account_no in home
    assert 'href="/verification/"' in home  # the next step


def test_login_page_errors(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    client = Client()
    wrong = client.post("/accounts/login/", {"identifier": user.email, "password": "nope nope"})
    unknown = client.post("/accounts/login/", {"identifier": "ghost@example.com", "password": "nope nope"})
    assert wrong.status_code == unknown.status_code == 400
    assert "form-errors" in wrong.content.decode()
    for _ in range(10):
        client.post("/accounts/login/", {"identifier": user.email, "password": "nope nope"})
    limited = client.post("/accounts/login/", {"identifier": user.email, "password": PASSWORD})
    assert limited.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_next_redirect_is_checked(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    client = Client()
    evil = client.post("/accounts/login/?next=https://evil.example/", {"identifier": user.email, "password": PASSWORD})
    assert evil["Location"] == "/"
    good = Client().post("/accounts/login/?next=/verification/", {"identifier": user.email, "password": PASSWORD})
    assert good["Location"] == "/verification/"


def test_every_page_shows_the_state_and_next_step(make_learner) -> None:  # type: ignore[no-untyped-def]
    for status, needle in [
        (AccountStatus.REGISTERED, "/accounts/activation/resend/"),
        (AccountStatus.ACTIVATED, 'href="/verification/"'),
    ]:
        client = Client()
        client.force_login(make_learner(status))
        for path in ["/", "/verification/", "/accounts/password/change/"]:
            html = client.get(path).content.decode()
            assert 'data-testid="account-state"' in html
            assert needle in html, (status, path)


def test_english_switch(make_learner) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    zh = client.get("/accounts/login/").content.decode()
    assert 'lang="zh-Hans"' in zh
    assert "登录" in zh
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    en = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in en
    assert "Log in" in en
    assert "登录" not in en


def test_verification_page_upload_errors_and_pending_state(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    client = Client()
    client.force_login(user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("front.jpg", b"%PDF-1.4 fake", content_type="image/jpeg")
    response = client.post("/verification/", {"consent": "on", "id_front": pdf, "id_back": back_upload(user)})
    assert response.status_code == 400
    assert "has-error" in field_block(response.content.decode(), "id_front")
    assert not VerificationAttempt.objects.exists()
    no_consent = client.post("/verification/", {"id_front": front_upload(user), "id_back": back_upload(user)})
    assert "has-error" in field_block(no_consent.content.decode(), "consent")
    with commit():
        ok = client.post(
            "/verification/", {"consent": "on", "id_front": front_upload(user), "id_back": back_upload(user)}
        )
    assert ok.status_code == 302
    html = client.get("/verification/").content.decode()
    assert 'data-status="pending"' in html
    assert 'data-check="id_number_rules"' in html
    assert 'data-testid="upload-form"' not in html


def test_reviewer_pages_and_audit(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    learner = Client()
    learner.force_login(user)
    with commit():
        learner.post("/verification/", {"consent": "on", "id_front": front_upload(user), "id_back": back_upload(user)})
    attempt = VerificationAttempt.objects.get(user=user)
    assert learner.get("/review/verifications/").status_code == 404
    assert learner.get(f"/review/verifications/{attempt.pk}/photo/front/").status_code == 404
    staff = Client()
    staff.force_login(make_reviewer_user())
    queue = staff.get("/review/verifications/").content.decode()
    assert user.account_no in queue
    detail = staff.get(f"/review/verifications/{attempt.pk}/").content.decode()
    assert user.id_number_masked in detail
    photo = staff.get(f"/review/verifications/{attempt.pk}/photo/back/")
    assert photo["Content-Type"] == "image/jpeg"
    assert AuditEvent.objects.filter(action="verification.photo_viewed").count() == 1
    revealed = staff.post(f"/review/verifications/{attempt.pk}/reveal/", {"reason": "unreadable"})
    assert revealed.status_code == 200
    assert "no-store" in revealed["Cache-Control"]
    assert 'data-testid="revealed-id"' in revealed.content.decode()
    assert AuditEvent.objects.filter(action="pii.revealed").count() == 1
    reject_without_reason = staff.post(f"/review/verifications/{attempt.pk}/", {"decision": "reject"})
    assert reject_without_reason.status_code == 400
    assert "has-error" in field_block(reject_without_reason.content.decode(), "reason_code")
    with commit():
        staff.post(
            f"/review/verifications/{attempt.pk}/",
            {"decision": "reject", "reason_code": "info_mismatch", "note": "名字不一致"},
        )
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.REJECTED
    html = learner.get("/verification/").content.decode()
    assert 'data-testid="rejection"' in html
    assert "名字不一致" in html
    assert learner.post("/verification/withdraw/").status_code == 302
    assert 'data-status="none"' in learner.get("/verification/").content.decode()


def test_names_are_escaped_on_pages(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(name="<b>x</b>")
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    html = client.get("/").content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_terms_page_is_linked_from_registration(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert 'href="/accounts/terms/"' in client.get("/accounts/register/").content.decode()
    page = client.get("/accounts/terms/").content.decode()
    assert "2026-01" in page
    assert "隐私" in page


def test_check_details_are_translated_for_reviewers() -> None:
    from django.utils import translation

    from creditbank.identity.labels import check_detail

    mismatch = {
        "name": "ocr_match",
        "detail": "x",
        "data": {"reason": "id_number_mismatch", "found_id_number_masked": "110105********1234"},
    }
    with translation.override("zh-hans"):
        assert "110105********1234" in check_detail(mismatch)
        assert (
            check_detail({"name": "face_present", "detail": "No face", "data": {"reason": "no_face"}})
            == "人像面未检测到人脸。"
        )
        assert check_detail({"name": "x", "detail": "unknown text", "data": {}}) == "unknown text"


def test_pending_verification_banner_and_home_say_waiting_for_review(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    upload_prompt = "upload both sides of your ID card"
    assert upload_prompt in client.get("/").content.decode()
    with commit():
        client.post("/verification/", {"consent": "on", "id_front": front_upload(user), "id_back": back_upload(user)})
    for path in ["/", "/verification/", "/accounts/password/change/"]:
        html = client.get(path).content.decode()
        assert "Your real-name verification is with a reviewer." in html, path
        assert upload_prompt not in html, path


def test_reveal_page_with_a_damaged_record_says_so(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    learner = Client()
    learner.force_login(user)
    learner.post("/verification/", {"consent": "on", "id_front": front_upload(user), "id_back": back_upload(user)})
    attempt = VerificationAttempt.objects.get(user=user)
    token = user.id_number_enc
    User.objects.filter(pk=user.pk).update(id_number_enc=token[:20] + ("A" if token[20] != "A" else "B") + token[21:])
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(make_reviewer_user())
    response = staff.post(f"/review/verifications/{attempt.pk}/reveal/", {"reason": "unreadable"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This record is damaged and cannot be read." in html
    assert 'data-testid="revealed-id"' not in html
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()


def test_verification_page_shows_own_checks_while_pending_and_the_decision_after(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    first, user = make_learner(), make_learner()
    other = Client()
    other.force_login(first)
    with commit():
        other.post(
            "/verification/",
            {"consent": "on", "id_front": front_upload(first, seed=6161), "id_back": back_upload(first)},
        )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    with commit():
        client.post(
            "/verification/", {"consent": "on", "id_front": front_upload(user, seed=6161), "id_back": back_upload(user)}
        )
    attempt = VerificationAttempt.objects.get(user=user)
    assert {c["name"]: c["status"] for c in attempt.checks}["photo_not_reused"] == "failed"
    pending = client.get("/verification/").content.decode()
    assert 'data-check="id_number_rules"' in pending
    assert 'data-check="photo_not_reused"' not in pending
    assert 'data-check="id_number_unique"' not in pending
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(make_reviewer_user())
    review = staff.get(f"/review/verifications/{attempt.pk}/").content.decode()
    assert re.search(r'data-check="photo_not_reused"[^>]*data-advisory="true"', review)
    assert re.search(r'data-check="id_number_rules"[^>]*data-advisory="false"', review)
    assert "for the reviewer" in review
    with commit():
        staff.post(f"/review/verifications/{attempt.pk}/", {"decision": "approve", "reason_code": "", "note": ""})
    approved = client.get("/verification/").content.decode()
    assert 'data-status="approved"' in approved
    assert 'data-testid="checks"' not in approved
    assert 'data-status="failed"' not in approved
    assert "Your identity is verified." in approved
    assert 'data-testid="decided-at"' in approved
