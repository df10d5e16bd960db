"""Mainland mobile numbers and email addresses (pure; no Django)."""

from __future__ import annotations

import re
import unicodedata

import idna

from creditbank.accounts.domain.scripts import LATIN, LATIN_LOOKALIKES, script_of
from creditbank.accounts.errors import ErrorCode

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_EMAIL_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\s<>,;:\"\\()\[\]]")


class ContactError(ValueError):
    """``code`` is stable; ``character`` is the offending character, if one is to blame."""

    def __init__(self, code: ErrorCode, *, character: str = "") -> None:
        super().__init__(str(code))
        self.code = code
        self.character = character


def normalise_phone(raw: str) -> str:
    """A mainland mobile number in E.164 (``+8613812345678``) or ``ContactError``.

    Accepts spaces, dashes, brackets, full-width digits and a ``+86``/``0086``/``86`` prefix.
    Codes: ``phone_required``, ``phone_invalid``.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = re.sub(r"[\s\-()\u3000]", "", text)
    if not text:
        raise ContactError(ErrorCode.PHONE_REQUIRED)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text.isascii() or not _MOBILE_RE.fullmatch(text):
        raise ContactError(ErrorCode.PHONE_INVALID)
    return "+86" + text


def normalise_email(raw: str) -> str:
    """The canonical form of an email address, or ``ContactError``.

    Two addresses that look the same are the same string, so a look-alike cannot pass for an
    existing account's address: NFKC (full-width ``ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ`` is
    ``li@example.com``), trimmed; the part before ``@`` must then be ASCII (kept as typed,
    compared case-insensitively); the domain is checked and stored in its IDNA 2008 ASCII form
    (UTS 46 mapping: lower case, ``。`` as a dot; ``例子.中国`` is ``xn--fsqu00a.xn--fiqs8s``), and a
    domain label may not mix Latin letters with Cyrillic or Greek ones. Header injection is refused.

    Codes: ``email_required``, ``email_invalid``, ``email_not_ascii`` and
    ``email_mixed_scripts`` (both with the offending ``character``).
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise ContactError(ErrorCode.EMAIL_REQUIRED)
    if len(text) > 254 or text.count("@") != 1 or _EMAIL_FORBIDDEN.search(text):
        raise ContactError(ErrorCode.EMAIL_INVALID)
    local, domain = text.split("@")
    if not local or len(local) > 64 or not domain:
        raise ContactError(ErrorCode.EMAIL_INVALID)
    foreign = next((ch for ch in local if not ch.isascii()), None)
    if foreign is not None:
        raise ContactError(ErrorCode.EMAIL_NOT_ASCII, character=foreign)
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ContactError(ErrorCode.EMAIL_INVALID)
    try:
        ascii_domain = idna.encode(domain, uts46=True, std3_rules=True).decode("ascii").lower()
        unicode_domain = idna.decode(ascii_domain)
    except (idna.IDNAError, UnicodeError) as exc:
        raise ContactError(ErrorCode.EMAIL_INVALID) from exc
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(labels) or len(ascii_domain) > 253 or not re.fullmatch(r"[a-z0-9.-]+", ascii_domain):
        raise ContactError(ErrorCode.EMAIL_INVALID)
    if labels[-1].isdigit():
        raise ContactError(ErrorCode.EMAIL_INVALID)
    for label in unicode_domain.split("."):
        scripts = {script_of(ch) for ch in label} - {None}
        if LATIN in scripts and scripts & LATIN_LOOKALIKES:
            raise ContactError(
                ErrorCode.EMAIL_MIXED_SCRIPTS, character=next(ch for ch in label if script_of(ch) in LATIN_LOOKALIKES)
            )
    return f"{local}@{ascii_domain}"
