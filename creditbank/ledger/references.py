"""What a ledger entry's outcome and application are called, told by the contexts that own them.

The ledger refers to outcomes and certification applications by id only (ADR 0021), and the
contexts that own them (outcomes, later conversion) sit above it, so it cannot ask them. Each
registers a describer at app ready instead, as institutions register their roles with
``accounts.roles``::

    from creditbank.ledger.references import register_outcome_describer
    register_outcome_describer(describe_my_outcomes)

A describer takes a set of ids and answers ``{id: (title, url)}`` for those it knows (``url``:
a path on this site, or ``""`` for no page to link; anything else is not linked). The ledger's pages show the title and link where a describer
answered, and "outcome #id" otherwise (no describer, or an id it did not answer for). Describers
are asked for the ids of one page or one chunk of the CSV statement at a time, so one query per
call is the expected cost.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import NamedTuple, Protocol


class Reference(NamedTuple):
    """An outcome or application as a reader sees it: its title and its page (``""``: none)."""

    title: str
    url: str = ""


Describer = Callable[[Collection[int]], Mapping[int, tuple[str, str]]]

OUTCOME = "outcome"
APPLICATION = "application"
_describers: dict[str, Describer] = {}


def register_outcome_describer(describer: Describer) -> None:
    """Let the context that owns outcomes name them (a later registration replaces an earlier)."""
    _describers[OUTCOME] = describer


#: The two kinds of application whose ids share an entry's ``application_id``: a certification
#: (its deposit, and that deposit's reversal or expiry) and a conversion (freezes, unfreezes, the
#: conversion entries and their reversals). An entry tells which by its sub-accounts.
CERTIFICATION = "certification"
CONVERSION = "conversion"
_CONVERSION_SIDES = frozenset({"frozen", "converted", "programme"})


def application_family(debit: str, credit: str) -> str:
    """Which kind of application an entry with these sides belongs to: a conversion when it
    touches the frozen, converted or a programme's sub-account, else a certification."""
    return CONVERSION if {debit, credit} & _CONVERSION_SIDES else CERTIFICATION


def register_application_describer(describer: Describer, *, family: str = CERTIFICATION) -> None:
    """Let the context that owns applications of ``family`` (certification, conversion) name them."""
    _describers[APPLICATION if family == CERTIFICATION else f"{APPLICATION}:{family}"] = describer


def _describe(what: str, ids: Collection[int | None]) -> dict[int, Reference]:
    wanted = {i for i in ids if i is not None}
    describer = _describers.get(what)
    if describer is None or not wanted:
        return {}
    answered = describer(frozenset(wanted))
    return {
        int(ident): Reference(str(title), _local(url))
        for ident, (title, url) in answered.items()
        if ident in wanted and title
    }


def _local(url: object) -> str:
    """Only a path on this site is linked (``/outcomes/7/``); anything else is no link."""
    text = str(url or "")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else ""


def describe_outcomes(ids: Collection[int | None]) -> dict[int, Reference]:
    """The registered describer's answer for the outcome ``ids`` (None among them is ignored);
    empty when no describer is registered. Ids it was not asked for, or answered without a title,
    are left out."""
    return _describe(OUTCOME, ids)


def describe_applications(ids: Collection[int | None]) -> dict[int, Reference]:
    """As :func:`describe_outcomes`, for certification application ids."""
    return _describe(APPLICATION, ids)


class _Entry(Protocol):
    application_id: int | None
    debit: str
    credit: str


def describe_entry_applications(entries: Iterable[_Entry]) -> dict[tuple[str, int], Reference]:
    """The applications of ``entries``, each asked of the describer of its family
    (:func:`application_family`), keyed by (family, id): see :func:`entry_application`."""
    wanted: dict[str, set[int]] = {}
    for e in entries:
        if e.application_id is not None:
            wanted.setdefault(application_family(e.debit, e.credit), set()).add(e.application_id)
    found: dict[tuple[str, int], Reference] = {}
    for family, ids in wanted.items():
        key = APPLICATION if family == CERTIFICATION else f"{APPLICATION}:{family}"
        found.update({(family, i): ref for i, ref in _describe(key, ids).items()})
    return found


def entry_application(entry: _Entry, described: dict[tuple[str, int], Reference]) -> Reference | None:
    if entry.application_id is None:
        return None
    return described.get((application_family(entry.debit, entry.credit), entry.application_id))
