"""Writes of the rules context (one transaction each)."""

from creditbank.rules.services.rules import (
    FIELDS,
    MAX_IMPORT_BYTES,
    ImportReport,
    rule_create,
    rule_error,
    rule_publish,
    rule_retire,
    rule_revise,
    rule_try,
    rule_update,
    rules_import,
    rules_import_file,
    sample_outcome,
)

__all__ = [
    "FIELDS",
    "MAX_IMPORT_BYTES",
    "ImportReport",
    "rule_create",
    "rule_error",
    "rule_publish",
    "rule_retire",
    "rule_revise",
    "rule_try",
    "rule_update",
    "rules_import",
    "rules_import_file",
    "sample_outcome",
]  # fmt: skip

from creditbank.rules.services.preview import (  # noqa: E402
    Preview,
    chosen_facts,
    conversion_preview,
    prior_conversions,
    reuse_policy,
)

__all__ += ["Preview", "chosen_facts", "conversion_preview", "prior_conversions", "reuse_policy"]

from creditbank.rules.services.conversions import (  # noqa: E402
    conversion_apply,
    conversion_decide,
    conversion_flag_resolve,
    conversion_hold_on_revocation,
    conversion_replay,
    conversion_withdraw,
    decision_payload,
)

__all__ += ["conversion_flag_resolve", "conversion_hold_on_revocation"]
__all__ += ["conversion_apply", "conversion_decide", "conversion_replay", "conversion_withdraw", "decision_payload"]

from creditbank.rules.services.pathways import Pathway, PathwayLine, pathways, rule_names  # noqa: E402

__all__ += ["Pathway", "PathwayLine", "pathways", "rule_names"]
