"""The deployment's PII cipher and blind indexer, built from settings (keys never in the DB).

The cipher seals only under contexts declared in the personal-data registry
(``kernel.personal_data``), so key rotation covers everything that is ever sealed.
:func:`seal` is the one way a personal value becomes what its columns store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

from creditbank.kernel.crypto import BlindIndexer, CryptoError, FieldCipher, Keyring
from creditbank.kernel.errors import DomainError, ErrorCode
from creditbank.kernel.personal_data import require_declared


class DeclaredFieldCipher(FieldCipher):
    """A :class:`FieldCipher` that refuses to seal under an undeclared context."""

    def encrypt(self, plaintext: str, *, context: str) -> str:
        require_declared(context, kinds=("text",))
        return super().encrypt(plaintext, context=context)

    def encrypt_bytes(self, data: bytes, *, context: str) -> bytes:
        require_declared(context, kinds=("file",))
        return super().encrypt_bytes(data, context=context)


log = logging.getLogger(__name__)


@cache
def cipher() -> FieldCipher:
    return DeclaredFieldCipher(Keyring.from_mapping(settings.PII_KEYS))


@cache
def indexer() -> BlindIndexer:
    return BlindIndexer(Keyring.from_mapping(settings.BLIND_INDEX_KEYS))


@dataclass(frozen=True)
class Sealed:
    """What the columns of one personal value hold: ``<x>_enc``, ``<x>_index``, ``<x>_masked``."""

    ciphertext: str
    index: str | None
    masked: str


def seal(value: str, *, context: str, index: bool = True, mask: Callable[[str], str] | None = None) -> Sealed:
    """Seal a personal value: its AES-256-GCM ciphertext under ``context`` (which must be declared
    in the personal-data registry), its blind index under the same context when ``index`` (for
    look-ups and uniqueness), and ``mask(value)`` for display when a mask is given.

    An empty value is no value: empty ciphertext, no index (a NULL, so unique indexes ignore it)
    and an empty mask, as the columns hold it when nothing was ever given.
    """
    require_declared(context, kinds=("text",))
    if not value:
        return Sealed(ciphertext="", index=None, masked="")
    return Sealed(
        ciphertext=cipher().encrypt(value, context=context),
        index=indexer().index(value, context=context) if index else None,
        masked=mask(value) if mask else "",
    )


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
            ErrorCode.RECORD_DAMAGED,
            _("This record is damaged and cannot be read. The operators have been alerted; please try again later."),
            status=500,
        ) from None


def _reset(*, setting: str, **_: object) -> None:
    if setting in {"PII_KEYS", "BLIND_INDEX_KEYS"}:
        cipher.cache_clear()
        indexer.cache_clear()


setting_changed.connect(_reset)
