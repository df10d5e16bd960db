"""Single-purpose, state-bound email tokens (activation, password reset).

Django's default token generator stays valid after activation. These tokens are signed with
a salt per purpose (an activation token cannot reset a password, nor the reverse) and carry a
fingerprint of the state they may change: once the account is activated, or the password is
changed, or the user logs in, the fingerprint no longer matches and the token is dead.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError

ACTIVATION = "activation"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a password
_PURPOSES = {ACTIVATION, PASSWORD_RESET}


def _fingerprint(user: User, purpose: str) -> str:
    parts = [purpose, str(user.pk), user.status, user.email.lower()]
    if purpose == PASSWORD_RESET:
        # a reset link dies with the password it replaces and with the next login
        parts += [user.password, user.last_login.isoformat() if user.last_login else ""]
    state = "|".join(parts)
    return hmac.new(settings.SECRET_KEY.encode(), state.encode(), hashlib.sha256).hexdigest()[:24]


def make_token(user: User, purpose: str) -> str:
    assert purpose in _PURPOSES
    return signing.dumps({"u": user.pk, "f": _fingerprint(user, purpose)}, salt=f"creditbank.{purpose}")


def max_age(purpose: str) -> int:
    return settings.ACTIVATION_TOKEN_MAX_AGE if purpose == ACTIVATION else settings.PASSWORD_RESET_TIMEOUT


def read_token(token: str, purpose: str, *, field: str = "token") -> User:
    """The user a live token of this purpose belongs to, or ``token_invalid`` / ``token_expired``."""
    invalid = DomainError(
        ErrorCode.TOKEN_INVALID,
        _("This link is not valid or has already been used. Ask for a new one."),
        field=field,
    )
    if not token or len(token) > 512:
        raise invalid
    try:
        payload = signing.loads(token.strip(), salt=f"creditbank.{purpose}", max_age=max_age(purpose))
    except signing.SignatureExpired as exc:
        raise DomainError(ErrorCode.TOKEN_EXPIRED, _("This link has expired. Ask for a new one."), field=field) from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    if not isinstance(payload, dict):
        raise invalid
    user_id = payload.get("u")
    if not isinstance(user_id, int):
        raise invalid
    user = User.objects.filter(pk=user_id).first()
    if user is None or not hmac.compare_digest(str(payload.get("f", "")), _fingerprint(user, purpose)):
        raise invalid
    return user
