"""Envelope-free field encryption and keyed blind indexes (pure; no Django).

* Strings and blobs are sealed with AES-256-GCM under a key named by a key id, so keys can
  rotate: the active key seals, every key in the ring opens. The associated data binds a
  ciphertext to its purpose (``context``), so a phone ciphertext cannot be swapped in for an
  ID number.
* Blind indexes are HMAC-SHA256 of (context, normalised value) under an index key: equality
  lookups without the database ever holding the plaintext or the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_TEXT_PREFIX = "v1"
_BLOB_MAGIC = b"CBE1"
_NONCE_BYTES = 12


class CryptoError(Exception):
    """A ciphertext could not be opened (unknown key id, tampered, or wrong context)."""


@dataclass(frozen=True)
class Keyring:
    """Named 256-bit keys; ``active`` seals, all of them open."""

    keys: Mapping[str, bytes]
    active: str

    @classmethod
    def from_mapping(cls, keys: Mapping[str, bytes]) -> Keyring:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        for kid, key in keys.items():
            if len(key) != 32:
                raise ValueError(f"key {kid!r} must be 32 bytes")
            if not kid.isalnum():
                raise ValueError("key ids are alphanumeric")
        return cls(keys=dict(keys), active=next(iter(keys)))

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError as exc:
            raise CryptoError(f"unknown key id {kid!r}") from exc


class FieldCipher:
    """AES-256-GCM for short strings (text tokens) and files (binary blobs)."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    # -- text: "v1.<kid>.<base64url(nonce || ciphertext+tag)>"
    def encrypt(self, plaintext: str, *, context: str) -> str:
        kid = self.keyring.active
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keyring.key(kid)).encrypt(nonce, plaintext.encode("utf-8"), _aad(context, kid))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{_TEXT_PREFIX}.{kid}.{body}"

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            prefix, kid, body = token.split(".", 2)
        except ValueError as exc:
            raise CryptoError("malformed ciphertext") from exc
        if prefix != _TEXT_PREFIX:
            raise CryptoError("unknown ciphertext version")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except ValueError as exc:  # binascii.Error: a damaged character changed the length
            raise CryptoError("malformed ciphertext") from exc
        return self._open(kid, raw, context).decode("utf-8")

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(".", 2)[1]

    # -- blobs: MAGIC || len(kid) || kid || nonce || ciphertext+tag
    def encrypt_bytes(self, data: bytes, *, context: str) -> bytes:
        kid = self.keyring.active
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keyring.key(kid)).encrypt(nonce, data, _aad(context, kid))
        kid_b = kid.encode("ascii")
        return _BLOB_MAGIC + bytes([len(kid_b)]) + kid_b + nonce + sealed

    def decrypt_bytes(self, blob: bytes, *, context: str) -> bytes:
        if not blob.startswith(_BLOB_MAGIC) or len(blob) < len(_BLOB_MAGIC) + 2:
            raise CryptoError("not an encrypted blob")
        n = blob[len(_BLOB_MAGIC)]
        start = len(_BLOB_MAGIC) + 1
        kid = blob[start : start + n].decode("ascii")
        return self._open(kid, blob[start + n :], context)

    @staticmethod
    def blob_key_id(blob: bytes) -> str:
        n = blob[len(_BLOB_MAGIC)]
        start = len(_BLOB_MAGIC) + 1
        return blob[start : start + n].decode("ascii")

    def _open(self, kid: str, raw: bytes, context: str) -> bytes:
        if len(raw) < _NONCE_BYTES + 16:
            raise CryptoError("ciphertext too short")
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        try:
            return AESGCM(self.keyring.key(kid)).decrypt(nonce, sealed, _aad(context, kid))
        except InvalidTag as exc:
            raise CryptoError("ciphertext does not authenticate") from exc


def _aad(context: str, kid: str) -> bytes:
    return f"creditbank:{context}:{kid}".encode()


class BlindIndexer:
    """HMAC-SHA256 blind indexes. ``index`` uses the active key; ``candidates`` every key,
    so lookups keep working while a rotation rebuilds the stored indexes."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def index(self, value: str, *, context: str) -> str:
        return self._mac(self.keyring.active, value, context)

    def candidates(self, value: str, *, context: str) -> list[str]:
        return [self._mac(kid, value, context) for kid in self.keyring.keys]

    def _mac(self, kid: str, value: str, context: str) -> str:
        msg = context.encode() + b"\x00" + value.encode("utf-8")
        return hmac.new(self.keyring.key(kid), msg, hashlib.sha256).hexdigest()
