"""Writes of the profiles context."""

from creditbank.profiles.services.change_requests import (
    REASON_CODES,
    change_request_create,
    change_request_decide,
    change_request_proof_for_reviewer,
    change_request_withdraw,
)
from creditbank.profiles.services.history import (
    history_attach_evidence,
    history_create,
    history_delete,
    history_evidence,
    history_update,
)
from creditbank.profiles.services.profile import (
    EDITABLE_FIELDS,
    LOCKED_FIELDS,
    contact_change_pending,
    email_change_confirm,
    phone_change_confirm,
    profile_get,
    profile_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "LOCKED_FIELDS",
    "REASON_CODES",
    "change_request_create",
    "change_request_decide",
    "change_request_proof_for_reviewer",
    "change_request_withdraw",
    "contact_change_pending",
    "email_change_confirm",
    "history_attach_evidence",
    "history_create",
    "history_delete",
    "history_evidence",
    "history_update",
    "phone_change_confirm",
    "profile_get",
    "profile_update",
]
