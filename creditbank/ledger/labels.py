"""What the pages and the CSV statement call the ledger's kinds, outcome types and sub-accounts,
in the reader's language. The API answers the codes themselves."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from creditbank.ledger.domain.postings import UNSPECIFIED, Kind, SubAccount

KIND_LABELS: dict[str, Any] = {
    Kind.DEPOSIT: _("Deposit"),
    Kind.FREEZE: _("Frozen for an application"),
    Kind.UNFREEZE: _("Released"),
    Kind.CONVERSION_DEBIT: _("Converted"),
    Kind.CONVERSION_CREDIT: _("Credited by conversion"),
    Kind.REVERSAL: _("Reversal"),
    Kind.EXPIRY: _("Expired"),
}

TYPE_LABELS: dict[str, Any] = {
    "academic_credit": _("Academic credit"),
    "vocational_certificate": _("Vocational certificate"),
    "non_formal": _("Non-formal learning"),
    "mooc": _("Online course (MOOC)"),
    "work_experience": _("Work experience"),
    "award": _("Award"),
    UNSPECIFIED: _("Other"),
}

SUB_ACCOUNT_LABELS: dict[str, Any] = {
    SubAccount.AVAILABLE: _("available"),
    SubAccount.FROZEN: _("frozen"),
    SubAccount.CONVERTED: pgettext_lazy("sub-account", "converted"),
}


def side_label(side: str, programme: str = "") -> str:
    """What a page calls one side of an entry: a sub-account, or the programme ``programme``."""
    if side == SubAccount.PROGRAMME:
        return str(_("programme %(programme)s") % {"programme": programme})
    return str(SUB_ACCOUNT_LABELS.get(side, side))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def type_label(outcome_type: str) -> str:
    """The label of an outcome type (``""`` and ``unspecified``: "Other"); a type the contract
    does not name shows as its code."""
    key = outcome_type or UNSPECIFIED
    return str(TYPE_LABELS.get(key, key))
