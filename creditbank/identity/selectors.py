"""Reads of real-name verification, including the reviewer's access check."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.roles import Acting, Role, has_role, object_for_actor
from creditbank.accounts.selectors import NextStep
from creditbank.identity import photo_reuse
from creditbank.identity.models import PortraitHashBand, VerificationAttempt, VerificationStatus
from creditbank.identity.reasons import reason_as_dict
from creditbank.kernel.policy import policy
from creditbank.reviews.selectors import review_queue

#: Checks that inform the reviewer's decision but are nothing the learner can fix (another
#: account's photo or ID number, the region list, a provider outage): shown to reviewers only.
ADVISORY_CHECKS = frozenset({"id_number_unique", "photo_not_reused", "region_known", "provider"})
#: Statuses in which the learner sees their own checks (afterwards the decision speaks).
_CHECKS_SHOWN_WHILE = (VerificationStatus.PENDING, VerificationStatus.REJECTED)


def check_is_advisory(name: str) -> bool:
    return name in ADVISORY_CHECKS


def _day_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date(), time.min), timezone.get_current_timezone())


def attempts_left_today(user: User, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    used = VerificationAttempt.objects.filter(user=user, created_at__gte=_day_start(now)).count()
    return max(0, int(policy().verification_attempts_per_day) - used)


def next_attempt_at(user: User, *, now: datetime | None = None) -> datetime:
    """When the next attempt becomes possible (now, or the start of tomorrow)."""
    now = now or timezone.now()
    if attempts_left_today(user, now=now) > 0:
        return now
    return _day_start(now) + timedelta(days=1)


def verification_current(user: User) -> VerificationAttempt | None:
    """The attempt the learner's page is about: the newest one not withdrawn or reset."""
    return VerificationAttempt.objects.filter(user=user, closed_at__isnull=True).order_by("-created_at", "-id").first()


def _may_submit(user: User, attempt: VerificationAttempt | None, left: int) -> bool:
    pending = attempt is not None and attempt.status == VerificationStatus.PENDING
    return user.status == AccountStatus.ACTIVATED and left > 0 and not pending


def verification_step(user: User) -> tuple[NextStep, bool]:
    """The verification part of an activated account's next step, and whether it may submit now.

    Registered with the accounts context at app ready (``IdentityConfig.ready``), so the banner,
    the home page, ``GET /me`` and the ``not_verified`` refusals say what
    :func:`verification_state` says: a pending attempt means waiting for review.
    """
    attempt = verification_current(user)
    if attempt is not None and attempt.status == VerificationStatus.PENDING:
        return (
            NextStep(
                "await_review",
                _("Your real-name verification is with a reviewer. We will email you the decision."),
                "identity:verification",
            ),
            False,
        )
    left = attempts_left_today(user)
    if attempt is not None and attempt.status == VerificationStatus.REJECTED:
        message = _("Your real-name verification was declined: see the reason, fix it and submit again.")
    else:
        message = _("Complete real-name verification: upload both sides of your ID card.")
    return NextStep("verify_identity", message, "identity:verification"), _may_submit(user, attempt, left)


def verification_state(user: User) -> dict[str, Any]:
    """What the learner sees: state, reason and advice, attempts left, and while the attempt is
    pending or rejected the checks that are theirs to fix (not the advisory ones)."""
    attempt = verification_current(user)
    left = attempts_left_today(user)
    state: dict[str, Any] = {
        "account_status": user.status,
        "status": "none",
        "attempt_id": None,
        "submitted_at": None,
        "decided_at": None,
        "checks": [],
        "reason": None,
        "note": "",
        "attempts_left_today": left,
        "next_attempt_at": next_attempt_at(user) if left == 0 else None,
        "can_submit": _may_submit(user, attempt, left),
        "can_withdraw": False,
        "can_reset": False,
        "source": "",
        "source_institution": "",
    }
    if attempt is None:
        return state
    state.update(
        status=attempt.status,
        attempt_id=attempt.pk,
        submitted_at=attempt.created_at,
        decided_at=attempt.decided_at,
        checks=[
            {"name": c.get("name"), "status": c.get("status")}
            for c in attempt.checks
            if attempt.status in _CHECKS_SHOWN_WHILE and not check_is_advisory(c.get("name", ""))
        ],
        note=attempt.note if attempt.status in (VerificationStatus.APPROVED, VerificationStatus.REJECTED) else "",
        reason=reason_as_dict(attempt.reason_code) if attempt.reason_code else None,
        can_withdraw=attempt.status == VerificationStatus.PENDING,
        can_reset=attempt.status == VerificationStatus.REJECTED,
        source=attempt.source,
        source_institution=attempt.source_institution,
    )
    return state


