"""Pages of the rules context: the public catalogue of conversion rules (认证和转换规则查询) with
each rule in plain language and, for a verified learner, what their certified outcomes would
convert into; and the authors' pages of an institution's rules (a form for the common cases, a
preview against a sample outcome, publish, new version, retire). Thin: services and selectors
do the work; ``plain`` says it in words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.selectors import user_require_verified
from creditbank.institutions.selectors import institution_find_active, institutions_listed, programmes_with_courses
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied
from creditbank.outcomes.selectors import certified_facts
from creditbank.rules import plain, selectors, services
from creditbank.rules.domain.evaluator import Decision
from creditbank.rules.domain.rule import RuleVersion, parse_rule
from creditbank.rules.forms import RuleForm, RuleImportForm, RuleSearchForm
from creditbank.rules.models import ConversionRule, RuleStatus

#: The page the learners' conversion pages answer a ``POST`` of ``outcome_ids`` at.
APPLY_PATH = "/conversions/apply/{rule_id}/"


# --- names of the codes a rule names -------------------------------------------------------


class _Names:
    """Display names, in the active language, of the institutions, programmes and courses that
    rules name (read once per page): a rule's own map is its institution's and programme's."""

    def __init__(self, institution_codes: Iterable[str]) -> None:
        self.institutions = {i.code: i.name() for i in institutions_listed()}
        self.programmes: dict[tuple[str, str], Any] = {
            (p.institution.code, p.code): p for p in programmes_with_courses(set(institution_codes))
        }

    def programme(self, rule: ConversionRule) -> str:
        found = self.programmes.get((rule.institution.code, rule.programme_code))
        return found.name() if found is not None else ""

    def course(self, rule: ConversionRule) -> str:
        found = self.programmes.get((rule.institution.code, rule.programme_code))
        if found is None or not rule.course_code:
            return ""
        return next((c.name() for c in found.courses.all() if c.code == rule.course_code), "")

    def for_rule(self, rule: ConversionRule) -> dict[str, str]:
        names = dict(self.institutions)
        found = self.programmes.get((rule.institution.code, rule.programme_code))
        if found is not None:
            names.update({c.code: c.name() for c in found.courses.all()})
            names[found.code] = found.name()
        names[rule.institution.code] = rule.institution.name()
        return names


@dataclass(frozen=True)
class RuleRow:
    rule: ConversionRule
    programme_name: str
    course_name: str
    summary: str


def _describe(rule: ConversionRule, names: _Names) -> list[str]:
    return plain.describe_rule(selectors.rule_record(rule), names=names.for_rule(rule))


def _exempts(decision: Decision | None, names: dict[str, str]) -> str:
    """The course a decision exempts, by name and code where the name is known."""
    code = decision.exempts_course if decision is not None else None
    if not code or not names.get(code):
        return code or ""
    return pgettext("a name and its code", "%(name)s (%(code)s)") % {"name": names[code], "code": code}


# --- the public catalogue ------------------------------------------------------------------


@require_safe
def rule_list(request: HttpRequest) -> HttpResponse:
    """Published (and retired) conversion rules, searchable; each row in plain language."""
    form = RuleSearchForm(request.GET or None, institutions=[(i.code, i.name()) for i in institutions_listed()])
    filters = form.filters()
    page = Paginator(selectors.rules_public(**filters), 20).get_page(request.GET.get("page"))
    rules = list(page.object_list)
    names = _Names(r.institution.code for r in rules)
    rows = [RuleRow(r, names.programme(r), names.course(r), _describe(r, names)[0]) for r in rules]
    query = {k: v for k, v in filters.items() if v}
    return render(request, "rules/list.html", {"form": form, "page": page, "rows": rows, "query": query})


@dataclass(frozen=True)
class Check:
    """What the learner's certified outcomes would convert into by this rule, in words."""

    decision: Decision | None
    refusal: str
    trace: list[str]
    outcomes: list[Any]
    exempts_label: str = ""
    #: why no check ran (not signed in, not verified, not in force): in words
    unavailable: str = ""


