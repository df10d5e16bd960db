"""The outcome as the API shows it (../shared/API.md), shared by the learner's, the reviewers'
and the institutions' endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from creditbank.outcomes.models import CertificationApplication, Outcome
from creditbank.reviews.reasons import reason_as_dict


class ResultOut(Schema):
    scheme: str
    value: str


class EvidenceOut(Schema):
    id: int
    content_type: str
    size: int
    filename: str


class ReasonOut(Schema):
    code: str
    label: str
    explanation: str
    advice: list[str]


class ApplicationOut(Schema):
    id: int
    outcome_id: int
    status: str
    routed_to: str | None
    standard_id: int | None
    credits_granted: str | None
    adjust_reason: str
    reason: ReasonOut | None
    note: str
    created_at: datetime
    decided_at: datetime | None


class OutcomeOut(Schema):
    id: int
    type: str
    title: str
    code: str
    issuer: str
    achieved_on: date
    credits: str
    hours: str | None
    result: ResultOut | None
    level: int | None
    expires_on: date | None
    status: str
    source: str
    external_id: str
    certified_credits: str | None
    evidence: list[EvidenceOut]
    application: ApplicationOut | None


def _money(value: Any) -> str | None:
    return f"{value:.2f}" if value is not None else None


def application_out(a: CertificationApplication) -> dict[str, Any]:
    return {
        "id": a.pk,
        "outcome_id": a.outcome_id,
        "status": a.status,
        "routed_to": a.routed_to.code if a.routed_to is not None else None,
        "standard_id": a.standard_id,
        "credits_granted": _money(a.credits_granted),
        "adjust_reason": a.adjust_reason,
        "reason": reason_as_dict("certification", a.reason_code) if a.reason_code else None,
        "note": a.note,
        "created_at": a.created_at,
        "decided_at": a.decided_at,
    }


def outcome_out(o: Outcome, *, with_evidence: bool = True) -> dict[str, Any]:
    latest = o.applications.order_by("-created_at", "-id").first() if o.source == "self_reported" else None
    return {
        "id": o.pk,
        "type": o.type,
        "title": o.title,
        "code": o.code,
        "issuer": o.issuer,
        "achieved_on": o.achieved_on,
        "credits": _money(o.credits),
        "hours": _money(o.hours),
        "result": o.result(),
        "level": o.level,
        "expires_on": o.expires_on,
        "status": o.status,
        "source": o.source,
        "external_id": o.external_id,
        "certified_credits": _money(o.certified_credits),
        "evidence": [
            {"id": e.pk, "content_type": e.content_type, "size": e.size, "filename": e.filename}
            for e in (o.evidence.all() if with_evidence else [])
        ],
        "application": application_out(latest) if latest is not None else None,
    }
