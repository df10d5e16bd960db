"""The institutions context's error codes (docs/API-ERRORS.md lists each with its status)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # the unified social credit code (domain.uscc, in the order it checks)
    USCC_REQUIRED = "uscc_required"
    USCC_LENGTH = "uscc_length"
    USCC_CHARACTERS = "uscc_characters"
    USCC_AUTHORITY = "uscc_authority"
    USCC_CATEGORY = "uscc_category"
    USCC_DIVISION = "uscc_division"
    USCC_ORGANISATION_CHECK = "uscc_organisation_check"
    USCC_CHECK = "uscc_check"
    USCC_TAKEN = "uscc_taken"
    # the institution's own code (domain.codes)
    INSTITUTION_CODE_REQUIRED = "institution_code_required"
    INSTITUTION_CODE_LENGTH = "institution_code_length"
    INSTITUTION_CODE_FORMAT = "institution_code_format"
    INSTITUTION_CODE_TAKEN = "institution_code_taken"
    INSTITUTION_REGION = "institution_region"
    INSTITUTION_INACTIVE = "institution_inactive"
    NOT_INSTITUTION_MANAGER = "not_institution_manager"
    # members
    MEMBER_ACCOUNT_UNKNOWN = "member_account_unknown"
    MEMBERSHIP_EXISTS = "membership_exists"
    LAST_ADMIN = "last_admin"
    # API clients
    SCOPE_UNKNOWN = "scope_unknown"
    CLIENT_REVOKED = "client_revoked"
    # the client-credentials grant (RFC 6749 §5.2) and the scoped principal
    INVALID_CLIENT = "invalid_client"
    INVALID_SCOPE = "invalid_scope"
    CLIENT_REQUIRED = "client_required"
    INSUFFICIENT_SCOPE = "insufficient_scope"
    # bulk account opening (批量开户): the uploaded file (domain.student_files)
    FILE_ENCODING = "file_encoding"
    FILE_UNREADABLE = "file_unreadable"
    FILE_COLUMNS_MISSING = "file_columns_missing"
    FILE_COLUMN_REPEATED = "file_column_repeated"
    FILE_NO_ROWS = "file_no_rows"
    FILE_TOO_MANY_ROWS = "file_too_many_rows"
    # ... one of its rows, in the report (not a problem response)
    ROW_DUPLICATE = "row_duplicate"
    CELL_NOT_TEXT = "cell_not_text"
    OPENING_REFUSED = "opening_refused"
    # ... the one-time result file with the initial passwords
    OPENING_NOT_FINISHED = "opening_not_finished"  # 409
    OPENING_RESULT_GONE = "opening_result_gone"  # 410
    OPENING_RESULT_NOT_YOURS = "opening_result_not_yours"  # 403
    # programmes (专业) and their courses (domain.programmes)
    PROGRAMME_CODE_INVALID = "programme_code_invalid"  # 1–64 letters, digits and . _ - (no /: codes are path segments)
    COURSE_CODE_INVALID = "course_code_invalid"  # as a programme's code
    PROGRAMME_CREDITS_INVALID = "programme_credits_invalid"  # total credits: a decimal string > 0, at most 1000
    COURSE_CREDITS_INVALID = "course_credits_invalid"  # a course's credits: a decimal string > 0, at most 300
    PROGRAMME_LEVEL_INVALID = "programme_level_invalid"  # a programme's or a course's level outside 1–10
    PROGRAMME_EXISTS = "programme_exists"  # 409: the institution has a programme with this code
    COURSE_EXISTS = "course_exists"  # 409: the programme has a course with this code
    PROGRAMME_NOT_DRAFT = "programme_not_draft"  # 409: only a draft is published or has its codes changed
    PROGRAMME_RETIRED = "programme_retired"  # 409: a retired programme no longer changes
