"""Every page shows the signed-in account's state and its next step."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from creditbank.accounts.models import User
from creditbank.accounts.selectors import user_capabilities


def account_state(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    caps = user_capabilities(user)
    return {"account_capabilities": caps, "account_next_step": caps.next_step}
