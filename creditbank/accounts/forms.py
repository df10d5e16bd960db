from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.policy import policy


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("Name (as on your ID card)"), max_length=200, required=False)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=64, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False)
    email = forms.CharField(label=_("Email"), max_length=320, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(render_value=False), required=False)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms of service and the privacy policy"), required=False
    )
    terms_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["terms_version"].initial = policy().terms_version
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")
        self.fields["email"].widget.attrs.update(autocomplete="email", inputmode="email")
        self.fields["password"].widget.attrs.update(autocomplete="new-password")
        self.fields["name"].widget.attrs.update(autocomplete="name")


class LoginForm(forms.Form):
    identifier = forms.CharField(label=_("Account number, ID number, email or phone"), max_length=254, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["identifier"].widget.attrs.update(autocomplete="username")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class EmailForm(forms.Form):
    email = forms.CharField(label=_("Email"), max_length=320, required=False)


class TokenForm(forms.Form):
    """A POST (not the GET of the link) does the work, so mail scanners cannot use the token."""


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput, required=False)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, required=False)


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, required=False)
