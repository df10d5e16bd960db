"""Pages of conversion applications (学分转换) and the pathway view: the learner's applications,
applying by a rule with a preview, the institution reviewers' queue and decision page, and the
pathways. Thin: services and selectors do the work; ``rules.plain`` says it in words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError, PermissionDenied
from creditbank.kernel.forms import apply_domain_error, query_choice, refusal_message
from creditbank.outcomes.selectors import certified_facts
from creditbank.reviews.pages import DecisionForm, decide_on_page
from creditbank.reviews.reasons import reason_as_dict
from creditbank.rules import plain, selectors, services
from creditbank.rules.conversion_forms import ConversionApplyForm, FlagResolutionForm
from creditbank.rules.domain.evaluator import Check, Decision
from creditbank.rules.models import ConversionApplication, ConversionRule, ConversionStatus
from creditbank.rules.reasons import KIND

PAGE_SIZE = 20


def _verified(request: HttpRequest) -> tuple[Any, str | None]:
    """The account, and what it lacks (the message names the next step) when it is not verified."""
    user = actor(request)
    try:
        user_require_verified(user)
    except PermissionDenied as refused:
        return user, str(refused.message)
    return user, None


def explained(
    trace: Iterable[Mapping[str, Any] | Check], names: Mapping[str, str], *, failed_only: bool = False
) -> list[dict[str, Any]]:
    """A decision's trace as plain lines ``{"text", "passed"}`` (``failed_only``: the ✗ lines)."""
    lines = []
    for item in trace:
        check = item if isinstance(item, Check) else Check(**item)
        if failed_only and check.passed:
            continue
        lines.append({"text": plain.explain_check(check, names=names), "passed": check.passed})
    return lines


def _described(rule: ConversionRule, names: Mapping[str, str]) -> list[str]:
    return plain.describe_rule(selectors.rule_record(rule), names=names)


def _learner_next_step(a: ConversionApplication) -> str:
    if a.status == ConversionStatus.PENDING:
        return _(
            "Waiting for the reviewers of %(institution)s. The credits of the outcomes used are frozen until they "
            "decide; we will email you. You may withdraw the application meanwhile."
        ) % {"institution": a.institution.name()}
    if a.status == ConversionStatus.APPROVED:
        return _("Converted: the credits are in your credit account under this programme (My credits, By programme).")
    if a.status == ConversionStatus.REJECTED:
        return _(
            "Not approved: the outcomes' credits are available again. Read the reason, then apply again or ask support."
        )
    return _("Withdrawn: the outcomes' credits are available again; you may apply again.")


# --- the learner's applications -------------------------------------------------------------


@login_required
@never_cache
@require_safe
def conversion_list(request: HttpRequest) -> HttpResponse:
    user, not_verified = _verified(request)
    if not_verified:
        return render(request, "rules/conversions/list.html", {"not_verified": not_verified})
    page = Paginator(selectors.conversions_for_user(user), PAGE_SIZE).get_page(request.GET.get("page"))
    names_by_rule: dict[int, dict[str, str]] = {}
    rows = []
    for a in page.object_list:
        names = names_by_rule.setdefault(a.rule_id, services.rule_names(a.rule))
        rows.append(
            {
                "application": a,
                "programme_name": names.get(a.programme_code, a.programme_code),
                "course": a.decision.get("exempts_course"),
                "lines": explained(a.decision.get("trace", []), names),
                "reason": reason_as_dict(KIND, a.reason_code) if a.reason_code else None,
                "next_step": _learner_next_step(a),
            }
        )
    return render(request, "rules/conversions/list.html", {"page": page, "rows": rows})


@login_required
@require_POST
def conversion_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    user = actor(request)
    try:
        services.conversion_withdraw(user=user, application_id=application_id)
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.info(request, _("The application was withdrawn; the outcomes' credits are available again."))
    return redirect("conversions:list")


def _selected(request: HttpRequest) -> list[int] | None:
    """The outcome ids in the query string (a preview), or None when none were named."""
    values = request.GET.getlist("outcome_ids")
    if not values:
        return None
    return sorted({int(v) for v in values if v.isdigit()})


def _preview(user: Any, rule: ConversionRule, ids: list[int] | None) -> Decision | None:
    try:
        found = services.conversion_preview(user=user, rule_id=rule.pk, outcome_ids=ids)
    except DomainError:
        return None
    return found[0].decision if found else None


