"""Personal data the outcomes context seals at rest (see ``kernel.personal_data``)."""

from creditbank.kernel.personal_data import VaultFiles, declare

EVIDENCE_CONTEXT = "outcomes.outcome.evidence"

declare(VaultFiles("outcomes.OutcomeEvidence", ("blob",), context=EVIDENCE_CONTEXT))

#: an import's uploaded file, chunk by chunk (kernel.vault_chunks): the rows name learners by ID number
IMPORT_FILE_CONTEXT = "outcomes.import.file"

declare(VaultFiles("outcomes.ImportFileChunk", ("blob",), context=IMPORT_FILE_CONTEXT))
