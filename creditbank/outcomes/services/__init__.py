"""Writes of the outcomes context."""

from creditbank.outcomes.services.certification import (
    certification_apply,
    certification_decide,
    certification_evidence_for_reviewer,
    certification_withdraw,
    evidence_for_owner,
)
from creditbank.outcomes.services.deposits import (
    MAX_BATCH,
    CheckedRow,
    DepositReport,
    deposit_row_check,
    outcome_deposit,
    outcomes_deposit,
)
from creditbank.outcomes.services.expiry import outcomes_expire
from creditbank.outcomes.services.fields import CleanOutcome, outcome_clean
from creditbank.outcomes.services.records import (
    outcome_evidence_add,
    outcome_evidence_remove,
    outcome_self_report,
    outcome_update,
)
from creditbank.outcomes.services.revocation import outcome_revoke, outcomes_close_revoked
from creditbank.outcomes.services.standards import (
    standard_create,
    standard_publish,
    standard_record,
    standard_retire,
    standard_revise,
    standard_update,
)

__all__ = [
    "MAX_BATCH",
    "CheckedRow",
    "CleanOutcome",
    "DepositReport",
    "certification_apply",
    "certification_decide",
    "certification_evidence_for_reviewer",
    "certification_withdraw",
    "deposit_row_check",
    "evidence_for_owner",
    "outcome_clean",
    "outcome_deposit",
    "outcome_evidence_add",
    "outcome_evidence_remove",
    "outcome_revoke",
    "outcome_self_report",
    "outcome_update",
    "outcomes_close_revoked",
    "outcomes_deposit",
    "outcomes_expire",
    "standard_create",
    "standard_publish",
    "standard_record",
    "standard_retire",
    "standard_revise",
    "standard_update",
]
