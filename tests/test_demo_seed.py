"""`./dev run` seeds one learner in each state and a reviewer, and prints their logins."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from creditbank.accounts.models import User
from creditbank.identity.models import VerificationAttempt

ROLES = {
    "learner-registered": ("registered", None),
    "learner-activated": ("activated", None),
    "learner-pending": ("activated", "pending"),
    "learner-rejected": ("activated", "rejected"),
    "learner-verified": ("verified", "approved"),
}


def test_seed_demo_is_idempotent_and_prints_working_logins(db, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert User.objects.count() == 6
    lines = dict(re.findall(r"^([a-z-]+): (\S+ / \S+)$", out.getvalue(), re.M))
    assert set(lines) == {*ROLES, "reviewer"}
    for role, (status, attempt_status) in ROLES.items():
        identifier, password = lines[role].split(" / ")
        user = User.objects.get(email=identifier)
        assert user.status == status, role
        latest = VerificationAttempt.objects.filter(user=user).first()
        assert (latest.status if latest else None) == attempt_status, role
        client = Client()
        response = client.post("/accounts/login/", {"identifier": identifier, "password": password})
        assert response.status_code == 302, role
    reviewer_id, reviewer_pw = lines["reviewer"].split(" / ")
    staff = Client()
    staff.post("/accounts/login/", {"identifier": reviewer_id, "password": reviewer_pw})
    assert staff.get("/review/verifications/").status_code == 200
    assert "/accounts/activate/" in out.getvalue()
    from creditbank.notices.models import Notice, Ticket
    from creditbank.profiles.models import ChangeRequest, EducationEntry, WorkEntry

    assert Notice.objects.count() == 1
    assert Ticket.objects.filter(status="open").count() == 1
    assert ChangeRequest.objects.filter(status="pending").count() == 1
    assert EducationEntry.objects.count() == WorkEntry.objects.count() == 1
    assert staff.get("/review/change-requests/").status_code == 200
    assert staff.get("/support/queue/").status_code == 200
