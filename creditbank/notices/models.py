from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """An official notice (官方通知), published by staff in both languages. No PII."""

    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_zh = models.TextField(_("body (Chinese, Markdown)"))
    body_en = models.TextField(_("body (English, Markdown)"), blank=True)
    published_at = models.DateTimeField(_("publish at"))
    pinned = models.BooleanField(_("pinned"), default=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title_zh

    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") and self.title_en else self.title_zh

    def body(self) -> str:
        return self.body_en if (get_language() or "").startswith("en") and self.body_en else self.body_zh


class NoticeRead(models.Model):
    """That a user opened a notice. PII: which account read what, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="notices_read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notice_id}"


class TicketCategory(models.TextChoices):
    VERIFICATION = "verification", _("Real-name verification")
    ACCOUNT = "account", _("Account")
    CERTIFICATION = "certification", _("Certification")
    CONVERSION = "conversion", _("Credit conversion")
    OTHER = "other", _("Other")


class TicketStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    ANSWERED = "answered", pgettext_lazy("ticket status", "Answered")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


class Ticket(models.Model):
    """A question to support (联系客服). PII: the user's messages and attachments."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tickets")
    category = models.CharField(max_length=16, choices=TicketCategory.choices)
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        permissions = [("answer_ticket", "Can answer support tickets")]

    def __str__(self) -> str:
        return f"ticket #{self.pk}"


class TicketMessage(models.Model):
    """One message of a ticket, from the user or from staff. PII: its text."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(default=False)
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message #{self.pk}"


class TicketAttachment(models.Model):
    """A file on a ticket message (encrypted in the private vault). PII: the file."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    blob = models.CharField(max_length=64)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    filename = models.CharField(_("file name"), max_length=255, blank=True, default="")

    def __str__(self) -> str:
        return f"attachment #{self.pk}"
