"""The forms of the credits pages: the entries' filter, the staff look-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.ledger.labels import KIND_LABELS, TYPE_LABELS
from creditbank.ledger.selectors import ENTRY_TYPES, REASON_MAX

#: The query parameters of the filter (the API's too): ``from`` and ``to`` are Python keywords,
#: so the fields are added by name.
FILTER_FIELDS = ("kind", "type", "from", "to")


class EntryFilterForm(forms.Form):
    """Narrow the entries by kind, outcome type and days (both included). Formats are checked
    here; the rules between fields (``to`` not before ``from``) by ``selectors.entry_filter``,
    whose refusals go next to the field (``kernel.forms.apply_domain_error``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(
            label=_("Kind"), required=False, choices=[("", _("All")), *((k, v) for k, v in KIND_LABELS.items())]
        )
        self.fields["type"] = forms.ChoiceField(
            label=_("Outcome type"),
            required=False,
            choices=[("", _("All")), *((t, TYPE_LABELS[t]) for t in ENTRY_TYPES)],
        )
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )


class StaffLookupForm(forms.Form):
    account_no = forms.CharField(label=_("Learner's account number"), max_length=32)
    reason = forms.CharField(
        label=_("Why do you need to see this credit account?"),
        max_length=REASON_MAX,
        required=False,
        help_text=_("Recorded in the audit log with each view. Do not write personal data here."),
    )