def _check(request: HttpRequest, rule: ConversionRule, names: dict[str, str]) -> Check | None:
    user = request.user
    if not user.is_authenticated:
        return None
    try:
        user_require_verified(actor(request))
        found = services.conversion_preview(user=actor(request), rule_id=rule.pk)
    except PermissionDenied as refused:
        return Check(None, "", [], [], unavailable=str(refused.message))
    except NotFound:
        return Check(
            None, "", [], [], unavailable=_("This rule is not in force today: nothing can be converted by it.")
        )
    decision = found[0].decision
    refusal = plain.explain_refusal(decision.refusal) if decision.refusal else ""
    trace = [plain.explain_check(c, names=names) for c in decision.trace]
    outcomes = certified_facts(actor(request))
    return Check(decision, refusal, trace, outcomes, exempts_label=_exempts(decision, names))


@require_safe
def rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    """One version in plain language, its versions, hash and validity; for a verified learner,
    what their certified outcomes would convert into, and the form to apply."""
    rule = selectors.rule_get_public(rule_id)
    names = _Names([rule.institution.code])
    rule_names = names.for_rule(rule)
    versions = selectors.rule_versions(rule.series).filter(status__in=selectors.VISIBLE).order_by("version")
    check = _check(request, rule, rule_names)
    response = render(
        request,
        "rules/detail.html",
        {
            "rule": rule,
            "sentences": plain.describe_rule(selectors.rule_record(rule), names=rule_names),
            "programme_name": names.programme(rule),
            "course_name": names.course(rule),
            "versions": versions,
            "superseded_from": selectors.superseded_from(rule),
            "check": check,
            "apply_url": APPLY_PATH.format(rule_id=rule.pk),
        },
    )
    if request.user.is_authenticated:
        response["Cache-Control"] = "private, no-store"
    return response


# --- authors: an institution's administrators, bank staff holding the rules role ----------


def _institution(request: HttpRequest, code: str) -> Any:
    institution = institution_find_active(code)
    if institution is None or not selectors.may_edit_rules(actor(request), institution=institution):
        raise Http404
    return institution


def _targets(institution: Any) -> list[Any]:
    return list(programmes_with_courses([institution.code]))


@dataclass(frozen=True)
class Preview:
    sentences: list[str]
    decision: Decision
    refusal: str
    trace: list[str]
    exempts_label: str


def _preview(user: Any, form: RuleForm, institution: Any) -> Preview | None:
    """The rule as written, described and tried against the sample outcome; errors on the form."""
    data = form.rule_data(institution.code)
    try:
        decision = services.rule_try(actor=user, data=data, sample=form.sample_data())
        record: RuleVersion = parse_rule(data, code=str(data["code"] or "PREVIEW").upper(), version=1)
    except DomainError as exc:
        form.add_domain_error(exc, sample=True)
        return None
    names = {institution.code: institution.name(), **form.target_names()}
    names.update({i.code: i.name() for i in institutions_listed()})
    return Preview(
        sentences=plain.describe_rule(record, names=names),
        decision=decision,
        refusal=plain.explain_refusal(decision.refusal) if decision.refusal else "",
        trace=[plain.explain_check(c, names=names) for c in decision.trace],
        exempts_label=_exempts(decision, names),
    )


