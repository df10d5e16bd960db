from django.contrib import admin

from creditbank.notifications.models import NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "email_decisions", "email_notices", "updated_at")
    readonly_fields = ("user", "email_decisions", "email_notices", "updated_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
