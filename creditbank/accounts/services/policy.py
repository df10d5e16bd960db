"""The deployment's policy as the accounts services read it (``CREDITBANK_POLICY``, docs/POLICY.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def policy(key: str) -> Any:
    return settings.CREDITBANK_POLICY[key]
