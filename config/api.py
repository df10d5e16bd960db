"""The public API (v1): django-ninja, problem details for every error."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from creditbank.accounts.api import router as accounts_router
from creditbank.identity.api import router as identity_router
from creditbank.institutions.api import router as institutions_router
from creditbank.kernel.api_auth import API_AUTH
from creditbank.kernel.api_body import StrictJsonParser, unsupported_media_type
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.problems import from_domain_error, from_validation_errors, problem_body, problem_response
from creditbank.ledger.api import router as ledger_router
from creditbank.notices.api import router as notices_router
from creditbank.outcomes.api import router as outcomes_router
from creditbank.outcomes.import_api import router as outcome_imports_router
from creditbank.profiles.api import router as profiles_router
from creditbank.rules.api import router as rules_router

_PROBLEM_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_BODY_PROBLEMS = {
    400: "Bad Request: `invalid_body`, `unknown_field`, `boolean_required`, `validation_error`, …",
    413: "Content Too Large: `request_too_large` (`max_bytes` says the limit)",
    415: "Unsupported Media Type: `unsupported_media_type` (send application/json, UTF-8)",
}


class CreditBankApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """``<context>.api`` and the view's name (``creditbank_profiles_api_me``), whether the API is one
        module, a package (``creditbank.profiles.api.me``) or a module beside it (``creditbank.outcomes.import_api``):
        splitting a module renames nothing for clients."""
        parts = operation.view_func.__module__.split(".")
        if len(parts) > 3 and parts[0] == "creditbank" and parts[2] == "api":
            parts = parts[:3]
        elif len(parts) == 3 and parts[0] == "creditbank" and parts[2].endswith("_api"):
            parts = [*parts[:2], "api"]
        return "_".join([*parts, operation.view_func.__name__])

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """Every operation that takes a body may answer 400, 413 and (JSON bodies) 415: stated once here."""
        schema = super().get_openapi_schema(**kwargs)
        for path_item in schema["paths"].values():
            for operation in path_item.values():
                content = operation.get("requestBody", {}).get("content", {})
                if not content:
                    continue
                statuses = (400, 413, 415) if "application/json" in content else (400, 413)
                for status in statuses:
                    operation["responses"].setdefault(
                        status, {"description": _BODY_PROBLEMS[status], "content": _PROBLEM_REF}
                    )
        return schema


api = CreditBankApi(
    title="Credit bank API (学分银行接口)",
    version="1",
    description=(
        "The public API of the credit bank. Errors are RFC 9457 problem details with a stable `code`. "
        "JSON bodies are one UTF-8 JSON object sent as `application/json`; unknown fields are refused."
    ),
    urls_namespace="api-v1",
    parser=StrictJsonParser(),
    # every operation needs one of settings.API_AUTHENTICATORS unless it says auth=None
    auth=API_AUTH,
)
api.add_router("/", accounts_router)
api.add_router("/", identity_router)
api.add_router("/", profiles_router)
api.add_router("/", notices_router)
api.add_router("/", institutions_router)
api.add_router("/", ledger_router)
api.add_router("/", outcomes_router)
api.add_router("/", outcome_imports_router)
api.add_router("/", rules_router)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return from_domain_error(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return from_validation_errors(request, list(exc.errors))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        problem_body(
            status=401,
            code=KernelCode.NOT_AUTHENTICATED,
            detail=_("Log in first (a bearer token or a session)."),
            instance=request.path,
        )
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem_response(
        problem_body(status=404, code=KernelCode.NOT_FOUND, detail=_("Not found."), instance=request.path)
    )


@api.exception_handler(RawPostDataException)
def _form_body_on_json_endpoint(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
    """The body was read as a form (multipart or urlencoded) before a JSON endpoint asked for it."""
    return from_domain_error(request, unsupported_media_type())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # the body parser's own refusal (kernel.api_body)
        return from_domain_error(request, exc.__cause__)
    code = {
        400: KernelCode.INVALID_BODY,
        403: KernelCode.FORBIDDEN,
        405: KernelCode.METHOD_NOT_ALLOWED,
        413: KernelCode.REQUEST_TOO_LARGE,
    }.get(exc.status_code, KernelCode.HTTP_ERROR)
    detail = str(exc)
    if exc.status_code == 400 and "parse" in detail:
        detail = _("The request body is not valid JSON.")
    if exc.status_code == 403 and "CSRF" in str(exc):
        code = KernelCode.CSRF_FAILED
    return problem_response(problem_body(status=exc.status_code, code=code, detail=detail, instance=request.path))


def api_not_found(request: HttpRequest) -> HttpResponse:
    """Unknown API paths answer problem details too, not the HTML 404 page."""
    return problem_response(
        problem_body(
            status=404, code=KernelCode.NOT_FOUND, detail=_("There is no such API endpoint."), instance=request.path
        )
    )
