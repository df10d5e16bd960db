"""The hourly allowance of uploaded files, shared by every upload path of every context."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import RateLimited
from creditbank.kernel.policy import policy

UPLOADS_SPENT = _(
    "You have uploaded many files in the last hour. Try again %(when)s with the files you still need to send."
)


def uploads_allow(*, user: User, files: int) -> None:
    """Count ``files`` uploads against the account's hourly allowance (UPLOADS_PER_ACCOUNT_PER_HOUR),
    shared by every upload path. Call it before any file is read or decoded: past the allowance
    the request is refused (rate_limited, with the time) and none of its files is counted."""
    key = "uploads:" + ratelimit.hashed(str(user.pk))
    counted = 0
    try:
        for _file in range(files):
            ratelimit.hit(key, limit=policy().uploads_per_account_per_hour, window=3600)
            counted += 1
    except RateLimited as exc:
        for _file in range(counted + 1):  # this request's files, including the refused one
            ratelimit.release(key, window=3600)
        raise ratelimit.refusal(UPLOADS_SPENT, retry_after=exc.retry_after) from exc
