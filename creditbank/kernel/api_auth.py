"""The API's authenticators: one list, configured once (``settings.API_AUTHENTICATORS``).

``API_AUTHENTICATORS`` holds the dotted paths of django-ninja authenticator classes, tried in
order; the first that names the caller wins. The composition root (``config.api``) makes the
list the API's default authentication, so routers import no authenticator: an operation is
protected unless it says ``auth=None``. Another way in (an institution's client credentials)
is one more entry in the setting; no context imports another to get it.

The list is read from the settings when it is used (and rebuilt only when the setting changes),
so a test may add an authenticator with ``override_settings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.module_loading import import_string
from ninja.errors import HttpError

from creditbank.kernel.errors import DomainError

Authenticator = Callable[[HttpRequest], Any]


class ConfiguredAuthenticators(Sequence[Authenticator]):
    """``settings.API_AUTHENTICATORS``, instantiated: a list django-ninja takes as ``auth=``."""

    def __init__(self) -> None:
        self._built: tuple[tuple[str, ...], list[Authenticator]] | None = None

    def _instances(self) -> list[Authenticator]:
        paths = tuple(getattr(settings, "API_AUTHENTICATORS", ()))
        built = self._built
        if built is None or built[0] != paths:
            if not paths:
                raise ImproperlyConfigured(
                    "API_AUTHENTICATORS names no authenticator: nobody could sign in to the API."
                )
            built = (paths, [import_string(path)() for path in paths])
            self._built = built
        return built[1]

    @overload
    def __getitem__(self, index: int) -> Authenticator: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Authenticator]: ...

    def __getitem__(self, index: int | slice) -> Authenticator | Sequence[Authenticator]:
        return self._instances()[index]

    def __len__(self) -> int:
        return len(self._instances())

    def __iter__(self) -> Iterator[Authenticator]:
        return iter(self._instances())


#: The API's default authentication (``NinjaAPI(auth=API_AUTH)`` in ``config.api``).
API_AUTH = ConfiguredAuthenticators()


def optional_principal(request: HttpRequest) -> Any | None:
    """Who the request's credentials name, or None: for public operations (``auth=None``) that
    answer a signed-in caller with more. Runs the configured authenticators in order, as a
    protected operation would; credentials that a protected operation would refuse (an unknown
    token, an initial password still to change) read as anonymous here rather than failing."""
    for authenticator in API_AUTH:
        try:
            found = authenticator(request)
        except (DomainError, HttpError):
            return None
        if found:
            return found
    return None
