"""The outcomes context's error codes (docs/API-ERRORS.md lists each with its status)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # outcome fields (domain.fields, in the order they are checked)
    OUTCOME_TYPE_INVALID = "outcome_type_invalid"  # not one of the six outcome types (extra "allowed")
    CREDITS_INVALID = "credits_invalid"  # not a decimal string with at most two places, or out of range
    HOURS_INVALID = "hours_invalid"  # as credits, for hours
    LEVEL_INVALID = "level_invalid"  # not an integer 1–10 of the qualification framework
    RESULT_INVALID = "result_invalid"  # unknown scheme, or a value the scheme does not have
    DATE_INVALID = "date_invalid"  # not YYYY-MM-DD, in the future, or expiry before achievement
    OUTCOME_CODE_INVALID = "outcome_code_invalid"  # a course or certificate code with characters it may not hold
    # outcomes and their evidence
    OUTCOME_LOCKED = "outcome_locked"  # 409: pending, certified or revoked outcomes cannot be edited
    EVIDENCE_REQUIRED = "evidence_required"  # a self-reported outcome needs evidence to be certified
    RESULT_NOT_PASSING = "result_not_passing"  # a failing result earns no credits
    # certification applications
    APPLICATION_OPEN = "application_open"  # 409: the outcome already has an open application
    APPLICATION_NOT_PENDING = "application_not_pending"  # 409: decided or withdrawn already
    CREDITS_OUT_OF_RANGE = "credits_out_of_range"  # granted credits above what the standard allows
    ADJUST_REASON_REQUIRED = "adjust_reason_required"  # granting fewer credits needs a reason
    # institution deposits and revocation
    BATCH_TOO_LARGE = "batch_too_large"  # more than 1,000 outcomes in one call
    LEARNER_REQUIRED = "learner_required"  # a row without account_no or id_number
    LEARNER_NOT_FOUND = "learner_not_found"  # no account with that account number or ID number
    EXTERNAL_ID_INVALID = "external_id_invalid"  # missing, or over 64 printable characters
    OUTCOME_NOT_REVOCABLE = "outcome_not_revocable"  # 409: only a certified outcome can be revoked
    OUTCOME_ALREADY_CONVERTED = "outcome_already_converted"  # 409: its credits are frozen or converted
    # certification standards
    STANDARD_NOT_DRAFT = "standard_not_draft"  # 409: only a draft can be edited or published
    STANDARD_NOT_PUBLISHED = "standard_not_published"  # 409: only a published version can be revised or retired
    STANDARD_VERSION_DATE = "standard_version_date"  # a new version starts after the one it supersedes
    # imports
    IMPORT_FILE_TYPE = "import_file_type"  # not a CSV or XLSX file, judged by its bytes (extra "accepted")
    IMPORT_FILE_UNREADABLE = "import_file_unreadable"  # a damaged CSV or XLSX (or one past the XLSX size limits)
    IMPORT_ENCODING = "import_encoding"  # a CSV neither UTF-8 (with or without BOM) nor GB18030
    IMPORT_COLUMNS = "import_columns"  # header: required columns missing, unknown or repeated ones (all named)
    IMPORT_NO_ROWS = "import_no_rows"  # a header but no data rows
    IMPORT_ROW_CELLS = "import_row_cells"  # (a row of the report) more filled cells than the header has columns
