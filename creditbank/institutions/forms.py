from __future__ import annotations

from typing import Any

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


class ProgrammeForm(forms.Form):
    """A programme's fields; their checks are the service's (messages next to the field)."""

    code = forms.CharField(
        label=_("Programme code"), max_length=64, help_text=_("As on your transcripts, for example 080901 or CS.")
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    total_credits = forms.CharField(label=_("Credits required to graduate"), max_length=12)
    level = forms.CharField(label=_("Level (1–10, optional)"), max_length=2, required=False)

    def __init__(self, *args: Any, fixed_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_code:  # a published programme's code never changes
            del self.fields["code"]


class CourseForm(forms.Form):
    """A course's fields, to add one or to change one (``course``: the code of the course
    changed, empty to add)."""

    course = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(label=_("Course code"), max_length=64)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    credits = forms.CharField(label=_("Credits"), max_length=12)
    level = forms.CharField(label=_("Level (1–10, optional)"), max_length=2, required=False)

    def __init__(self, *args: Any, fixed_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_code:  # the courses of a published programme keep their codes
            self.fields["code"].disabled = True
            self.fields["code"].required = False
