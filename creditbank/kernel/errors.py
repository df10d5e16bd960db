"""The one error type for domain failures, and the kernel's error codes.

Every refusal in the domain raises :class:`DomainError` with a stable machine-readable
``code``. The API maps it once to RFC 9457 problem details (see ``creditbank.kernel.problems``);
pages map it to a field error or a message (see ``creditbank.kernel.forms``).

Codes are members of a ``StrEnum`` named ``ErrorCode`` in the ``errors`` module of the context
that raises them (``creditbank.<context>.errors``); a code several contexts raise is defined
once, in the lowest of them or here, and reused (imported under the name of its context:
``from creditbank.kernel.errors import ErrorCode as KernelCode``). A member equals its string,
and :class:`DomainError` keeps the plain string, so the wire format is the string itself.
``creditbank.kernel.error_codes`` collects every context's codes; docs/API-ERRORS.md lists
exactly those (tests/test_error_codes.py).

No Django import here: domain code may raise these and import the codes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Generic codes, raised by the kernel, the API's own handlers and any context (400 unless said)."""

    # Request bodies and input
    VALIDATION_ERROR = "validation_error"  # a field missing, of the wrong type or out of range
    INVALID_BODY = "invalid_body"  # not one UTF-8 JSON object; an unreadable multipart or form body
    UNKNOWN_FIELD = "unknown_field"  # a field the endpoint does not take
    BOOLEAN_REQUIRED = "boolean_required"  # anything but true or false where a boolean belongs
    CHOICE_INVALID = "choice_invalid"  # a value outside the allowed ones (extra "allowed")
    REQUIRED = "required"  # free text left empty
    TOO_LONG = "too_long"  # free text over its length (extra "max_length")
    INVALID_CHARACTERS = "invalid_characters"  # control or invisible characters in free text
    REQUEST_TOO_LARGE = "request_too_large"  # 413 (extra "max_bytes")
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415: a JSON body not sent as application/json

    # Answers of the framework and the API's own handlers
    BAD_REQUEST = "bad_request"  # a request Django refuses before any endpoint runs
    NOT_AUTHENTICATED = "not_authenticated"  # 401: no or bad token or session
    FORBIDDEN = "forbidden"  # 403 without a more specific code
    CSRF_FAILED = "csrf_failed"  # 403: a session-cookie call without the CSRF token
    NOT_FOUND = "not_found"  # 404: no such object (for this caller) or endpoint
    METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
    HTTP_ERROR = "http_error"  # the framework's error of any other status
    SERVER_ERROR = "server_error"  # 500
    RECORD_DAMAGED = "record_damaged"  # 500: a sealed personal value no longer opens
    RATE_LIMITED = "rate_limited"  # 429 (Retry-After, extra "retry_after")

    # Idempotency-Key
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"  # over 128 or unprintable characters
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"  # 422: the key came with another body
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"  # 409: the same key is being processed

    # Uploads (kernel.images, kernel.documents)
    UPLOAD_MISSING = "upload_missing"  # a required file not sent
    UPLOAD_EMPTY = "upload_empty"  # an empty file
    UPLOAD_TOO_LARGE = "upload_too_large"  # 413 (extra "max_bytes" for images)
    UPLOAD_TYPE_NOT_ALLOWED = "upload_type_not_allowed"  # not JPEG, PNG, WebP (or PDF where taken)
    TOO_MANY_FILES = "too_many_files"  # more files than the endpoint takes
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"  # the header declares too many pixels
    IMAGE_DECOMPRESSION_BOMB = "image_decompression_bomb"  # inflates beyond safe limits
    IMAGE_CORRUPT = "image_corrupt"  # truncated or damaged image data
    IMAGE_TOO_SMALL = "image_too_small"  # below the minimum width and height
    IMAGE_ANIMATED = "image_animated"  # more than one frame
    IMAGE_ASPECT_RATIO = "image_aspect_ratio"  # long side / short side outside the policy's range
    PDF_INVALID = "pdf_invalid"  # a damaged, incomplete or password-protected PDF
    PDF_ACTIVE_CONTENT = "pdf_active_content"  # a PDF with scripts, attachments or actions


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
        self.code: str = str(code)  # the plain string, also when given an ErrorCode member
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

    def __init__(self, message: Any, *, code: str = ErrorCode.NOT_FOUND) -> None:
        super().__init__(code, message, status=404)


class PermissionDenied(DomainError):
    """The actor is known but may not do this (403)."""

    def __init__(self, code: str, message: Any, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(code, message, status=403, extra=extra)


class RateLimited(DomainError):
    """Too many attempts (429); ``retry_after`` seconds until the next one may succeed."""

    def __init__(self, message: Any, *, retry_after: int, code: str = ErrorCode.RATE_LIMITED) -> None:
        super().__init__(code, message, status=429, extra={"retry_after": int(retry_after)})
        self.retry_after = int(retry_after)