def verification_queue(
    *, reviewer: User, status: str | None = "pending", flagged_only: bool = False
) -> QuerySet[VerificationAttempt]:
    """The reviewer's queue, oldest first. Only reviewers see it (others: an empty queue)."""
    if not has_role(reviewer, Role.VERIFICATION_REVIEWER):
        return VerificationAttempt.objects.none()
    qs = VerificationAttempt.objects.select_related("user", "reviewer")
    if flagged_only:
        qs = qs.filter(user__region_flagged=True)
    return review_queue(qs, reviewer=reviewer, status=status)


def verification_get_for_actor(
    *, actor: Any, id: int, for_update: bool = False, acting: Acting = Acting.EITHER
) -> VerificationAttempt:
    """The attempt if ``actor`` may see it: its learner, or a verification reviewer (as ``acting``
    says). Anyone else
    gets the same NotFound as for an attempt that does not exist. ``for_update`` locks the row
    (inside the caller's transaction)."""
    if for_update:
        qs = VerificationAttempt.objects.select_for_update(of=("self",)).select_related("user")
    else:
        qs = VerificationAttempt.objects.select_related("user", "reviewer")
    return object_for_actor(
        qs, actor=actor, id=id, role=Role.VERIFICATION_REVIEWER, acting=acting, missing=_("No such verification.")
    )


@dataclass(frozen=True)
class ReuseMatch:
    """Another account's attempt with this photo: the same file (``distance`` None) or a portrait
    ``distance`` bits away."""

    attempt_id: int
    account_no: str
    distance: int | None


def portrait_reuse_candidates(*, user_id: int, hashes: photo_reuse.PortraitHashes) -> list[tuple[int, str, str]]:
    """Other accounts' attempts sharing a probed band with ``hashes`` (an index search, see
    ``photo_reuse``): ``(attempt id, account number, portrait hash)``, not yet checked exactly."""
    probed = photo_reuse.probes(*hashes.all())
    condition = reduce(operator.or_, (Q(band=band, value__in=sorted(values)) for band, values in probed.items()))
    sharing = PortraitHashBand.objects.filter(condition).values("attempt_id")
    return list(
        VerificationAttempt.objects.filter(pk__in=sharing)
        .exclude(user_id=user_id)
        .exclude(portrait_hash="")
        .order_by("pk")
        .values_list("pk", "user__account_no", "portrait_hash")
    )


def photo_reuse_matches(*, attempt: VerificationAttempt, hashes: photo_reuse.PortraitHashes | None) -> list[ReuseMatch]:
    """Other accounts' attempts whose photo this attempt re-uses, closest first: the same file on
    either side (SHA-256 of the cleaned picture), or a portrait within ``photo_reuse.THRESHOLD``
    bits (every hash the new photo looks up: upright, turned half round, turned back). Both are
    index look-ups, never a scan."""
    matches: dict[int, ReuseMatch] = {}
    files = {sha for sha in (attempt.front_sha256, attempt.back_sha256) if sha}
    if files:
        same_file = (
            VerificationAttempt.objects.exclude(user_id=attempt.user_id)
            .filter(Q(front_sha256__in=files) | Q(back_sha256__in=files))
            .values_list("pk", "user__account_no")
        )
        for pk, account_no in same_file:
            matches[pk] = ReuseMatch(pk, account_no, None)
    if hashes is not None:
        for pk, account_no, stored in portrait_reuse_candidates(user_id=attempt.user_id, hashes=hashes):
            d = min(photo_reuse.distance(stored, h) for h in hashes.all())
            if d <= photo_reuse.THRESHOLD and pk not in matches:
                matches[pk] = ReuseMatch(pk, account_no, d)
    return sorted(matches.values(), key=lambda m: (m.distance is not None, m.distance or 0, m.attempt_id))
