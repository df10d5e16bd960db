"""The credits pages: the learner's (我的学分: balances, charts, entries, CSV statement) and the
bank staff's audited view of any learner's account (学分账户查询)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.roles import Acting, Role, role_required
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError, PermissionDenied
from creditbank.kernel.forms import apply_domain_error
from creditbank.ledger import selectors
from creditbank.ledger.charts import stacked_bars
from creditbank.ledger.domain.postings import OUTCOME_TYPES, UNSPECIFIED, own_changes
from creditbank.ledger.forms import FILTER_FIELDS, EntryFilterForm, StaffLookupForm
from creditbank.ledger.labels import kind_label, side_label, type_label
from creditbank.ledger.models import CreditAccount
from creditbank.ledger.references import describe_entry_applications, describe_outcomes, entry_application
from creditbank.ledger.statements import statement_filename, statement_response

PAGE_SIZE = 20
#: How long a staff member's stated reason covers their views of one account (session).
STAFF_VIEW_MINUTES = 30
STAFF_VIEWS = "ledger.staff_views"
TYPE_ORDER = (*OUTCOME_TYPES, UNSPECIFIED)


# --- the filter --------------------------------------------------------------------------------


def _filter(request: HttpRequest) -> tuple[EntryFilterForm, selectors.EntryFilter | None]:
    """The filter form of the query string and the filter it makes (None: a field is wrong;
    the form then carries the messages next to the fields)."""
    asked = any(request.GET.get(name) for name in FILTER_FIELDS)
    form = EntryFilterForm(request.GET if asked else None)
    if not asked:
        return form, selectors.EntryFilter()
    form.is_valid()  # the fields that are well-formed are in cleaned_data: check those together too
    data = form.cleaned_data
    try:
        filters = selectors.entry_filter(
            kind=data.get("kind"), outcome_type=data.get("type"), day_from=data.get("from"), day_to=data.get("to")
        )
    except DomainError as refused:
        apply_domain_error(form, refused)
    return (form, None) if form.errors else (form, filters)


# --- what the pages show ------------------------------------------------------------------------


def _entry_rows(entries: Any) -> list[dict[str, Any]]:
    outcomes = describe_outcomes({e.outcome_id for e in entries})
    applications = describe_entry_applications(entries)
    rows = []
    for entry in entries:
        available, frozen = own_changes(entry.debit, entry.credit, entry.amount)
        change = available + frozen
        rows.append(
            {
                "entry": entry,
                "label": kind_label(entry.kind),
                "type": type_label(entry.outcome_type) if entry.outcome_type else "",
                "change": change,
                # a move that leaves the bank credits' total as it is (between the learner's own
                # sub-accounts, or into or out of a programme's credits): from where to where
                "move": ""
                if change
                else f"{side_label(entry.debit, entry.programme)} → {side_label(entry.credit, entry.programme)}",
                "outcome": outcomes.get(entry.outcome_id) if entry.outcome_id else None,
                "application": entry_application(entry, applications),
            }
        )
    return rows


def _ordered(types: Any) -> list[str]:
    """Outcome types in the contract's order, any other after them by name."""
    present = set(types)
    return [t for t in TYPE_ORDER if t in present] + sorted(present - set(TYPE_ORDER))


def _charts(account: CreditAccount | None, balances: selectors.CreditBalances) -> dict[str, Any]:
    """Credits by outcome type (held now) and by year (the change in each year, by type), as
    charts and as the tables that give their figures."""
    types = _ordered(balances.by_type)
    years = selectors.credits_by_year(account)
    year_types = _ordered({t for y in years for t in y.by_type})
    return {
        "by_type_chart": stacked_bars([(type_label(t), {t: balances.by_type[t]}) for t in types], keys=types),
        "by_type_rows": [(type_label(t), balances.by_type[t]) for t in types],
        "by_year_chart": stacked_bars([(str(y.year), y.by_type) for y in years], keys=year_types),
        "year_types": [type_label(t) for t in year_types],
        "year_rows": [(y.year, [y.by_type.get(t) for t in year_types], y.total) for y in years],
        "legend": [(t, type_label(t)) for t in year_types],
    }


