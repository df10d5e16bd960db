from django.contrib import admin
from django.http import HttpRequest

from creditbank.accounts.actor import actor
from creditbank.notices.models import Notice, Ticket
from creditbank.notices.services import notice_announce


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin[Notice]):
    """Staff publish notices here (both languages, Markdown, publish time, pinned, expiry)."""

    list_display = ("title_zh", "title_en", "published_at", "pinned", "expires_at")
    list_filter = ("pinned",)
    exclude = ("created_by",)

    def save_model(self, request: HttpRequest, obj: Notice, form: object, change: bool) -> None:
        if not change:
            obj.created_by = actor(request)
        super().save_model(request, obj, form, change)  # type: ignore[arg-type]
        if not change:
            notice_announce(notice=obj)


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = ("id", "category", "subject", "status", "updated_at")
    list_filter = ("status", "category")
    readonly_fields = ("user", "category", "subject", "status", "created_at", "updated_at", "closed_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
