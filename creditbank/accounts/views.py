"""Account pages: thin wrappers over the services; DomainErrors become field errors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from creditbank.accounts import services, tokens
from creditbank.accounts.actor import actor
from creditbank.accounts.forms import (
    EmailForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    RegisterForm,
    TokenForm,
)
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error
from creditbank.kernel.policy import policy


@sensitive_post_parameters("password", "id_number", "phone")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_register(
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                email=data["email"],
                password=data["password"],
                accept_terms=bool(data["accept_terms"]),
                terms_version=data["terms_version"],
                client_address=ratelimit.client_address(request),
                language=get_language(),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            retry_after = exc.extra.get("retry_after")
        else:
            request.session["registered_email"] = data["email"].strip()
            return redirect("accounts:register_done")
    return _with_retry_after(render(request, "accounts/register.html", {"form": form}), retry_after)


def _with_retry_after(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    """A refused page answers 429 with Retry-After, like the API (its message says when)."""
    if retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    return response


def terms(request: HttpRequest) -> HttpResponse:
    """The terms of service and privacy notice a registration accepts (versioned by policy)."""
    return render(request, "accounts/terms.html", {"version": policy().terms_version})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/register_done.html",
        {
            "email": request.session.get("registered_email", ""),
            "console_email": settings.EMAIL_BACKEND.endswith("console.EmailBackend"),
        },
    )


@never_cache
def activate(request: HttpRequest, token: str) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        try:
            services.user_activate(token=token)
        except DomainError as exc:
            return render(
                request, "accounts/activate.html", {"form": form, "error": exc.message, "code": exc.code}, status=400
            )
        messages.success(request, _("Your account is activated. Log in to continue with real-name verification."))
        return redirect("accounts:login")
    try:
        tokens.read_token(token, tokens.ACTIVATION)
    except DomainError as exc:
        return render(
            request, "accounts/activate.html", {"form": form, "error": exc.message, "code": exc.code}, status=400
        )
    return render(request, "accounts/activate.html", {"form": form})


@never_cache
def activation_resend(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activation_resend(
                email=form.cleaned_data["email"], client_address=ratelimit.client_address(request)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.info(request, _("If an account with this email awaits activation, a new link is on its way."))
            return redirect("accounts:login")
    return render(request, "accounts/activation_resend.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.auth_login(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                client_address=ratelimit.client_address(request),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status if exc.status in (400, 403, 429) else 400
            retry_after = exc.extra.get("retry_after")
        else:
            login(request, user, backend="creditbank.accounts.backends.IdentifierBackend")
            if user.must_change_password:
                return redirect("accounts:password_set")
            next_url = request.POST.get("next") or request.GET.get("next") or ""
            from django.utils.http import url_has_allowed_host_and_scheme

            if next_url and url_has_allowed_host_and_scheme(
                next_url, {request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect("home")
    return _with_retry_after(render(request, "accounts/login.html", {"form": form}, status=status), retry_after)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("home")


@login_required
@sensitive_post_parameters("old_password", "new_password")
@never_cache
def password_change(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed. Other sessions were signed out."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@sensitive_post_parameters("new_password")
@never_cache
def password_set(request: HttpRequest) -> HttpResponse:
    """Forced first step for accounts opened with an initial password."""
    user = actor(request)
    if not user.must_change_password:
        return redirect("accounts:password_change")
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_set_initial(user=user, new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your new password is set."))
            return redirect("home")
    return render(request, "accounts/password_set.html", {"form": form})


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"], client_address=ratelimit.client_address(request)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.info(request, _("If an account uses this email, a reset link is on its way."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form})


@sensitive_post_parameters("new_password")
@never_cache
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    form = NewPasswordForm(request.POST or None)
    try:
        tokens.read_token(token, tokens.PASSWORD_RESET)
    except DomainError as exc:
        return render(request, "accounts/password_reset_confirm.html", {"error": exc.message}, status=400)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(token=token, new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your password has been reset. You can now log in."))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})
