"""The contract type that keeps each context's internals private (config/import_contracts.py)."""

from __future__ import annotations

import grimp
import pytest

from config.import_contracts import ContextPrivacyContract


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        for module in (importer, imported):
            parts = module.split(".")
            for n in range(1, len(parts) + 1):  # the packages too, as a real import graph has them
                graph.add_module(".".join(parts[:n]))
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="import x")
    return graph


def _check(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    contract = ContextPrivacyContract(
        name="privacy",
        session_options={"root_packages": ["cb"]},
        contract_options={
            "container": "cb",
            "private": ["domain", "models", "tokens"],
            "allowed": ["cb.accounts.models"],
            "shared": ["kernel"],
            "unchecked": ["tests", "migrations"],
        },
    )
    check = contract.check(graph, verbose=False)
    found = [(v["importer"], v["imported"]) for v in check.metadata["violations"]]
    assert check.kept is (not found)
    return found


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("cb.ledger.services", "cb.outcomes.models"),
        ("cb.ledger.api", "cb.outcomes.domain.rules"),
        ("cb.sharing.services.grants", "cb.accounts.tokens"),
        ("cb.kernel.vault", "cb.accounts.domain"),
    ],
    ids=["models", "nested-domain", "tokens", "kernel-is-checked-too"],
)
def test_another_contexts_private_module_is_a_violation(importer: str, imported: str) -> None:
    assert _check(_graph((importer, imported))) == [(importer, imported)]


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("cb.ledger.services", "cb.outcomes.services"),
        ("cb.ledger.services", "cb.outcomes.selectors"),
        ("cb.ledger.models", "cb.accounts.models"),
        ("cb.ledger.services", "cb.kernel.domain"),
        ("cb.ledger.services", "cb.ledger.domain"),
        ("cb.ledger.tests.test_x", "cb.outcomes.models"),
        ("cb.ledger.migrations.0001_initial", "cb.outcomes.models"),
    ],
    ids=["services", "selectors", "the-user-model", "shared-kernel", "own-context", "tests", "migrations"],
)
def test_public_modules_own_context_and_exemptions_pass(importer: str, imported: str) -> None:
    assert _check(_graph((importer, imported))) == []
