"""The registry through which the contexts that own outcomes and applications name them."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping

import pytest

from creditbank.ledger import references
from creditbank.ledger.references import (
    Reference,
    describe_applications,
    describe_outcomes,
    register_application_describer,
    register_outcome_describer,
)


@pytest.fixture(autouse=True)
def _no_describers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts without describers; whatever it registers is gone after it."""
    monkeypatch.setattr(references, "_describers", {})
    yield


class Outcomes:
    """A describer of two outcomes that records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[frozenset[int]] = []

    def __call__(self, ids: Collection[int]) -> Mapping[int, tuple[str, str]]:
        self.asked.append(frozenset(ids))
        known = {11: ("高等数学（上）", "/outcomes/11/"), 12: ("Python 程序设计", "")}
        return {i: known[i] for i in ids if i in known}


def test_without_a_describer_nothing_is_named() -> None:
    assert describe_outcomes({11, 12}) == {}
    assert describe_applications({5}) == {}


def test_a_registered_describer_names_the_ids_it_knows() -> None:
    describer = Outcomes()
    register_outcome_describer(describer)
    assert describe_outcomes({11, 12, 13, None}) == {
        11: Reference("高等数学（上）", "/outcomes/11/"),
        12: Reference("Python 程序设计", ""),
    }
    assert describer.asked == [frozenset({11, 12, 13})]  # None is not an id; asked once for all
    assert describe_applications({11}) == {}  # outcomes and applications are told apart


def test_no_ids_asks_nothing() -> None:
    describer = Outcomes()
    register_outcome_describer(describer)
    assert describe_outcomes({None}) == {}
    assert describe_outcomes(set()) == {}
    assert describer.asked == []


def test_answers_beyond_the_question_or_without_a_title_are_left_out() -> None:
    register_application_describer(lambda ids: {5: ("", "/x/"), 6: ("认证申请 6", "/applications/6/"), 99: ("no", "")})
    assert describe_applications({5, 6}) == {6: Reference("认证申请 6", "/applications/6/")}


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("/outcomes/11/", "/outcomes/11/"),
        ("https://elsewhere.example/outcomes/11/", ""),
        ("//elsewhere.example/", ""),
        ("javascript:alert(1)", ""),
        ("/\\elsewhere.example", ""),
        ("", ""),
    ],
)
def test_only_paths_on_this_site_are_linked(url: str, linked: str) -> None:
    register_outcome_describer(lambda ids: {11: ("高等数学", url)})
    assert describe_outcomes({11}) == {11: Reference("高等数学", linked)}


def test_a_later_registration_replaces_the_earlier() -> None:
    register_outcome_describer(lambda ids: {11: ("first", "")})
    register_outcome_describer(lambda ids: {11: ("second", "")})
    assert describe_outcomes({11}) == {11: Reference("second", "")}


def test_certification_and_conversion_applications_sharing_an_id_are_told_apart() -> None:
    from types import SimpleNamespace

    from creditbank.ledger.references import CONVERSION, describe_entry_applications, entry_application

    register_application_describer(lambda ids: {7: ("认证申请 7", "/outcomes/3/")})
    register_application_describer(lambda ids: {7: ("转换申请 7", "/conversions/")}, family=CONVERSION)
    deposit = SimpleNamespace(application_id=7, debit="issued", credit="available")
    revocation = SimpleNamespace(application_id=7, debit="available", credit="issued")
    freeze = SimpleNamespace(application_id=7, debit="available", credit="frozen")
    credited = SimpleNamespace(application_id=7, debit="converted", credit="programme")
    taken_back = SimpleNamespace(application_id=7, debit="converted", credit="frozen")
    none = SimpleNamespace(application_id=None, debit="issued", credit="available")
    found = describe_entry_applications([deposit, revocation, freeze, credited, taken_back, none])
    named = [entry_application(e, found) for e in (deposit, revocation, freeze, credited, taken_back, none)]
    assert [r.title if r else None for r in named] == [
        "认证申请 7",
        "认证申请 7",
        "转换申请 7",
        "转换申请 7",
        "转换申请 7",
        None,
    ]
