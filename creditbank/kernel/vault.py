"""Private file storage: encrypted at rest, server-generated names, outside any public path.

The interface (``save``/``read``/``delete``) is what object storage would implement in a
scaled-out deployment; this implementation writes under ``settings.PRIVATE_STORAGE_ROOT``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings

from creditbank.kernel.pii import cipher


class PrivateVault:
    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root if root is not None else settings.PRIVATE_STORAGE_ROOT)

    def _path(self, name: str) -> Path:
        if not name or not all(c in "0123456789abcdef" for c in name):
            raise ValueError("invalid vault name")
        return self.root / name[:2] / name

    def save(self, data: bytes, *, context: str) -> str:
        name = secrets.token_hex(20)
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            fh.write(cipher().encrypt_bytes(data, context=context))
        tmp.replace(path)
        return name

    def read(self, name: str, *, context: str) -> bytes:
        return cipher().decrypt_bytes(self._path(name).read_bytes(), context=context)

    def exists(self, name: str) -> bool:
        return self._path(name).exists()

    def delete(self, name: str) -> None:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            pass

    def reseal(self, name: str, *, context: str) -> bool:
        """Re-encrypt one file under the active key; True if it changed."""
        path = self._path(name)
        blob = path.read_bytes()
        c = cipher()
        if c.blob_key_id(blob) == c.keyring.active:
            return False
        data = c.decrypt_bytes(blob, context=context)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as fh:
            fh.write(c.encrypt_bytes(data, context=context))
        tmp.replace(path)
        return True


def vault() -> PrivateVault:
    return PrivateVault()
