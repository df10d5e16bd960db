"""The deployment's PII cipher and blind indexer, built from settings (keys never in the DB)."""

from __future__ import annotations

import logging
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.crypto import BlindIndexer, CryptoError, FieldCipher, Keyring
from creditbank.kernel.errors import DomainError

log = logging.getLogger(__name__)


@cache
def cipher() -> FieldCipher:
    return FieldCipher(Keyring.from_mapping(settings.PII_KEYS))


@cache
def indexer() -> BlindIndexer:
    return BlindIndexer(Keyring.from_mapping(settings.BLIND_INDEX_KEYS))


def open_field(token: str, *, context: str, record: str, field: str) -> str:
    """Open one sealed personal value (``""`` stays ``""``).

    A ciphertext that does not open (a damaged character, a lost key) is an operator's problem,
    not the caller's: it is logged at ERROR naming the record and the field (never the value or
    the ciphertext) and refused with ``record_damaged`` (status 500).
    """
    if not token:
        return ""
    try:
        return cipher().decrypt(token, context=context)
    except CryptoError:
        log.error("damaged ciphertext record=%s field=%s", record, field)
        raise DomainError(
            "record_damaged",
            _("This record is damaged and cannot be read. The operators have been alerted; please try again later."),
            status=500,
        ) from None


def _reset(*, setting: str, **_: object) -> None:
    if setting in {"PII_KEYS", "BLIND_INDEX_KEYS"}:
        cipher.cache_clear()
        indexer.cache_clear()


setting_changed.connect(_reset)
