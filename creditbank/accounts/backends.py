"""Session login with any identifier: account number, ID number, email or phone."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from creditbank.accounts.models import User
from creditbank.accounts.services import auth_login
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError


class IdentifierBackend(ModelBackend):
    """Delegates to :func:`auth_login` (throttles, equal timing); raises its DomainErrors."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        address = ratelimit.client_address(request) if request is not None else ""
        try:
            return auth_login(identifier=username, password=password, client_address=address)
        except DomainError as exc:
            if exc.status == 429:
                raise PermissionDenied(str(exc.message)) from exc
            return None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(getattr(user, "is_active", False)) and getattr(user, "status", "") not in ("suspended", "closed")

    def get_user(self, user_id: int) -> User | None:
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
