"""Render a form field's widget linked to its help text and error list (aria-describedby)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_widget(field: Any, has_help: bool = False) -> SafeString:
    ids = []
    if has_help:
        ids.append(f"{field.auto_id}_help")
    attrs: dict[str, str] = {}
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)  # type: ignore[no-any-return]
