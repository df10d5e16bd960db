"""Reads of conversion rules: the public catalogue, the editors' view, the version in force,
and the rules that might accept a learner's outcomes (through the source-key index)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.roles import Acting, Role, has_role
from creditbank.institutions.selectors import institution_ids_with_role
from creditbank.kernel.errors import NotFound
from creditbank.reviews.selectors import request_get_for_actor, review_queue
from creditbank.rules.domain.rule import ABOUT_PREFIX, RuleVersion, parse_rule
from creditbank.rules.models import ConversionApplication, ConversionRule, ConversionStatus, RuleSourceKey, RuleStatus

log = logging.getLogger(__name__)
NO_RULE = _("No such rule.")
VISIBLE = (RuleStatus.PUBLISHED, RuleStatus.RETIRED)


def may_edit_rules(actor: Any, *, institution: Any) -> bool:
    """Bank staff holding ``Role.RULES_EDITOR`` edit every institution's rules; an institution's
    administrators edit their institution's."""
    if has_role(actor, Role.RULES_EDITOR):
        return True
    return institution is not None and has_role(actor, Role.INSTITUTION_ADMIN, institution=institution)


def rule_get_for_editor(*, actor: Any, id: int, for_update: bool = False) -> ConversionRule:
    """Any version (drafts included) of a rule ``actor`` may edit; NotFound (logged) otherwise."""
    qs = ConversionRule.objects.select_related("institution")
    found = (qs.select_for_update(of=("self",)) if for_update else qs).filter(pk=id).first()
    if found is None or not may_edit_rules(actor, institution=found.institution):
        if found is not None and getattr(actor, "is_authenticated", False):
            log.warning("rule access refused: account %s asked for rule %s", actor.pk, id)
        raise NotFound(NO_RULE)
    return found


def rules_for_editor(*, actor: Any, status: str = "") -> QuerySet[ConversionRule]:
    """Every version an editor may edit, drafts first."""
    qs = ConversionRule.objects.select_related("institution")
    if not has_role(actor, Role.RULES_EDITOR):
        qs = qs.filter(institution_id__in=institution_ids_with_role(user=actor, role=Role.INSTITUTION_ADMIN))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "series", "-version")


def rules_public(
    *,
    q: str = "",
    institution: str = "",
    programme: str = "",
    code: str = "",
    outcome_type: str = "",
) -> QuerySet[ConversionRule]:
    """Published (and retired, for the record) versions, searchable by target institution and
    programme, a source certificate or course ``code``, an outcome type, or ``q`` (the rule's
    code, programme or course)."""
    qs = ConversionRule.objects.filter(status__in=VISIBLE).select_related("institution")
    if institution:
        qs = qs.filter(institution__code=institution.strip().lower())
    if programme:
        qs = qs.filter(programme_code__iexact=programme.strip())
    if code:
        qs = qs.filter(source_keys__key=f"code:{code.strip().upper()}")
    if outcome_type:
        qs = qs.filter(source_keys__key=f"{ABOUT_PREFIX}{outcome_type.strip()}")
    if q:
        term = q.strip()
        qs = qs.filter(
            Q(code__icontains=term)
            | Q(programme_code__icontains=term)
            | Q(course_code__icontains=term)
            | Q(source_keys__key__icontains=term)
        )
    return qs.distinct().order_by("institution__code", "programme_code", "code", "-version")


def rule_get_public(id: int) -> ConversionRule:
    found = ConversionRule.objects.select_related("institution").filter(pk=id, status__in=VISIBLE).first()
    if found is None:
        raise NotFound(NO_RULE)
    return found


def rule_versions(series: str) -> QuerySet[ConversionRule]:
    return ConversionRule.objects.filter(series=series)


def superseded_from(rule: ConversionRule) -> date | None:
    """The day the next published version of ``rule`` takes over (None: none yet)."""
    later = rule_versions(rule.series).filter(version__gt=rule.version, status=RuleStatus.PUBLISHED)
    first: date | None = later.order_by("valid_from").values_list("valid_from", flat=True).first()
    return first


def rule_record(rule: ConversionRule) -> RuleVersion:
    """The domain's view of a stored version (its ``definition`` is the canonical dict)."""
    data = dict(rule.definition)
    data["target"] = {
        "institution": rule.institution.code,
        "programme": rule.programme_code,
        "course": rule.course_code or None,
    }
    data["requires_review"] = rule.requires_review
    data["valid_from"] = rule.valid_from.isoformat()
    data["valid_to"] = rule.valid_to.isoformat() if rule.valid_to else None
    return parse_rule(data, code=rule.code, version=rule.version)


