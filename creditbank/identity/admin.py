from django.contrib import admin

from creditbank.identity.models import VerificationAttempt


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(admin.ModelAdmin[VerificationAttempt]):
    """Read-only overview; photos and decisions go through the audited review pages."""

    list_display = ("id", "user", "status", "created_at", "decided_at", "reviewer")
    list_filter = ("status",)
    exclude = ("front_blob", "back_blob")
    readonly_fields = [f.name for f in VerificationAttempt._meta.fields if f.name not in {"front_blob", "back_blob"}]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
