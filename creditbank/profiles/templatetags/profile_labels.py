from __future__ import annotations

from django import template

from creditbank.profiles.labels import FIELD_LABELS, SOURCE_LABELS, value_label
from creditbank.profiles.services.change_requests import REASON_CODES

register = template.Library()


@register.filter
def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


@register.filter
def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


@register.filter
def change_reason_label(code: str) -> str:
    return str(REASON_CODES.get(code, code))


@register.simple_tag
def shown_value(field: str, value: str) -> str:
    return value_label(field, value)
