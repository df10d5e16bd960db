"""Conversion rules: drafted, previewed against a sample outcome, published (then never
changed), revised as new versions, retired; imported in bulk from JSON, row by row. Bank staff
holding ``Role.RULES_EDITOR`` edit every institution's rules; an institution's administrators
edit their institution's."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.institutions.selectors import course_lookup, institution_find_active, programme_lookup
from creditbank.kernel.errors import DomainError, NotFound
from creditbank.outcomes.services import outcome_clean
from creditbank.rules.domain.evaluator import Decision, OutcomeFacts, evaluate
from creditbank.rules.domain.grades import grade
from creditbank.rules.domain.rule import RuleError, RuleVersion, parse_rule, rule_code, search_keys
from creditbank.rules.errors import ErrorCode
from creditbank.rules.models import ConversionRule, RuleSourceKey, RuleStatus
from creditbank.rules.selectors import NO_RULE, may_edit_rules, rule_get_for_editor, rule_record

MESSAGES = {
    ErrorCode.RULE_TARGET_INVALID: _("Choose the rule's target: a published programme of the institution, and one of its courses where the rule exempts one."),
    ErrorCode.RULE_CRITERIA_INVALID: _("A source requirement is not valid."),
    ErrorCode.RULE_GRANTS_INVALID: _("What the rule grants is not valid."),
    ErrorCode.RULE_CAPS_INVALID: _("A cap is a positive number of credits with at most two decimal places."),
    ErrorCode.RULE_DATES_INVALID: _("Give dates as YYYY-MM-DD, the end on or after the start."),
    ErrorCode.RULE_CODE_INVALID: _("A rule code has letters, digits and . _ / - (at most 64)."),
}  # fmt: skip
#: the fields of the API and of an import row that make a rule version
FIELDS = ("code", "target", "criteria", "grants", "caps", "requires_review", "valid_from", "valid_to")
MAX_IMPORT_ROWS = 2000


def rule_error(refused: RuleError) -> DomainError:
    """A domain refusal as the API's and the form's error, on the field it names."""
    return DomainError(refused.code, MESSAGES[refused.code], field=refused.field, extra={"detail": refused.detail})


def _parse(data: Mapping[str, Any], *, code: str, version: int) -> RuleVersion:
    try:
        return parse_rule(data, code=code, version=version)
    except RuleError as refused:
        raise rule_error(refused) from None


def _rule_code(value: object) -> str:
    try:
        return rule_code(value)
    except RuleError as refused:
        raise rule_error(refused) from None


def _check_target(record: RuleVersion) -> None:
    """The target programme is a published programme of the institution; the course, when
    named, one of its active courses."""
    target = record.target
    if programme_lookup(target.institution, target.programme) is None:
        raise rule_error(RuleError(ErrorCode.RULE_TARGET_INVALID, "target.programme", "no such published programme"))
    if target.course and course_lookup(target.institution, target.programme, target.course) is None:
        raise rule_error(RuleError(ErrorCode.RULE_TARGET_INVALID, "target.course", "no such course in the programme"))


def _fields(record: RuleVersion) -> dict[str, Any]:
    canonical = record.as_dict()
    return {
        "programme_code": record.target.programme,
        "course_code": record.target.course or "",
        "definition": {k: canonical[k] for k in ("criteria", "grants", "caps")},
        "requires_review": record.requires_review,
        "valid_from": record.valid_from,
        "valid_to": record.valid_to,
    }


def _index(rule: ConversionRule, record: RuleVersion) -> None:
    RuleSourceKey.objects.filter(rule=rule).delete()
    RuleSourceKey.objects.bulk_create([RuleSourceKey(rule=rule, key=k) for k in sorted(search_keys(record))])


def rule_create(*, actor: Any, data: Mapping[str, Any]) -> ConversionRule:
    """A new rule's first version, as a draft, for the target institution ``actor`` may edit."""
    target = data.get("target")
    code = target.get("institution") if isinstance(target, Mapping) else None
    if not isinstance(code, str) or not code.strip():
        raise rule_error(
            RuleError(ErrorCode.RULE_TARGET_INVALID, "target.institution", "the target institution's code")
        )
    institution = institution_find_active(code)
    if institution is None or not may_edit_rules(actor, institution=institution):
        raise NotFound(_("No such institution."))
    rule_code = _rule_code(data.get("code"))
    record = _parse(data, code=rule_code, version=1)
    _check_target(record)
    series = f"{institution.code}:{rule_code}"
    if ConversionRule.objects.filter(series=series).exists():
        raise DomainError(
            ErrorCode.RULE_EXISTS,
            _("The institution has a rule with this code already: revise it to make a new version."),
            field="code", status=409,
        )  # fmt: skip
    try:
        with transaction.atomic():
            rule = ConversionRule.objects.create(
                series=series, code=rule_code, version=1, institution=institution, created_by=actor, **_fields(record)
            )
            _index(rule, record)
    except IntegrityError as exc:
        raise DomainError(ErrorCode.RULE_EXISTS, _("A draft of this rule exists already."), status=409) from exc
    return rule