@login_required
@never_cache
def conversion_apply(request: HttpRequest, rule_id: int) -> HttpResponse:
    """The rule in words, the learner's certified outcomes to choose, the decision they would get
    (a preview: the "Check" button, nothing written) and the application (POST)."""
    user, not_verified = _verified(request)
    rule = selectors.rule_get_public(rule_id)
    names = services.rule_names(rule)
    context: dict[str, Any] = {"rule": rule, "description": _described(rule, names), "not_verified": not_verified}
    if not_verified:
        return render(request, "rules/conversions/apply.html", context, status=403 if request.method == "POST" else 200)
    in_force = selectors.rule_in_force(id=rule.pk, on=timezone.localdate())
    context["in_force"] = in_force
    if in_force is None:
        context["refusal"] = plain.explain_refusal("rule_not_in_force")
        return render(request, "rules/conversions/apply.html", context, status=409 if request.method == "POST" else 200)
    if in_force.pk != rule.pk:
        context["description"] = _described(in_force, names)
    outcomes = certified_facts(user)
    context["outcomes"] = outcomes
    status = 200
    if request.method == "POST":
        form = ConversionApplyForm(request.POST, outcomes=outcomes)
        status = 400
        if form.is_valid():
            try:
                made = services.conversion_apply(
                    user=user, rule_id=rule.pk, outcome_ids=form.cleaned_data["outcome_ids"],
                    client_address=ratelimit.client_address(request),
                )  # fmt: skip
            except DomainError as exc:
                decision = exc.extra.get("decision")
                if decision:
                    context["refusal"] = str(exc.message)
                    context["failed"] = explained(decision["trace"], names, failed_only=True)
                    context["trace"] = explained(decision["trace"], names)
                    status = exc.status
                else:
                    apply_domain_error(form, exc)
            else:
                programme = names.get(made.programme_code, made.programme_code)
                if made.status == ConversionStatus.APPROVED:
                    messages.success(
                        request,
                        _("Converted: %(credits)s credits into %(programme)s.")
                        % {"credits": f"{made.credits:.2f}", "programme": programme},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Application sent: %(credits)s credits into %(programme)s once the institution's reviewers "
                            "approve. The outcomes' credits are frozen until then; we will email you."
                        )
                        % {"credits": f"{made.credits:.2f}", "programme": programme},
                    )
                return redirect("conversions:list")
        context["selected"] = set(form.cleaned_data.get("outcome_ids", [])) if hasattr(form, "cleaned_data") else set()
    else:
        asked = _selected(request)
        decision = _preview(user, in_force, asked) if outcomes else None
        if decision is not None:
            context["preview"] = decision
            context["preview_lines"] = explained(decision.trace, names)
            context["preview_failed"] = explained(decision.trace, names, failed_only=True)
            if decision.refusal is not None:
                context["preview_refusal"] = plain.explain_refusal(decision.refusal.value)
        if asked is not None:
            selected = set(asked)
        elif decision is not None and decision.eligible:
            selected = set(decision.consumed)  # the outcomes the rule would take, ticked for the learner
        else:
            selected = set()
        context["selected"] = selected
        context["previewed"] = asked is not None
        form = ConversionApplyForm(outcomes=outcomes)
    context["form"] = form
    context["course_name"] = names.get(in_force.course_code, in_force.course_code) if in_force.course_code else ""
    return render(request, "rules/conversions/apply.html", context, status=status)


# --- reviewers ------------------------------------------------------------------------------


def _require_reviewer(request: HttpRequest) -> Any:
    user = actor(request)
    if not selectors.may_review_conversions(user):
        raise Http404
    return user


@login_required
@never_cache
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _require_reviewer(request)
    status = query_choice(request, "status", [*ConversionStatus, selectors.FLAGGED], default="pending")
    qs = selectors.conversion_queue(reviewer=user, status=None if status == "all" else status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rules/conversions/review_queue.html", {"page": page, "status": status})


@login_required
@never_cache
def review_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _require_reviewer(request)
    application = selectors.conversion_get_for_actor(actor=user, id=application_id, acting=Acting.STAFF)
    form = DecisionForm(request.POST or None, kind=KIND)

    def decide(**arguments: Any) -> Any:
        return services.conversion_decide(application_id=application.pk, **arguments)

    flag_form = FlagResolutionForm(request.POST if "flag" in request.POST else None)
    if request.method == "POST" and "flag" in request.POST:
        if flag_form.is_valid():
            try:
                services.conversion_flag_resolve(
                    reviewer=user, application_id=application.pk, action=flag_form.cleaned_data["action"],
                    note=flag_form.cleaned_data["note"], client_address=ratelimit.client_address(request),
                )  # fmt: skip
            except DomainError as refused:
                apply_domain_error(flag_form, refused)
            else:
                messages.success(request, _("The flagged conversion is resolved; the learner is told."))
                return redirect("conversions:review_queue")
    elif decide_on_page(request, form, decide):
        return redirect("conversions:review_queue")
    names = services.rule_names(application.rule)
    titles = {o.id: o for o in certified_facts(application.user, [int(i) for i in application.outcome_ids])}
    return render(
        request,
        "rules/conversions/review_detail.html",
        {
            "application": application,
            "learner": application.user,
            "description": _described(application.rule, names),
            "programme_name": names.get(application.programme_code, application.programme_code),
            "course": application.decision.get("exempts_course"),
            "outcomes": [(int(i), titles.get(int(i))) for i in application.outcome_ids],
            "lines": explained(application.decision.get("trace", []), names),
            "form": form,
            "flag_form": flag_form,
            "flag_open": application.flagged_at is not None and not application.flag_resolution,
            "reason": reason_as_dict(KIND, application.reason_code) if application.reason_code else None,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- pathways -------------------------------------------------------------------------------


@login_required
@never_cache
@require_safe
def pathway_list(request: HttpRequest) -> HttpResponse:
    """Where the learner's certified outcomes would count: every programme, best first."""
    user, not_verified = _verified(request)
    if not_verified:
        return render(request, "rules/conversions/pathways.html", {"not_verified": not_verified})
    found = services.pathways(user)
    titles = {o.id: o.title for o in certified_facts(user)}
    rows = []
    for p in found:
        lines = [
            {
                "line": line,
                "description": plain.describe_rule(line.record, names=p.names),
                "outcomes": [(i, titles.get(i, "")) for i in line.outcome_ids],
                "trace": explained(line.decision.trace, p.names),
                "course_name": p.names.get(line.decision.exempts_course or "", line.decision.exempts_course or ""),
            }
            for line in p.lines
        ]
        rows.append({"pathway": p, "lines": lines, "reached": p.held + p.credits})
    return render(request, "rules/conversions/pathways.html", {"rows": rows, "has_outcomes": bool(titles)})
