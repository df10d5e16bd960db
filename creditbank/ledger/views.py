"""The learner's credits page (我的学分): balances and the ledger entries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from creditbank.accounts.actor import actor
from creditbank.accounts.selectors import user_require_verified
from creditbank.kernel.errors import PermissionDenied
from creditbank.ledger import selectors
from creditbank.ledger.domain.postings import Kind

KIND_LABELS: dict[str, Any] = {
    Kind.DEPOSIT: _("Deposit"),
    Kind.FREEZE: _("Frozen for an application"),
    Kind.UNFREEZE: _("Released"),
    Kind.CONVERSION_DEBIT: _("Converted"),
    Kind.CONVERSION_CREDIT: _("Credited by conversion"),
    Kind.REVERSAL: _("Reversal"),
    Kind.EXPIRY: _("Expired"),
}
#: Kinds that take credits out of the available ones (shown with a minus sign).
OUTGOING = {Kind.FREEZE, Kind.CONVERSION_DEBIT, Kind.EXPIRY}


@login_required
@never_cache
@require_safe
def credits_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    try:
        user_require_verified(user)
    except PermissionDenied as refused:
        return render(request, "ledger/credits.html", {"not_verified": refused.message})
    account = selectors.credit_account_of(user)
    kind = request.GET.get("kind", "")
    if kind not in KIND_LABELS:
        kind = ""
    entries = selectors.entries_of(account, kind=kind or None).select_related("reverses")
    page = Paginator(entries, 20).get_page(request.GET.get("page"))
    rows = [
        {
            "entry": entry,
            "label": KIND_LABELS.get(entry.kind, entry.kind),
            "outgoing": entry.kind in OUTGOING or (entry.kind == Kind.REVERSAL and entry.debit == "available"),
        }
        for entry in page
    ]
    return render(
        request,
        "ledger/credits.html",
        {
            "balances": selectors.credit_balances(account),
            "page": page,
            "rows": rows,
            "kinds": list(KIND_LABELS.items()),
            "kind": kind,
        },
    )
