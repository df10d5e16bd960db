"""Who an institution's system is when it calls the API (pure; no Django)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClientPrincipal:
    """Who a client token names: an institution's system, with the scopes of its token."""

    client_pk: int
    client_id: str
    institution_pk: int
    institution_code: str
    scopes: frozenset[str]

    #: an authenticated caller for django-ninja, but not an account (``accounts.actor`` refuses it)
    is_authenticated = True

    def __bool__(self) -> bool:
        return True
