"""The registry of personal data sealed at rest: every ciphertext column and every vault file.

Each bounded context declares what it seals in its own ``personal_data`` module, loaded when the
project starts (``KernelConfig.ready``). Key rotation (``rotate_pii_keys``) walks this registry,
and sealing refuses a context that nobody declared, so a new ciphertext cannot be forgotten by
the rotation: the test suite fails the first time the new code seals anything.

Declarations are plain data (model labels, field names, context strings): no model imports, so
any context may declare at start-up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SealedColumn:
    """A text column holding AES-256-GCM ciphertexts (``kernel.crypto.FieldCipher``).

    The associated-data context is ``context``, or, where it depends on the row, chosen by the
    value of ``context_field`` in ``contexts_by_value``. ``index_field`` names the column holding
    the value's blind index (rebuilt under the active index key on rotation).
    """

    model: str
    field: str
    context: str = ""
    context_field: str = ""
    contexts_by_value: Mapping[str, str] = dataclasses.field(default_factory=dict)
    index_field: str = ""

    def __post_init__(self) -> None:
        if bool(self.context) == bool(self.context_field):
            raise ValueError(f"{self.model}.{self.field}: give either context or context_field")
        if self.context_field and not self.contexts_by_value:
            raise ValueError(f"{self.model}.{self.field}: context_field needs contexts_by_value")

    def contexts(self) -> set[str]:
        return {self.context} if self.context else set(self.contexts_by_value.values())

    def context_for(self, row: Any) -> str:
        if self.context:
            return self.context
        return self.contexts_by_value[str(getattr(row, self.context_field))]


@dataclass(frozen=True)
class VaultFiles:
    """Columns holding names of encrypted files in the private vault (``kernel.vault``), all
    sealed under one context; an empty name means no file (deleted or never attached)."""

    model: str
    fields: tuple[str, ...]
    context: str


_columns: list[SealedColumn] = []
_files: list[VaultFiles] = []


def declare(*items: SealedColumn | VaultFiles) -> None:
    """Declare sealed columns and vault files (idempotent: a repeated declaration is ignored)."""
    for item in items:
        target: list[Any] = _columns if isinstance(item, SealedColumn) else _files
        if item not in target:
            target.append(item)


def sealed_columns() -> tuple[SealedColumn, ...]:
    return tuple(_columns)


def vault_files() -> tuple[VaultFiles, ...]:
    return tuple(_files)


def text_contexts() -> set[str]:
    return {ctx for col in _columns for ctx in col.contexts()}


def file_contexts() -> set[str]:
    return {f.context for f in _files}


class UndeclaredContext(LookupError):
    """Something was sealed under a context no ``personal_data`` module declared."""


def require_declared(context: str, *, kinds: Iterable[str]) -> None:
    known: set[str] = set()
    if "text" in kinds:
        known |= text_contexts()
    if "file" in kinds:
        known |= file_contexts()
    if context not in known:
        raise UndeclaredContext(
            f"the personal-data context {context!r} is not declared: add it to the context's "
            "personal_data module, so that key rotation re-encrypts it"
        )
