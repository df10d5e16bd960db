"""Every upload path shares one hourly allowance per account, counted before any file is decoded."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from conftest import Api, back_upload, front_upload
from creditbank.accounts.models import AccountStatus
from creditbank.identity.models import VerificationAttempt
from creditbank.notices.models import Ticket, TicketAttachment, TicketMessage
from creditbank.profiles.models import ChangeRequest, EducationEntry

#: 2026-03-01 10:00:30 in Asia/Shanghai: the hour's window ends at 11:00, in 3570 seconds.
FIXED_CLOCK = 1772330430.0
EDU = "/api/v1/me/education"


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    import time

    monkeypatch.setattr(time, "time", lambda: FIXED_CLOCK)


@pytest.fixture
def allowance(settings):  # type: ignore[no-untyped-def]
    def set_to(n: int) -> None:
        settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "UPLOADS_PER_ACCOUNT_PER_HOUR": n}

    return set_to


def fresh_hour() -> None:
    """Forget the uploads made while the learner was set up (their verification photos)."""
    from creditbank.kernel.models import RateCounter

    RateCounter.objects.filter(key__startswith="rl:uploads:").delete()


def photo(seed: int = 1) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (seed * 40 % 255, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(f"p{seed}.jpg", out.getvalue(), content_type="image/jpeg")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0 this is no JPEG at all", content_type="image/jpeg")


def english(api: Api) -> Api:
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return api


def assert_refused_with_time(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "3570"
    assert response.json()["detail"] == (
        "You have uploaded many files in the last hour. Try again at 11:00 (in 60 minutes) with the files "
        "you still need to send."
    )


def test_one_allowance_across_evidence_proofs_and_attachments(api, make_learner, allowance, clock) -> None:  # type: ignore[no-untyped-def]
    allowance(4)
    user = make_learner(AccountStatus.VERIFIED)
    fresh_hour()
    english(api).login(user.email)
    entry = api.post(EDU, {"school": "北京大学", "level": "bachelor", "study_mode": "full_time", "start": "2015-09"})
    entry_id = entry.json()["id"]
    assert api.post(f"{EDU}/{entry_id}/evidence", {"evidence": photo(1)}, multipart=True).status_code == 200
    proofs = api.post(
        "/api/v1/me/change-requests",
        {"field": "name", "new_value": "张三丰", "reason": "改名", "proof": [photo(2), photo(3)]},
        multipart=True,
    )
    assert proofs.status_code == 202
    ticket = api.post(
        "/api/v1/me/tickets",
        {"category": "other", "subject": "附件", "message": "见附件", "attachments": [photo(4)]},
        multipart=True,
    )
    assert ticket.status_code == 201
    # the allowance is spent: every path refuses, before looking at the file
    ticket_id = ticket.json()["id"]
    assert_refused_with_time(
        api.post(
            f"/api/v1/me/tickets/{ticket_id}/messages", {"message": "再一张", "attachments": [photo(5)]}, multipart=True
        )
    )
    assert_refused_with_time(api.post(f"{EDU}/{entry_id}/evidence", {"evidence": not_an_image()}, multipart=True))
    assert_refused_with_time(
        api.post(
            "/api/v1/me/change-requests",
            {
                "field": "gender",
                "new_value": "M" if user.gender == "F" else "F",
                "reason": "更正",
                "proof": [not_an_image()],
            },
            multipart=True,
        )
    )
    # nothing of the refused requests was stored
    assert TicketMessage.objects.filter(ticket_id=ticket_id).count() == 1
    assert TicketAttachment.objects.count() == 1
    assert ChangeRequest.objects.count() == 1
    assert EducationEntry.objects.get(pk=entry_id).evidence_blob != ""
    # a message without a file is no upload
    assert (
        api.post(f"/api/v1/me/tickets/{ticket_id}/messages", {"message": "没有附件"}, multipart=True).status_code == 201
    )


def test_verification_photos_count_before_they_are_decoded(api, make_learner, allowance, clock) -> None:  # type: ignore[no-untyped-def]
    allowance(3)
    user = make_learner(AccountStatus.ACTIVATED)
    english(api).login(user.email)
    # two refused submissions (unreadable photos) still cost their uploads, though no attempt is stored
    bad = api.post(
        "/api/v1/me/verification",
        {"consent": "true", "id_front": not_an_image(), "id_back": back_upload(user)},
        multipart=True,
    )
    assert bad.status_code == 400
    assert VerificationAttempt.objects.count() == 0
    refused = api.post(
        "/api/v1/me/verification",
        {"consent": "true", "id_front": front_upload(user), "id_back": back_upload(user)},
        multipart=True,
    )
    assert_refused_with_time(refused)
    assert VerificationAttempt.objects.count() == 0


def test_a_refused_request_does_not_use_up_the_allowance(api, make_learner, allowance) -> None:  # type: ignore[no-untyped-def]
    allowance(3)
    user = make_learner(AccountStatus.VERIFIED)
    fresh_hour()
    api.login(user.email)
    five = api.post(
        "/api/v1/me/change-requests",
        {"field": "name", "new_value": "张三丰", "reason": "改名", "proof": [photo(i) for i in range(5)]},
        multipart=True,
    )
    assert five.status_code == 429
    assert not ChangeRequest.objects.exists()
    three = api.post(
        "/api/v1/me/change-requests",
        {"field": "name", "new_value": "张三丰", "reason": "改名", "proof": [photo(i) for i in range(3)]},
        multipart=True,
    )
    assert three.status_code == 202


def test_staff_attachments_count_against_the_staff_account(api, make_learner, reviewer, allowance) -> None:  # type: ignore[no-untyped-def]
    allowance(1)
    api.login(make_learner().email)
    ticket = api.post(
        "/api/v1/me/tickets",
        {"category": "other", "subject": "问题", "message": "请看", "attachments": [photo(1)]},
        multipart=True,
    )
    assert ticket.status_code == 201
    staff = Api(Client())
    staff.login(reviewer.email)
    path = f"/api/v1/support/tickets/{ticket.json()['id']}/messages"
    assert staff.post(path, {"message": "见附件", "attachments": [photo(2)]}, multipart=True).status_code == 201
    again = staff.post(path, {"message": "再一张", "attachments": [photo(3)]}, multipart=True)
    assert again.status_code == 429
    assert TicketMessage.objects.filter(ticket=Ticket.objects.get()).count() == 2
