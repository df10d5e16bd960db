"""The public form of a certification standard's version: what ``GET /rules`` answers for it
(the rules context lists standards and conversion rules together) and what the editors'
endpoints answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from creditbank.outcomes.models import CertificationStandard
from creditbank.outcomes.selectors import standard_versions

STANDARD_PREFIX = "standard-"


class TextPair(Schema):
    zh: str
    en: str


class StandardOut(Schema):
    #: ``standard-<n>``: one version of a standard
    id: str
    kind: str
    series: str
    version: int
    status: str
    owner: str
    outcome_type: str
    code: str
    title: TextPair
    credits: str
    level: int | None
    evidence: TextPair
    validity_months: int | None
    valid_from: date
    #: the day the next published version takes over (None: in force until retired)
    valid_to: date | None
    hash: str
    published_at: datetime | None


def standard_out(s: CertificationStandard, *, valid_to: date | None = None) -> dict[str, Any]:
    return {
        "id": f"{STANDARD_PREFIX}{s.pk}",
        "kind": "certification_standard",
        "series": s.series,
        "version": s.version,
        "status": s.status,
        "owner": s.owner.code if s.owner is not None else "bank",
        "outcome_type": s.outcome_type,
        "code": s.code,
        "title": {"zh": s.title_zh, "en": s.title_en},
        "credits": f"{s.credits:.2f}",
        "level": s.level,
        "evidence": {"zh": s.evidence_zh, "en": s.evidence_en},
        "validity_months": s.validity_months,
        "valid_from": s.valid_from,
        "valid_to": valid_to,
        "hash": s.hash,
        "published_at": s.published_at,
    }


def standard_valid_to(s: CertificationStandard) -> date | None:
    later = standard_versions(s.series).filter(version__gt=s.version, status="published")
    return later.order_by("valid_from").values_list("valid_from", flat=True).first()
