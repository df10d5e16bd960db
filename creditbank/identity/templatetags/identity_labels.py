from __future__ import annotations

from typing import Any

from django import template

from creditbank.identity.labels import CHECK_LABELS, CHECK_STATUS_LABELS, VERIFICATION_STATUS_LABELS, check_detail
from creditbank.identity.selectors import check_is_advisory

register = template.Library()


@register.filter
def check_label(name: str) -> str:
    return str(CHECK_LABELS.get(name, name))


@register.filter
def check_status_label(status: str) -> str:
    return str(CHECK_STATUS_LABELS.get(status, status))


@register.filter
def verification_status_label(status: str) -> str:
    return str(VERIFICATION_STATUS_LABELS.get(status, status))


@register.filter(name="check_detail")
def check_detail_filter(check: dict[str, Any]) -> str:
    return check_detail(check)


@register.filter
def is_advisory(check: dict[str, Any]) -> bool:
    return check_is_advisory(str(check.get("name", "")))
