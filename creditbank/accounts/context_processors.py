"""Every page shows the signed-in account's state and its next step."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from creditbank.accounts.selectors import user_capabilities


def account_state(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    caps = user_capabilities(user)  # type: ignore[arg-type]
    return {"account_capabilities": caps, "account_next_step": caps.next_step}
