"""Cross-cutting answers: problem details for the router's own errors; the error pages for a
page's NotFound and PermissionDenied; no-store for personal data."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from creditbank.kernel.errors import ErrorCode, NotFound, PermissionDenied
from creditbank.kernel.problems import PROBLEM_CONTENT_TYPE, problem_body, problem_response

_CODES = {405: ErrorCode.METHOD_NOT_ALLOWED, 413: ErrorCode.REQUEST_TOO_LARGE, 500: ErrorCode.SERVER_ERROR}


class ApiProblemMiddleware:
    """Rewrites plain-text 405/413/500 answers under /api/ (the router's own) as RFC 9457."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in _CODES
            and not response.get("Content-Type", "").startswith((PROBLEM_CONTENT_TYPE, "application/json"))
        ):
            detail = {
                405: _("This method is not allowed here."),
                413: _("The request is too large."),
                500: _("Something went wrong on our side. Try again later."),
            }[response.status_code]
            rewritten = problem_response(
                problem_body(
                    status=response.status_code, code=_CODES[response.status_code], detail=detail, instance=request.path
                )
            )
            if response.has_header("Allow"):
                rewritten["Allow"] = response["Allow"]
            return rewritten
        return response


class DomainErrorPageMiddleware:
    """Pages: a :class:`NotFound` that leaves a view is the styled 404 page, a (kernel)
    :class:`PermissionDenied` the 403 page, answered as Django answers ``Http404`` and its own
    ``PermissionDenied`` (handler404/handler403, ``kernel.error_pages``). Views let them pass
    instead of mapping them by hand; a refusal the page explains next to a field is still caught
    by the view. Under /api/ nothing changes: the API maps every DomainError to problem details.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            mapped: Exception = Http404(str(exception.message))
        elif isinstance(exception, PermissionDenied):
            mapped = DjangoPermissionDenied(str(exception.message))
        else:
            return None
        mapped.__cause__ = exception
        return response_for_exception(request, mapped)


class NoStoreMiddleware:
    """Answers that may carry personal data are never stored by a browser or a shared cache.

    Every answer under /api/ gets ``Cache-Control: no-store`` unless the endpoint chose its own
    caching for an anonymous caller; an answer to a caller with credentials (a bearer token or a
    signed-in session) always gets it, and so does every page shown to a signed-in account.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            if _has_credentials(request) or not response.has_header("Cache-Control"):
                _no_store(response)
        elif _signed_in(request):
            _no_store(response)
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    try:
        return bool(user is not None and user.is_authenticated)
    except Exception:  # the session store is unreachable (say, on the 500 page): assume it is personal
        return True


def _has_credentials(request: HttpRequest) -> bool:
    return bool(request.headers.get("Authorization") or getattr(request, "auth", None) or _signed_in(request))


def _no_store(response: HttpResponse) -> None:
    directives = [d.strip().lower() for d in response.get("Cache-Control", "").split(",")]
    if "no-store" not in directives or "public" in directives:
        response["Cache-Control"] = "no-store"
