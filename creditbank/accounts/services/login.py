"""Login: the credentials check, throttled so that guessing is slow and the owner never locked out."""

from __future__ import annotations

import ipaddress
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from creditbank.accounts import tasks
from creditbank.accounts.domain.login_throttle import required_delay
from creditbank.accounts.errors import ErrorCode
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError, RateLimited
from creditbank.kernel.policy import policy

log = logging.getLogger(__name__)

GENERIC_LOGIN_ERROR = _("The account or password is incorrect.")
_DUMMY_HASH: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password(secrets.token_urlsafe(16)))
    return _DUMMY_HASH[0]


LOGIN_ADDRESS_BLOCKED = _("Too many failed logins from your network address. Try again %(when)s.")
LOGIN_PAIR_BLOCKED = _(
    "Too many wrong passwords for this account from your network address. Try again %(when)s, or reset your password."
)
LOGIN_SLOWED = _(
    "This account has had many failed logins, so attempts are slowed down. Try again %(when)s. "
    "Forgot your password? Reset it instead."
)


def auth_login(*, identifier: str, password: str, client_address: str = "") -> User:
    """Check credentials, throttled so that guessing is slow and nobody can lock the owner out.

    Every count is made atomically BEFORE the password is checked (a parallel burst cannot get
    past a limit) and taken back when the password was right (ADR 0011):

    - failures from one address across all accounts: past LOGIN_ATTEMPTS_PER_ADDRESS the
      address is blocked for the window;
    - failures of one address on one account: past LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS that
      address is blocked for that account (a success from it clears the count);
    - failures of one account from all addresses never block it: past LOGIN_FAILURES_PER_ACCOUNT
      an address that has itself failed on the account waits a delay that doubles with every
      failure (LOGIN_DELAY_BASE … LOGIN_DELAY_MAX), while an address with no failures on it goes
      straight to the password check, so the owner still gets in; at LOGIN_ALERT_AFTER_FAILURES
      the owner is emailed, once per window.

    An unknown identifier goes through the same counts, costs the same password hashing and
    gets the same answers as a wrong password. Raises ``invalid_credentials`` (400),
    ``rate_limited`` (429, with the time to retry) or ``account_inactive`` (403, suspended or
    closed, only after a correct password).
    """
    identifier = (identifier or "").strip()[:254]
    user = user_find_by_identifier(identifier) if identifier else None
    subject = str(user.pk) if user is not None else "unknown:" + identifier.lower()
    window = policy().login_failures_per_account_window
    ip_window = policy().login_attempts_per_address_window
    ip_key = "login-ip:" + ratelimit.hashed(client_address)
    pair_key = "login-pair:" + ratelimit.hashed(subject, client_address)
    account_key = "login-account:" + ratelimit.hashed(subject)

    _login_hit(ip_key, limit=policy().login_attempts_per_address, window=ip_window, message=LOGIN_ADDRESS_BLOCKED)
    pair_failures = _login_hit(
        pair_key, limit=policy().login_failures_per_account_and_address, window=window, message=LOGIN_PAIR_BLOCKED
    )
    if pair_failures > 1:  # this address has failed on this account before: it may have to wait
        delay = required_delay(
            ratelimit.current(account_key, window=window),
            free=policy().login_failures_per_account,
            base=policy().login_delay_base,
            cap=policy().login_delay_max,
        )
        if delay:
            try:  # one attempt per delay from all such addresses together
                ratelimit.hit("login-slow:" + ratelimit.hashed(subject), limit=1, window=delay)
            except RateLimited as exc:  # not a password failure: take the counts back
                ratelimit.release(pair_key, window=window)
                ratelimit.release(ip_key, window=ip_window)
                raise ratelimit.refusal(LOGIN_SLOWED, retry_after=exc.retry_after) from exc
    account_failures = ratelimit.hit(account_key, limit=10**9, window=window)

    password = password or ""
    if user is None:
        check_password(password, _dummy_hash())
        ok = False
    else:
        ok = user.check_password(password)
    if not ok:
        if user is not None and account_failures >= policy().login_alert_after_failures:
            _login_alert(user, account_key=account_key, failures=account_failures, client_address=client_address)
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, GENERIC_LOGIN_ERROR, errors={"__all__": [GENERIC_LOGIN_ERROR]})
    assert user is not None
    with transaction.atomic():  # one commit: the right password is not a failure anywhere
        ratelimit.clear(pair_key, window=window)
        ratelimit.release(ip_key, window=ip_window)
        ratelimit.release(account_key, window=window)
    if user.status in (AccountStatus.SUSPENDED, AccountStatus.CLOSED) or not user.is_active:
        raise DomainError(
            ErrorCode.ACCOUNT_INACTIVE, _("This account is suspended or closed. Contact support."), status=403
        )
    return user


def _login_hit(key: str, *, limit: int, window: int, message: Any) -> int:
    try:
        return ratelimit.hit(key, limit=limit, window=window)
    except RateLimited as exc:
        raise ratelimit.refusal(message, retry_after=exc.retry_after) from exc


def _address_hint(client_address: str) -> str:
    """The network an address belongs to, not the address: 203.0.113.0/24, 2001:db8:1::/48."""
    try:
        ip = ipaddress.ip_address(client_address)
    except ValueError:
        return "?"
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _login_alert(user: User, *, account_key: str, failures: int, client_address: str) -> None:
    """Tell the owner their account is being guessed at: once per window, after commit."""
    window = policy().login_failures_per_account_window
    if ratelimit.hit("login-alert:" + account_key, limit=10**9, window=window) != 1:
        return
    log.warning("login failures alert account_no=%s failures=%d", user.account_no, failures)
    _security_email(
        user=user,
        template="accounts/email/login_failures",
        context={
            "failures": str(failures),
            "minutes": str(max(1, window // 60)),
            "network": _address_hint(client_address),
            "reset_link": settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset"),
        },
    )


def _security_email(*, user: User, template: str, context: dict[str, str]) -> None:
    """Email the owner about their account's security after the current transaction commits.
    Nobody opts out of these (other emails go through the notifications context)."""
    user_id, lang = user.pk, user.preferred_language or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: tasks.send_plain_email.enqueue(user_id, template, lang, context))
