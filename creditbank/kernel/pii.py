"""The deployment's PII cipher and blind indexer, built from settings (keys never in the DB).

The cipher seals only under contexts declared in the personal-data registry
(``kernel.personal_data``), so key rotation covers everything that is ever sealed.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed

from creditbank.kernel.crypto import BlindIndexer, FieldCipher, Keyring
from creditbank.kernel.personal_data import require_declared


class DeclaredFieldCipher(FieldCipher):
    """A :class:`FieldCipher` that refuses to seal under an undeclared context."""

    def encrypt(self, plaintext: str, *, context: str) -> str:
        require_declared(context, kinds=("text",))
        return super().encrypt(plaintext, context=context)

    def encrypt_bytes(self, data: bytes, *, context: str) -> bytes:
        require_declared(context, kinds=("file",))
        return super().encrypt_bytes(data, context=context)


@cache
def cipher() -> FieldCipher:
    return DeclaredFieldCipher(Keyring.from_mapping(settings.PII_KEYS))


@cache
def indexer() -> BlindIndexer:
    return BlindIndexer(Keyring.from_mapping(settings.BLIND_INDEX_KEYS))


def _reset(*, setting: str, **_: object) -> None:
    if setting in {"PII_KEYS", "BLIND_INDEX_KEYS"}:
        cipher.cache_clear()
        indexer.cache_clear()


setting_changed.connect(_reset)
