"""The institutions API: the public list, onboarding, members, API clients, the
client-credentials grant and a client's scoped calls. Every answer is validated against the
served OpenAPI document (the ``api`` fixture)."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Api
from creditbank.institutions.models import ApiClient, ApiClientCall, Institution, Membership
from creditbank.institutions.services import clock
from creditbank.institutions.tests.factories import USCC_A, make_client, make_institution, make_manager

NEW = {"code": "sh-open", "name_zh": "上海开放大学", "name_en": "Shanghai Open University", "kind": "university",
       "region": "310000", "uscc": USCC_A}  # fmt: skip


def as_user(user: Any) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def client_token(api: Api, client_id: str, secret: str, **extra: Any) -> Any:
    return api.post(
        "/api/v1/auth/token",
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, **extra},
    )


@pytest.fixture
def two(make_learner):  # type: ignore[no-untyped-def]
    manager = make_manager()
    admin_a, admin_b = make_learner(), make_learner()
    a = make_institution("uni-a", admin=admin_a, manager=manager)
    b = make_institution("uni-b", admin=admin_b, manager=manager, kind="training_body", region="350100")
    return {"manager": manager, "admin_a": admin_a, "admin_b": admin_b, "a": a, "b": b}


# --- public ------------------------------------------------------------------------------------------


def test_the_public_list_and_detail(api, two) -> None:  # type: ignore[no-untyped-def]
    Institution.objects.create(code="gone", name_zh="停办", kind="employer", region="110000", active=False)
    listing = api.get("/api/v1/institutions")
    assert listing.status_code == 200
    assert listing.json()["count"] == 2
    assert [i["code"] for i in listing.json()["items"]] == ["uni-a", "uni-b"]
    detail = api.get("/api/v1/institutions/uni-b", headers={"Accept-Language": "zh-hans"})
    assert detail.json() == {
        "code": "uni-b", "name": "uni-b 大学", "name_zh": "uni-b 大学", "name_en": "uni-b University",
        "kind": "training_body", "region": "350100", "region_name": "福州市", "uscc": None, "active": True,
    }  # fmt: skip
    assert api.get("/api/v1/institutions/uni-b", headers={"Accept-Language": "en"}).json()["name"] == "uni-b University"
    for code in ("gone", "nope"):
        missing = api.get(f"/api/v1/institutions/{code}")
        assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert api.get("/api/v1/institutions", {"limit": 1, "offset": 1}).json()["items"][0]["code"] == "uni-b"


# --- onboarding --------------------------------------------------------------------------------------


def test_bank_staff_create_an_institution(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    manager, admin = make_manager(), make_learner()
    api.login(manager.email)
    response = api.post("/api/v1/institutions", {**NEW, "admin": admin.account_no})
    assert response.status_code == 201
    assert response.json()["code"] == "sh-open"
    assert response.json()["region_name"] == "上海市"
    assert Membership.objects.get(institution__code="sh-open").user == admin


def test_creating_is_idempotent_with_a_key(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    manager, admin = make_manager(), make_learner()
    api.login(manager.email)
    body = {**NEW, "admin": admin.email}
    first = api.post("/api/v1/institutions", body, headers={"Idempotency-Key": "k1"})
    again = api.post("/api/v1/institutions", body, headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code, again.json()) == (201, 201, first.json())
    assert Institution.objects.count() == 1


def test_a_learner_may_not_create_one(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    learner = make_learner()
    api.login(learner.email)
    response = api.post("/api/v1/institutions", {**NEW, "admin": learner.email})
    assert (response.status_code, response.json()["code"]) == (403, "not_institution_manager")
    assert Institution.objects.count() == 0


def test_refused_fields_name_their_codes(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    api.login(make_manager().email)
    response = api.post("/api/v1/institutions", {**NEW, "uscc": "91350100M000100Y44", "region": "12345", "admin": "x"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "institution_region"
    assert set(body["errors"]) == {"uscc", "region", "admin"}
    assert Institution.objects.count() == 0
    unknown = api.post("/api/v1/institutions", {**NEW, "admin": "x", "owner": "me"})
    assert unknown.json()["code"] == "unknown_field"


def test_a_taken_code_is_409(api, two) -> None:  # type: ignore[no-untyped-def]
    api.login(two["manager"].email)
    response = api.post("/api/v1/institutions", {**NEW, "code": "uni-a", "admin": two["admin_a"].email})
    assert (response.status_code, response.json()["code"]) == (409, "institution_code_taken")


def test_anonymous_may_not_create(api) -> None:  # type: ignore[no-untyped-def]
    response = api.post("/api/v1/institutions", {**NEW, "admin": "x"})
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


# --- members -----------------------------------------------------------------------------------------


def test_admins_list_add_and_remove_members(two, make_learner) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    issuer = make_learner()
    added = api.post("/api/v1/institutions/uni-a/members", {"account": issuer.account_no, "role": "issuer"})
    assert added.status_code == 201
    assert {k: added.json()[k] for k in ("account_no", "name", "role")} == {
        "account_no": issuer.account_no, "name": issuer.name, "role": "issuer",
    }  # fmt: skip
    listing = api.get("/api/v1/institutions/uni-a/members").json()
    assert listing["count"] == 2
    assert sorted(m["role"] for m in listing["items"]) == ["admin", "issuer"]
    again = api.post("/api/v1/institutions/uni-a/members", {"account": issuer.email, "role": "issuer"})
    assert (again.status_code, again.json()["code"]) == (409, "membership_exists")
    unknown = api.post("/api/v1/institutions/uni-a/members", {"account": "nobody@example.com", "role": "issuer"})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "member_account_unknown")
    removed = api.delete(f"/api/v1/institutions/uni-a/members/{added.json()['id']}")
    assert removed.status_code == 204
    assert api.get("/api/v1/institutions/uni-a/members").json()["count"] == 1


def test_the_last_admin_stays(two) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    only = Membership.objects.get(institution=two["a"])
    response = api.delete(f"/api/v1/institutions/uni-a/members/{only.pk}")
    assert (response.status_code, response.json()["code"]) == (409, "last_admin")
    assert Membership.objects.filter(pk=only.pk).exists()


def test_no_access_across_institutions(two, make_learner) -> None:  # type: ignore[no-untyped-def]
    """An administrator of B reaches nothing of A, by A's path or by A's ids through B's path."""
    api = as_user(two["admin_b"])
    member_of_a = Membership.objects.get(institution=two["a"])
    client_a, _secret = make_client(two["a"], admin=two["admin_a"])
    person = make_learner()
    attempts = [
        api.get("/api/v1/institutions/uni-a/members"),
        api.post("/api/v1/institutions/uni-a/members", {"account": person.email, "role": "admin"}),
        api.delete(f"/api/v1/institutions/uni-a/members/{member_of_a.pk}"),
        api.delete(f"/api/v1/institutions/uni-b/members/{member_of_a.pk}"),
        api.get("/api/v1/institutions/uni-a/clients"),
        api.post("/api/v1/institutions/uni-a/clients", {"name": "x", "scopes": ["outcomes:write"]}),
        api.post(f"/api/v1/institutions/uni-a/clients/{client_a.pk}/rotate"),
        api.post(f"/api/v1/institutions/uni-b/clients/{client_a.pk}/rotate"),
        api.post(f"/api/v1/institutions/uni-a/clients/{client_a.pk}/revoke"),
        api.post(f"/api/v1/institutions/uni-b/clients/{client_a.pk}/revoke"),
    ]
    assert [(r.status_code, r.json()["code"]) for r in attempts] == [(404, "not_found")] * len(attempts)
    assert Membership.objects.filter(institution=two["a"]).count() == 1
    fresh = ApiClient.objects.get(pk=client_a.pk)
    assert (fresh.revoked_at, fresh.rotated_at, fresh.secret_hash) == (None, None, client_a.secret_hash)
    assert ApiClient.objects.count() == 1