def _draft(rule: ConversionRule) -> None:
    if rule.status != RuleStatus.DRAFT:
        raise DomainError(
            ErrorCode.RULE_NOT_DRAFT, _("A published version never changes: revise it to make a new version."),
            status=409,
        )  # fmt: skip


def rule_update(*, actor: Any, rule_id: int, data: Mapping[str, Any]) -> ConversionRule:
    """Change a draft: everything but its code and target institution."""
    with transaction.atomic():
        rule = rule_get_for_editor(actor=actor, id=rule_id, for_update=True)
        _draft(rule)
        merged = {**data, "target": {**dict(data.get("target") or {}), "institution": rule.institution.code}}
        record = _parse(merged, code=rule.code, version=rule.version)
        _check_target(record)
        for name, value in _fields(record).items():
            setattr(rule, name, value)
        rule.save()
        _index(rule, record)
    return rule


def rule_publish(*, actor: Any, rule_id: int) -> ConversionRule:
    """Publish a draft: its hash is fixed; it supersedes the previous version from its
    ``valid_from``, which must come after the previous version's."""
    with transaction.atomic():
        rule = rule_get_for_editor(actor=actor, id=rule_id, for_update=True)
        _draft(rule)
        record = rule_record(rule)
        _check_target(record)
        previous = (
            ConversionRule.objects.filter(series=rule.series, status=RuleStatus.PUBLISHED)
            .exclude(pk=rule.pk)
            .aggregate(latest=Max("valid_from"))["latest"]
        )
        if previous is not None and rule.valid_from <= previous:
            raise DomainError(
                ErrorCode.RULE_VERSION_DATE,
                _("A new version takes effect after the version it supersedes (from %(date)s).")
                % {"date": previous.isoformat()},
                field="valid_from", extra={"after": previous.isoformat()},
            )  # fmt: skip
        rule.status = RuleStatus.PUBLISHED
        rule.hash = record.sha256()
        rule.published_at = timezone.now()
        rule.save(update_fields=["status", "hash", "published_at"])
    return rule


def rule_revise(*, actor: Any, rule_id: int, valid_from: date | None = None) -> ConversionRule:
    """A new draft version of a published rule, copying it (to edit, then publish)."""
    with transaction.atomic():
        rule = rule_get_for_editor(actor=actor, id=rule_id, for_update=True)
        if rule.status != RuleStatus.PUBLISHED:
            raise DomainError(ErrorCode.RULE_NOT_PUBLISHED, _("Only a published version can be revised."), status=409)
        if ConversionRule.objects.filter(series=rule.series, status=RuleStatus.DRAFT).exists():
            raise DomainError(ErrorCode.RULE_EXISTS, _("A draft of this rule exists already."), status=409)
        latest = ConversionRule.objects.filter(series=rule.series).aggregate(v=Max("version"))["v"]
        start = valid_from or max(timezone.localdate(), rule.valid_from)
        copy = ConversionRule.objects.create(
            series=rule.series, code=rule.code, version=latest + 1, institution=rule.institution,
            programme_code=rule.programme_code, course_code=rule.course_code, definition=rule.definition,
            requires_review=rule.requires_review, valid_from=start,
            valid_to=rule.valid_to if rule.valid_to is None or rule.valid_to >= start else None,
            created_by=actor,
        )  # fmt: skip
        _index(copy, rule_record(copy))
    return copy


