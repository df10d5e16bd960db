from __future__ import annotations

from django import template

from creditbank.profiles.labels import FIELD_LABELS, SOURCE_LABELS, value_label

register = template.Library()


@register.filter
def field_label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


@register.filter
def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


@register.simple_tag
def shown_value(field: str, value: str) -> str:
    return value_label(field, value)
