"""Official notices and support tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import Api
from creditbank.accounts.models import AccountStatus
from creditbank.audit.models import AuditEvent
from creditbank.notices.models import Notice, Ticket, TicketMessage


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def notice(**over: object) -> Notice:
    data: dict[str, object] = {
        "title_zh": "关于学分认定的通知",
        "title_en": "About credit certification",
        "body_zh": "**重要**：请于月底前提交。<script>alert(1)</script> [链接](javascript:alert(1))",
        "body_en": "**Important**: submit by month end.",
        "published_at": timezone.now() - timedelta(hours=1),
    }
    data.update(over)
    return Notice.objects.create(**data)


def test_notices_are_public_sanitised_and_in_both_languages(api, db) -> None:  # type: ignore[no-untyped-def]
    pinned = notice(title_zh="置顶", pinned=True, published_at=timezone.now() - timedelta(days=5))
    regular = notice()
    notice(title_zh="未来", published_at=timezone.now() + timedelta(days=1))
    notice(title_zh="过期", expires_at=timezone.now() - timedelta(minutes=1))
    items = api.get("/api/v1/notices").json()
    assert [i["id"] for i in items["items"]] == [pinned.pk, regular.pk]
    assert items["unread"] is None
    body = api.get(f"/api/v1/notices/{regular.pk}").json()["body_html"]
    assert "<strong>重要</strong>" in body
    assert "<script" not in body
    assert "javascript:" not in body
    english = api.get(f"/api/v1/notices/{regular.pk}", headers={"Accept-Language": "en"}).json()
    assert english["title"] == "About credit certification"
    assert api.get("/api/v1/notices/999999").status_code == 404


def test_signed_in_users_see_unread(api, make_learner, db) -> None:  # type: ignore[no-untyped-def]
    a, b = notice(), notice(title_zh="第二条")
    api.login(make_learner().email)
    assert api.get("/api/v1/notices").json()["unread"] == 2
    api.get(f"/api/v1/notices/{a.pk}")
    listing = api.get("/api/v1/notices").json()
    assert listing["unread"] == 1
    assert {i["id"]: i["read"] for i in listing["items"]} == {a.pk: True, b.pk: False}


def test_ticket_round_trip(api, make_learner, reviewer, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()  # activated, not verified: exactly when people need help
    api.login(user.email)
    created = api.post(
        "/api/v1/me/tickets", {"category": "verification", "subject": "照片上传失败", "message": "一直提示格式错误"}
    )
    assert created.status_code == 201
    tid = created.json()["id"]
    assert created.json()["status"] == "open"
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    queue = staff.get("/api/v1/support/tickets").json()
    assert [t["id"] for t in queue["items"]] == [tid]
    mail.outbox.clear()
    with commit():
        replied = staff.post(f"/api/v1/support/tickets/{tid}/messages", {"message": "请使用 JPEG 格式。"})
    assert replied.status_code == 201
    assert replied.json()["status"] == "answered"
    assert [m.to for m in mail.outbox] == [[user.email]]
    mine = api.get(f"/api/v1/me/tickets/{tid}").json()
    assert [m["from_staff"] for m in mine["messages"]] == [False, True]
    back = api.post(f"/api/v1/me/tickets/{tid}/messages", {"message": "好的，谢谢"})
    assert back.json()["status"] == "open"
    closed = staff.post(f"/api/v1/support/tickets/{tid}/messages", {"message": "已解决", "close": True})
    assert closed.json()["status"] == "closed"
    reopened = api.post(f"/api/v1/me/tickets/{tid}/reopen")
    assert reopened.json()["status"] == "open"
    assert api.post(f"/api/v1/me/tickets/{tid}/close").json()["status"] == "closed"
    assert AuditEvent.objects.filter(action="ticket.replied").count() == 2


def test_reopen_window(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    api.login(make_learner().email)
    tid = api.post("/api/v1/me/tickets", {"category": "other", "subject": "s", "message": "m"}).json()["id"]
    api.post(f"/api/v1/me/tickets/{tid}/close")
    Ticket.objects.filter(pk=tid).update(closed_at=timezone.now() - timedelta(days=15))
    response = api.post(f"/api/v1/me/tickets/{tid}/reopen")
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_reopen_expired"
    reply = api.post(f"/api/v1/me/tickets/{tid}/messages", {"message": "again"})
    assert reply.json()["code"] == "ticket_reopen_expired"
    assert TicketMessage.objects.filter(ticket_id=tid).count() == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"category": "billing", "subject": "s", "message": "m"}, "choice_invalid", "category"),
        ({"category": "other", "subject": "", "message": "m"}, "required", "subject"),
        ({"category": "other", "subject": "s", "message": ""}, "required", "message"),
        ({"category": "other", "subject": "x" * 201, "message": "m"}, "too_long", "subject"),
    ],
)
def test_bad_tickets(api, make_learner, body, code, field) -> None:  # type: ignore[no-untyped-def]
    api.login(make_learner().email)
    response = api.post("/api/v1/me/tickets", body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not Ticket.objects.exists()


def test_ticket_with_attachment_multipart(api, make_learner, reviewer) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    api.login(make_learner().email)
    out = io.BytesIO()
    Image.new("RGB", (500, 300), (0, 0, 0)).save(out, "JPEG")
    response = api.post(
        "/api/v1/me/tickets",
        {
            "category": "verification",
            "subject": "截图",
            "message": "见附件",
            "attachments": [SimpleUploadedFile("a.jpg", out.getvalue())],
        },
        multipart=True,
    )
    assert response.status_code == 201
    ticket = response.json()
    att = ticket["messages"][0]["attachments"][0]
    assert api.get(f"/api/v1/me/tickets/{ticket['id']}/attachments/{att['id']}").status_code == 200
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    assert staff.get(f"/api/v1/support/tickets/{ticket['id']}/attachments/{att['id']}").status_code == 200
    assert AuditEvent.objects.filter(action="ticket.attachment_viewed").count() == 1


def test_tickets_are_rate_limited(api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "TICKETS_PER_DAY": 2}
    api.login(make_learner().email)
    for _ in range(2):
        assert api.post("/api/v1/me/tickets", {"category": "other", "subject": "s", "message": "m"}).status_code == 201
    limited = api.post("/api/v1/me/tickets", {"category": "other", "subject": "s", "message": "m"})
    assert limited.status_code == 429
    assert Ticket.objects.count() == 2


def test_other_users_tickets_are_invisible(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    api.login(make_learner().email)
    tid = api.post("/api/v1/me/tickets", {"category": "other", "subject": "私事", "message": "m"}).json()["id"]
    intruder = Api(api.client.__class__())
    intruder.login(make_learner(AccountStatus.VERIFIED).email)
    assert intruder.get(f"/api/v1/me/tickets/{tid}").status_code == 404
    assert intruder.post(f"/api/v1/me/tickets/{tid}/messages", {"message": "hi"}).status_code == 404
    assert intruder.post(f"/api/v1/me/tickets/{tid}/close").status_code == 404
    assert intruder.get("/api/v1/support/tickets").json()["code"] == "not_support"
    assert intruder.post(f"/api/v1/support/tickets/{tid}/messages", {"message": "x"}).status_code == 404
    assert TicketMessage.objects.filter(ticket_id=tid).count() == 1
    assert Ticket.objects.get(pk=tid).status == "open"


def test_ticket_idempotency_key(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    api.login(make_learner().email)
    body = {"category": "other", "subject": "s", "message": "m"}
    a = api.post("/api/v1/me/tickets", body, headers={"Idempotency-Key": "t-1"})
    b = api.post("/api/v1/me/tickets", body, headers={"Idempotency-Key": "t-1"})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] == b.json()["id"]
    assert Ticket.objects.count() == 1


def test_new_notice_is_emailed_to_those_who_asked(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    from creditbank.notices.services import notice_announce
    from creditbank.profiles.services import profile_update

    keen, quiet = make_learner(), make_learner()
    profile_update(user=keen, changes={"notify_email_notices": True})
    mail.outbox.clear()
    with commit():
        notice_announce(notice=notice())
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert quiet.email not in str([m.to for m in mail.outbox])


def test_publishing_in_the_admin_emails_subscribers(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from creditbank.accounts.models import User
    from creditbank.accounts.services import account_number_issue
    from creditbank.profiles.services import profile_update

    keen = make_learner()
    profile_update(user=keen, changes={"notify_email_notices": True})
    admin_user = User.objects.create_superuser(
        account_number_issue(), "admin pass phrase", name="管理员", email="a@example.com"
    )
    staff = Client()
    staff.force_login(admin_user)
    mail.outbox.clear()
    with commit():
        response = staff.post(
            "/admin/notices/notice/add/",
            {"title_zh": "新通知", "title_en": "New", "body_zh": "正文", "body_en": "Body",
             "published_at_0": "2026-01-01", "published_at_1": "08:00:00"},
        )  # fmt: skip
    assert response.status_code == 302
    assert Notice.objects.get().created_by == admin_user
    assert [m.to for m in mail.outbox] == [[keen.email]]


def test_notices_stay_readable_with_a_token_that_must_change_password(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    from creditbank.accounts.models import User

    user = make_learner()
    api.login(user.email)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    notice()
    response = api.get("/api/v1/notices")
    assert response.status_code == 200
    assert response.json()["unread"] is None  # read as anonymous
