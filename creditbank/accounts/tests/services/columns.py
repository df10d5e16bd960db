"""What a user's row holds in the database, column by column, to compare before and after a write."""

from __future__ import annotations

from typing import Any

from creditbank.accounts.models import User


def columns(user: User) -> dict[str, Any]:
    return dict(User.objects.filter(pk=user.pk).values().get())


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {name for name in before if before[name] != after[name]}
