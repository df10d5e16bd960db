"""Form fields shared by the pages of several contexts."""

from __future__ import annotations

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the view reads them with ``request.FILES.getlist``."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"})
        )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> object:
        if isinstance(data, list | tuple):
            return list(data)
        return [data] if data else []
