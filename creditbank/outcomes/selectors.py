"""Reads of the outcomes context, with the access checks.

- A learner sees their own outcomes, evidence and applications (``Acting.OWNER``).
- A certification application is seen by the reviewers it is routed to: the reviewers of the
  issuing institution, or bank staff holding ``Role.CERTIFICATION_REVIEWER`` when the issuer is
  not a member of the bank. Anyone else, an institution reviewer asking for another
  institution's application included, gets the same NotFound as for one that does not exist,
  and the refusal is logged.
- An outcome an institution deposited is reached by that institution's issuers and API clients
  only (``deposited_outcome_get``).
- Published certification standards are public.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.institutions.selectors import institution_ids_with_role
from creditbank.kernel.errors import NotFound
from creditbank.outcomes.domain.standards import in_force
from creditbank.outcomes.models import (
    CertificationApplication,
    CertificationStandard,
    CertificationStatus,
    ImportJob,
    ImportRow,
    Outcome,
    OutcomeSource,
    OutcomeStatus,
    StandardStatus,
)
from creditbank.reviews.selectors import request_get_for_actor, review_queue

log = logging.getLogger("creditbank.outcomes.access")

NO_OUTCOME = _("No such outcome.")
NO_APPLICATION = _("No such certification application.")
NO_STANDARD = _("No such certification standard.")


def outcomes_for_user(user: Any) -> QuerySet[Outcome]:
    return (
        Outcome.objects.filter(user_id=getattr(user, "pk", None) or 0)
        .select_related("issuer_institution")
        .prefetch_related("evidence")
        .order_by("-achieved_on", "-id")
    )


def outcomes_summary(user: Any) -> dict[str, Any]:
    """For the learner's home page: how many outcomes in each status, and the latest decision."""
    counts = dict(
        Outcome.objects.filter(user_id=user.pk).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    latest = (
        CertificationApplication.objects.filter(user_id=user.pk, decided_at__isnull=False)
        .exclude(status=CertificationStatus.WITHDRAWN)
        .select_related("outcome")
        .order_by("-decided_at", "-id")
        .first()
    )
    return {"counts": counts, "total": sum(counts.values()), "latest_decision": latest}


def outcome_get_for_actor(*, actor: Any, id: int, for_update: bool = False) -> Outcome:
    """The learner's own outcome (nobody else reaches it here); NotFound otherwise."""
    qs = Outcome.objects.select_for_update(of=("self",)) if for_update else Outcome.objects.all()
    found: Outcome = object_for_actor(
        qs.select_related("issuer_institution"), actor=actor, id=id, role=None, acting=Acting.OWNER, missing=NO_OUTCOME
    )
    return found


def deposited_outcome_get(*, institution: Any, id: int, for_update: bool = False) -> Outcome:
    """An outcome ``institution`` deposited (the caller has passed the institution's gate)."""
    qs = Outcome.objects.select_for_update(of=("self",)) if for_update else Outcome.objects.all()
    found = qs.filter(pk=id, source=OutcomeSource.INSTITUTION, issuer_institution=institution).first()
    if found is None:
        if Outcome.objects.filter(pk=id).exists():
            log.warning("outcome access refused: institution %s asked for outcome %s", institution.pk, id)
        raise NotFound(NO_OUTCOME)
    return found


def _reviewable(actor: Any) -> Q:
    """The applications ``actor`` may review: routed to an institution where they are a
    reviewer, or to the bank when they hold the bank's role."""
    q = Q(routed_to_id__in=institution_ids_with_role(user=actor, role=Role.INSTITUTION_REVIEWER))
    if has_role(actor, Role.CERTIFICATION_REVIEWER):
        q |= Q(routed_to__isnull=True)
    return q


def may_review_certifications(actor: Any) -> bool:
    return has_role(actor, Role.CERTIFICATION_REVIEWER) or has_role(actor, Role.INSTITUTION_REVIEWER)


def application_get_for_actor(
    *, actor: Any, id: int, acting: Acting = Acting.EITHER, for_update: bool = False
) -> CertificationApplication:
    """The application if ``actor`` may see it: the learner who applied (not ``Acting.STAFF``)
    or a reviewer it is routed to (not ``Acting.OWNER``); NotFound (logged) otherwise."""
    qs = CertificationApplication.objects.all()
    qs = qs.select_for_update(of=("self",)) if for_update else qs.select_related("outcome", "routed_to", "standard")
    return request_get_for_actor(
        qs, actor=actor, id=id, acting=acting, reviewable=_reviewable(actor), missing=NO_APPLICATION,
        kind="certification", logger=log,
    )  # fmt: skip


def applications_for_user(user: Any) -> QuerySet[CertificationApplication]:
    return (
        CertificationApplication.objects.filter(user_id=getattr(user, "pk", None) or 0)
        .select_related("outcome", "routed_to")
        .order_by("-created_at", "-id")
    )


def certification_queue(
    *, reviewer: Any, status: str | None = CertificationStatus.PENDING
) -> QuerySet[CertificationApplication]:
    """The applications routed to ``reviewer``, oldest first, never their own."""
    qs = CertificationApplication.objects.filter(_reviewable(reviewer)).select_related(
        "outcome", "routed_to", "standard", "user"
    )
    return review_queue(qs, reviewer=reviewer, status=status)


# --- certification standards -------------------------------------------------------------


def standards_published(
    *, q: str = "", outcome_type: str = "", owner: str = "", include_retired: bool = False
) -> QuerySet[CertificationStandard]:
    """Published versions (every version, newest first within a series), searchable by code
    or title, filtered by outcome type and owner (an institution's code, or ``bank``)."""
    statuses = [StandardStatus.PUBLISHED, StandardStatus.RETIRED] if include_retired else [StandardStatus.PUBLISHED]
    qs = CertificationStandard.objects.filter(status__in=statuses).select_related("owner")
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title_zh__icontains=q) | Q(title_en__icontains=q))
    if outcome_type:
        qs = qs.filter(outcome_type=outcome_type)
    if owner == "bank":
        qs = qs.filter(owner__isnull=True)
    elif owner:
        qs = qs.filter(owner__code=owner)
    return qs.order_by("outcome_type", "code", "series", "-version")