def test_members_in_other_roles_and_learners_see_nothing(two, make_learner) -> None:  # type: ignore[no-untyped-def]
    issuer = make_learner()
    Membership.objects.create(user=issuer, institution=two["a"], role="issuer")
    for who in (issuer, make_learner()):
        response = as_user(who).get("/api/v1/institutions/uni-a/members")
        assert response.status_code == 404


def test_bank_staff_manage_any_institution(two, make_learner) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["manager"])
    assert api.get("/api/v1/institutions/uni-b/members").json()["count"] == 1
    person = make_learner()
    assert (
        api.post("/api/v1/institutions/uni-b/members", {"account": person.email, "role": "reviewer"}).status_code == 201
    )


# --- API clients -------------------------------------------------------------------------------------


def test_create_list_rotate_revoke_a_client(two) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    created = api.post("/api/v1/institutions/uni-a/clients", {"name": "教务系统", "scopes": ["outcomes:write"]})
    assert created.status_code == 201
    body = created.json()
    assert body["scopes"] == ["outcomes:write"]
    assert body["client_secret"].startswith("cbs_")
    listing = api.get("/api/v1/institutions/uni-a/clients").json()
    assert listing["count"] == 1
    assert "client_secret" not in listing["items"][0]  # shown once
    assert body["client_secret"] not in str(listing)
    rotated = api.post(f"/api/v1/institutions/uni-a/clients/{body['id']}/rotate")
    assert rotated.status_code == 200
    assert rotated.json()["client_secret"] not in (body["client_secret"], "")
    assert rotated.json()["previous_secret_expires_at"] is not None
    revoked = api.post(f"/api/v1/institutions/uni-a/clients/{body['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert "client_secret" not in revoked.json()
    again = api.post(f"/api/v1/institutions/uni-a/clients/{body['id']}/revoke")
    assert (again.status_code, again.json()["code"]) == (409, "client_revoked")


def test_an_unknown_scope_is_refused(two) -> None:  # type: ignore[no-untyped-def]
    api = as_user(two["admin_a"])
    response = api.post("/api/v1/institutions/uni-a/clients", {"name": "x", "scopes": ["ledger:write"]})
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["unknown"]) == ("scope_unknown", ["ledger:write"])
    assert ApiClient.objects.count() == 0


