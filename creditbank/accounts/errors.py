"""The error codes of the accounts context (registration, activation, login, passwords, the
person's own fields and the account state).

Pure Python (no Django): the rules in ``accounts.domain`` raise these codes. Generic codes
(``validation_error``, ``not_authenticated``, ``rate_limited``, ``choice_invalid`` …) are the
kernel's (``creditbank.kernel.errors.ErrorCode``). Listed in docs/API-ERRORS.md.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """400 unless said."""

    # ID number rules (GB 11643-1999, GB/T 2260), in the order they are checked
    ID_NUMBER_REQUIRED = "id_number_required"  # nothing entered
    ID_NUMBER_FIRST_GENERATION = "id_number_first_generation"  # a 15-digit first-generation number
    ID_NUMBER_LENGTH = "id_number_length"  # not 18 characters
    ID_NUMBER_FORMAT = "id_number_format"  # not 17 digits and a digit or X
    ID_NUMBER_REGION = "id_number_region"  # an unknown province code
    ID_NUMBER_BIRTH_DATE = "id_number_birth_date"  # digits 7-14 are no date
    ID_NUMBER_BIRTH_FUTURE = "id_number_birth_future"  # a birth date in the future
    ID_NUMBER_BIRTH_TOO_OLD = "id_number_birth_too_old"  # a birth date before 1850
    ID_NUMBER_CHECKSUM = "id_number_checksum"  # the check character does not match

    # Names (accounts.domain.names), in the order they are checked
    NAME_REQUIRED = "name_required"
    NAME_TOO_LONG = "name_too_long"  # over 64 characters
    NAME_INVALID_CHARACTERS = "name_invalid_characters"  # a digit, symbol, control or invisible character
    NAME_NO_LETTERS = "name_no_letters"  # punctuation only
    NAME_SCRIPT_NOT_ALLOWED = "name_script_not_allowed"  # letters of another script only
    NAME_MIXED_SCRIPTS = "name_mixed_scripts"  # Chinese and Latin, or Latin and look-alike letters

    # Contacts (accounts.domain.contacts)
    PHONE_REQUIRED = "phone_required"
    PHONE_INVALID = "phone_invalid"  # not a mainland mobile number
    EMAIL_REQUIRED = "email_required"
    EMAIL_INVALID = "email_invalid"
    EMAIL_NOT_ASCII = "email_not_ascii"  # a character other than ASCII before the @
    EMAIL_MIXED_SCRIPTS = "email_mixed_scripts"  # a domain label mixing Latin with Cyrillic or Greek

    # Registration and activation
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    TERMS_VERSION_MISMATCH = "terms_version_mismatch"  # the terms changed (extra "current_terms_version")
    GUARDIAN_CONSENT_REQUIRED = "guardian_consent_required"  # younger than the policy's minimum age
    TOKEN_INVALID = "token_invalid"  # an emailed link that is not valid or already used
    TOKEN_EXPIRED = "token_expired"  # an emailed link past its lifetime

    # Passwords and login
    PASSWORD_REQUIRED = "password_required"
    PASSWORD_INVALID = "password_invalid"  # a password validator refused it (every message in errors)
    INVALID_PASSWORD = "invalid_password"  # the current password given is wrong
    PASSWORD_UNCHANGED = "password_unchanged"  # the new password is the old one
    INVALID_CREDENTIALS = "invalid_credentials"  # unknown identifier or wrong password (one answer)
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    INVALID_REQUEST = "invalid_request"  # a token request that is malformed (RFC 6749 section 5.2)
    PASSWORD_CHANGE_REQUIRED = "password_change_required"  # 403: an initial password to change first

    # Account state
    ACCOUNT_INACTIVE = "account_inactive"  # 403: suspended or closed
    NOT_VERIFIED = "not_verified"  # 403: needs a verified account (extra "next_step")

    # Values another account holds
    ID_NUMBER_TAKEN = "id_number_taken"  # 409
    CONTACT_TAKEN = "contact_taken"  # 409: the email or phone
