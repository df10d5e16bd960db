"""Who deposits for an institution: an API client of it (client credentials, with the scope), or
a person holding the institution's role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role
from creditbank.institutions.principal import ClientPrincipal, require_scope
from creditbank.institutions.selectors import institution_get_for_actor, institution_get_public
from creditbank.kernel import ratelimit


@dataclass(frozen=True)
class InstitutionCaller:
    institution: Any
    #: the person calling (None for an API client)
    user: Any
    #: the caller in audit rows: ``user:ID`` or ``client:CLIENT_ID``
    label: str
    client_address: str
    #: the API client's id ("" for a person)
    client_id: str = ""


def institution_caller(request: HttpRequest, *, code: str, scope: str, role: Role) -> InstitutionCaller:
    """The institution ``code`` and who calls for it: its API client carrying ``scope``, or a
    person holding ``role`` there (as a member). Anyone else: 404 (403 for a client's missing
    scope), as ``require_scope`` and ``institution_get_for_actor`` answer."""
    address = ratelimit.client_address(request)
    if isinstance(getattr(request, "auth", None), ClientPrincipal):
        principal = require_scope(request, scope, institution=code)
        institution = institution_get_public(code)
        return InstitutionCaller(institution, None, f"client:{principal.client_id}", address, principal.client_id)
    user = actor(request)
    institution = institution_get_for_actor(actor=user, code=code, role=role, acting=Acting.OWNER)
    return InstitutionCaller(institution, user, f"user:{user.pk}", address)
