"""Profile, change request, history, notices and support pages through the test client."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, make_reviewer_user
from creditbank.accounts.models import AccountStatus, User
from creditbank.identity.specimens import card_back
from creditbank.notices.models import Notice, Ticket
from creditbank.profiles import sms
from creditbank.profiles.models import ChangeRequest, EducationEntry
from tests.pages.test_pages import field_block


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def browser(make_learner):  # type: ignore[no-untyped-def]
    client = Client()
    client.user = make_learner(AccountStatus.VERIFIED)
    client.force_login(client.user)
    return client


def edit_data(**over: str) -> dict[str, str]:
    data = {"p-address": "北京市海淀区", "p-preferred_language": "zh-hans", "p-notify_email_decisions": "on"}
    data.update(over)
    return data


def test_profile_edit_saves_and_errors_sit_next_to_the_field(browser) -> None:  # type: ignore[no-untyped-def]
    assert browser.post("/profile/edit/", edit_data(**{"p-occupation": "教师"})).status_code == 302
    html = browser.get("/profile/").content.decode()
    assert "北京市海淀区" in html
    assert "教师" in html
    bad = browser.post("/profile/edit/", edit_data(**{"p-address": "路\u202e1号"}))
    assert bad.status_code == 400
    assert "has-error" in field_block(bad.content.decode(), "p-address")
    assert "北京市海淀区" in browser.get("/profile/").content.decode()


def test_phone_change_on_pages(browser, commit) -> None:  # type: ignore[no-untyped-def]
    sms.outbox.clear()
    wrong_pw = browser.post("/profile/edit/", edit_data(**{"c-phone": "13700001234", "c-password": "nope"}))
    assert wrong_pw.status_code == 400
    assert "has-error" in field_block(wrong_pw.content.decode(), "c-password")
    with commit():
        response = browser.post("/profile/edit/", edit_data(**{"c-phone": "13700001234", "c-password": PASSWORD}))
    assert response["Location"] == "/profile/phone/confirm/"
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1][1]).group(1)  # type: ignore[union-attr]
    assert browser.post("/profile/phone/confirm/", {"code": code}).status_code == 302
    assert "137****1234" in browser.get("/profile/").content.decode()


def test_change_request_pages_and_review(browser, commit) -> None:  # type: ignore[no-untyped-def]
    proof = SimpleUploadedFile("proof.jpg", card_back(seed=3), content_type="image/jpeg")
    missing = browser.post("/profile/change-requests/", {"field": "name", "new_value": "新名字", "reason": "改名"})
    assert "has-error" in field_block(missing.content.decode(), "proof")
    with commit():
        ok = browser.post(
            "/profile/change-requests/", {"field": "name", "new_value": "新名字", "reason": "改名", "proof": proof}
        )
    assert ok.status_code == 302
    assert 'data-status="pending"' in browser.get("/profile/change-requests/").content.decode()
    request = ChangeRequest.objects.get()
    assert browser.get("/review/change-requests/").status_code == 404  # learners are not staff
    staff = Client()
    staff.force_login(make_reviewer_user())
    detail = staff.get(f"/review/change-requests/{request.pk}/").content.decode()
    assert "新名字" in detail
    proof_id = request.proofs.get().pk
    assert staff.get(f"/review/change-requests/{request.pk}/proof/{proof_id}/")["Content-Type"] == "image/jpeg"
    with commit():
        staff.post(f"/review/change-requests/{request.pk}/", {"decision": "approve"})
    user = User.objects.get(pk=browser.user.pk)
    assert user.name == "新名字"
    assert user.status == AccountStatus.ACTIVATED
    assert 'href="/verification/"' in browser.get("/profile/").content.decode()


def test_history_pages_and_idor(browser, make_learner) -> None:  # type: ignore[no-untyped-def]
    data = {"school": "北京大学", "level": "bachelor", "study_mode": "full_time", "start": "2015-09", "end": "2019-07"}
    assert browser.post("/profile/education/", data).status_code == 302
    entry = EducationEntry.objects.get()
    bad = browser.post("/profile/education/", {**data, "end": "2010-01"})
    assert "has-error" in field_block(bad.content.decode(), "end")
    assert browser.post(f"/profile/education/{entry.pk}/", {**data, "major": "数学"}).status_code == 302
    assert EducationEntry.objects.get().major == "数学"
    other = Client()
    other.force_login(make_learner(AccountStatus.VERIFIED))
    assert other.get(f"/profile/education/{entry.pk}/").status_code == 404
    assert other.post(f"/profile/education/{entry.pk}/delete/").status_code == 404
    assert EducationEntry.objects.filter(pk=entry.pk).exists()
    assert browser.get("/profile/nonsense/").status_code == 404
    assert browser.post(f"/profile/education/{entry.pk}/delete/").status_code == 302
    assert not EducationEntry.objects.exists()


def test_ticket_pages_round_trip(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    learner = Client()
    learner.force_login(make_learner())  # activated, not verified
    empty = learner.post("/support/tickets/", {"category": "", "subject": "", "message": ""})
    assert "has-error" in field_block(empty.content.decode(), "category")
    response = learner.post(
        "/support/tickets/", {"category": "account", "subject": "忘记账号", "message": "怎么找回？"}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    staff = Client()
    staff.force_login(make_reviewer_user())
    assert "忘记账号" in staff.get("/support/queue/").content.decode()
    with commit():
        staff.post(f"/support/queue/{ticket.pk}/", {"message": "请用身份证号登录。"})
    page = learner.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert "请用身份证号登录。" in page
    assert 'data-status="answered"' in page
    learner.post(f"/support/tickets/{ticket.pk}/close/")
    assert Ticket.objects.get().status == "closed"
    learner.post(f"/support/tickets/{ticket.pk}/reopen/")
    assert Ticket.objects.get().status == "open"


def test_notice_pages_mark_read_and_render_safely(make_learner) -> None:  # type: ignore[no-untyped-def]
    notice = Notice.objects.create(
        title_zh="通知", title_en="Notice", body_zh="<img src=x onerror=alert(1)>**粗体**", published_at=timezone.now()
    )
    client = Client()
    client.force_login(make_learner())
    assert 'data-testid="unread"' in client.get("/notices/").content.decode()
    detail = client.get(f"/notices/{notice.pk}/").content.decode()
    assert "<strong>粗体</strong>" in detail
    assert "onerror" not in detail
    assert 'data-testid="unread"' not in client.get("/notices/").content.decode()
    assert "通知" in client.get("/").content.decode()  # the dashboard shows the newest
    assert Client().get("/notices/").status_code == 200  # public


def test_a_bad_evidence_file_saves_nothing(browser) -> None:  # type: ignore[no-untyped-def]
    data = {"school": "北京大学", "level": "bachelor", "study_mode": "full_time", "start": "2015-09", "end": "2019-07"}
    bad = SimpleUploadedFile(
        "e.pdf", b"%PDF-1.4\n1 0 obj<</OpenAction 2 0 R>>endobj\n%%EOF", content_type="application/pdf"
    )
    response = browser.post("/profile/education/", {**data, "evidence": bad})
    assert response.status_code == 400
    assert "has-error" in field_block(response.content.decode(), "evidence")
    assert not EducationEntry.objects.exists()
    good = SimpleUploadedFile("e.jpg", card_back(seed=8), content_type="image/jpeg")
    assert browser.post("/profile/education/", {**data, "evidence": good}).status_code == 302
    entry = EducationEntry.objects.get()
    assert entry.evidence_blob
    assert browser.get(f"/profile/education/{entry.pk}/evidence/")["Content-Type"] == "image/jpeg"