# --- client credentials ------------------------------------------------------------------------------


@pytest.fixture
def issued(two):  # type: ignore[no-untyped-def]
    client, secret = make_client(two["a"], admin=two["admin_a"], scopes=("outcomes:write", "outcomes:read"))
    return two, client, secret


def test_the_client_credentials_grant_and_whoami(api, issued) -> None:  # type: ignore[no-untyped-def]
    _two, client, secret = issued
    response = client_token(api, client.client_id, secret)
    assert response.status_code == 200
    body = response.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, "outcomes:read outcomes:write")
    assert body["must_change_password"] is None
    api.token = body["access_token"]
    whoami = api.get("/api/v1/institution/whoami", headers={"Accept-Language": "zh-hans"})
    assert whoami.status_code == 200
    assert whoami.json() == {
        "client_id": client.client_id,
        "institution": {"code": "uni-a", "name": "uni-a 大学"},
        "scopes": ["outcomes:read", "outcomes:write"],
    }
    calls = list(
        ApiClientCall.objects.order_by("id").values_list("client_id", "institution__code", "method", "path", "status")
    )
    assert calls == [
        (client.pk, "uni-a", "POST", "/api/v1/auth/token", 200),
        (client.pk, "uni-a", "GET", "/api/v1/institution/whoami", 200),
    ]


