from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VerificationForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I consent to the credit bank processing the photos of my ID card to verify my identity. "
            "They are stored encrypted, seen only by reviewers, and deleted after the decision's retention period."
        ),
        required=False,
    )
    id_front = forms.FileField(label=_("Portrait side of the ID card (人像面)"), required=False)
    id_back = forms.FileField(label=_("National emblem side of the ID card (国徽面)"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("id_front", "id_back"):
            self.fields[name].widget.attrs.update(accept="image/jpeg,image/png,image/webp")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need it?"), max_length=500, required=False)