def rules_in_force(on: date, *, candidates: QuerySet[ConversionRule] | None = None) -> list[ConversionRule]:
    """For every rule (series) among ``candidates`` (default: all), the published version in
    force ``on`` a day: the latest started one, unless it ended before ``on``."""
    qs = candidates if candidates is not None else ConversionRule.objects.all()
    rows = (
        qs.filter(status=RuleStatus.PUBLISHED, valid_from__lte=on)
        .select_related("institution")
        .order_by("series", "-valid_from", "-version")
    )
    chosen: list[ConversionRule] = []
    seen: set[str] = set()
    for row in rows:
        if row.series in seen:
            continue
        seen.add(row.series)
        if row.valid_to is None or on <= row.valid_to:
            chosen.append(row)
    return chosen


def rules_for_keys(keys: Iterable[str], *, on: date) -> list[ConversionRule]:
    """The rules in force ``on`` a day that have one of ``keys`` (see ``domain.rule.source_keys``)."""
    ids = RuleSourceKey.objects.filter(key__in=list(keys)).values("rule_id")
    series = ConversionRule.objects.filter(pk__in=ids).values("series")
    return rules_in_force(on, candidates=ConversionRule.objects.filter(series__in=series))


def rule_in_force(*, id: int, on: date) -> ConversionRule | None:
    """The version of rule ``id``'s series in force ``on`` a day (a learner names any version;
    the one in force decides), or None."""
    row = ConversionRule.objects.filter(pk=id, status__in=VISIBLE).values_list("series", flat=True).first()
    if row is None:
        return None
    found = rules_in_force(on, candidates=ConversionRule.objects.filter(series=row))
    return found[0] if found else None


# --- conversion applications ---------------------------------------------------------------

NO_APPLICATION = _("No such conversion application.")
#: the queue of conversions whose source outcome was revoked, waiting for a review
FLAGGED = "flagged"


def _reviewable(actor: Any) -> Q:
    """The applications ``actor`` may decide: to an institution where they are a reviewer, or
    every one when they hold the bank's ``Role.CONVERSION_REVIEWER``."""
    if has_role(actor, Role.CONVERSION_REVIEWER):
        return Q()
    return Q(institution_id__in=institution_ids_with_role(user=actor, role=Role.INSTITUTION_REVIEWER))


def may_review_conversions(actor: Any) -> bool:
    return has_role(actor, Role.CONVERSION_REVIEWER) or has_role(actor, Role.INSTITUTION_REVIEWER)


def conversion_get_for_actor(
    *, actor: Any, id: int, acting: Acting = Acting.EITHER, for_update: bool = False
) -> ConversionApplication:
    """The application if ``actor`` may see it: the learner who applied (not ``Acting.STAFF``)
    or a reviewer of its target institution (not ``Acting.OWNER``); NotFound (logged) otherwise."""
    qs = ConversionApplication.objects.all()
    qs = qs.select_for_update(of=("self",)) if for_update else qs.select_related("rule", "institution")
    reviewable = _reviewable(actor) if may_review_conversions(actor) else None
    return request_get_for_actor(
        qs,
        actor=actor,
        id=id,
        acting=acting,
        reviewable=reviewable,
        missing=NO_APPLICATION,
        kind="conversion",
        logger=log,
    )


def conversions_for_user(user: Any) -> QuerySet[ConversionApplication]:
    return (
        ConversionApplication.objects.filter(user_id=getattr(user, "pk", None) or 0)
        .select_related("rule", "institution")
        .order_by("-created_at", "-id")
    )


def conversion_queue(
    *, reviewer: Any, status: str | None = ConversionStatus.PENDING
) -> QuerySet[ConversionApplication]:
    """The applications ``reviewer`` may decide, oldest first, never their own."""
    if not may_review_conversions(reviewer):
        return ConversionApplication.objects.none()
    qs = ConversionApplication.objects.filter(_reviewable(reviewer)).select_related("rule", "institution", "user")
    if status == FLAGGED:
        return review_queue(qs.filter(flagged_at__isnull=False, flag_resolution=""), reviewer=reviewer, status=None)
    return review_queue(qs, reviewer=reviewer, status=status)


def conversion_references(ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """``{id: (name, page)}`` of these conversion applications, for the ledger's pages (one query)."""
    rows = ConversionApplication.objects.filter(pk__in=list(ids)).values_list(
        "pk", "institution__code", "programme_code", "rule__code"
    )
    return {
        pk: (
            str(_("Conversion into %(programme)s (%(institution)s) by rule %(rule)s")
                % {"programme": programme, "institution": institution, "rule": rule}),
            "/conversions/",
        )
        for pk, institution, programme, rule in rows
    }  # fmt: skip