def standard_get_public(id: int) -> CertificationStandard:
    found = (
        CertificationStandard.objects.filter(pk=id, status__in=[StandardStatus.PUBLISHED, StandardStatus.RETIRED])
        .select_related("owner")
        .first()
    )
    if found is None:
        raise NotFound(NO_STANDARD)
    return found


def standard_versions(series: str) -> QuerySet[CertificationStandard]:
    return CertificationStandard.objects.filter(series=series).exclude(status=StandardStatus.DRAFT).order_by("-version")


def standard_in_force(*, outcome_type: str, code: str, owner: Any, on: date) -> CertificationStandard | None:
    """The standard that certifies an outcome ``on`` a day: the issuing institution's own
    (``owner``, when it has one), else the bank's, for the outcome's type and code."""
    if not code:
        return None
    for owner_q in ((Q(owner=owner),) if owner is not None else ()) + (Q(owner__isnull=True),):
        versions = list(
            CertificationStandard.objects.filter(
                owner_q, outcome_type=outcome_type, code__iexact=code, status=StandardStatus.PUBLISHED
            )
        )
        found = in_force(versions, on)
        if found is not None:
            return found
    return None


def may_edit_standards(actor: Any, *, owner: Any) -> bool:
    """Bank staff holding ``Role.STANDARDS_EDITOR`` edit every standard; an institution's
    administrators edit their institution's."""
    if has_role(actor, Role.STANDARDS_EDITOR):
        return True
    return owner is not None and has_role(actor, Role.INSTITUTION_ADMIN, institution=owner)


def standard_get_for_editor(*, actor: Any, id: int, for_update: bool = False) -> CertificationStandard:
    """Any version (drafts included) of a standard ``actor`` may edit; NotFound (logged) otherwise."""
    qs = CertificationStandard.objects.select_related("owner")
    found = (qs.select_for_update(of=("self",)) if for_update else qs).filter(pk=id).first()
    if found is None or not may_edit_standards(actor, owner=found.owner):
        if found is not None and getattr(actor, "is_authenticated", False):
            log.warning("standard access refused: account %s asked for standard %s", actor.pk, id)
        raise NotFound(NO_STANDARD)
    return found


