from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.institutions.models import SCOPES, MemberRole


class MemberForm(forms.Form):
    account = forms.CharField(label=_("Account number or email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple
    )


class OpeningForm(forms.Form):
    """The file of students; its checks are the service's (messages next to the field)."""

    file = forms.FileField(
        label=_("File of students (CSV or XLSX)"),
        required=False,
        help_text=_(
            "Columns: name, ID number, mobile phone (needed), email, student number (optional); headers in "
            "Chinese or English, as in the template. CSV in UTF-8, or an Excel workbook (.xlsx)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
