"""The accounts API: registration, activation, tokens, passwords, /me. Thin: services do the work."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Response, Status
from pydantic import StrictBool

from creditbank.accounts import services, token_grants
from creditbank.accounts.actor import actor
from creditbank.accounts.errors import ErrorCode
from creditbank.kernel import ratelimit
from creditbank.kernel.api_schemas import InputSchema, problems
from creditbank.kernel.errors import DomainError
from creditbank.kernel.errors import ErrorCode as KernelCode
from creditbank.kernel.idempotency import run_idempotent
from creditbank.kernel.problems import from_domain_error

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
    scope: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int
    #: the password grant: whether the account must set a new password first
    must_change_password: bool | None = None
    #: the client-credentials grant: the scopes the token carries, space-separated
    scope: str | None = None


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


@router.post("/auth/token", response={200: TokenOut, **problems(400, 401, 403, 429)}, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> Any:
    """A bearer token. The password grant (the default): an identifier (account number, ID
    number, email or phone) and password. ``grant_type=client_credentials``: an institution's
    ``client_id`` and ``client_secret`` in the body or with HTTP Basic (RFC 6749 §2.3.1), and
    optionally ``scope``; a failed client authentication answers 401 ``invalid_client``."""
    if payload.grant_type not in (None, "", "password"):
        return _other_grant(request, payload)
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


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """``Authorization: Basic`` client credentials (RFC 6749 §2.3.1: each part form-encoded)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))) if sep else ("", "")


def _other_grant(request: HttpRequest, payload: TokenIn) -> Any:
    grant = token_grants.token_grant(payload.grant_type or "")
    if grant is None:
        raise DomainError(
            ErrorCode.UNSUPPORTED_GRANT_TYPE,
            _("Use the password grant or the client_credentials grant."),
            field="grant_type",
            extra={"allowed": ["password", "client_credentials"]},
        )
    basic = _basic_credentials(request)
    if basic is not None and (payload.client_id or payload.client_secret):
        raise DomainError(
            ErrorCode.INVALID_REQUEST,
            _("Send the client credentials either with HTTP Basic or in the body, not both."),
        )
    client_id, client_secret = basic if basic is not None else (payload.client_id, payload.client_secret)
    if not client_id or not client_secret:
        raise DomainError(
            ErrorCode.INVALID_REQUEST,
            _("Send client_id and client_secret (in the body or with HTTP Basic)."),
            errors={
                name: [_("This field is required.")]
                for name, value in (("client_id", client_id), ("client_secret", client_secret))
                if not value
            },
        )
    try:
        issued = grant(
            token_grants.GrantRequest(
                client_id=client_id,
                client_secret=client_secret,
                scope=payload.scope,
                client_address=ratelimit.client_address(request),
            )
        )
    except DomainError as exc:
        if exc.status != 401:
            raise
        response = from_domain_error(request, exc)
        response["WWW-Authenticate"] = 'Basic realm="creditbank"'
        return response
    return {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": issued.scope,
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
