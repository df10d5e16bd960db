"""Real-name verification pages: the learner's and the reviewer's. Thin over the services."""

from __future__ import annotations

import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role, role_required
from creditbank.identity import selectors, services
from creditbank.identity.api import photo_response
from creditbank.identity.forms import ReasonForm, VerificationForm
from creditbank.identity.models import VerificationAttempt, VerificationStatus
from creditbank.identity.reasons import ADVICE, KIND, REASONS
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error, query_choice, refusal_message
from creditbank.reviews.pages import DecisionForm, decide_on_page


@login_required
@never_cache
def verification(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    form = VerificationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.verification_submit(
                user=user,
                consent=bool(form.cleaned_data["consent"]),
                id_front=request.FILES.get("id_front"),
                id_back=request.FILES.get("id_back"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400 if exc.status < 500 else exc.status
        else:
            messages.success(
                request, _("Your photos were received. The automatic checks run now; a reviewer decides next.")
            )
            return redirect("identity:verification")
    state = selectors.verification_state(user)
    checks_running = state["status"] == VerificationStatus.PENDING and any(
        c["status"] == "queued" for c in state["checks"]
    )
    return render(
        request,
        "identity/verification.html",
        {"form": form, "state": state, "advice": ADVICE, "checks_running": checks_running},
        status=status,
    )


@login_required
@require_POST
def verification_withdraw(request: HttpRequest) -> HttpResponse:
    try:
        attempt = services.verification_withdraw(user=actor(request))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if attempt.status == VerificationStatus.WITHDRAWN:
            messages.info(request, _("Your verification was withdrawn and its photos deleted."))
        else:
            messages.info(request, _("Your verification was reset. You can start over."))
    return redirect("identity:verification")


@login_required
@never_cache
@role_required(Role.VERIFICATION_REVIEWER)
def review_queue(request: HttpRequest) -> HttpResponse:
    status = query_choice(request, "status", VerificationStatus, default="pending")
    flagged = request.GET.get("flagged") == "1"
    qs = selectors.verification_queue(
        reviewer=actor(request),
        status=None if status == "all" else status,
        flagged_only=flagged,
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "identity/review_queue.html",
        {"page": page, "status": status, "flagged": flagged, "statuses": VerificationStatus.choices},
    )


@login_required
@never_cache
@role_required(Role.VERIFICATION_REVIEWER)
def review_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.verification_get_for_actor(actor=actor(request), id=attempt_id, acting=Acting.STAFF)
    form = DecisionForm(request.POST or None, kind=KIND)
    if decide_on_page(request, form, functools.partial(services.verification_decide, attempt_id=attempt.pk)):
        return redirect("identity:review_queue")
    status = 400 if request.method == "POST" else 200
    return _detail_page(request, attempt, form, status=status)


def _age(born: date | None) -> int | None:
    if born is None:
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _detail_page(
    request: HttpRequest,
    attempt: VerificationAttempt,
    form: DecisionForm,
    *,
    status: int = 200,
    revealed: dict[str, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "identity/review_detail.html",
        {
            "attempt": attempt,
            # the age, not the birth date: the masked ID number plus the birth date is the whole number
            "age": _age(attempt.user.birth_date),
            "form": form,
            "reveal_form": ReasonForm(),
            "revealed": revealed,
            "reasons": REASONS,
        },
        status=status,
    )


@login_required
@role_required(Role.VERIFICATION_REVIEWER)
def review_photo(request: HttpRequest, attempt_id: int, side: str) -> HttpResponse:
    data = services.verification_photo_for_reviewer(
        reviewer=actor(request),
        attempt_id=attempt_id,
        side=side,
        client_address=ratelimit.client_address(request),
    )
    return photo_response(data, f"verification-{attempt_id}-{side}.jpg")


@login_required
@require_POST
@never_cache
@role_required(Role.VERIFICATION_REVIEWER)
def review_reveal(request: HttpRequest, attempt_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        values = services.verification_reveal_pii(
            reviewer=actor(request),
            attempt_id=attempt_id,
            reason=form.cleaned_data.get("reason", ""),
            client_address=ratelimit.client_address(request),
        )
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        # Shown once in this response, never stored in the session.
        attempt = selectors.verification_get_for_actor(actor=actor(request), id=attempt_id, acting=Acting.STAFF)
        return _detail_page(request, attempt, DecisionForm(kind=KIND), revealed=values)
    return redirect("identity:review_detail", attempt_id=attempt_id)


@login_required
@require_POST
@role_required(Role.VERIFICATION_REVIEWER)
def review_reset(request: HttpRequest, attempt_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        services.verification_staff_reset(
            staff=actor(request),
            attempt_id=attempt_id,
            reason=form.cleaned_data.get("reason", ""),
            client_address=ratelimit.client_address(request),
        )
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, _("The verification was reset; the learner must verify again."))
    return redirect("identity:review_detail", attempt_id=attempt_id)
