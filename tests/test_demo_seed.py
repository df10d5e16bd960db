"""`./dev run` seeds one learner in each state and a reviewer, and prints their logins."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from creditbank.accounts.models import User
from creditbank.identity.models import VerificationAttempt
from creditbank.institutions.models import Institution, Membership

ROLES = {
    "learner-registered": ("registered", None),
    "learner-activated": ("activated", None),
    "learner-pending": ("activated", "pending"),
    "learner-rejected": ("activated", "rejected"),
    "learner-verified": ("verified", "approved"),
}
INSTITUTION_ROLES = {"institution-admin": "admin", "institution-issuer": "issuer", "institution-reviewer": "reviewer"}


def test_seed_demo_is_idempotent_and_prints_working_logins(db, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=out)
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert User.objects.count() == 9
    lines = dict(re.findall(r"^([a-z-]+): (\S+ / \S+)$", out.getvalue(), re.M))
    assert set(lines) == {*ROLES, "reviewer", *INSTITUTION_ROLES, "institution-client"}
    assert re.search(r"^institution-code: demo-open-univ$", out.getvalue(), re.M)
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
    _demo_outcomes(lines)
    _demo_programmes()
    _demo_rules(lines)


def _demo_programmes() -> None:
    """Published programmes with their courses at both institutions, once though seeded twice."""
    from creditbank.institutions.models import Course, Programme

    programmes = Programme.objects.order_by("institution__code", "code")
    assert [(p.institution.code, p.code, p.status, f"{p.total_credits}") for p in programmes] == [
        ("demo-open-univ", "ACC", "published", "150.00"),
        ("demo-open-univ", "CS", "published", "160.00"),
        ("demo-skills", "EC", "published", "130.00"),
        ("demo-skills", "SE", "published", "140.00"),
    ]
    assert [Course.objects.filter(programme=p, active=True).count() for p in programmes] == [8, 9, 7, 7]
    cs = Programme.objects.get(institution__code="demo-open-univ", code="CS")
    assert Course.objects.get(programme=cs, code="CS202").name_zh == "数据库原理"
    assert Client().get("/programmes/demo-open-univ/CS/").status_code == 200


def _demo_rules(lines: dict[str, str]) -> None:
    """A published catalogue of conversion rules over the four programmes (caps, combinations, ratio
    grants, exemptions, reviewed rules), once though seeded twice; learner-verified's certified
    outcomes meet two of them, one approved at once and one for the demo institution reviewer. Nobody
    has applied."""
    from creditbank.demo.conversion_rules import DEMO_RULES
    from creditbank.rules import services
    from creditbank.rules.models import ConversionApplication, ConversionRule

    published = ConversionRule.objects.filter(status="published")
    assert published.count() == len(DEMO_RULES) >= 30
    assert published.values("institution", "programme_code").distinct().count() == 4
    definitions = [r.definition for r in published]
    assert {d["criteria"]["combine"] for d in definitions} == {"any_of", "all_of", "at_least"}
    assert sum(d["grants"]["mode"] == "ratio" for d in definitions) == 5
    assert sum(d["grants"]["exempts_course"] for d in definitions) == 29
    assert sum(d["caps"]["per_academic_year"] is not None for d in definitions) == 8
    assert sum(d["caps"]["programme_total"] is not None for d in definitions) == 7
    assert published.filter(requires_review=True).count() == 9
    assert not ConversionApplication.objects.exists()
    learner = User.objects.get(email=lines["learner-verified"].split(" / ")[0])
    decided = {}
    for code in ("DOU-ENG101-CS", "DOU-CS101-ACC"):
        rule = published.get(code=code)
        [preview] = services.conversion_preview(user=learner, rule_id=rule.pk)
        decided[code] = (preview.decision.eligible, f"{preview.decision.credits}", preview.rule.requires_review)
    assert decided == {"DOU-ENG101-CS": (True, "4.00", False), "DOU-CS101-ACC": (True, "3.00", True)}
    reviewer = User.objects.get(email=lines["institution-reviewer"].split(" / ")[0])
    review_rule = published.get(code="DOU-CS101-ACC")
    assert Membership.objects.filter(user=reviewer, institution=review_rule.institution, role="reviewer").exists()
    assert Client().get("/rules/", {"programme": "ACC"}).status_code == 200


def _demo_outcomes(lines: dict[str, str]) -> None:
    """Standards of both institutions and the bank; the verified learner's certified credits and the
    pending certificate in the demo institution reviewer's queue."""
    from creditbank.ledger.models import CreditAccount
    from creditbank.outcomes.models import CertificationApplication, CertificationStandard, Outcome

    assert CertificationStandard.objects.filter(status="published").values("owner").distinct().count() == 3
    learner = User.objects.get(email=lines["learner-verified"].split(" / ")[0])
    assert Outcome.objects.filter(user=learner, status="certified").count() == 3
    assert CreditAccount.objects.get(user=learner).available == 11
    pending = CertificationApplication.objects.get(user=learner, status="pending")
    assert pending.routed_to.code == "demo-open-univ" and pending.standard is not None
    reviewer = Client()
    identifier, password = lines["institution-reviewer"].split(" / ")
    reviewer.post("/accounts/login/", {"identifier": identifier, "password": password})
    assert "Web 前端开发" in reviewer.get("/review/certifications/").content.decode()


