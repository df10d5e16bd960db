"""The account a request acts for, typed: one helper for pages and the API.

Pages know the signed-in account as ``request.user`` (Django's session); API operations as
``request.auth``, what one of the configured authenticators returned (``kernel.api_auth``).
``actor(request)`` returns either as a :class:`User`, so views and API handlers pass it to
services without a cast, and refuses a request that has no signed-in account.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import User
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode


def actor(request: HttpRequest) -> User:
    """The signed-in account of ``request`` (the API's ``request.auth``, else the page's
    ``request.user``); 401 ``not_authenticated`` when there is none. Views behind
    ``login_required`` and protected API operations always have one."""
    principal = getattr(request, "auth", None)
    if principal is None:
        principal = getattr(request, "user", None)
    if isinstance(principal, User) and principal.is_authenticated:
        return principal
    raise DomainError(KernelCode.NOT_AUTHENTICATED, _("Log in first (a bearer token or a session)."), status=401)
