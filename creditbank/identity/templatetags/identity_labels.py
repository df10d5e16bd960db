from __future__ import annotations

from django import template

from creditbank.identity.labels import CHECK_LABELS, CHECK_STATUS_LABELS, VERIFICATION_STATUS_LABELS

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
