"""A contract type for import-linter: bounded contexts keep their internals to themselves.

``lint-imports`` loads it (``contract_types`` in pyproject.toml). For every pair of different
contexts (``creditbank.<context>``), the importer may not reach the other context's private
modules (its ``domain``, ``models``, ``tasks``, authenticators …), only its public ones
(``services``, ``selectors`` and the like). The rule is written once, so contexts added later
are covered without editing the configuration. Tests and migrations are not checked.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


def _context(module: str, container: str) -> str | None:
    parts = module.split(".")
    if parts[0] != container or len(parts) < 2:
        return None
    return parts[1]


def _private_part(module: str, container: str, private: set[str]) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == container and parts[2] in private:
        return parts[2]
    return None


class ContextPrivacyContract(Contract):
    """Options:
    - container: the package whose sub-packages are the contexts (``creditbank``).
    - private: sub-module names private to their context (``domain``, ``models`` …).
    - allowed: fully qualified private modules that any context may import nevertheless.
    - shared: contexts whose modules are all public (the kernel).
    - unchecked: sub-package names never checked as importers (``tests``, ``migrations``).
    """

    type_name = "context_privacy"

    container = fields.StringField()
    private = fields.ListField(subfield=fields.StringField())
    allowed = fields.ListField(subfield=fields.StringField(), required=False)
    shared = fields.ListField(subfield=fields.StringField(), required=False)
    unchecked = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        options: Any = self  # the fields hold the parsed values at run time
        container: str = options.container
        private: set[str] = set(options.private)
        allowed: set[str] = set(options.allowed or [])
        shared: set[str] = set(options.shared or [])
        unchecked: set[str] = set(options.unchecked or [])
        violations: list[dict[str, Any]] = []
        for importer in sorted(graph.find_descendants(container)):
            source = _context(importer, container)
            if source is None or unchecked & set(importer.split(".")[2:]):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = _context(imported, container)
                if target is None or target == source or target in shared:
                    continue
                part = _private_part(imported, container, private)
                if part is None or any(imported == a or imported.startswith(a + ".") for a in allowed):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                violations.append(
                    {"importer": importer, "imported": imported, "lines": [d["line_number"] for d in details]}
                )
        return ContractCheck(kept=not violations, warnings=[], metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for v in check.metadata["violations"]:
            lines = ", ".join(f"l.{n}" for n in v["lines"])
            output.print_error(f"{v['importer']} is not allowed to import {v['imported']} ({lines})", bold=False)
            output.new_line()
        output.print_error(
            "Reach another context through its services or selectors, not its private modules.", bold=False
        )