def rule_retire(*, actor: Any, rule_id: int) -> ConversionRule:
    """Retire a rule: none of its versions converts anything from now on (kept for the record
    and for the conversions decided under it)."""
    with transaction.atomic():
        rule = rule_get_for_editor(actor=actor, id=rule_id, for_update=True)
        if rule.status != RuleStatus.PUBLISHED:
            raise DomainError(ErrorCode.RULE_NOT_PUBLISHED, _("Only a published version can be retired."), status=409)
        ConversionRule.objects.filter(series=rule.series, status=RuleStatus.PUBLISHED).update(status=RuleStatus.RETIRED)
        rule.refresh_from_db()
    return rule


# --- preview against a sample outcome ------------------------------------------------------


def sample_outcome(data: Mapping[str, Any], *, today: date) -> OutcomeFacts:
    """A sample outcome for the authors' preview: the outcome fields of the API contract,
    checked as a learner's own record is (the title may be left out)."""
    clean = outcome_clean({"title": "sample", **data}, today=today, issuer_required=False)
    result = grade(clean.result.as_dict()) if clean.result is not None else None
    return OutcomeFacts(
        id=1,
        type=clean.type,
        code=clean.code or "",
        issuer=clean.issuer.strip().lower(),
        achieved_on=clean.achieved_on,
        credits=clean.credits,
        expires_on=clean.expires_on,
        hours=clean.hours,
        level=clean.level,
        result=result,
    )


def rule_try(*, actor: Any, data: Mapping[str, Any], sample: Mapping[str, Any], as_of: date | None = None) -> Decision:
    """What a rule (saved or not) would decide for one sample outcome and no prior conversion.
    Nothing is written."""
    today = as_of or timezone.localdate()
    rule_code = _rule_code(data.get("code") or "PREVIEW")
    record = _parse(data, code=rule_code, version=1)
    return evaluate(record, [sample_outcome(sample, today=today)], (), as_of=today)


# --- bulk import ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[ConversionRule] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def rules_import(*, actor: Any, rows: Sequence[object], publish: bool = False) -> ImportReport:
    """Rules from a JSON list, each row checked and created on its own (a bad row is reported
    with its index, code, field and message, and writes nothing); ``publish`` publishes each
    created draft at once."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes) or not rows:
        raise DomainError(ErrorCode.RULE_IMPORT_INVALID, _("The file holds a JSON list of rules."), field="file")
    if len(rows) > MAX_IMPORT_ROWS:
        raise DomainError(
            ErrorCode.RULE_IMPORT_INVALID, _("At most %(n)d rules per file.") % {"n": MAX_IMPORT_ROWS}, field="file"
        )
    report = ImportReport()
    for index, row in enumerate(rows):
        try:
            if not isinstance(row, Mapping):
                raise DomainError(ErrorCode.RULE_IMPORT_INVALID, _("Each row is a JSON object."))
            unknown = sorted(set(row) - set(FIELDS))
            if unknown:
                raise DomainError(
                    ErrorCode.RULE_IMPORT_INVALID, _("Unknown field: %(name)s") % {"name": unknown[0]}, field=unknown[0]
                )
            with transaction.atomic():
                rule = rule_create(actor=actor, data=row)
                if publish:
                    rule = rule_publish(actor=actor, rule_id=rule.pk)
            report.created.append(rule)
        except DomainError as refused:
            report.errors.append(
                {"index": index, "code": refused.code, "field": refused.field or "", "message": str(refused.message)}
            )
    return report


MAX_IMPORT_BYTES = 2 * 1024 * 1024


def rules_import_file(*, actor: Any, data: bytes, publish: bool = False) -> ImportReport:
    """Rules from a JSON file (UTF-8, with or without a BOM; at most 2 MiB): a list of rule
    objects as ``POST /conversion-rules`` takes them, or ``{"rules": [...]}``; each row as
    :func:`rules_import` checks it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError(
            ErrorCode.RULE_IMPORT_INVALID, _("The file is larger than 2 MiB: split it."), field="file",
            extra={"max_bytes": MAX_IMPORT_BYTES},
        )  # fmt: skip
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise DomainError(ErrorCode.RULE_IMPORT_INVALID, _("The file is not JSON in UTF-8."), field="file") from None
    if isinstance(parsed, Mapping) and set(parsed) == {"rules"}:
        parsed = parsed["rules"]
    return rules_import(actor=actor, rows=parsed, publish=publish)


__all__ = [
    "FIELDS",
    "MESSAGES",
    "NO_RULE",
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
