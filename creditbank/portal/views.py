"""The home page: a welcome for visitors, and for a signed-in account the dashboard that gathers
each context's summary (account state, real-name verification, credits, notices, the staff queues) through
that context's selectors. The portal sits above every context (ADR 0013), so it may read them
all; none of them imports it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from creditbank.accounts.actor import actor
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.roles import Role, has_role
from creditbank.identity.selectors import verification_queue, verification_state
from creditbank.institutions.selectors import roles_of_member
from creditbank.ledger.selectors import credit_account_of, credit_balances
from creditbank.notices.selectors import (
    notice_read_ids,
    notices_unread_count,
    notices_visible,
    support_queue,
)
from creditbank.outcomes.selectors import certification_queue, may_review_certifications, outcomes_summary
from creditbank.profiles.selectors import change_request_queue
from creditbank.rules.selectors import conversion_queue, conversions_for_user, may_review_conversions


def _staff_queues(user: User) -> list[dict[str, Any]]:
    """Every queue this account may work, with what waits in it (its own requests excluded)."""
    queues = []
    if has_role(user, Role.VERIFICATION_REVIEWER):
        queues.append(
            {
                "key": "verifications",
                "label": _("Real-name verifications"),
                "url_name": "identity:review_queue",
                "pending": verification_queue(reviewer=user).count(),
            }
        )
    if has_role(user, Role.CHANGE_REVIEWER):
        queues.append(
            {
                "key": "change_requests",
                "label": _("Change requests"),
                "url_name": "profiles:review_queue",
                "pending": change_request_queue(reviewer=user).count(),
            }
        )
    if may_review_certifications(user):
        queues.append(
            {
                "key": "certifications",
                "label": _("Certification applications"),
                "url_name": "outcomes:review_queue",
                "pending": certification_queue(reviewer=user).count(),
            }
        )
    if may_review_conversions(user):
        queues.append(
            {
                "key": "conversions",
                "label": _("Conversion applications"),
                "url_name": "conversions:review_queue",
                "pending": conversion_queue(reviewer=user).count(),
            }
        )
    if has_role(user, Role.SUPPORT):
        queues.append(
            {
                "key": "support_tickets",
                "label": _("Support tickets"),
                "url_name": "notices:support_queue",
                "pending": support_queue(staff=user, status="open").count(),
            }
        )
    return queues


def _conversions(user: User) -> dict[str, Any]:
    """The learner's conversion applications: how many wait for a decision, the latest one."""
    mine = conversions_for_user(user)
    return {"pending": mine.filter(status="pending").count(), "latest": mine.first()}


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    user = actor(request)
    return render(
        request,
        "portal/dashboard.html",
        {
            "verification": None if user.is_staff else verification_state(user),
            "credits": credit_balances(credit_account_of(user))
            if user.status == AccountStatus.VERIFIED and not user.is_staff
            else None,
            "staff_queues": _staff_queues(user),
            "memberships": roles_of_member(user=user),
            "edits_standards": has_role(user, Role.STANDARDS_EDITOR),
            "outcomes": outcomes_summary(user) if user.status == AccountStatus.VERIFIED and not user.is_staff else None,
            "conversions": _conversions(user) if user.status == AccountStatus.VERIFIED and not user.is_staff else None,
            "notices": notices_visible()[:3],
            "notices_unread": notices_unread_count(user),
            "read_ids": notice_read_ids(user),
        },
    )
