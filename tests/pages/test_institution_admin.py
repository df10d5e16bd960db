"""Bank staff see and onboard institutions in the admin site, checked by the API's rules."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client

from conftest import make_reviewer_user
from creditbank.audit.models import AuditEvent
from creditbank.institutions.models import Institution
from creditbank.institutions.tests.factories import make_institution


def staff_client(db: object) -> tuple[Client, object]:
    staff = make_reviewer_user(
        perms=(
            "manage_institution",
            "view_institution",
            "add_institution",
            "change_institution",
            "view_membership",
            "view_apiclient",
        )
    )
    client = Client()
    client.force_login(staff)
    return client, staff


def test_the_admin_lists_and_shows_institutions(db, make_learner) -> None:  # type: ignore[no-untyped-def]
    client, _staff = staff_client(db)
    admin_user = make_learner()
    inst = make_institution("uni-a", admin=admin_user)
    listing = client.get("/admin/institutions/institution/")
    assert listing.status_code == 200
    assert "uni-a" in listing.content.decode()
    detail = client.get(f"/admin/institutions/institution/{inst.pk}/change/")
    assert detail.status_code == 200
    assert str(admin_user) in detail.content.decode()  # the first administrator, in the members inline


def test_the_admin_refuses_a_bad_uscc_and_adds_a_good_one(db) -> None:  # type: ignore[no-untyped-def]
    client, staff = staff_client(db)
    form = {"code": "sh-open", "name_zh": "上海开放大学", "name_en": "", "kind": "university", "region": "310000",
            "active": "on", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "api_clients-TOTAL_FORMS": "0", "api_clients-INITIAL_FORMS": "0"}  # fmt: skip
    refused = client.post("/admin/institutions/institution/add/", {**form, "uscc": "91350100M000100Y44"})
    assert refused.status_code == 200
    assert Institution.objects.count() == 0
    added = client.post("/admin/institutions/institution/add/", {**form, "uscc": "91350100m000100y43"})
    assert added.status_code == 302, added.content.decode()[:2000]
    inst = Institution.objects.get()
    assert (inst.code, inst.uscc) == ("sh-open", "91350100M000100Y43")
    assert AuditEvent.objects.filter(actor=staff, action="institution.created", object_id="sh-open").count() == 1


def test_learners_do_not_reach_the_admin(db, make_learner) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_learner())
    assert client.get("/admin/institutions/institution/").status_code == 302
    assert Permission.objects.filter(codename="manage_institution").exists()
