"""Bilingual labels of the automatic checks and their outcomes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

CHECK_LABELS: dict[str, Any] = {
    "precheck": _("Automatic checks"),
    "id_number_rules": _("ID number rules (GB 11643-1999)"),
    "gender_consistent": _("Gender consistent with the ID number"),
    "id_number_unique": _("ID number not verified on another account"),
    "photo_not_reused": _("Photos not used by another account"),
    "face_present": _("Face visible on the portrait side"),
    "ocr_match": _("Card text matches your name and ID number"),
    "region_known": _("Region code known"),
    "provider": _("Identity provider"),
}
CHECK_STATUS_LABELS: dict[str, Any] = {
    "passed": _("passed"),
    "failed": _("failed"),
    "warning": _("needs a look"),
    "not_run": _("not run (a reviewer checks)"),
    "queued": _("in progress"),
}
VERIFICATION_STATUS_LABELS: dict[str, Any] = {
    "none": _("not started"),
    "pending": _("waiting for review"),
    "approved": _("approved"),
    "rejected": _("not approved"),
    "withdrawn": _("withdrawn"),
    "reset": _("reset by staff"),
}
