"""The deployment's PII cipher and blind indexer, built from settings (keys never in the DB)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed

from creditbank.kernel.crypto import BlindIndexer, FieldCipher, Keyring


@cache
def cipher() -> FieldCipher:
    return FieldCipher(Keyring.from_mapping(settings.PII_KEYS))


@cache
def indexer() -> BlindIndexer:
    return BlindIndexer(Keyring.from_mapping(settings.BLIND_INDEX_KEYS))


def _reset(*, setting: str, **_: object) -> None:
    if setting in {"PII_KEYS", "BLIND_INDEX_KEYS"}:
        cipher.cache_clear()
        indexer.cache_clear()


setting_changed.connect(_reset)
