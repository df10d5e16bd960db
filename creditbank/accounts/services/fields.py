"""The person's own fields (name, phone, email) cleaned to their stored form, with the messages
of every refusal. Other contexts call :func:`name_clean`, :func:`phone_clean` and
:func:`email_clean`; the rules (``accounts.domain``) and the messages stay here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from creditbank.accounts.domain.contacts import ContactError, normalise_email, normalise_phone
from creditbank.accounts.domain.names import InvalidName, clean_name
from creditbank.accounts.domain.scripts import describe_character
from creditbank.accounts.errors import ErrorCode
from creditbank.kernel.errors import DomainError

_MESSAGES: dict[str, Any] = {
    ErrorCode.NAME_REQUIRED: _("Enter your name as it appears on your ID card."),
    ErrorCode.NAME_TOO_LONG: _("A name has at most 64 characters."),
    ErrorCode.NAME_INVALID_CHARACTERS: _(
        "%(character)s cannot be part of a name. A name may contain Chinese characters or Latin letters, "
        "spaces, the middle dot (·), the hyphen and the apostrophe only: no digits, symbols or invisible "
        "characters."
    ),
    ErrorCode.NAME_NO_LETTERS: _("A name needs letters: Chinese characters or Latin letters."),
    ErrorCode.NAME_SCRIPT_NOT_ALLOWED: _(
        "%(character)s is one of the %(script)s. Write your name as on your ID document, in Chinese "
        "characters or in Latin letters."
    ),
    ErrorCode.NAME_MIXED_SCRIPTS: _(
        "Write the whole name in one script: %(character)s is one of the %(script)s, the rest of the name "
        "is in %(main_script)s. Letters of other alphabets that only look alike are not accepted."
    ),
    ErrorCode.PHONE_REQUIRED: _("Enter your mobile phone number."),
    ErrorCode.PHONE_INVALID: _(
        "Enter a mainland China mobile number: 11 digits starting with 1, for example 13812345678."
    ),
    ErrorCode.EMAIL_REQUIRED: _("Enter your email address."),
    ErrorCode.EMAIL_INVALID: _("Enter a valid email address, for example name@example.com."),
    ErrorCode.EMAIL_NOT_ASCII: _(
        "%(character)s cannot be used before the @: that part of an email address takes Latin letters "
        "without accents, digits and the signs . _ + - only. Check the keyboard layout."
    ),
    ErrorCode.EMAIL_MIXED_SCRIPTS: _(
        "%(character)s in the domain (after the @) is a letter of another alphabet that looks like a Latin "
        "one. Type the address again with a Latin keyboard layout."
    ),
    ErrorCode.TERMS_NOT_ACCEPTED: _("You must read and accept the terms of service to register."),
    ErrorCode.TERMS_VERSION_MISMATCH: _("The terms of service have changed. Read the current version and accept it."),
    ErrorCode.PASSWORD_REQUIRED: _("Enter a password."),
}

_SCRIPT_NAMES: dict[str, Any] = {
    "han": _("Chinese characters"),
    "latin": _("Latin letters"),
    "cyrillic": _("Cyrillic letters"),
    "greek": _("Greek letters"),
}


def field_error(code: str, field: str, *, extra: Mapping[str, Any] | None = None) -> DomainError:
    return DomainError(code, _MESSAGES[code], field=field, extra=extra)


def _script_name(script: str) -> Any:
    return _SCRIPT_NAMES.get(script) or _("letters of another script (%(script)s)") % {"script": script}


def name_error(exc: InvalidName, *, field: str) -> DomainError:
    """The field error for a refused name, naming the offending character and scripts."""
    message = _MESSAGES[exc.code]
    if exc.character:
        message = message % {
            "character": describe_character(exc.character),
            "script": _script_name(exc.script),
            "main_script": _script_name(exc.main_script),
        }
    return DomainError(exc.code, message, field=field)


def contact_error(exc: ContactError, *, field: str) -> DomainError:
    """The field error for a refused phone number or email address."""
    message = _MESSAGES[exc.code]
    if exc.character:
        message = message % {"character": describe_character(exc.character)}
    return DomainError(exc.code, message, field=field)


def name_clean(raw: str, *, field: str = "name") -> str:
    """A person's name in its one stored form (``accounts.domain.names``), or a field error."""
    try:
        return clean_name(raw)
    except InvalidName as exc:
        raise name_error(exc, field=field) from exc


def phone_clean(raw: str, *, field: str = "phone") -> str:
    """A mainland mobile number in E.164 (``+8613812345678``), or a field error."""
    try:
        return normalise_phone(raw)
    except ContactError as exc:
        raise contact_error(exc, field=field) from exc


def email_clean(raw: str, *, field: str = "email") -> str:
    """An email address in its canonical form, or a field error."""
    try:
        return normalise_email(raw)
    except ContactError as exc:
        raise contact_error(exc, field=field) from exc
