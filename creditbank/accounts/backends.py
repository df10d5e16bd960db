"""Session login with any identifier: account number, ID number, email or phone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from creditbank.accounts.models import User
from creditbank.accounts.services import auth_login
from creditbank.kernel import ratelimit


class IdentifierBackend(ModelBackend):
    """Delegates to :func:`auth_login` (throttles, equal timing); raises its DomainErrors."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        address = ratelimit.client_address(request) if request is not None else ""
        return auth_login(identifier=username, password=password, client_address=address)

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False))
