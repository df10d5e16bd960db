"""The grant types of ``POST /api/v1/auth/token`` other than the password (RFC 6749 §4).

The password grant is this context's own; another grant (an institution's client credentials)
is answered by the context that holds its clients, which registers it at app ready: accounts
sits below it in the layers and does not import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class GrantRequest:
    """A token request's client credentials (from the body or HTTP Basic, RFC 6749 §2.3.1)."""

    client_id: str
    client_secret: str
    scope: str | None
    client_address: str


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str


TokenGrant = Callable[[GrantRequest], IssuedToken]
_grants: dict[str, TokenGrant] = {}


def register_token_grant(grant_type: str, grant: TokenGrant) -> None:
    _grants[grant_type] = grant


def token_grant(grant_type: str) -> TokenGrant | None:
    """The registered grant for ``grant_type``, or None (``unsupported_grant_type``)."""
    return _grants.get(grant_type)
