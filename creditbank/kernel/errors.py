"""The one error type for domain failures.

Every refusal in the domain raises :class:`DomainError` with a stable machine-readable
``code``. The API maps it once to RFC 9457 problem details (see ``creditbank.kernel.problems``);
pages map it to a field error or a message (see ``creditbank.kernel.forms``).

No Django import here beyond lazy translation strings, so domain code may raise it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """A refusal with a stable ``code`` and a human message (translatable).

    ``field`` names the input field the error is about, if any; ``errors`` maps several fields
    to messages. ``status`` is the HTTP status the API answers with (400 unless said otherwise).
    ``extra`` carries machine-readable details (for example ``retry_after`` or ``next_step``).
    """

    def __init__(
        self,
        code: str,
        message: Any,
        *,
        field: str | None = None,
        errors: Mapping[str, Sequence[Any]] | None = None,
        status: int = 400,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(str(code))
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.extra = dict(extra or {})
        merged: dict[str, list[Any]] = {k: list(v) for k, v in (errors or {}).items()}
        if field is not None:
            merged.setdefault(field, []).insert(0, message)
        self.errors = merged

    @classmethod
    def combine(cls, errors: Sequence[DomainError]) -> DomainError:
        """One error for several invalid fields: the first one's code and message, every field's
        messages in ``errors`` (so a form shows them all at once)."""
        first = errors[0]
        merged: dict[str, list[Any]] = {}
        for err in errors:
            for key, msgs in err.errors.items():
                merged.setdefault(key, []).extend(msgs)
        return cls(first.code, first.message, errors=merged, status=first.status, extra=first.extra)

    def __repr__(self) -> str:
        return f"DomainError(code={self.code!r}, field={self.field!r})"


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it does (404)."""

    def __init__(self, message: Any, *, code: str = "not_found") -> None:
        super().__init__(code, message, status=404)


class PermissionDenied(DomainError):
    """The actor is known but may not do this (403)."""

    def __init__(self, code: str, message: Any, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(code, message, status=403, extra=extra)


class RateLimited(DomainError):
    """Too many attempts (429); ``retry_after`` seconds until the next one may succeed."""

    def __init__(self, message: Any, *, retry_after: int, code: str = "rate_limited") -> None:
        super().__init__(code, message, status=429, extra={"retry_after": int(retry_after)})
        self.retry_after = int(retry_after)
