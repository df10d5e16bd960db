"""The institution's page: its administrators add and remove members and create, rotate and
revoke API clients (the secret shown once); others get the 404 page."""

from __future__ import annotations

from django.test import Client

from creditbank.institutions.models import ApiClient, Membership
from creditbank.institutions.tests.factories import make_institution


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_admin_manages_members_and_clients(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin, issuer = make_learner(), make_learner()
    make_institution("uni-a", admin=admin)
    page = signed_in(admin)
    shown = page.get("/institutions/uni-a/manage/")
    assert shown.status_code == 200
    assert shown.content.decode().count('data-testid="member-row"') == 1
    added = page.post(
        "/institutions/uni-a/manage/", {"action": "add_member", "account": issuer.email, "role": "issuer"}
    )
    assert added.status_code == 302
    assert Membership.objects.filter(user=issuer, role="issuer").exists()
    unknown = page.post(
        "/institutions/uni-a/manage/", {"action": "add_member", "account": "x@example.com", "role": "issuer"}
    )
    assert unknown.status_code == 400
    created = page.post(
        "/institutions/uni-a/manage/", {"action": "create_client", "name": "教务系统", "scopes": ["outcomes:write"]}
    )
    assert created.status_code == 200
    client = ApiClient.objects.get()
    html = created.content.decode()
    assert 'data-testid="new-secret"' in html and client.client_id in html
    assert 'data-testid="new-secret"' not in page.get("/institutions/uni-a/manage/").content.decode()  # once
    rotated = page.post("/institutions/uni-a/manage/", {"action": "rotate_client", "id": client.pk})
    assert 'data-testid="new-secret"' in rotated.content.decode()
    revoked = page.post("/institutions/uni-a/manage/", {"action": "revoke_client", "id": client.pk})
    assert revoked.status_code == 302
    assert ApiClient.objects.get().revoked_at is not None
    membership = Membership.objects.get(user=issuer)
    assert page.post("/institutions/uni-a/manage/", {"action": "remove_member", "id": membership.pk}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_english_page(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin = make_learner()
    make_institution("uni-a", admin=admin)
    page = signed_in(admin)
    html = page.get("/institutions/uni-a/manage/", headers={"Accept-Language": "en"}).content.decode()
    assert "uni-a University" in html and "API clients" in html


def test_another_institutions_admin_gets_the_404_page(make_learner) -> None:  # type: ignore[no-untyped-def]
    admin_a, admin_b = make_learner(), make_learner()
    make_institution("uni-a", admin=admin_a)
    b = make_institution("uni-b", admin=admin_b)
    page = signed_in(admin_a)
    assert page.get("/institutions/uni-b/manage/").status_code == 404
    b_admin = Membership.objects.get(institution=b)
    assert page.post("/institutions/uni-a/manage/", {"action": "remove_member", "id": b_admin.pk}).status_code == 404
    assert Membership.objects.filter(pk=b_admin.pk).exists()
    assert Client().get("/institutions/uni-a/manage/").status_code == 302  # to the login page
