"""Passwords: change, the forced change of an initial password, reset by email."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts import tasks, tokens
from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services.api_tokens import api_tokens_revoke_all
from creditbank.accounts.services.fields import email_clean, field_error
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy


def password_errors(password: str, user: User | None) -> list[str]:
    """What the password validators say against ``password`` for ``user`` (empty: acceptable)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


def password_problems(password: str, user: User | None, *, field: str) -> list[DomainError]:
    """``password_required`` or ``password_invalid`` (every validator's message) for ``field``."""
    if not password:
        return [field_error(ErrorCode.PASSWORD_REQUIRED, field)]
    messages = password_errors(password, user)
    if messages:
        return [DomainError(ErrorCode.PASSWORD_INVALID, messages[0], errors={field: messages})]
    return []


def _set_password(user: User, new_password: str, *, field: str = "new_password") -> None:
    problems = password_problems(new_password, user, field=field)
    if problems:
        raise problems[0]
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])


def password_change(*, user: User, old_password: str, new_password: str, keep_token_id: int | None = None) -> None:
    """Change the password; every other session (Django's session hash) and token dies."""
    ratelimit.hit("password-change:" + ratelimit.hashed(str(user.pk)), limit=10, window=900)
    if not user.check_password(old_password or ""):
        raise DomainError(ErrorCode.INVALID_PASSWORD, _("The current password is incorrect."), field="old_password")
    if old_password == new_password:
        raise DomainError(
            ErrorCode.PASSWORD_UNCHANGED, _("The new password must differ from the current one."), field="new_password"
        )
    with transaction.atomic():
        _set_password(user, new_password)
        api_tokens_revoke_all(user=user, except_token_id=keep_token_id)


def password_set_initial(*, user: User, new_password: str, keep_token_id: int | None = None) -> None:
    """For accounts flagged ``must_change_password`` (initial password from an institution)."""
    if user.check_password(new_password or ""):
        raise DomainError(
            ErrorCode.PASSWORD_UNCHANGED, _("The new password must differ from the initial one."), field="new_password"
        )
    with transaction.atomic():
        _set_password(user, new_password)
        api_tokens_revoke_all(user=user, except_token_id=keep_token_id)


def password_reset_request(*, email: str, client_address: str = "") -> None:
    """Email a reset link if an account has this address; the same answer whether or not."""
    email_norm = email_clean(email)
    ratelimit.hit("password-reset-ip:" + ratelimit.hashed(client_address), limit=20, window=3600)
    ratelimit.hit(
        "password-reset:" + ratelimit.hashed(email_norm.lower()),
        limit=policy().password_resets_per_hour,
        window=3600,
        message=_("A reset email was sent recently. Check your inbox (and spam folder) or try again later."),
    )
    user = User.objects.filter(email__iexact=email_norm, is_active=True).exclude(status=AccountStatus.CLOSED).first()
    if user is not None:
        user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: tasks.send_account_email.enqueue(user_id, "password_reset", lang))


def password_reset_confirm(*, token: str, new_password: str) -> User:
    user = tokens.read_token(token, tokens.PASSWORD_RESET)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _set_password(user, new_password)
        api_tokens_revoke_all(user=user)
    return user


def password_fingerprint(password: str) -> str:
    """A keyed hash of a password, to compare two request bodies without keeping the password."""
    return ratelimit.hashed("idempotency-password", password or "")
