"""The accounts API: registration, activation, tokens, passwords, /me. Thin: services do the work."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Response, Status
from pydantic import StrictBool

from creditbank.accounts import services
from creditbank.accounts.actor import actor
from creditbank.accounts.errors import ErrorCode
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.idempotency import run_idempotent

router = Router(tags=["accounts"])


class RegisterIn(InputSchema):
    name: str
    id_number: str
    phone: str
    email: str
    password: str
    accept_terms: StrictBool
    terms_version: str


class RegisterOut(Schema):
    account_no: str
    status: str


class TokenIn(InputSchema):
    identifier: str | None = None
    password: str | None = None
    grant_type: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int
    must_change_password: bool


class ActivateIn(InputSchema):
    token: str


class StatusOut(Schema):
    status: str


class EmailIn(InputSchema):
    email: str


class DetailOut(Schema):
    detail: str


class PasswordChangeIn(InputSchema):
    old_password: str
    new_password: str


class PasswordResetConfirmIn(InputSchema):
    token: str
    new_password: str


@router.post("/auth/register", response={201: RegisterOut, **problems(400, 422, 429)}, auth=None)
def register(request: HttpRequest, payload: RegisterIn) -> Any:
    """Register a learner (姓名, 身份证号, 手机号, 邮箱, 密码, 同意条款). Sends an activation email."""

    def create() -> tuple[int, dict[str, Any]]:
        result = services.user_register(**payload.dict(), client_address=ratelimit.client_address(request))
        return 201, {"account_no": result.account_no, "status": result.status}

    body = payload.dict()
    body["password"] = services.password_fingerprint(body["password"])
    status, data = run_idempotent(
        scope="auth.register", key=request.headers.get("Idempotency-Key"), payload=body, create=create
    )
    return Status(status, data)


@router.post("/auth/activate", response={200: StatusOut, **problems(400)}, auth=None)
def activate(request: HttpRequest, payload: ActivateIn) -> Any:
    user = services.user_activate(token=payload.token)
    return {"status": user.status}


@router.post("/auth/activation/resend", response={202: DetailOut, **problems(400, 429)}, auth=None)
def activation_resend(request: HttpRequest, payload: EmailIn) -> Any:
    services.activation_resend(email=payload.email, client_address=ratelimit.client_address(request))
    return Status(202, {"detail": _("If an account with this email awaits activation, a new link is on its way.")})


@router.post("/auth/token", response={200: TokenOut, **problems(400, 403, 429)}, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> Any:
    """Exchange an identifier (account number, ID number, email or phone) and password for a bearer token."""
    if payload.grant_type not in (None, "", "password"):
        raise DomainError(
            ErrorCode.UNSUPPORTED_GRANT_TYPE,
            _("Only the password grant is available. Institution client credentials are not enabled yet."),
            field="grant_type",
        )
    errors = {}
    if not payload.identifier:
        errors["identifier"] = [_("Enter your account number, ID number, email or phone.")]
    if not payload.password:
        errors["password"] = [_("Enter your password.")]
    if errors:
        raise DomainError(KernelCode.VALIDATION_ERROR, _("Some fields are missing or invalid."), errors=errors)
    user = services.auth_login(
        identifier=payload.identifier or "",
        password=payload.password or "",
        client_address=ratelimit.client_address(request),
    )
    raw, _token = services.api_token_issue(user=user)
    return {
        "access_token": raw,
        "token_type": "Bearer",
        "expires_in": int(settings.API_TOKEN_TTL.total_seconds()),
        "must_change_password": user.must_change_password,
    }


@router.post("/auth/logout", response={204: None, **problems(401, 403)})
def logout_view(request: HttpRequest) -> Any:
    api_token = getattr(request, "api_token", None)
    if api_token is not None:
        services.api_token_revoke(token=api_token)
    else:
        logout(request)
    return Response(None, status=204)


@router.post("/auth/password", response={200: DetailOut, **problems(400, 401, 403, 429)})
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> Any:
    """Change the password (also the way out of ``must_change_password``); other sessions and tokens end."""
    user = actor(request)
    api_token = getattr(request, "api_token", None)
    services.password_change(
        user=user,
        old_password=payload.old_password,
        new_password=payload.new_password,
        keep_token_id=api_token.pk if api_token else None,
    )
    if api_token is None:
        update_session_auth_hash(request, user)
    return {"detail": _("Your password has been changed. Other sessions were signed out.")}


@router.post("/auth/password-reset", response={202: DetailOut, **problems(400, 429)}, auth=None)
def password_reset(request: HttpRequest, payload: EmailIn) -> Any:
    services.password_reset_request(email=payload.email, client_address=ratelimit.client_address(request))
    return Status(202, {"detail": _("If an account uses this email, a reset link is on its way.")})


@router.post("/auth/password-reset/confirm", response={200: DetailOut, **problems(400)}, auth=None)
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> Any:
    services.password_reset_confirm(token=payload.token, new_password=payload.new_password)
    return {"detail": _("Your password has been reset. You can now log in.")}
