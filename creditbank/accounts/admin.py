"""Admin: personal data only in masked form; revealing goes through the audited review pages."""

from django.contrib import admin

from creditbank.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("account_no", "name", "id_number_masked", "phone_masked", "email", "status", "is_staff")
    list_filter = ("status", "is_staff", "must_change_password")
    search_fields = ("account_no", "email")
    fields = (
        "account_no",
        "name",
        "gender",
        "id_number_masked",
        "phone_masked",
        "email",
        "status",
        "must_change_password",
        "is_staff",
        "is_active",
        "groups",
        "created_at",
        "activated_at",
        "verified_at",
    )
    readonly_fields = (
        "account_no",
        "name",
        "gender",
        "id_number_masked",
        "phone_masked",
        "email",
        "status",
        "created_at",
        "activated_at",
        "verified_at",
    )
    filter_horizontal = ("groups",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("user", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("user", "key_hash", "created_at", "expires_at", "last_used_at")