@login_required
@never_cache
def rules_manage(request: HttpRequest, code: str) -> HttpResponse:
    """The institution's rules in every status, and the form for a new rule (draft), with a
    preview against a sample outcome."""
    user = actor(request)
    institution = _institution(request, code)
    form = RuleForm(request.POST if request.method == "POST" else None, programmes=_targets(institution))
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action", "save")
        if form.is_valid():
            if action == "preview":
                preview = _preview(user, form, institution)
                status = 200 if preview is not None else 400
            else:
                try:
                    made = services.rule_create(actor=user, data=form.rule_data(institution.code))
                except DomainError as exc:
                    form.add_domain_error(exc)
                else:
                    messages.success(request, _("Draft saved. Preview it against a sample outcome, then publish it."))
                    return redirect("rules:edit", code=institution.code, rule_id=made.pk)
    rules = selectors.rules_for_editor(actor=user).filter(institution=institution)
    page = Paginator(rules, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "rules/manage.html",
        {"institution": institution, "page": page, "form": form, "preview": preview},
        status=status,
    )


@login_required
@never_cache
def rule_edit(request: HttpRequest, code: str, rule_id: int) -> HttpResponse:
    """One version for its authors: a draft's form (save, preview, publish); a published
    version's new version and retirement; the public page once published."""
    user = actor(request)
    institution = _institution(request, code)
    rule = selectors.rule_get_for_editor(actor=user, id=rule_id)
    if rule.institution_id != institution.pk:
        raise Http404
    draft = rule.status == RuleStatus.DRAFT
    form = RuleForm(
        request.POST if request.method == "POST" and draft else None,
        initial=RuleForm.initial_from(rule),
        programmes=_targets(institution),
        fixed_code=True,
    )
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        action = request.POST.get("action", "save")
        try:
            if action == "publish":
                if not draft or form.is_valid():
                    if draft:
                        services.rule_update(actor=user, rule_id=rule.pk, data=form.rule_data(institution.code))
                    services.rule_publish(actor=user, rule_id=rule.pk)
                    messages.success(
                        request, _("Published. This version can no longer change; learners can apply by it.")
                    )
                    return redirect("rules:edit", code=institution.code, rule_id=rule.pk)
            elif action == "revise":
                made = services.rule_revise(actor=user, rule_id=rule.pk)
                messages.success(request, _("A new draft version was made: edit it, then publish it."))
                return redirect("rules:edit", code=institution.code, rule_id=made.pk)
            elif action == "retire":
                services.rule_retire(actor=user, rule_id=rule.pk)
                messages.success(request, _("The rule was retired: it converts nothing from now on."))
                return redirect("rules:edit", code=institution.code, rule_id=rule.pk)
            elif action == "preview" and form.is_valid():
                preview = _preview(user, form, institution)
                status = 200 if preview is not None else 400
            elif action == "save" and form.is_valid():
                services.rule_update(actor=user, rule_id=rule.pk, data=form.rule_data(institution.code))
                messages.success(request, _("Draft saved. Preview it against a sample outcome, then publish it."))
                return redirect("rules:edit", code=institution.code, rule_id=rule.pk)
        except NotFound:
            raise
        except DomainError as exc:
            if draft:
                form.add_domain_error(exc)
            else:
                messages.error(request, str(exc.message))
                return redirect("rules:edit", code=institution.code, rule_id=rule.pk)
    names = _Names([institution.code])
    return render(
        request,
        "rules/edit.html",
        {
            "institution": institution,
            "rule": rule,
            "draft": draft,
            "form": form,
            "preview": preview,
            "sentences": _describe(rule, names),
            "versions": selectors.rule_versions(rule.series).order_by("version"),
        },
        status=status,
    )


@login_required
@never_cache
def rules_import(request: HttpRequest, code: str) -> HttpResponse:
    """Rules from a JSON file, each row checked on its own: the rows created and every refused
    row with its reason."""
    user = actor(request)
    institution = _institution(request, code)
    form = RuleImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # a file over the limit is refused by its size, never read into memory
            data = upload.read() if upload.size <= services.MAX_IMPORT_BYTES else b" " * (services.MAX_IMPORT_BYTES + 1)
            try:
                report = services.rules_import_file(actor=user, data=data, publish=form.cleaned_data["publish"])
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                status = 200
    return render(
        request, "rules/import.html", {"institution": institution, "form": form, "report": report}, status=status
    )
