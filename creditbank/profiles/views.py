"""Profile pages: thin over the services; refusals appear next to the field."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from creditbank.accounts.actor import actor
from creditbank.accounts.models import AccountStatus
from creditbank.accounts.roles import Acting, Role, role_required
from creditbank.kernel import ratelimit
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response as file_response
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error, query_choice, refusal_message
from creditbank.notifications.selectors import preferences_of
from creditbank.profiles import selectors, services
from creditbank.profiles.domain.months import format_month
from creditbank.profiles.forms import (
    ChangeRequestForm,
    CodeForm,
    ContactForm,
    EducationForm,
    ProfileForm,
    WorkForm,
)
from creditbank.profiles.models import ProfileChangeStatus
from creditbank.profiles.reasons import KIND
from creditbank.reviews.pages import DecisionForm, decide_on_page

HISTORY_KINDS = {"education": EducationForm, "work": WorkForm}


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    return render(
        request,
        "profiles/profile.html",
        {
            "profile": services.profile_get(user),
            "pending": selectors.change_requests_for_user(user).filter(status=ProfileChangeStatus.PENDING),
            "confirmations": services.contact_change_pending(user),
            "education": selectors.education_for_user(user),
            "work": selectors.work_for_user(user),
            "verified": user.status == AccountStatus.VERIFIED,
        },
    )


@login_required
@never_cache
@sensitive_post_parameters("password")
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    prof = services.profile_get(user)
    prefs = preferences_of(user)
    initial = {
        "address": prof.address,
        "education_level": prof.education_level,
        "occupation": prof.occupation,
        "emergency_contact_name": prof.emergency_contact_name,
        "preferred_language": user.preferred_language or "zh-hans",
        "notify_email_decisions": prefs.email_decisions,
        "notify_email_notices": prefs.email_notices,
    }
    form = ProfileForm(request.POST or None, initial=initial, prefix="p")
    contact = ContactForm(request.POST or None, prefix="c")
    status = 200
    if request.method == "POST" and form.is_valid() and contact.is_valid():
        skip = {"emergency_contact_phone", "emergency_contact_phone_clear"}
        changes: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if k not in skip}
        if form.cleaned_data["emergency_contact_phone_clear"]:
            changes["emergency_contact_phone"] = ""
        elif form.cleaned_data["emergency_contact_phone"]:
            changes["emergency_contact_phone"] = form.cleaned_data["emergency_contact_phone"]
        for field in ("email", "phone"):
            if contact.cleaned_data[field]:
                changes[field] = contact.cleaned_data[field]
        try:
            result = services.profile_update(
                user=user, changes=changes, password=contact.cleaned_data["password"] or None
            )
        except DomainError as exc:
            target = contact if set(exc.errors) & {"email", "phone", "password"} else form
            apply_domain_error(target, exc)
            if target is contact:
                apply_domain_error(form, DomainError(exc.code, _("Nothing was saved; see below.")))
            status = 400
        else:
            if result["applied"]:
                messages.success(request, _("Your profile was saved."))
            if result["pending_review"]:
                messages.info(request, _("Some changes wait for a staff review before they apply."))
            if "email" in result["pending_confirmation"]:
                messages.info(request, _("Open the link we sent to your new email address to confirm it."))
            if "phone" in result["pending_confirmation"]:
                messages.info(request, _("Enter the code we sent to your new phone."))
                return redirect("profiles:phone_confirm")
            return redirect("profiles:profile")
    return render(request, "profiles/edit.html", {"form": form, "contact": contact, "profile": prof}, status=status)


@never_cache
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            services.email_change_confirm(token=token)
        except DomainError as exc:
            return render(request, "profiles/email_confirm.html", {"error": exc.message}, status=400)
        messages.success(request, _("Your new email address is confirmed."))
        return redirect("profiles:profile" if request.user.is_authenticated else "accounts:login")
    return render(request, "profiles/email_confirm.html", {})


@login_required
@never_cache
def phone_confirm(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.phone_change_confirm(user=actor(request), code=form.cleaned_data["code"])
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Your new phone number is confirmed."))
            return redirect("profiles:profile")
    return render(request, "profiles/phone_confirm.html", {"form": form}, status=status)


@login_required
@never_cache
def history(request: HttpRequest) -> HttpResponse:
    return render(request, "profiles/history.html", {"entries": selectors.profile_history(actor(request))[:200]})


@login_required
@never_cache
def change_requests(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = ChangeRequestForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_create(
                user=user,
                field=form.cleaned_data["field"],
                new_value=form.requested_value(),
                reason=form.cleaned_data["reason"],
                proofs=request.FILES.getlist("proof"),
            )
        except DomainError as exc:
            if "new_value" in exc.errors:
                exc.errors[form.value_field()] = exc.errors.pop("new_value")
            apply_domain_error(form, exc)
            status = 400 if exc.status < 500 else exc.status
        else:
            messages.success(request, _("Your request was sent. Staff will review it; we will email you the decision."))
            return redirect("profiles:change_requests")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "profiles/change_requests.html",
        {
            "form": form,
            "requests": selectors.change_requests_for_user(user),
            "verified": user.status == AccountStatus.VERIFIED,
        },
        status=status,
    )


@login_required
@require_POST
def change_request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    try:
        services.change_request_withdraw(user=actor(request), request_id=request_id)
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.info(request, _("The request was withdrawn."))
    return redirect("profiles:change_requests")


def _entry_initial(kind: str, entry: Any) -> dict[str, Any]:
    fields = list(HISTORY_KINDS[kind].base_fields)
    data = {f: getattr(entry, f) for f in fields if f != "evidence"}
    data["start"], data["end"] = format_month(entry.start), format_month(entry.end) or ""
    return data


def _entry_data(kind: str, cleaned: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in cleaned.items() if k != "evidence"}
    data["end"] = data.get("end") or None
    if kind == "education":
        data["level"] = data.get("level") or None
        data["study_mode"] = data.get("study_mode") or None
    return data


@login_required
@never_cache
def history_list(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in HISTORY_KINDS:
        raise Http404
    user = actor(request)
    form = HISTORY_KINDS[kind](request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.history_create(
                kind=kind, user=user, data=_entry_data(kind, form.cleaned_data), evidence=request.FILES.get("evidence")
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status if exc.status in (400, 403, 409) else 400
        else:
            messages.success(request, _("Saved."))
            return redirect("profiles:history_list", kind=kind)
    entries = selectors.education_for_user(user) if kind == "education" else selectors.work_for_user(user)
    return render(
        request,
        "profiles/history_list.html",
        {"kind": kind, "form": form, "entries": entries, "verified": user.status == AccountStatus.VERIFIED},
        status=status,
    )


@login_required
@never_cache
def history_edit(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    if kind not in HISTORY_KINDS:
        raise Http404
    user = actor(request)
    entry = selectors.history_entry_get_for_actor(actor=user, kind=kind, id=entry_id)
    form = HISTORY_KINDS[kind](request.POST or None, request.FILES or None, initial=_entry_initial(kind, entry))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.history_update(
                kind=kind,
                user=user,
                entry_id=entry_id,
                data=_entry_data(kind, form.cleaned_data),
                evidence=request.FILES.get("evidence"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Saved."))
            return redirect("profiles:history_list", kind=kind)
    return render(request, "profiles/history_edit.html", {"kind": kind, "form": form, "entry": entry}, status=status)


@login_required
@require_POST
def history_delete(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    if kind not in HISTORY_KINDS:
        raise Http404
    try:
        services.history_delete(kind=kind, user=actor(request), entry_id=entry_id)
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.info(request, _("Deleted."))
    return redirect("profiles:history_list", kind=kind)


@login_required
def history_evidence(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    if kind not in HISTORY_KINDS:
        raise Http404
    data, content_type = services.history_evidence(kind=kind, user=actor(request), entry_id=entry_id)
    return file_response(
        data, content_type, f"{kind}-{entry_id}.{'pdf' if content_type == 'application/pdf' else 'jpg'}"
    )


@login_required
@never_cache
@role_required(Role.CHANGE_REVIEWER)
def review_queue(request: HttpRequest) -> HttpResponse:
    status = query_choice(request, "status", ProfileChangeStatus, default="pending")
    qs = selectors.change_request_queue(reviewer=actor(request), status=None if status == "all" else status)
    return render(
        request,
        "profiles/review_queue.html",
        {"requests": qs[:200], "status": status, "statuses": ProfileChangeStatus.choices},
    )


@login_required
@never_cache
@role_required(Role.CHANGE_REVIEWER)
def review_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    change = selectors.change_request_get_for_actor(actor=actor(request), id=request_id, acting=Acting.STAFF)
    form = DecisionForm(request.POST or None, kind=KIND)
    if decide_on_page(request, form, functools.partial(services.change_request_decide, request_id=change.pk)):
        return redirect("profiles:review_queue")
    status = 400 if request.method == "POST" else 200
    reason_label = services.REASON_CODES.get(change.reason_code, "")
    return render(
        request,
        "profiles/review_detail.html",
        {"change": change, "form": form, "reason_label": reason_label},
        status=status,
    )


@login_required
@role_required(Role.CHANGE_REVIEWER)
def review_proof(request: HttpRequest, request_id: int, proof_id: int) -> HttpResponse:
    data, content_type, name = services.change_request_proof_for_reviewer(
        reviewer=actor(request),
        request_id=request_id,
        proof_id=proof_id,
        client_address=ratelimit.client_address(request),
    )
    return file_response(
        data, content_type, f"proof-{request_id}-{proof_id}.{extension_for(content_type)}", display_name=name
    )