def test_http_basic_client_authentication(api, issued) -> None:  # type: ignore[no-untyped-def]
    _two, client, secret = issued
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    response = api.post(
        "/api/v1/auth/token", {"grant_type": "client_credentials", "scope": "outcomes:read"},
        headers={"Authorization": f"Basic {basic}"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["scope"] == "outcomes:read"
    both = api.post(
        "/api/v1/auth/token", {"grant_type": "client_credentials", "client_id": client.client_id},
        headers={"Authorization": f"Basic {basic}"},
    )  # fmt: skip
    assert (both.status_code, both.json()["code"]) == (400, "invalid_request")
    wrong = base64.b64encode(f"{client.client_id}:nope".encode()).decode()
    refused = api.post(
        "/api/v1/auth/token", {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {wrong}"}
    )
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_client")
    assert refused["WWW-Authenticate"] == 'Basic realm="creditbank"'


def test_wrong_and_unknown_credentials_answer_alike(api, issued) -> None:  # type: ignore[no-untyped-def]
    _two, client, secret = issued
    wrong = client_token(api, client.client_id, secret + "x")
    unknown = client_token(api, "cbc_00000000000000000000", secret)
    assert wrong.status_code == unknown.status_code == 401
    w, u = wrong.json(), unknown.json()
    assert (w["code"], w["detail"]) == (u["code"], u["detail"]) == ("invalid_client", w["detail"])
    missing = api.post("/api/v1/auth/token", {"grant_type": "client_credentials", "client_id": client.client_id})
    assert (missing.status_code, missing.json()["code"], list(missing.json()["errors"])) == (
        400, "invalid_request", ["client_secret"],
    )  # fmt: skip


def test_a_scope_beyond_the_clients_is_refused(api, issued) -> None:  # type: ignore[no-untyped-def]
    _two, client, secret = issued
    response = client_token(api, client.client_id, secret, scope="outcomes:write accounts:write")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_scope")


def test_revoked_client_and_its_tokens_stop_at_once(api, issued) -> None:  # type: ignore[no-untyped-def]
    two, client, secret = issued
    api.token = client_token(api, client.client_id, secret).json()["access_token"]
    assert api.get("/api/v1/institution/whoami").status_code == 200
    admin = as_user(two["admin_a"])
    assert admin.post(f"/api/v1/institutions/uni-a/clients/{client.pk}/revoke").status_code == 200
    after = api.get("/api/v1/institution/whoami")
    assert (after.status_code, after.json()["code"]) == (401, "not_authenticated")
    api.token = None
    assert client_token(api, client.client_id, secret).json()["code"] == "invalid_client"


def test_rotated_secret_overlap_and_expiry(api, issued, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    two, client, old = issued
    start = timezone.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    new = as_user(two["admin_a"]).post(f"/api/v1/institutions/uni-a/clients/{client.pk}/rotate").json()["client_secret"]
    assert client_token(api, client.client_id, old).status_code == 200
    assert client_token(api, client.client_id, new).status_code == 200
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=24, seconds=1))
    expired = client_token(api, client.client_id, old)
    assert (expired.status_code, expired.json()["code"]) == (401, "invalid_client")
    assert client_token(api, client.client_id, new).status_code == 200


def test_a_client_token_is_not_a_person(api, issued) -> None:  # type: ignore[no-untyped-def]
    _two, client, secret = issued
    api.token = client_token(api, client.client_id, secret).json()["access_token"]
    me = api.get("/api/v1/me")
    assert (me.status_code, me.json()["code"]) == (401, "not_authenticated")
    members = api.get("/api/v1/institutions/uni-a/members")  # managing the institution is for its people
    assert members.status_code == 401
    assert ApiClientCall.objects.filter(path="/api/v1/me", status=401).count() == 1


def test_whoami_is_for_clients_only(two) -> None:  # type: ignore[no-untyped-def]
    response = as_user(two["admin_a"]).get("/api/v1/institution/whoami")
    assert (response.status_code, response.json()["code"]) == (403, "client_required")
    anonymous = Api(Client()).get("/api/v1/institution/whoami")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
