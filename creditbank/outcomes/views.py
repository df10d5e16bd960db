"""Pages of the outcomes context: the learner's outcomes and certification, the certification
queue, and the public certification standards. Thin: services and selectors do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role, has_role
from creditbank.accounts.selectors import user_require_verified
from creditbank.institutions.selectors import institution_get_for_actor, institutions_administered
from creditbank.kernel import ratelimit
from creditbank.kernel.documents import extension_for
from creditbank.kernel.downloads import private_file_response
from creditbank.kernel.errors import DomainError, PermissionDenied
from creditbank.kernel.forms import apply_domain_error
from creditbank.outcomes import selectors, services
from creditbank.outcomes.forms import (
    CertificationDecisionForm,
    EvidenceForm,
    NewOutcomeForm,
    OutcomeForm,
    RevocationForm,
    StandardForm,
)
from creditbank.outcomes.models import Outcome, OutcomeStatus, OutcomeType
from creditbank.outcomes.reasons import KIND
from creditbank.reviews.reasons import reason_as_dict


def _verified(request: HttpRequest) -> Any:
    user = actor(request)
    try:
        user_require_verified(user)
    except PermissionDenied as refused:
        return user, refused.message
    return user, None


@login_required
@never_cache
@require_safe
def outcome_list(request: HttpRequest) -> HttpResponse:
    user, not_verified = _verified(request)
    if not_verified:
        return render(request, "outcomes/list.html", {"not_verified": not_verified})
    page = Paginator(selectors.outcomes_for_user(user), 20).get_page(request.GET.get("page"))
    return render(request, "outcomes/list.html", {"page": page})


def _save(request: HttpRequest, form: OutcomeForm, call: Any) -> tuple[Any, int]:
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        return call(form.data_for_service()), 200
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None, 400 if exc.status < 500 else exc.status


@login_required
@never_cache
def outcome_new(request: HttpRequest) -> HttpResponse:
    user, not_verified = _verified(request)
    if not_verified:
        return render(request, "outcomes/list.html", {"not_verified": not_verified})
    form = NewOutcomeForm(request.POST or None, request.FILES or None)
    files = request.FILES.getlist("evidence")
    saved, status = _save(
        request, form, lambda data: services.outcome_self_report(user=user, data=data, evidence=files)
    )
    if saved is not None:
        messages.success(request, _("Outcome recorded. Check it, then apply for certification."))
        return redirect("outcomes:detail", outcome_id=saved.pk)
    return render(request, "outcomes/form.html", {"form": form, "new": True}, status=status)


@login_required
@never_cache
def outcome_edit(request: HttpRequest, outcome_id: int) -> HttpResponse:
    user = actor(request)
    outcome = selectors.outcome_get_for_actor(actor=user, id=outcome_id)
    initial = {
        "type": outcome.type, "title": outcome.title, "code": outcome.code, "issuer": outcome.issuer,
        "achieved_on": outcome.achieved_on.isoformat(), "credits": f"{outcome.credits}",
        "hours": f"{outcome.hours}" if outcome.hours else "", "result_scheme": outcome.result_scheme,
        "result_value": outcome.result_value, "level": outcome.level or "",
        "expires_on": outcome.expires_on.isoformat() if outcome.expires_on else "",
    }  # fmt: skip
    form = OutcomeForm(request.POST or None, initial=initial)
    saved, status = _save(
        request, form, lambda data: services.outcome_update(user=user, outcome_id=outcome.pk, data=data)
    )
    if saved is not None:
        messages.success(request, _("Outcome saved."))
        return redirect("outcomes:detail", outcome_id=outcome.pk)
    return render(request, "outcomes/form.html", {"form": form, "outcome": outcome}, status=status)


def _next_step(outcome: Outcome, application: Any) -> str:
    if outcome.status == OutcomeStatus.DRAFT and not outcome.evidence.exists():
        return _("Add evidence (a certificate or transcript), then apply for certification.")
    if outcome.status in (OutcomeStatus.DRAFT, OutcomeStatus.REJECTED) and outcome.source == "self_reported":
        return _("Apply for certification: a reviewer checks the outcome and its evidence.")
    if outcome.status == OutcomeStatus.PENDING:
        return _("Waiting for a reviewer's decision. We will email you; nothing can be changed meanwhile.")
    if outcome.status == OutcomeStatus.CERTIFIED:
        return _("Certified: the credits are in your credit account.")
    return ""


@login_required
@never_cache
def outcome_detail(request: HttpRequest, outcome_id: int) -> HttpResponse:
    user = actor(request)
    outcome = selectors.outcome_get_for_actor(actor=user, id=outcome_id)
    application = outcome.applications.order_by("-created_at", "-id").first()
    form = EvidenceForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        try:
            services.outcome_evidence_add(user=user, outcome_id=outcome.pk, evidence=request.FILES.getlist("evidence"))
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
        else:
            messages.success(request, _("Evidence added."))
            return redirect("outcomes:detail", outcome_id=outcome.pk)
    editable = outcome.source == "self_reported" and outcome.status in (OutcomeStatus.DRAFT, OutcomeStatus.REJECTED)
    return render(
        request,
        "outcomes/detail.html",
        {
            "outcome": outcome,
            "application": application,
            "reason": reason_as_dict(KIND, application.reason_code)
            if application and application.reason_code
            else None,
            "editable": editable,
            "form": form,
            "next_step": _next_step(outcome, application),
        },
        status=status,
    )


@login_required
@require_POST
def outcome_apply(request: HttpRequest, outcome_id: int) -> HttpResponse:
    try:
        services.certification_apply(user=actor(request), outcome_id=outcome_id)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Application sent. A reviewer will decide; we will email you."))
    return redirect("outcomes:detail", outcome_id=outcome_id)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    user = actor(request)
    application = selectors.application_get_for_actor(actor=user, id=application_id, acting=Acting.OWNER)
    try:
        services.certification_withdraw(user=user, application_id=application.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.info(request, _("The application was withdrawn; you may change the outcome and apply again."))
    return redirect("outcomes:detail", outcome_id=application.outcome_id)


@login_required
@require_safe
def evidence_file(request: HttpRequest, outcome_id: int, evidence_id: int) -> HttpResponse:
    data, content_type, name = services.evidence_for_owner(
        user=actor(request), outcome_id=outcome_id, evidence_id=evidence_id
    )
    ext = extension_for(content_type)
    return private_file_response(data, content_type, f"evidence-{outcome_id}-{evidence_id}.{ext}", display_name=name)


# --- reviewers ---------------------------------------------------------------------------


def _require_reviewer(request: HttpRequest) -> Any:
    user = actor(request)
    if not selectors.may_review_certifications(user):
        raise Http404
    return user


@login_required
@never_cache
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _require_reviewer(request)
    status = request.GET.get("status", "pending")
    qs = selectors.certification_queue(reviewer=user, status=None if status == "all" else status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "outcomes/review_queue.html", {"page": page, "status": status})


@login_required
@never_cache
def review_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _require_reviewer(request)
    application = selectors.application_get_for_actor(actor=user, id=application_id, acting=Acting.STAFF)
    form = CertificationDecisionForm(request.POST or None, kind=KIND)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.certification_decide(
                    reviewer=user, application_id=application.pk, decision=form.cleaned_data["decision"],
                    reason_code=form.cleaned_data["reason_code"], note=form.cleaned_data["note"],
                    credits=form.cleaned_data["credits"] or None, adjust_reason=form.cleaned_data["adjust_reason"],
                    client_address=ratelimit.client_address(request),
                )  # fmt: skip
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Decision recorded; the learner has been notified."))
                return redirect("outcomes:review_queue")
    return render(
        request,
        "outcomes/review_detail.html",
        {
            "application": application,
            "outcome": application.outcome,
            "form": form,
            "reason": reason_as_dict(KIND, application.reason_code) if application.reason_code else None,
        },
        status=status,
    )


@login_required
@require_safe
def review_evidence(request: HttpRequest, application_id: int, evidence_id: int) -> HttpResponse:
    data, content_type, name = services.certification_evidence_for_reviewer(
        reviewer=_require_reviewer(request), application_id=application_id, evidence_id=evidence_id,
        client_address=ratelimit.client_address(request),
    )  # fmt: skip
    ext = extension_for(content_type)
    return private_file_response(
        data, content_type, f"evidence-{application_id}-{evidence_id}.{ext}", display_name=name
    )


# --- public standards --------------------------------------------------------------------


@require_safe
def standard_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    outcome_type = request.GET.get("type", "")
    if outcome_type not in OutcomeType.values:
        outcome_type = ""
    qs = selectors.standards_published(q=q, outcome_type=outcome_type, owner=request.GET.get("owner", "")[:32])
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request, "outcomes/standards.html", {"page": page, "q": q, "type": outcome_type, "types": OutcomeType.choices}
    )


@require_safe
def standard_detail(request: HttpRequest, standard_id: int) -> HttpResponse:
    standard = selectors.standard_get_public(standard_id)
    versions = selectors.standard_versions(standard.series)
    return render(request, "outcomes/standard.html", {"standard": standard, "versions": versions})


# --- an institution's issuers: the outcomes it deposited ---------------------------------


@login_required
@never_cache
def institution_outcomes(request: HttpRequest, code: str) -> HttpResponse:
    """The outcomes the institution deposited, searchable, each revocable with a reason."""
    user = actor(request)
    institution = institution_get_for_actor(actor=user, code=code, role=Role.INSTITUTION_ISSUER, acting=Acting.OWNER)
    form = RevocationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.outcome_revoke(
                    institution=institution, outcome_id=form.cleaned_data["outcome_id"],
                    reason=form.cleaned_data["reason"], actor=user, revoked_by=f"user:{user.pk}",
                    client_address=ratelimit.client_address(request),
                )  # fmt: skip
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("The outcome was revoked and its credits reversed; the learner is told."))
                return redirect("outcomes:institution_outcomes", code=institution.code)
    q = request.GET.get("q", "")[:64].strip()
    page = Paginator(selectors.deposited_outcomes(institution=institution, q=q), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "outcomes/institution_outcomes.html",
        {"institution": institution, "page": page, "q": q, "form": form},
        status=status,
    )


# --- standards editors: bank staff, an institution's administrators ----------------------


def _owners(user: Any) -> list[tuple[str, str]]:
    owners = [("", _("The credit bank"))] if has_role(user, Role.STANDARDS_EDITOR) else []
    owners += [(i.code, i.name()) for i in institutions_administered(user=user)]
    return owners


def _standard_data(form: StandardForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "owner"}


@login_required
@never_cache
def standards_manage(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    owners = _owners(user)
    if not owners:
        raise Http404
    form = StandardForm(request.POST or None, owners=owners)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                made = services.standard_create(actor=user, owner=form.cleaned_data["owner"], data=_standard_data(form))
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Draft saved. Check it, then publish it."))
                return redirect("outcomes:standard_edit", standard_id=made.pk)
    page = Paginator(selectors.standards_for_editor(actor=user), 20).get_page(request.GET.get("page"))
    return render(request, "outcomes/standards_manage.html", {"page": page, "form": form}, status=status)


@login_required
@never_cache
def standard_edit(request: HttpRequest, standard_id: int) -> HttpResponse:
    user = actor(request)
    standard = selectors.standard_get_for_editor(actor=user, id=standard_id)
    initial = {
        "title_zh": standard.title_zh, "title_en": standard.title_en, "credits": f"{standard.credits}",
        "level": standard.level or "", "evidence_zh": standard.evidence_zh, "evidence_en": standard.evidence_en,
        "validity_months": standard.validity_months or "", "valid_from": standard.valid_from.isoformat(),
    }  # fmt: skip
    form = StandardForm(request.POST or None, initial=initial, owners=[], fixed_key=True)
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action", "save")
        try:
            if action == "publish":
                services.standard_publish(actor=user, standard_id=standard.pk)
                messages.success(request, _("Published. This version can no longer change."))
            elif action == "revise":
                standard = services.standard_revise(actor=user, standard_id=standard.pk)
                messages.success(request, _("A new draft version was made: edit it, then publish it."))
            elif action == "retire":
                services.standard_retire(actor=user, standard_id=standard.pk)
                messages.success(request, _("The standard was retired: it certifies nothing from now on."))
            elif form.is_valid():
                services.standard_update(actor=user, standard_id=standard.pk, data=_standard_data(form))
                messages.success(request, _("Draft saved. Check it, then publish it."))
            else:
                raise _FormInvalid
        except DomainError as exc:
            apply_domain_error(form, exc)
        except _FormInvalid:
            pass
        else:
            return redirect("outcomes:standard_edit", standard_id=standard.pk)
    return render(request, "outcomes/standard_edit.html", {"standard": standard, "form": form}, status=status)


class _FormInvalid(Exception):
    pass
