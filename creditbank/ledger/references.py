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

from collections.abc import Callable, Collection, Mapping
from typing import NamedTuple


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


def register_application_describer(describer: Describer) -> None:
    """Let the context that owns applications (certification, conversion) name them."""
    _describers[APPLICATION] = describer


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
    """As :func:`describe_outcomes`, for application ids."""
    return _describe(APPLICATION, ids)
