"""The API caller that is an institution's system (client credentials), for API handlers.

Handlers of institution endpoints (``POST /institutions/{code}/outcomes`` and the like) ask
``require_scope(request, "outcomes:write", institution=code)``: the caller must be a client
token (not a person), carry the scope, and, when ``institution`` is given, belong to that
institution (another institution's path answers 404, as for an unknown one).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.institutions.errors import ErrorCode
from creditbank.institutions.selectors import NO_INSTITUTION, log
from creditbank.institutions.services import ClientPrincipal
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied
from creditbank.kernel.errors import ErrorCode as KernelCode

__all__ = ["ClientPrincipal", "client_principal", "require_scope"]


def client_principal(request: Any) -> ClientPrincipal:
    """The client a request's token names; 403 ``client_required`` for a person's token or
    session, 401 ``not_authenticated`` without credentials."""
    principal = getattr(request, "auth", None)
    if isinstance(principal, ClientPrincipal):
        return principal
    if principal is None:
        raise DomainError(KernelCode.NOT_AUTHENTICATED, _("Log in first (a bearer token or a session)."), status=401)
    raise PermissionDenied(
        ErrorCode.CLIENT_REQUIRED,
        _("This endpoint is for institutions' systems: use a token from the client-credentials grant."),
    )


def require_scope(request: Any, scope: str, *, institution: str | None = None) -> ClientPrincipal:
    """The calling client, if its token carries ``scope`` (else 403 ``insufficient_scope``, with
    ``required``) and, when ``institution`` is given, it is that institution's client (else 404)."""
    principal = client_principal(request)
    if institution is not None and principal.institution_code != institution:
        log.warning(
            "institution access refused: client %s of %s asked for %s",
            principal.client_id, principal.institution_code, institution,
        )  # fmt: skip
        raise NotFound(NO_INSTITUTION)
    if scope not in principal.scopes:
        raise PermissionDenied(
            ErrorCode.INSUFFICIENT_SCOPE,
            _("This client's token does not carry the scope this endpoint needs."),
            extra={"required": scope, "scopes": sorted(principal.scopes)},
        )
    return principal
