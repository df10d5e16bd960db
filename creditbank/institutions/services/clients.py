"""An institution's API clients: created with a secret shown once, rotated with an overlap
window, revoked at once (ADR 0020).

The secret is 256 bits from ``secrets``; only its SHA-256 is stored. A fast hash suffices for a
random secret of that size (nothing to guess, unlike a password) and keeps the token endpoint
cheap; see the ADR.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.audit.services import audit_record
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import SCOPES, ApiClient
from creditbank.institutions.selectors import api_client_get_for_actor, institution_get_for_actor
from creditbank.institutions.services import clock
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy
from creditbank.kernel.text import clean_text

CLIENT_ID_PREFIX = "cbc_"
SECRET_PREFIX = "cbs_"  # noqa: S105 - a prefix, not a secret


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def scopes_clean(scopes: list[str], *, field: str = "scopes") -> str:
    """The scopes, sorted and space-separated; unknown or none refused (``scope_unknown``)."""
    unknown = sorted({s for s in scopes if s not in SCOPES})
    if unknown or not scopes:
        raise DomainError(
            ErrorCode.SCOPE_UNKNOWN,
            _("Choose one or more of the scopes: %(allowed)s.") % {"allowed": ", ".join(SCOPES)},
            field=field,
            extra={"allowed": list(SCOPES), "unknown": unknown},
        )
    return " ".join(sorted(set(scopes)))


def api_client_create(
    *, actor: User, code: str, name: str, scopes: list[str], client_address: str = ""
) -> tuple[ApiClient, str]:
    """A new client of institution ``code`` and its secret, which is returned here once and
    never again (only its hash is kept)."""
    institution = institution_get_for_actor(actor=actor, code=code)
    errors: list[DomainError] = []
    cleaned: dict[str, str] = {}
    for field, fn in (
        ("name", lambda: clean_text(name, field="name", max_length=100, required=True)),
        ("scopes", lambda: scopes_clean(scopes)),
    ):
        try:
            cleaned[field] = fn()
        except DomainError as exc:
            errors.append(exc)
    if errors:
        raise DomainError.combine(errors)
    if not institution.active:
        raise DomainError(
            ErrorCode.INSTITUTION_INACTIVE, _("This institution is not active: it cannot have API clients."), status=409
        )
    secret = _new_secret()
    with transaction.atomic():
        client = ApiClient.objects.create(
            institution=institution, name=cleaned["name"], client_id=CLIENT_ID_PREFIX + secrets.token_hex(10),
            secret_hash=secret_hash(secret), scopes=cleaned["scopes"], created_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="institution.client_created", object_type="api_client", object_id=client.client_id,
            reason=f"{institution.code}: {client.scopes}", client_address=client_address,
        )  # fmt: skip
    return client, secret


def _refuse_revoked(client: ApiClient) -> None:
    if client.revoked_at is not None:
        raise DomainError(ErrorCode.CLIENT_REVOKED, _("This API client has been revoked."), status=409)


def api_client_rotate(*, actor: User, code: str, id: int, client_address: str = "") -> tuple[ApiClient, str]:
    """A new secret (returned once). The previous one keeps working for the policy's overlap
    window (``API_CLIENT_SECRET_OVERLAP_HOURS``) so that the institution's systems can change
    over; a secret older than that (from an earlier rotation) stops at once."""
    secret = _new_secret()
    with transaction.atomic():
        client = api_client_get_for_actor(actor=actor, code=code, id=id, for_update=True)
        _refuse_revoked(client)
        at = clock.now()
        overlap = timedelta(hours=policy().api_client_secret_overlap_hours)
        if overlap:
            client.previous_secret_hash = client.secret_hash
            client.previous_secret_expires_at = at + overlap
        else:
            client.previous_secret_hash = ""
            client.previous_secret_expires_at = None
        client.secret_hash = secret_hash(secret)
        client.rotated_at = at
        client.save(update_fields=["previous_secret_hash", "previous_secret_expires_at", "secret_hash", "rotated_at"])
        audit_record(
            actor=actor, action="institution.client_rotated", object_type="api_client", object_id=client.client_id,
            reason=code, client_address=client_address,
        )  # fmt: skip
    return client, secret


def api_client_revoke(*, actor: User, code: str, id: int, client_address: str = "") -> ApiClient:
    """Revoke a client: its secrets and every token it holds stop working at once."""
    with transaction.atomic():
        client = api_client_get_for_actor(actor=actor, code=code, id=id, for_update=True)
        _refuse_revoked(client)
        client.revoked_at = clock.now()
        client.save(update_fields=["revoked_at"])
        client.tokens.all().delete()
        audit_record(
            actor=actor, action="institution.client_revoked", object_type="api_client", object_id=client.client_id,
            reason=code, client_address=client_address,
        )  # fmt: skip
    return client
