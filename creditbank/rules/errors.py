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
    # conversion refusals (../shared/API.md; outcome_already_converted is the outcomes context's code)
    CRITERIA_NOT_MET = "criteria_not_met"  # the chosen outcomes do not satisfy the rule (the trace says why)
    CAP_REACHED = "cap_reached"  # a programme, year, term or source-institution cap leaves no room
    RULE_NOT_IN_FORCE = "rule_not_in_force"  # the version is not valid on the day of the request
