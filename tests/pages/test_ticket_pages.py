"""Support ticket pages: who wrote each message, and attachments under their own names."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from conftest import make_reviewer_user
from creditbank.notices import services as notice_services


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def tr(msgid: str, lang: str = "zh-hans", **values: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid) % values if values else translation.gettext(msgid)


def authors(html: str) -> list[str]:
    return re.findall(r'<strong data-testid="author">([^<]*)</strong>', html)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_each_message_says_who_wrote_it(make_learner, commit, lang) -> None:  # type: ignore[no-untyped-def]
    learner = make_learner(name="王小明")
    ticket = notice_services.ticket_open(user=learner, category="account", subject="找回账号", message="怎么找回？")
    support = make_reviewer_user()
    with commit():
        notice_services.ticket_reply_by_staff(staff=support, ticket_id=ticket.pk, message="请用身份证号登录。")
    notice_services.ticket_reply_by_user(user=learner, ticket_id=ticket.pk, message="好的，谢谢。")

    staff = Client(headers={"Accept-Language": lang})
    staff.force_login(support)
    staff_page = staff.get(f"/support/queue/{ticket.pk}/").content.decode()
    assert authors(staff_page) == ["王小明", tr("%(name)s (support)", lang, name=support.name), "王小明"]

    own = Client(headers={"Accept-Language": lang})
    own.force_login(learner)
    own_page = own.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert authors(own_page) == [tr("You", lang), tr("Support", lang), tr("You", lang)]
    assert support.name not in own_page  # learners are answered by "support", not by a named employee


def _pdf(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_attachments_are_listed_and_downloaded_under_their_own_names(make_learner) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import quote

    from creditbank.notices.models import TicketAttachment

    learner = make_learner()
    own = Client()
    own.force_login(learner)
    response = own.post(
        "/support/tickets/",
        {"category": "account", "subject": "附件", "message": "见附件",
         "attachments": [_pdf("成绩单 2024.pdf"), _pdf("  ..报告:终稿?.pdf")]},
    )  # fmt: skip
    assert response.status_code == 302
    first, second = TicketAttachment.objects.order_by("pk")
    assert (first.filename, second.filename) == ("成绩单 2024.pdf", "报告_终稿_.pdf")
    page = own.get(response["Location"]).content.decode()
    links = re.findall(r'<a href="(/support/tickets/\d+/attachments/\d+/)"[^>]*>([^<]*)</a>', page)
    assert [text for _, text in links] == ["成绩单 2024.pdf", "报告_终稿_.pdf"]
    download = own.get(links[0][0])
    assert download["Content-Disposition"] == (
        f"attachment; filename=\"attachment-{first.pk}.pdf\"; filename*=UTF-8''{quote('成绩单 2024.pdf', safe='')}"
    )
    staff = Client()
    staff.force_login(make_reviewer_user())
    staff_page = staff.get(f"/support/queue/{first.message.ticket_id}/").content.decode()
    assert "成绩单 2024.pdf" in staff_page


def test_attachment_names_are_in_the_api(make_learner) -> None:  # type: ignore[no-untyped-def]
    from conftest import Api

    learner = make_learner()
    api = Api(Client())
    api.login(learner.email)
    created = api.post(
        "/api/v1/me/tickets",
        {"category": "other", "subject": "附件", "message": "见附件", "attachments": [_pdf("证明.pdf")]},
        multipart=True,
    )
    assert created.status_code == 201, created.content
    [message] = created.json()["messages"]
    assert [a["filename"] for a in message["attachments"]] == ["证明.pdf"]
