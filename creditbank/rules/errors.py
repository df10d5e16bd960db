"""The rules context's error codes (docs/API-ERRORS.md lists each with its status)."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # a conversion rule's data (domain.rule, each names the field it is about)
    RULE_TARGET_INVALID = "rule_target_invalid"  # target institution, programme or course missing or unknown
    RULE_CRITERIA_INVALID = "rule_criteria_invalid"  # a malformed source requirement or combination
    RULE_GRANTS_INVALID = "rule_grants_invalid"  # neither fixed credits nor a ratio ≤ 1 with a known rounding step
    RULE_CAPS_INVALID = "rule_caps_invalid"  # a cap that is not a positive amount
    RULE_DATES_INVALID = "rule_dates_invalid"  # valid_from missing, or valid_to before it
    RULE_CODE_INVALID = "rule_code_invalid"  # a rule code with characters it may not hold
    # authoring
    RULE_EXISTS = "rule_exists"  # 409: the institution has a rule with this code (revise it), or a draft of it
    RULE_NOT_DRAFT = "rule_not_draft"  # 409: only a draft can be edited or published
    RULE_NOT_PUBLISHED = "rule_not_published"  # 409: only a published version can be revised or retired
    RULE_VERSION_DATE = "rule_version_date"  # a new version starts after the one it supersedes
    RULE_IMPORT_INVALID = "rule_import_invalid"  # an import file that is not a JSON list of rule objects
    RULE_KIND_INVALID = "rule_kind_invalid"  # GET /rules?kind= other than certification_standard or conversion_rule
    # conversion requests
    CONVERSION_OUTCOMES_INVALID = (
        "conversion_outcomes_invalid"  # outcome_ids not a list of the learner's certified outcomes
    )
    CONVERSION_TARGET_REQUIRED = "conversion_target_required"  # a preview names neither a rule nor a programme
    CONVERSION_NOT_PENDING = "conversion_not_pending"  # 409: decided or withdrawn already
    CONVERSION_FLAGGED = "conversion_flagged"  # 409: approving an application whose source outcome was revoked
    CONVERSION_NOT_FLAGGED = "conversion_not_flagged"  # 409: resolving a conversion no revocation flagged (or resolved)
    CONVERSION_FLAG_ACTION = "conversion_flag_action"  # a flag resolution other than reverse or keep
    CONVERSION_INPUTS_ALTERED = "conversion_inputs_altered"  # (replay) stored inputs that no longer match their hash
    # conversion refusals (../shared/API.md; outcome_already_converted is the outcomes context's code)
    CRITERIA_NOT_MET = "criteria_not_met"  # the chosen outcomes do not satisfy the rule (the trace says why)
    CAP_REACHED = "cap_reached"  # a programme, year, term or source-institution cap leaves no room
    RULE_NOT_IN_FORCE = "rule_not_in_force"  # the version is not valid on the day of the request
