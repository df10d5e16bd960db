"""The error codes of the profile: editable fields, email and phone changes, change requests
of locked fields, and education and work history (the profiles context).

Pure Python (no Django): ``profiles.domain`` raises the month and period codes. Name, contact,
password and ``*_taken`` codes are the accounts context's; free text, choice and upload codes
the kernel's. Listed in docs/API-ERRORS.md.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """400 unless said."""

    # Profile edits
    FIELD_LOCKED = "field_locked"  # name, gender, account_no or id_number (extra "next_step")
    NOTHING_TO_CHANGE = "nothing_to_change"  # PATCH /me without a field
    UNCHANGED = "unchanged"  # the new value is the current one

    # Email and phone confirmation
    CODE_INVALID = "code_invalid"  # a wrong confirmation code (extra "attempts_left")
    CODE_EXPIRED = "code_expired"  # 409: no code waiting, or it expired
    CODE_ATTEMPTS_EXHAUSTED = "code_attempts_exhausted"  # 429: too many wrong codes

    # Change requests
    FIELD_NOT_REQUESTABLE = "field_not_requestable"  # only name, gender and ID number (extra "allowed")
    PROOF_REQUIRED = "proof_required"  # no proof file attached
    CHANGE_PENDING = "change_pending"  # 409: one open request per field
    CHANGE_NOT_PENDING = "change_not_pending"  # 409: the request was already decided or withdrawn

    # Education and work history (profiles.domain.months)
    MONTH_INVALID = "month_invalid"  # not YYYY-MM
    START_IN_FUTURE = "start_in_future"
    END_BEFORE_START = "end_before_start"
    END_IN_FUTURE = "end_in_future"
    END_WITH_ONGOING = "end_with_ongoing"  # an ongoing entry with an end month
    END_REQUIRED = "end_required"  # a finished entry without an end month
    TOO_MANY_ENTRIES = "too_many_entries"  # 409: more than 50 entries
