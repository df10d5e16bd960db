"""The site's error pages (handler400/403/404/500, the CSRF failure view) and their API twins.

Pages extend the site's base template in the visitor's language and offer a way back; under
/api/ the same failures answer RFC 9457 problem details. The 500 page is rendered without the
request (so no context processor runs) and touches no database: it must work when they fail.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from creditbank.kernel.errors import ErrorCode
from creditbank.kernel.problems import problem_body, problem_response

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _problem(request: HttpRequest, status: int, code: str, detail: Any) -> HttpResponse:
    return problem_response(problem_body(status=status, code=code, detail=detail, instance=request.path))


def bad_request_page(request: HttpRequest, detail: Any = None) -> HttpResponse:
    """The styled 400 page, with what was wrong when it is known."""
    return render(request, "400.html", {"detail": detail}, status=400)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _problem(request, 400, ErrorCode.BAD_REQUEST, _("The request could not be understood."))
    return bad_request_page(request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _problem(request, 403, ErrorCode.FORBIDDEN, _("You may not do this."))
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _problem(request, 404, ErrorCode.NOT_FOUND, _("There is no such API endpoint."))
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _problem(request, 500, ErrorCode.SERVER_ERROR, _("Something went wrong on our side. Try again later."))
    # A plain context: the request's path and CSRF token (for the language switch) are read from
    # the request itself; no context processor runs, nothing reads the session or the database.
    context = {"request": request, "csrf_token": get_token(request)}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale form (the CSRF token no longer matches): say so and offer to reload it."""
    if _is_api(request):
        return _problem(
            request, 403, ErrorCode.CSRF_FAILED, _("Send the CSRF token (X-CSRFToken) with session-cookie calls.")
        )
    return render(request, "403_csrf.html", {"reload_url": request.get_full_path()}, status=403)
