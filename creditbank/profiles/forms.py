from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import Gender
from creditbank.kernel.form_fields import MultipleFileField
from creditbank.profiles.models import EducationLevel, StudyMode


class ProfileForm(forms.Form):
    address = forms.CharField(label=_("Postal address"), max_length=200, required=False)
    education_level = forms.ChoiceField(
        label=_("Highest education level"), choices=[("", "—"), *EducationLevel.choices], required=False
    )
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    emergency_contact_name = forms.CharField(label=_("Emergency contact"), max_length=64, required=False)
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact's phone (leave empty to keep the current one)"), max_length=32, required=False
    )
    emergency_contact_phone_clear = forms.BooleanField(label=_("Remove the emergency contact's phone"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    notify_email_decisions = forms.BooleanField(label=_("Email me about decisions on my applications"), required=False)
    notify_email_notices = forms.BooleanField(label=_("Email me new official notices"), required=False)


class ContactForm(forms.Form):
    email = forms.CharField(label=_("New email"), max_length=320, required=False)
    phone = forms.CharField(label=_("New mobile phone"), max_length=32, required=False)
    password = forms.CharField(
        label=_("Your password (to confirm it is you)"), widget=forms.PasswordInput, required=False
    )


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the text message"), max_length=12, required=False)


class ChangeRequestForm(forms.Form):
    field = forms.ChoiceField(
        label=_("What should change"),
        choices=[("name", _("Name")), ("gender", _("Gender")), ("id_number", _("ID number"))],
    )
    new_value = forms.CharField(label=_("New name or ID number"), max_length=200, required=False)
    new_gender = forms.ChoiceField(label=_("New gender"), choices=[("", "—"), *Gender.choices], required=False)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )
    proof = MultipleFileField(label=_("Proof (photos or PDF, up to 5 files)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("field") == "gender" and not data.get("new_gender"):
            self.add_error("new_gender", _("Choose the new gender."))
        return data

    def requested_value(self) -> str:
        """The new value the service checks: the chosen gender (M or F), or the typed name or ID number."""
        data = self.cleaned_data
        return str(data["new_gender"] if data["field"] == "gender" else data["new_value"])

    def value_field(self) -> str:
        """The field of this form that shows the service's errors about ``new_value``."""
        return "new_gender" if self.cleaned_data.get("field") == "gender" else "new_value"


class EducationForm(forms.Form):
    school = forms.CharField(label=_("School"), max_length=100, required=False)
    major = forms.CharField(label=_("Major"), max_length=100, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *EducationLevel.choices], required=False)
    study_mode = forms.ChoiceField(label=_("Study mode"), choices=[("", "—"), *StudyMode.choices], required=False)
    start = forms.CharField(
        label=_("Start (YYYY-MM)"), max_length=7, required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_("End (YYYY-MM, empty while ongoing)"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=64, required=False)
    evidence = forms.FileField(label=_("Evidence (optional photo or PDF)"), required=False)


class WorkForm(forms.Form):
    employer = forms.CharField(label=_("Employer"), max_length=100, required=False)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    start = forms.CharField(
        label=_("Start (YYYY-MM)"), max_length=7, required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    end = forms.CharField(
        label=_("End (YYYY-MM)"), max_length=7, required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    current = forms.BooleanField(label=_("I work here now"), required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )
    evidence = forms.FileField(label=_("Evidence (optional photo or PDF)"), required=False)
