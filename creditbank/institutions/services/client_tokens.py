"""The client-credentials grant (RFC 6749 §4.4) and the tokens it issues.

``client_token_grant`` is registered with ``accounts.token_grants`` (``POST /api/v1/auth/token``
with ``grant_type=client_credentials``); ``client_token_authenticate`` is behind the API's
``ClientCredentialsAuth`` (``settings.API_AUTHENTICATORS``) and returns a
:class:`ClientPrincipal`: the client, its institution and the token's scopes, never a person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from creditbank.accounts.token_grants import GrantRequest, IssuedToken
from creditbank.institutions.domain.principals import ClientPrincipal
from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.models import ApiClient, ApiClientCall, ApiClientToken
from creditbank.institutions.services import clock
from creditbank.institutions.services.clients import secret_hash
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy

TOKEN_PREFIX = "cbk_"  # noqa: S105 - a prefix, not a secret
TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a path
#: compared against when the client is unknown, so an unknown client costs what a known one does
_NOBODY = hashlib.sha256(b"no such client").hexdigest()


def _invalid_client() -> DomainError:
    return DomainError(
        ErrorCode.INVALID_CLIENT,
        _("Client authentication failed: unknown client, wrong secret, or a revoked client."),
        status=401,
    )


def _secret_matches(client: ApiClient | None, presented: str) -> bool:
    at = clock.now()
    current = hmac.compare_digest(presented, client.secret_hash if client else _NOBODY)
    previous = bool(
        client is not None
        and client.previous_secret_hash
        and client.previous_secret_expires_at is not None
        and client.previous_secret_expires_at > at
        and hmac.compare_digest(presented, client.previous_secret_hash)
    )
    return current or previous


def _scopes(client: ApiClient, requested: str | None) -> frozenset[str]:
    granted = frozenset(client.scope_list())
    if requested is None or not requested.strip():
        return granted
    wanted = frozenset(requested.split())
    if not wanted <= granted:
        raise DomainError(
            ErrorCode.INVALID_SCOPE,
            _("The requested scope exceeds what this client was granted."),
            field="scope",
            extra={"granted": sorted(granted)},
        )
    return wanted


def client_token_grant(request: GrantRequest) -> IssuedToken:
    """A bearer token for a client's id and secret (the current secret, or the previous one
    within its overlap window). Unknown client, wrong secret, revoked client and inactive
    institution all answer the same 401 ``invalid_client``; a scope beyond the client's grant
    answers ``invalid_scope``. Counted per address and per client id before any check."""
    rules = policy()
    ratelimit.hit(
        "client-token-address:" + ratelimit.hashed(request.client_address),
        limit=rules.client_token_requests_per_address_per_hour,
        window=3600,
    )
    ratelimit.hit(
        "client-token-client:" + ratelimit.hashed(request.client_id),
        limit=rules.client_token_requests_per_client_per_hour,
        window=3600,
    )
    client = (
        ApiClient.objects.select_related("institution").filter(client_id=request.client_id).first()
        if request.client_id and len(request.client_id) <= 40
        else None
    )
    matched = _secret_matches(client, secret_hash(request.client_secret))
    if client is None or not matched or client.revoked_at is not None or not client.institution.active:
        if client is not None:
            ApiClientCall.objects.create(
                client=client, institution=client.institution, method="POST", path=TOKEN_PATH, status=401
            )
        raise _invalid_client()
    scopes = _scopes(client, request.scope)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ttl = rules.client_token_ttl_seconds
    ApiClientToken.objects.create(
        client=client,
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        scopes=" ".join(sorted(scopes)),
        expires_at=clock.now() + timedelta(seconds=ttl),
    )
    ApiClientCall.objects.create(
        client=client, institution=client.institution, method="POST", path=TOKEN_PATH, status=200
    )
    return IssuedToken(access_token=raw, expires_in=ttl, scope=" ".join(sorted(scopes)))


def client_token_authenticate(raw: str) -> ClientPrincipal | None:
    """The principal a client token names, or None: unknown, expired, its client revoked or its
    institution made inactive (each takes effect at once)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    token = (
        ApiClientToken.objects.select_related("client__institution")
        .filter(
            token_hash=hashlib.sha256(raw.encode()).hexdigest(),
            expires_at__gt=clock.now(),
            client__revoked_at__isnull=True,
            client__institution__active=True,
        )
        .first()
    )
    if token is None:
        return None
    client = token.client
    return ClientPrincipal(
        client_pk=client.pk,
        client_id=client.client_id,
        institution_pk=client.institution_id,
        institution_code=client.institution.code,
        scopes=frozenset(token.scopes.split()),
    )


def client_call_record(*, principal: ClientPrincipal, method: str, path: str, status: int) -> None:
    """One call made with a client token (the institutions middleware, after the answer)."""
    ApiClientCall.objects.create(
        client_id=principal.client_pk,
        institution_id=principal.institution_pk,
        method=method[:8],
        path=path[:300],
        status=status,
    )
