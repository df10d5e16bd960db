"""Page forms of the outcomes context: thin; the services check every value."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.form_fields import MultipleFileField
from creditbank.outcomes.models import OutcomeType, ResultScheme
from creditbank.reviews.pages import DecisionForm


class OutcomeForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=OutcomeType.choices)
    title = forms.CharField(label=_("Title (course, certificate, training…)"), max_length=200)
    code = forms.CharField(label=_("Course or certificate code"), max_length=64, required=False)
    issuer = forms.CharField(
        label=_("Issuer"),
        max_length=200,
        help_text=_("The institution's code if it is a member of the bank, else its name."),
    )
    achieved_on = forms.CharField(label=_("Date achieved (YYYY-MM-DD)"), max_length=10)
    credits = forms.CharField(label=_("Credits"), max_length=12, help_text=_("For example 4.5"))
    hours = forms.CharField(label=_("Hours (optional)"), max_length=12, required=False)
    result_scheme = forms.ChoiceField(
        label=_("Result scheme"), choices=[("", "—"), *ResultScheme.choices], required=False
    )
    result_value = forms.CharField(label=_("Result"), max_length=16, required=False)
    level = forms.CharField(label=_("Level (1–10, optional)"), max_length=2, required=False)
    expires_on = forms.CharField(label=_("Expires on (optional, YYYY-MM-DD)"), max_length=10, required=False)

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("evidence", None)
        scheme, value = data.pop("result_scheme"), data.pop("result_value")
        data["result"] = {"scheme": scheme, "value": value} if (scheme or value) else None
        return data


class NewOutcomeForm(OutcomeForm):
    evidence = MultipleFileField(label=_("Evidence (photos or PDF, up to 5 files)"), required=False)


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("Add evidence (photos or PDF)"))


class CertificationDecisionForm(DecisionForm):
    credits = forms.CharField(
        label=_("Credits granted (approve; empty: the standard's)"), max_length=12, required=False
    )
    adjust_reason = forms.CharField(
        label=_("Why fewer credits (required when lowered)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class RevocationForm(forms.Form):
    outcome_id = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for revoking"), max_length=500)


class StandardForm(forms.Form):
    owner = forms.ChoiceField(label=_("Published by"), choices=[], required=False)
    outcome_type = forms.ChoiceField(label=_("Outcome type"), choices=OutcomeType.choices)
    code = forms.CharField(label=_("Course or certificate code"), max_length=64)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    credits = forms.CharField(label=_("Credits granted"), max_length=12)
    level = forms.CharField(label=_("Level (1–10, optional)"), max_length=2, required=False)
    evidence_zh = forms.CharField(
        label=_("Evidence required (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_en = forms.CharField(
        label=_("Evidence required (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    validity_months = forms.CharField(label=_("Valid for (months, optional)"), max_length=3, required=False)
    valid_from = forms.CharField(label=_("Valid from (YYYY-MM-DD)"), max_length=10)

    def __init__(self, *args: Any, owners: list[tuple[str, str]], fixed_key: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        if fixed_key:  # a version's owner, type and code never change
            for name in ("owner", "outcome_type", "code"):
                del self.fields[name]
