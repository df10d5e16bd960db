"""Request bodies are read once, up front, and a body that cannot be read is refused cleanly.

Django raises on a body it cannot read (``RequestDataTooBig``, ``TooManyFieldsSent``,
``TooManyFilesSent``, ``MultiPartParserError``) wherever ``request.body``/``POST``/``FILES`` is
first touched: in a view, in ninja's parameter parsing, or in the CSRF check. Left there, each
became a 400 text page or a 500 with a traceback in the log. :class:`RequestBodyMiddleware`
touches the body first, before any of them, and answers:

* 413 ``request_too_large`` when the whole request passes ``MAX_REQUEST_BYTES`` (checked against
  Content-Length before anything is read) or the body without files passes
  ``DATA_UPLOAD_MAX_MEMORY_SIZE``;
* 400 ``invalid_body`` for a malformed multipart body (no boundary, a part header over 1 KB,
  too many fields or files, a body cut short before its closing boundary, which Django's parser
  would otherwise accept as if it were whole) or a form body that is not UTF-8;

as problem details under /api/ and as the site's styled 400 page elsewhere, with one warning
line in the log and nothing stored (no view runs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat
from django.utils.http import parse_header_parameters
from django.utils.log import log_response
from django.utils.translation import gettext as _

from creditbank.kernel import error_pages
from creditbank.kernel.errors import ErrorCode
from creditbank.kernel.problems import problem_body, problem_response

log = logging.getLogger("creditbank.requests")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


class BodyRefused(Exception):
    def __init__(self, status: int, code: str, detail: str, *, max_bytes: int | None = None) -> None:
        super().__init__(str(code))
        self.status = status
        self.code = str(code)
        self.detail = detail
        self.max_bytes = max_bytes


class RequestBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _BODY_METHODS:
            try:
                read_body(request)
            except BodyRefused as refused:
                return _refusal(request, refused)
        return self.get_response(request)


def read_body(request: HttpRequest) -> None:
    """Read and parse the body now (Django keeps the result), or raise :class:`BodyRefused`."""
    length = _content_length(request)
    limit = settings.MAX_REQUEST_BYTES
    if length > limit:
        raise BodyRefused(413, ErrorCode.REQUEST_TOO_LARGE, _too_large(limit), max_bytes=limit)
    content_type = (request.content_type or "").lower()
    try:
        if request.method == "POST" and content_type in _FORM_TYPES:
            watch = _watch_closing_delimiter(request) if content_type == "multipart/form-data" and length else None
            request.POST  # noqa: B018 (parses the form and its files now)
            request.FILES  # noqa: B018
            if watch is not None and not watch.seen:
                raise BodyRefused(
                    400,
                    ErrorCode.INVALID_BODY,
                    _("The form data is incomplete: the body ended before its closing boundary."),
                )
        else:
            request.body  # noqa: B018 (reads it now, within DATA_UPLOAD_MAX_MEMORY_SIZE)
    except RequestDataTooBig as exc:
        small = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise BodyRefused(413, ErrorCode.REQUEST_TOO_LARGE, _too_large(small), max_bytes=small) from exc
    except TooManyFieldsSent as exc:
        raise BodyRefused(400, ErrorCode.INVALID_BODY, _("The form has too many fields.")) from exc
    except TooManyFilesSent as exc:
        raise BodyRefused(400, ErrorCode.INVALID_BODY, _("The form has too many files.")) from exc
    except MultiPartParserError as exc:
        raise BodyRefused(
            400, ErrorCode.INVALID_BODY, _("The form data could not be read (a malformed multipart body).")
        ) from exc
    except UnreadablePostError as exc:
        raise BodyRefused(400, ErrorCode.INVALID_BODY, _("The request body could not be read to its end.")) from exc
    except BadRequest as exc:
        raise BodyRefused(400, ErrorCode.INVALID_BODY, _("Form data must be UTF-8.")) from exc


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError as exc:
        raise BodyRefused(400, ErrorCode.INVALID_BODY, _("The Content-Length header is not a number.")) from exc


def _too_large(limit: int) -> str:
    return _("The request is too large: at most %(size)s.") % {"size": filesizeformat(limit)}


def _refusal(request: HttpRequest, refused: BodyRefused) -> HttpResponse:
    if request.path.startswith(error_pages.API_PREFIX):
        extra = {"max_bytes": refused.max_bytes} if refused.max_bytes is not None else None
        response = problem_response(
            problem_body(
                status=refused.status, code=refused.code, detail=refused.detail, instance=request.path, extra=extra
            )
        )
    else:
        response = error_pages.bad_request_page(request, refused.detail)
    # One line, no traceback; Django's own "Bad Request: …" line is then skipped.
    log_response(
        "Refused request body (%s): %s %s",
        refused.code,
        request.method,
        request.path,
        response=response,
        request=request,
        logger=log,
        level="warning",
    )
    return response


class _ClosingDelimiterWatch:
    """Passes the body through to Django's multipart parser and notes whether the closing
    delimiter (CRLF ``--boundary--``, RFC 2046 §5.1.1) went past."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._needle = b"\r\n--" + boundary + b"--"
        self._tail = b"\r\n"  # a body without parts starts with the closing delimiter itself
        self.seen = False

    def _note(self, data: bytes) -> bytes:
        if data and not self.seen:
            window = self._tail + data
            self.seen = self._needle in window
            self._tail = window[-(len(self._needle) - 1) :]
        return data

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._note(self._stream.read(*args, **kwargs))

    def readline(self, *args: Any, **kwargs: Any) -> bytes:
        return self._note(self._stream.readline(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _watch_closing_delimiter(request: HttpRequest) -> _ClosingDelimiterWatch | None:
    """Wrap the request's input stream (Django's parser reads it through ``request.read``)."""
    _ctype, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    boundary = params.get("boundary", "")
    if not boundary or not boundary.isascii() or not hasattr(request, "_stream"):
        return None  # the parser itself refuses a missing or invalid boundary
    watch = _ClosingDelimiterWatch(request._stream, boundary.encode("ascii"))
    request._stream = watch  # type: ignore[assignment]
    return watch
