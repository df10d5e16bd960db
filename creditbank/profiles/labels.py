"""Human labels for profile field names, change sources and stored values."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from creditbank.profiles.models import EducationLevel

FIELD_LABELS: dict[str, Any] = {
    "name": _("Name"),
    "gender": _("Gender"),
    "id_number": _("ID number"),
    "email": _("Email"),
    "phone": _("Mobile phone"),
    "address": _("Postal address"),
    "education_level": _("Highest education level"),
    "occupation": _("Occupation"),
    "emergency_contact_name": _("Emergency contact"),
    "emergency_contact_phone": _("Emergency contact's phone"),
    "preferred_language": _("Preferred language"),
    "notify_email_decisions": _("Email me about decisions on my applications"),
    "notify_email_notices": _("Email me new official notices"),
}
SOURCE_LABELS: dict[str, Any] = {
    "self": _("by you"),
    "review": _("after staff review"),
    "change_request": _("change request approved"),
}
GENDER_LABELS: dict[str, Any] = {"M": _("Male"), "F": _("Female")}


def value_label(field: str, value: str) -> str:
    if not value:
        return "—"
    if field == "education_level" and value in EducationLevel.values:
        return str(EducationLevel(value).label)
    if field == "gender" and value in GENDER_LABELS:
        return str(GENDER_LABELS[value])
    if field == "preferred_language":
        return dict(settings.LANGUAGES).get(value, value)
    if value in ("true", "false"):
        return str(_("yes") if value == "true" else _("no"))
    return value
