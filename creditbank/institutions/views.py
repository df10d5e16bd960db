"""The institution's page for its administrators (and bank staff managing institutions):
members added and removed, API clients created, rotated and revoked, a new secret shown once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Role, has_role
from creditbank.institutions import selectors, services
from creditbank.institutions.forms import ClientForm, MemberForm
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error, refusal_message


def _post_id(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("id", ""))
    except ValueError:
        return 0


@login_required
@never_cache
def manage(request: HttpRequest, code: str) -> HttpResponse:
    user = actor(request)
    institution = selectors.institution_get_for_actor(actor=user, code=code)
    action = request.POST.get("action") if request.method == "POST" else None
    member_form = MemberForm(request.POST if action == "add_member" else None)
    client_form = ClientForm(request.POST if action == "create_client" else None)
    new_secret: dict[str, Any] | None = None
    address = ratelimit.client_address(request)
    status = 200
    try:
        if action == "add_member" and member_form.is_valid():
            services.member_add(actor=user, code=code, client_address=address, **member_form.cleaned_data)
            messages.success(request, _("Member added."))
            return redirect("institutions:manage", code=code)
        if action == "remove_member":
            services.member_remove(actor=user, code=code, membership_id=_post_id(request), client_address=address)
            messages.success(request, _("Member removed."))
            return redirect("institutions:manage", code=code)
        if action == "create_client" and client_form.is_valid():
            client, secret = services.api_client_create(
                actor=user, code=code, name=client_form.cleaned_data["name"],
                scopes=list(client_form.cleaned_data["scopes"]), client_address=address,
            )  # fmt: skip
            new_secret = {"client": client, "secret": secret}
            client_form = ClientForm()
        if action == "rotate_client":
            client, secret = services.api_client_rotate(
                actor=user, code=code, id=_post_id(request), client_address=address
            )
            new_secret = {"client": client, "secret": secret}
        if action == "revoke_client":
            services.api_client_revoke(actor=user, code=code, id=_post_id(request), client_address=address)
            messages.success(request, _("API client revoked: its secret and tokens no longer work."))
            return redirect("institutions:manage", code=code)
    except DomainError as exc:
        form = {"add_member": member_form, "create_client": client_form}.get(action or "")
        if form is not None and exc.status != 404:
            apply_domain_error(form, exc)
        else:
            refusal_message(request, exc)
        status = 400
    if action in ("add_member", "create_client") and status == 200 and new_secret is None:
        status = 400  # the form itself was invalid
    return render(
        request,
        "institutions/manage.html",
        {
            "institution": institution,
            "members": selectors.memberships_of(institution=institution),
            "clients": selectors.api_clients_of(institution=institution),
            "member_form": member_form,
            "client_form": client_form,
            "new_secret": new_secret,
            "may_import": has_role(user, Role.INSTITUTION_ISSUER, institution=institution),
        },
        status=status,
    )
