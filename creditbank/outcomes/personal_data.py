"""Personal data the outcomes context seals at rest (see ``kernel.personal_data``)."""

from creditbank.kernel.personal_data import VaultFiles, declare

EVIDENCE_CONTEXT = "outcomes.outcome.evidence"

declare(VaultFiles("outcomes.OutcomeEvidence", ("blob",), context=EVIDENCE_CONTEXT))
