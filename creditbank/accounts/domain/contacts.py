"""Mainland mobile numbers and email addresses (pure; no Django)."""

from __future__ import annotations

import re
import unicodedata

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_EMAIL_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\s<>,;:\"\\()\[\]]")


class ContactError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_phone(raw: str) -> str:
    """A mainland mobile number in E.164 (``+8613812345678``) or ``ContactError``.

    Accepts spaces, dashes, brackets, full-width digits and a ``+86``/``0086``/``86`` prefix.
    Codes: ``phone_required``, ``phone_invalid``.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.sub(r"[\s\-()\u3000]", "", text)
    if not text:
        raise ContactError("phone_required")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text.isascii() or not _MOBILE_RE.fullmatch(text):
        raise ContactError("phone_invalid")
    return "+86" + text


def normalise_email(raw: str) -> str:
    """Trimmed, NFC, domain lower-cased (IDNA-checked); refuses header injection.

    Codes: ``email_required``, ``email_invalid``.
    """
    text = unicodedata.normalize("NFC", (raw or "").strip())
    if not text:
        raise ContactError("email_required")
    if len(text) > 254 or text.count("@") != 1 or _EMAIL_FORBIDDEN.search(text):
        raise ContactError("email_invalid")
    local, domain = text.split("@")
    if not local or len(local) > 64 or not domain or "." not in domain:
        raise ContactError("email_invalid")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ContactError("email_invalid")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise ContactError("email_invalid") from exc
    labels = ascii_domain.split(".")
    if any(not label or len(label) > 63 or label.startswith("-") or label.endswith("-") for label in labels):
        raise ContactError("email_invalid")
    if not re.fullmatch(r"[a-z0-9.-]+", ascii_domain) or labels[-1].isdigit():
        raise ContactError("email_invalid")
    return f"{local}@{domain.lower()}"
