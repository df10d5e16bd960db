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