def standards_for_editor(*, actor: Any) -> QuerySet[CertificationStandard]:
    """Every version an editor may edit, drafts first."""
    qs = CertificationStandard.objects.select_related("owner")
    if not has_role(actor, Role.STANDARDS_EDITOR):
        qs = qs.filter(owner_id__in=institution_ids_with_role(user=actor, role=Role.INSTITUTION_ADMIN))
    return qs.order_by("status", "series", "-version")


def deposited_outcomes(*, institution: Any, q: str = "") -> QuerySet[Outcome]:
    """The outcomes ``institution`` deposited, newest first (the caller has passed its gate);
    ``q`` matches the external id, the code or the learner's account number."""
    qs = Outcome.objects.filter(source=OutcomeSource.INSTITUTION, issuer_institution=institution).select_related("user")
    if q:
        qs = qs.filter(Q(external_id__icontains=q) | Q(code__icontains=q) | Q(user__account_no=q))
    return qs.order_by("-created_at", "-id")


def outcome_references(ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """``{id: (title, page)}`` of these outcomes, for the ledger's pages (one query)."""
    rows = Outcome.objects.filter(pk__in=list(ids)).values_list("pk", "title")
    return {pk: (title, f"/outcomes/{pk}/") for pk, title in rows}


def application_references(ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """``{id: (name, page)}`` of these certification applications: the outcome's page (one query)."""
    rows = CertificationApplication.objects.filter(pk__in=list(ids)).values_list("pk", "outcome_id", "outcome__title")
    return {
        pk: (str(_("Certification of “%(title)s”") % {"title": title}), f"/outcomes/{outcome_id}/")
        for pk, outcome_id, title in rows
    }


# --- outcome imports -------------------------------------------------------------------------------

NO_IMPORT = _("No such import.")


def import_jobs_of(*, institution: Any) -> QuerySet[ImportJob]:
    """The institution's import jobs, newest first (the caller has passed the institution's gate)."""
    return ImportJob.objects.filter(institution=institution).order_by("-created_at", "-id")


def import_job_get(*, institution: Any, id: int) -> ImportJob:
    """A job of ``institution`` (the caller has passed the institution's gate: an issuer there,
    or its API client with ``imports:write``); another institution's job is the same NotFound as
    a missing one, and the refusal is logged."""
    found = ImportJob.objects.filter(pk=id, institution=institution).select_related("institution").first()
    if found is None:
        if ImportJob.objects.filter(pk=id).exists():
            log.warning("import access refused: institution %s asked for import %s", institution.pk, id)
        raise NotFound(NO_IMPORT)
    return found


def import_rows_of(*, job: ImportJob, status: str = "", row_from: int = 0) -> QuerySet[ImportRow]:
    """A job's report, by row number; ``status`` one of ``ImportRowStatus`` (else every row),
    ``row_from`` the first row number wanted."""
    qs = ImportRow.objects.filter(job=job).order_by("row")
    if status:
        qs = qs.filter(status=status)
    if row_from:
        qs = qs.filter(row__gte=row_from)
    return qs


@dataclass(frozen=True)
class CertifiedFacts:
    """A certified outcome as the conversion rules see it: no personal data, no title; the
    credits are those certified (and deposited); ``issuer`` is the issuing institution's code,
    or the name a self-report declared."""

    id: int
    type: str
    code: str
    issuer: str
    achieved_on: date
    credits: Decimal
    expires_on: date | None
    hours: Decimal | None
    level: int | None
    result: dict[str, str] | None
    title: str


def certified_facts(user: Any, ids: Collection[int] | None = None) -> list[CertifiedFacts]:
    """``user``'s certified outcomes (those among ``ids`` when given; another learner's ids are
    simply not found), oldest id first."""
    qs = Outcome.objects.filter(user_id=getattr(user, "pk", None) or 0, status=OutcomeStatus.CERTIFIED)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    rows = []
    for o in qs.select_related("issuer_institution").order_by("id"):
        rows.append(
            CertifiedFacts(
                id=o.pk,
                type=o.type,
                code=o.code,
                issuer=o.issuer_institution.code if o.issuer_institution is not None else o.issuer_name,
                achieved_on=o.achieved_on,
                credits=o.certified_credits if o.certified_credits is not None else o.credits,
                expires_on=o.expires_on,
                hours=o.hours,
                level=o.level,
                result={"scheme": o.result_scheme, "value": o.result_value} if o.result_scheme else None,
                title=o.title,
            )
        )
    return rows
