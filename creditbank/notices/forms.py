from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.form_fields import MultipleFileField
from creditbank.notices.models import TicketCategory


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *TicketCategory.choices], required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Your question"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, required=False
    )
    attachments = MultipleFileField(label=_("Attachments (optional: photos or PDF, up to 3)"), required=False)


class ReplyForm(forms.Form):
    message = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"), required=False)
