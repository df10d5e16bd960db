"""Staff audit views of profile changes: read-only (decisions go through the review pages)."""

from django.contrib import admin
from django.http import HttpRequest

from creditbank.profiles.models import ChangeRequest, ProfileHistory


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProfileHistory)
class ProfileHistoryAdmin(ReadOnly):
    list_display = ("created_at", "user", "field", "old_value", "new_value", "actor", "source", "evidence")
    list_filter = ("field", "source")
    search_fields = ("user__account_no",)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnly):
    list_display = (
        "id",
        "user",
        "kind",
        "field",
        "old_value_masked",
        "new_value_masked",
        "status",
        "reviewer",
        "decided_at",
    )
    list_filter = ("status", "kind", "field")
    exclude = ("new_value_enc",)