def _account_context(request: HttpRequest, account: CreditAccount | None) -> tuple[dict[str, Any], int]:
    """What the learner's page and the staff view both show of ``account``, and the status."""
    form, filters = _filter(request)
    balances = selectors.credit_balances(account)
    context: dict[str, Any] = {"balances": balances, "form": form, "filters": filters, **_charts(account, balances)}
    if filters is None:
        return context, 400
    page = Paginator(selectors.entries_of(account, filters).select_related("reverses"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = filters.query()
    context.update(
        page=page,
        rows=_entry_rows(list(page)),
        filtered=bool(query),
        query=urlencode(query),
    )
    return context, 200


# --- the learner's page ---------------------------------------------------------------------------


@login_required
@never_cache
@require_safe
def credits_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        user_require_verified(user)
    except PermissionDenied as refused:
        return render(request, "ledger/credits.html", {"not_verified": refused.message})
    context, status = _account_context(request, selectors.credit_account_of(user))
    if status == 200:
        context["export_url"] = reverse("ledger:credits_export") + (f"?{context['query']}" if context["query"] else "")
    return render(request, "ledger/credits.html", context, status=status)


@login_required
@never_cache
@require_safe
def credits_export(request: HttpRequest) -> HttpResponseBase:
    """The entries the page's filter selects as a CSV statement (a wrong filter: back to the
    page, which says what is wrong next to the field)."""
    user = actor(request)
    try:
        user_require_verified(user)
    except PermissionDenied:
        return redirect("ledger:credits")
    _form, filters = _filter(request)
    if filters is None:
        return redirect(reverse("ledger:credits") + "?" + request.GET.urlencode())
    entries = selectors.entries_of(selectors.credit_account_of(user), filters)
    return statement_response(entries, filename=statement_filename(user.account_no))


# --- the staff view -------------------------------------------------------------------------------


def _grant(request: HttpRequest, account_id: int) -> str | None:
    """The reason the staff member gave for this account in this session, while it holds."""
    granted = request.session.get(STAFF_VIEWS, {}).get(str(account_id))
    if not granted or granted.get("until", 0) < timezone.now().timestamp():
        return None
    return str(granted["reason"])


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@role_required(Role.LEDGER_AUDITOR)
def staff_lookup(request: HttpRequest) -> HttpResponse:
    """Find a learner's credit account by account number, saying why (each later view of it is
    recorded in the audit log with that reason)."""
    form = StaffLookupForm(request.POST or None, initial={"account_no": request.GET.get("account_no", "")})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            account_id, reason = selectors.credit_account_locate_for_staff(
                actor=actor(request), account_no=form.cleaned_data["account_no"], reason=form.cleaned_data["reason"]
            )
        except DomainError as refused:
            if refused.status == 404:
                form.add_error("account_no", str(refused.message))
            else:
                apply_domain_error(form, refused)
            status = 400
        else:
            views = dict(request.session.get(STAFF_VIEWS, {}))
            until = (timezone.now() + timedelta(minutes=STAFF_VIEW_MINUTES)).timestamp()
            views[str(account_id)] = {"reason": reason, "until": until}
            request.session[STAFF_VIEWS] = views
            return redirect("ledger:staff_account", account_id=account_id)
    elif request.method == "POST":
        status = 400
    return render(request, "ledger/staff_lookup.html", {"form": form}, status=status)


@login_required
@never_cache
@require_safe
@role_required(Role.LEDGER_AUDITOR)
def staff_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """A learner's credit account as its owner sees it, for bank staff: every view is recorded in
    the audit log with the reason given at the look-up."""
    reason = _grant(request, account_id)
    if reason is None:
        messages.info(request, _("Say why you need to see this credit account first."))
        return redirect("ledger:staff_lookup")
    account = selectors.credit_account_get_for_actor(
        actor=actor(request),
        id=account_id,
        acting=Acting.STAFF,
        reason=reason,
        client_address=ratelimit.client_address(request),
    )
    context, status = _account_context(request, account)
    context.update(account=account, learner=account.user, reason=reason, staff=True)
    return render(request, "ledger/staff_account.html", context, status=status)
