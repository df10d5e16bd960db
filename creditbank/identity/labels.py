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
    "ocr_match": _("Card text matches the registered name and ID number"),
    "region_known": _("Region code known"),
    "provider": _("Identity provider"),
    "institution_vouched": _("Identity vouched for by the institution that opened the account"),
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

#: What a check's outcome means, for the reviewer, by (check, reason code) or by the provider's text.
CHECK_DETAILS: dict[str, Any] = {
    "face_present:unavailable": _("Face detection is not installed."),
    "face_present:undecodable": _("The photo could not be decoded for face detection."),
    "face_present:error": _("Face detection failed with an internal error."),
    "face_present:no_face": _("No face was found on the portrait side."),
    "face_present:face_found": _("A face was found."),
    "ocr_match:disabled": _("OCR is switched off."),
    "ocr_match:unavailable": _("OCR is not installed."),
    "ocr_match:undecodable": _("The photo could not be decoded for OCR."),
    "ocr_match:error": _("OCR failed with an internal error."),
    "ocr_match:match": _("The ID number and the name on the card match."),
    "ocr_match:name_not_found": _("The ID number on the card matches; the name was not read."),
    "ocr_match:id_number_mismatch": _("The card shows a different ID number: %(found)s."),
    "ocr_match:id_number_unreadable": _("A number was read but its check character is wrong (probably misread)."),
    "ocr_match:id_number_not_found": _("No ID number could be read on the card."),
    "photo_not_reused:same_file": _(
        "The same photo file was submitted in verification #%(attempt)s (account %(account)s)."
    ),
    "photo_not_reused:portrait": _(
        "The portrait matches verification #%(attempt)s (account %(account)s): %(distance)s of 144 bits differ; "
        "compare the photos."
    ),
    "disabled by policy": _("Switched off by the deployment's policy."),
    "region code unknown inside a known province": _("The region code is not in the list, but its province is known."),
    "historical region code": _("A historical (abolished) region code."),
    "ID number invalid": _("The ID number is invalid."),
    "no declared gender": _("No gender was declared."),
    "declared gender differs from the ID number": _("The declared gender differs from the ID number."),
    "photo matches another account's submission": _("A photo matches another account's submission."),
    "the portrait could not be compared": _("The portrait could not be compared with other submissions."),
    "the stored ID number is damaged": _(
        "The stored ID number is damaged and could not be read; the operators have been alerted. "
        "Decide by looking at the photos, or wait until the record is repaired."
    ),
    "the identity provider failed; a reviewer decides": _(
        "The identity provider failed; decide by looking at the photos."
    ),
    "region code not in the GB/T 2260 list": _("The region code is not in the GB/T 2260 list."),
}


def check_detail(check: dict[str, Any]) -> str:
    """The reviewer-facing explanation of one stored check, translated where known."""
    data = check.get("data") or {}
    key = f"{check.get('name')}:{data.get('reason')}" if isinstance(data, dict) else ""
    if key in CHECK_DETAILS:
        text = str(CHECK_DETAILS[key])
        if "%(" not in text:
            return text
        return text % {
            "found": data.get("found_id_number_masked", ""),
            "attempt": data.get("matched_attempt_id", ""),
            "account": data.get("matched_account_no", ""),
            "distance": data.get("distance", ""),
        }
    detail = str(check.get("detail") or "")
    if detail in CHECK_DETAILS:
        return str(CHECK_DETAILS[detail])
    return detail
