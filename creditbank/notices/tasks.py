"""Background work of notices: emailing a new notice to those who asked for it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def email_notice(notice_id: int) -> int:
    from creditbank.notices.models import Notice
    from creditbank.notifications.selectors import users_wanting_notice_emails

    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return 0
    sent = 0
    with get_connection() as connection:
        for user in users_wanting_notice_emails().iterator(chunk_size=500):
            with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                ctx = {"user": user, "notice": notice, "site_url": settings.SITE_URL}
                subject = render_to_string("notices/email/notice_subject.txt", ctx).strip()
                body = render_to_string("notices/email/notice.txt", ctx)
            EmailMessage(subject=subject, body=body, to=[user.email], connection=connection).send()
            sent += 1
    return sent
