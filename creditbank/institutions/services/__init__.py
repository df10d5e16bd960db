"""Writes of the institutions context, one module per topic; callers import them from here.

- ``onboarding``: bank staff create an institution with its first administrator;
- ``members``: an institution's administrators add and remove its staff;
- ``clients``: API clients created, their secrets rotated (with an overlap window), revoked;
- ``client_tokens``: the client-credentials grant, the tokens' authentication, the call record;
- ``opening``: bulk account opening from a file of students, its run, the one-time result file;
- ``programmes``: programmes (专业) and their courses, drafted, published, retired.
"""

from creditbank.institutions.domain.principals import ClientPrincipal
from creditbank.institutions.services.client_tokens import (
    client_call_record,
    client_token_authenticate,
    client_token_grant,
)
from creditbank.institutions.services.clients import api_client_create, api_client_revoke, api_client_rotate
from creditbank.institutions.services.members import member_add, member_remove
from creditbank.institutions.services.onboarding import institution_clean, institution_create
from creditbank.institutions.services.opening import (
    ResultFile,
    account_opening_result,
    account_opening_run,
    account_opening_template,
    account_opening_upload,
    account_openings_purge,
    account_openings_resume,
)
from creditbank.institutions.services.programmes import (
    course_create,
    course_deactivate,
    course_update,
    programme_create,
    programme_publish,
    programme_retire,
    programme_update,
)

__all__ = [
    "ClientPrincipal",
    "ResultFile",
    "account_opening_result",
    "account_opening_run",
    "account_opening_template",
    "account_opening_upload",
    "account_openings_purge",
    "account_openings_resume",
    "api_client_create",
    "api_client_revoke",
    "api_client_rotate",
    "client_call_record",
    "client_token_authenticate",
    "client_token_grant",
    "course_create",
    "course_deactivate",
    "course_update",
    "institution_clean",
    "institution_create",
    "member_add",
    "member_remove",
    "programme_create",
    "programme_publish",
    "programme_retire",
    "programme_update",
]
