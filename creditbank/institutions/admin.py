"""Institutions in the admin site, for bank staff: registration details checked by the same rules
as the API (``institution_clean``); members and API clients are shown, not edited here (they
are managed on the institution's page and API, where each change is audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from creditbank.accounts.actor import actor
from creditbank.audit.services import audit_record
from creditbank.institutions.models import ApiClient, Institution, Membership
from creditbank.institutions.services import institution_clean
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error


class InstitutionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Institution
        fields = ("code", "name_zh", "name_en", "kind", "region", "uscc", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            fields = institution_clean(
                code=data.get("code") or "", name_zh=data.get("name_zh") or "", name_en=data.get("name_en") or "",
                kind=data.get("kind") or "", region=data.get("region") or "", uscc=data.get("uscc") or None,
            )  # fmt: skip
        except DomainError as exc:
            apply_domain_error(self, exc)  # type: ignore[arg-type]
            return data
        data.update(code=fields.code, name_zh=fields.name_zh, name_en=fields.name_en, uscc=fields.uscc)
        return data


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    fields = ("user", "role", "created_at", "created_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ApiClientInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApiClient
    fields = ("name", "client_id", "scopes", "created_at", "rotated_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin[Institution]):
    """Bank staff holding the institutions' model permissions onboard and edit institutions; the
    first administrator is added on the institution's page or with POST /api/v1/institutions."""

    form = InstitutionForm
    list_display = ("code", "name_zh", "kind", "region", "uscc", "active", "created_at")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_zh", "name_en", "uscc")
    inlines = [MembershipInline, ApiClientInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: outcomes and calls keep referring to it

    def save_model(self, request: HttpRequest, obj: Institution, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=actor(request), action="institution.changed" if change else "institution.created",
            object_type="institution", object_id=obj.code,
        )  # fmt: skip
