"""The files of the private vault, to show that a refused write left none behind."""

from __future__ import annotations

from creditbank.kernel.vault import vault


def vault_files() -> set[str]:
    root = vault().root
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()
