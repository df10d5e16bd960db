"""Writes of the accounts context, one module per topic; callers import them from here.

- ``registration``: a learner registers (``user_register``), unactivated accounts are purged;
- ``opening``: an institution opens an account with an initial password (``user_open``);
- ``applicants``: the checks and the new row shared by both;
- ``activation``: the emailed link activates an account;
- ``login``: the throttled credentials check; ``api_tokens``: bearer tokens;
- ``passwords``: change, forced change of an initial password, reset;
- ``users``: every change to an existing account's own columns (email, phone, ID number, name,
  gender, language, status), the only writes of the User table other contexts may ask for;
- ``fields``: names, phones and emails cleaned, with their messages; ``uploads``: the hourly
  upload allowance shared by every context.
"""

from creditbank.accounts.services.activation import activation_resend, activation_token_issue, user_activate
from creditbank.accounts.services.api_tokens import (
    api_token_authenticate,
    api_token_issue,
    api_token_revoke,
    api_tokens_revoke_all,
)
from creditbank.accounts.services.applicants import account_number_issue
from creditbank.accounts.services.fields import email_clean, name_clean, phone_clean
from creditbank.accounts.services.login import GENERIC_LOGIN_ERROR, auth_login
from creditbank.accounts.services.opening import user_open
from creditbank.accounts.services.passwords import (
    password_change,
    password_fingerprint,
    password_reset_confirm,
    password_reset_request,
    password_set_initial,
)
from creditbank.accounts.services.registration import RegistrationResult, accounts_purge_unactivated, user_register
from creditbank.accounts.services.uploads import uploads_allow
from creditbank.accounts.services.users import (
    user_mark_unverified,
    user_mark_verified,
    user_rename,
    user_reveal_pii,
    user_set_email,
    user_set_gender,
    user_set_id_number,
    user_set_language,
    user_set_phone,
)

__all__ = [
    "GENERIC_LOGIN_ERROR",
    "RegistrationResult",
    "account_number_issue",
    "accounts_purge_unactivated",
    "activation_resend",
    "activation_token_issue",
    "api_token_authenticate",
    "api_token_issue",
    "api_token_revoke",
    "api_tokens_revoke_all",
    "auth_login",
    "email_clean",
    "name_clean",
    "password_change",
    "password_fingerprint",
    "password_reset_confirm",
    "password_reset_request",
    "password_set_initial",
    "phone_clean",
    "uploads_allow",
    "user_activate",
    "user_mark_unverified",
    "user_mark_verified",
    "user_open",
    "user_register",
    "user_rename",
    "user_reveal_pii",
    "user_set_email",
    "user_set_gender",
    "user_set_id_number",
    "user_set_language",
    "user_set_phone",
]
