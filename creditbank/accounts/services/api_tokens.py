"""Bearer tokens of the API: random, only their SHA-256 stored, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from creditbank.accounts.models import AccountStatus, ApiToken, User


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User) -> tuple[str, ApiToken]:
    raw = "cbt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, key_hash=_token_hash(raw), expires_at=timezone.now() + settings.API_TOKEN_TTL
    )
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return raw, token


def api_token_authenticate(raw: str) -> tuple[User, ApiToken] | None:
    if not raw or len(raw) > 128:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if (
        token is None
        or not token.user.is_active
        or token.user.status in (AccountStatus.SUSPENDED, AccountStatus.CLOSED)
    ):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_revoke_all(*, user: User, except_token_id: int | None = None) -> int:
    qs = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if except_token_id is not None:
        qs = qs.exclude(pk=except_token_id)
    return qs.update(revoked_at=timezone.now())
