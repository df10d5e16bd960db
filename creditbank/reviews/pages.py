"""What every reviewed request's staff pages share: the decision form and its handling.

A context's review page builds ``DecisionForm(kind=…)`` (the reasons come from the registry) and
hands the posted form to :func:`decide_on_page` with its own decide service; refusals land next
to their field, as on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.actor import actor
from creditbank.kernel import ratelimit
from creditbank.kernel.errors import DomainError
from creditbank.kernel.forms import apply_domain_error
from creditbank.reviews.domain.workflow import MAX_NOTE, Decision
from creditbank.reviews.reasons import reasons_for


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Decision.APPROVE.value, _("Approve")), (Decision.REJECT.value, _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason_code = forms.ChoiceField(label=_("Reason (required to reject)"), required=False, choices=[])
    note = forms.CharField(
        label=_("Note to the learner"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_NOTE
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((r.code, r.label) for r in reasons_for(kind).values())]
        self.fields["reason_code"].choices = choices  # type: ignore[attr-defined]


def decide_on_page(request: HttpRequest, form: DecisionForm, decide: Callable[..., Any]) -> bool:
    """Run ``decide(reviewer=…, decision=…, reason_code=…, note=…, client_address=…)`` with the
    posted form. True once decided (the learner is told by email); False with the refusal shown
    next to its field."""
    if not (request.method == "POST" and form.is_valid()):
        return False
    try:
        decide(
            reviewer=actor(request),
            decision=form.cleaned_data["decision"],
            reason_code=form.cleaned_data["reason_code"],
            note=form.cleaned_data["note"],
            client_address=ratelimit.client_address(request),
        )
    except DomainError as exc:
        apply_domain_error(form, exc)
        return False
    messages.success(request, gettext("Decision recorded; the learner has been notified."))
    return True
