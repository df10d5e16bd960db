"""Support ticket pages: who wrote each message, and attachments under their own names."""

from __future__ import annotations

import re

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
