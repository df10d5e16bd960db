"""The API's authenticators (``settings.API_AUTHENTICATORS``): people's bearer tokens, the
session cookie with CSRF (the pages' JS), and institutions' client tokens (client credentials). They live in the composition root, not in a context, so that
another way in (institution client credentials) is one more entry in the setting."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer

from creditbank.accounts.errors import ErrorCode as AccountsCode
from creditbank.accounts.services import api_token_authenticate
from creditbank.institutions.services import client_token_authenticate
from creditbank.kernel.errors import PermissionDenied

#: What an account that must change its password may still call.
_MUST_CHANGE_ALLOWED = {("POST", "/api/v1/auth/password"), ("POST", "/api/v1/auth/logout"), ("GET", "/api/v1/me")}


def must_change_password_gate(request: HttpRequest, user: Any) -> Any:
    """An account with an initial password may only set a new one, log out or read /me."""
    if getattr(user, "must_change_password", False) and (request.method, request.path) not in _MUST_CHANGE_ALLOWED:
        raise PermissionDenied(
            AccountsCode.PASSWORD_CHANGE_REQUIRED,
            _("Set a new password first (POST /api/v1/auth/password)."),
            extra={"next_step": "change_password"},
        )
    return user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token)
        if found is None:
            return None
        user, api_token = found
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = user
        return must_change_password_gate(request, user)


class SessionCookieAuth(APIKeyCookie):
    """Django's session (already resolved by middleware); CSRF is checked for unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return must_change_password_gate(request, user)
        return None


class ClientCredentialsAuth(HttpBearer):
    """A token from the client-credentials grant: the caller is an institution's system, a
    ``ClientPrincipal`` (client, institution, scopes), never a person. Every call it makes is
    recorded (``institutions.middleware.ClientCallRecordMiddleware``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        principal = client_token_authenticate(token)
        if principal is not None:
            request.api_client_principal = principal  # type: ignore[attr-defined]
        return principal
