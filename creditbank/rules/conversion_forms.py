"""The form of a conversion application page: which certified outcomes to convert."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from creditbank.outcomes.selectors import CertifiedFacts
from creditbank.rules.plain import TYPE_LABEL


def outcome_label(row: CertifiedFacts) -> str:
    """``#12 CET-4 · vocational certificate · 2.00 credits · uni-a``"""
    return pgettext("an outcome to choose", "#%(id)s %(title)s · %(type)s · %(credits)s credits · %(issuer)s") % {
        "id": row.id,
        "title": row.title,
        "type": TYPE_LABEL.get(row.type, row.type),
        "credits": f"{row.credits:.2f}",
        "issuer": row.issuer,
    }


class ConversionApplyForm(forms.Form):
    outcome_ids = forms.TypedMultipleChoiceField(
        label=_("Certified outcomes to convert"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the certified outcomes to convert.")},
    )

    def __init__(self, *args: Any, outcomes: Iterable[CertifiedFacts], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outcome_ids"]
        field.choices = [(o.id, outcome_label(o)) for o in outcomes]  # type: ignore[attr-defined]


class FlagResolutionForm(forms.Form):
    """A reviewer's resolution of a conversion flagged because a source outcome was revoked."""

    action = forms.ChoiceField(
        label=_("Resolution"),
        choices=[
            ("reverse", _("Take the conversion back (post the entries proposed above)")),
            ("keep", _("Keep the conversion (say why)")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
