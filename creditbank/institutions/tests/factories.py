"""Institutions, staff and clients for tests, made through the real services."""

from __future__ import annotations

from typing import Any

from conftest import make_reviewer_user
from creditbank.accounts.models import User
from creditbank.institutions import services
from creditbank.institutions.models import ApiClient, Institution

#: published, valid unified social credit codes (see domain tests)
USCC_A = "12100000400000624D"
USCC_B = "91350100M000100Y43"


def make_manager() -> User:
    """Bank staff holding Role.INSTITUTION_MANAGER (the institutions.manage_institution permission)."""
    return make_reviewer_user(perms=("manage_institution",))


def make_institution(code: str, *, admin: User, manager: User | None = None, **over: Any) -> Institution:
    fields: dict[str, Any] = {
        "name_zh": f"{code} 大学", "name_en": f"{code} University", "kind": "university", "region": "110108",
    }  # fmt: skip
    fields.update(over)
    return services.institution_create(actor=manager or make_manager(), code=code, admin=admin.account_no, **fields)


def make_client(
    institution: Institution, *, admin: User, scopes: tuple[str, ...] = ("outcomes:write",)
) -> tuple[ApiClient, str]:
    return services.api_client_create(actor=admin, code=institution.code, name="教务系统", scopes=list(scopes))