def test_the_demo_reviewer_publishes_a_notice_in_the_admin_as_the_readme_says(db) -> None:  # type: ignore[no-untyped-def]
    """README: notices are published at /admin/ (log in as `reviewer`); the notice then shows at /notices/."""
    from creditbank.demo.management.commands.seed_demo import DEMO_PASSWORD
    from creditbank.notices.models import Notice

    call_command("seed_demo", stdout=StringIO())
    staff = Client()
    login = staff.post(
        "/admin/login/?next=/admin/",
        {"username": "reviewer@demo.creditbank.test", "password": DEMO_PASSWORD, "next": "/admin/"},
    )
    assert login.status_code == 302
    assert login["Location"] == "/admin/"
    index = staff.get("/admin/").content.decode()
    assert 'href="/admin/notices/notice/add/"' in index
    response = staff.post(
        "/admin/notices/notice/add/",
        {"title_zh": "考试安排调整通知", "title_en": "Exam dates changed", "body_zh": "请留意新的考试时间。",
         "body_en": "Note the new dates.", "published_at_0": "2026-01-01", "published_at_1": "08:00:00"},
    )  # fmt: skip
    assert response.status_code == 302
    added = Notice.objects.get(title_zh="考试安排调整通知")
    assert added.created_by == User.objects.get(email="reviewer@demo.creditbank.test")
    listing = Client().get("/notices/").content.decode()
    assert f'href="/notices/{added.pk}/"' in listing
    assert "考试安排调整通知" in listing


def test_seeding_sends_no_email(transactional_db) -> None:  # type: ignore[no-untyped-def]
    """The seed activates and verifies its accounts itself: no activation or decision emails that would
    bury a newcomer's own activation link in the terminal. (Real commits: what runs after commit runs.)"""
    from django.core import mail

    mail.outbox.clear()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert mail.outbox == []
    # the one account left to activate still has its link, printed by the seed itself
    assert len(re.findall(r"/accounts/activate/\S+/\)", out.getvalue())) == 1


def test_seed_demo_onboards_two_institutions_with_staff_and_a_working_client(db) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_demo", stdout=StringIO())
    again = StringIO()
    call_command("seed_demo", stdout=again)  # a second run prints a client secret that works
    lines = {k: (a, b) for k, a, b in re.findall(r"^([a-z-]+): (\S+) / (\S+)$", again.getvalue(), re.M)}
    assert sorted(Institution.objects.values_list("code", flat=True)) == ["demo-open-univ", "demo-skills"]
    for role, member_role in INSTITUTION_ROLES.items():
        user = User.objects.get(email=lines[role][0])
        assert Membership.objects.filter(user=user, institution__code="demo-open-univ", role=member_role).exists()
    client_id, secret = lines["institution-client"]
    token = Client().post(
        "/api/v1/auth/token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        content_type="application/json",
    )
    assert token.status_code == 200, token.content
    whoami = Client().get(
        "/api/v1/institution/whoami", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert whoami.json()["institution"]["code"] == "demo-open-univ"
    admin_id, admin_pw = lines["institution-admin"]
    page = Client()
    assert page.post("/accounts/login/", {"identifier": admin_id, "password": admin_pw}).status_code == 302
