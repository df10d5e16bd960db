"""Activation of a registered account by the link emailed to it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts import tasks, tokens
from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services.fields import email_clean
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.policy import policy

log = logging.getLogger(__name__)


def activation_token_issue(*, user: User) -> str:
    """A fresh activation token for ``user``: the one its activation email carries (the demo seed
    activates its accounts with it, as a person would by following the link)."""
    return tokens.make_token(user, tokens.ACTIVATION)


def user_activate(*, token: str) -> User:
    user = tokens.read_token(token, tokens.ACTIVATION)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.status != AccountStatus.REGISTERED:
            raise DomainError(
                ErrorCode.TOKEN_INVALID,
                _("This link is not valid or has already been used. Ask for a new one."),
                field="token",
            )
        user.status = AccountStatus.ACTIVATED
        user.activated_at = timezone.now()
        user.save(update_fields=["status", "activated_at"])
    log.info("account activated account_no=%s", user.account_no)
    return user


def activation_resend(*, email: str, client_address: str = "") -> None:
    """Send a new activation link if an unactivated account has this email. Same answer always."""
    email_norm = email_clean(email)
    ratelimit.hit("activation-resend-ip:" + ratelimit.hashed(client_address), limit=20, window=3600)
    ratelimit.hit(
        "activation-resend:" + ratelimit.hashed(email_norm.lower()),
        limit=policy().activation_resends_per_hour,
        window=3600,
        message=_("An activation email was sent recently. Check your inbox (and spam folder) or try again later."),
    )
    user = User.objects.filter(email__iexact=email_norm, status=AccountStatus.REGISTERED).first()
    if user is not None:
        user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
        transaction.on_commit(lambda: tasks.send_account_email.enqueue(user_id, "activation", lang))
