"""JSON bodies are strict: a UTF-8 JSON object sent as application/json, no unknown fields, real booleans.

* a body that is not a JSON object (array, string, ``null``, empty, not UTF-8) → 400 ``invalid_body``;
* a body that is not ``application/json`` (text/plain, a form, a charset other than UTF-8) → 415
  ``unsupported_media_type``;
* a field the endpoint does not know → 400 ``unknown_field`` naming it;
* ``"yes"``, ``1`` or ``"true"`` where a boolean belongs → 400 ``boolean_required`` naming it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pydantic import StrictBool

from conftest import PASSWORD, Api, make_reviewer_user
from creditbank.accounts.models import AccountStatus, User
from creditbank.kernel.api_schemas import InputSchema
from creditbank.notices.models import Ticket, TicketMessage
from creditbank.profiles.models import EducationEntry, Profile, ProfileHistory, WorkEntry
from tests.openapi import spec

EDU = {"school": "北京大学", "level": "bachelor", "study_mode": "full_time", "start": "2015-09", "end": "2019-07"}
WORK = {"employer": "某公司", "position": "工程师", "start": "2019-09", "current": True}


@pytest.fixture
def learner(api, make_learner):  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.email)
    api.user = user
    return api


def raw(api: Api, method: str, path: str, body: bytes, content_type: str) -> Any:
    from tests.openapi import validate_response

    response = getattr(api.client, method.lower())(
        path, data=body, content_type=content_type, headers={"Authorization": f"Bearer {api.token}"}
    )
    validate_response(method, path, response)
    return response


def snapshot(model: Any, pk: int) -> dict[str, Any]:
    return {k: v for k, v in model.objects.filter(pk=pk).values()[0].items() if k != "updated_at"}


NOT_AN_OBJECT = [
    (b"[1]", "application/json", 400, "invalid_body"),
    (b'"abc"', "application/json", 400, "invalid_body"),
    (b"null", "application/json", 400, "invalid_body"),
    (b"42", "application/json", 400, "invalid_body"),
    (b"", "application/json", 400, "invalid_body"),
    (b'{"major": "x"', "application/json", 400, "invalid_body"),
    ('{"major": "软件工程"}'.encode("utf-16"), "application/json", 400, "invalid_body"),
    ('{"major": "软件工程"}'.encode("gb18030"), "application/json", 400, "invalid_body"),
    (b'{"major": "x"}', "text/plain", 415, "unsupported_media_type"),
    (b'{"major": "x"}', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (b'{"major": "x"}', "application/json; charset=utf-16", 415, "unsupported_media_type"),
    (b'{"major": "x"}', "", 415, "unsupported_media_type"),
]


@pytest.mark.parametrize(("kind", "model", "data"), [("education", EducationEntry, EDU), ("work", WorkEntry, WORK)])
def test_patch_history_needs_a_json_object(learner, kind, model, data) -> None:  # type: ignore[no-untyped-def]
    entry = learner.post(f"/api/v1/me/{kind}", data).json()
    before = snapshot(model, entry["id"])
    for body, content_type, status, code in NOT_AN_OBJECT:
        response = raw(learner, "PATCH", f"/api/v1/me/{kind}/{entry['id']}", body, content_type)
        assert (response.status_code, response.json()["code"]) == (status, code), (body, content_type)
        assert snapshot(model, entry["id"]) == before


def test_utf8_json_with_an_explicit_charset_is_fine(learner) -> None:  # type: ignore[no-untyped-def]
    entry = learner.post("/api/v1/me/education", EDU).json()
    body = json.dumps({"major": "软件工程"}, ensure_ascii=False).encode()
    response = raw(learner, "PATCH", f"/api/v1/me/education/{entry['id']}", body, "application/json; charset=UTF-8")
    assert response.status_code == 200
    assert response.json()["major"] == "软件工程"


def test_token_needs_a_json_object_too(db) -> None:  # type: ignore[no-untyped-def]
    for body, content_type, status, code in NOT_AN_OBJECT:
        response = Client().post("/api/v1/auth/token", data=body, content_type=content_type)
        assert (response.status_code, response.json()["code"]) == (status, code), (body, content_type)


def test_patch_me_with_an_unknown_field_names_it(learner) -> None:  # type: ignore[no-untyped-def]
    before = Profile.objects.filter(user=learner.user).values().first()
    response = learner.call("PATCH", "/api/v1/me", {"status": "verified"}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert response.json()["errors"] == {"status": ["This field does not exist."]}
    assert User.objects.get(pk=learner.user.pk).status == AccountStatus.VERIFIED
    assert Profile.objects.filter(user=learner.user).values().first() == before
    assert not ProfileHistory.objects.exists()


def test_an_unknown_field_is_refused_even_beside_good_ones(learner) -> None:  # type: ignore[no-untyped-def]
    response = learner.call("PATCH", "/api/v1/me", {"address": "北京市", "is_staff": True})
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_field"
    assert list(response.json()["errors"]) == ["is_staff"]
    assert not ProfileHistory.objects.exists()


@pytest.mark.parametrize("field", ["notify_email_decisions", "notify_email_notices"])
def test_patch_me_booleans_must_be_json_booleans(learner, field) -> None:  # type: ignore[no-untyped-def]
    before = Profile.objects.filter(user=learner.user).values().first()
    for value in ("yes", "true", 1, 0, ""):
        response = learner.call("PATCH", "/api/v1/me", {field: value}, headers={"Accept-Language": "en"})
        assert response.status_code == 400, value
        assert response.json()["code"] == "boolean_required", value
        assert response.json()["errors"] == {field: ["Use true or false."]}, value
        assert Profile.objects.filter(user=learner.user).values().first() == before
    assert not ProfileHistory.objects.exists()


def test_patch_me_real_booleans_work(learner) -> None:  # type: ignore[no-untyped-def]
    response = learner.call("PATCH", "/api/v1/me", {"notify_email_decisions": False})
    assert response.status_code == 200
    assert response.json()["me"]["notify_email_decisions"] is False


def test_work_current_must_be_a_json_boolean(learner) -> None:  # type: ignore[no-untyped-def]
    for value in ("yes", "true", 1):
        response = learner.post("/api/v1/me/work", {**WORK, "current": value})
        assert response.status_code == 400, value
        assert response.json()["code"] == "boolean_required", value
        assert list(response.json()["errors"]) == ["current"], value
        assert not WorkEntry.objects.exists()


def test_register_accept_terms_must_be_a_json_boolean(api, db) -> None:  # type: ignore[no-untyped-def]
    body = {
        "name": "张三",
        "id_number": "11010519491231002X",
        "phone": "13912340000",
        "email": "a@example.com",
        "password": PASSWORD,
        "accept_terms": "yes",
        "terms_version": "2026-01",
    }
    response = api.post("/api/v1/auth/register", body)
    assert response.status_code == 400
    assert response.json()["code"] == "boolean_required"
    assert list(response.json()["errors"]) == ["accept_terms"]
    assert not User.objects.exists()


# Every JSON write endpoint, with a field it does not know: {id} is filled in below.
UNKNOWN_FIELD_ENDPOINTS = [
    ("POST", "/api/v1/auth/register", {}),
    ("POST", "/api/v1/auth/activate", {"token": "t"}),
    ("POST", "/api/v1/auth/activation/resend", {"email": "a@example.com"}),
    ("POST", "/api/v1/auth/token", {"identifier": "x", "password": "y"}),
    ("POST", "/api/v1/auth/password-reset", {"email": "a@example.com"}),
    ("POST", "/api/v1/auth/password-reset/confirm", {"token": "t", "new_password": "y"}),
    ("POST", "/api/v1/auth/password", {"old_password": "x", "new_password": "y"}),
    ("POST", "/api/v1/me/email/confirm", {"token": "t"}),
    ("POST", "/api/v1/me/phone/confirm", {"code": "123456"}),
    ("PATCH", "/api/v1/me", {"address": "北京市"}),
    ("POST", "/api/v1/me/education", EDU),
    ("PATCH", "/api/v1/me/education/{education}", {"major": "x"}),
    ("POST", "/api/v1/me/work", WORK),
    ("PATCH", "/api/v1/me/work/{work}", {"position": "x"}),
    ("POST", "/api/v1/me/tickets", {"category": "other", "subject": "s", "message": "m"}),
    ("POST", "/api/v1/me/tickets/{ticket}/messages", {"message": "m"}),
    ("POST", "/api/v1/support/tickets/{ticket}/messages", {"message": "m"}),
    ("POST", "/api/v1/review/verifications/{attempt}/decision", {"decision": "approve"}),
    ("POST", "/api/v1/review/verifications/{attempt}/reveal", {"reason": "r"}),
    ("POST", "/api/v1/review/verifications/{attempt}/reset", {"reason": "r"}),
    ("POST", "/api/v1/review/change-requests/1/decision", {"decision": "approve"}),
]


@pytest.fixture
def world(learner):  # type: ignore[no-untyped-def]
    from creditbank.identity.models import VerificationAttempt

    ids = {
        "education": learner.post("/api/v1/me/education", EDU).json()["id"],
        "work": learner.post("/api/v1/me/work", WORK).json()["id"],
        "ticket": learner.post(
            "/api/v1/me/tickets", {"category": "other", "subject": "问题", "message": "请帮忙"}
        ).json()["id"],
        "attempt": VerificationAttempt.objects.get(user=learner.user).pk,
    }
    staff = Api(Client())
    staff.login(make_reviewer_user().email)
    return {"learner": learner, "staff": staff, "ids": ids}


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count() for m in (User, EducationEntry, WorkEntry, Ticket, TicketMessage, ProfileHistory)
    }


def test_every_json_endpoint_refuses_an_unknown_field(world) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    for method, path, body in UNKNOWN_FIELD_ENDPOINTS:
        client = world["staff"] if "/review/" in path or "/support/" in path else world["learner"]
        response = client.call(method, path.format(**world["ids"]), {**body, "surprise": 1})
        assert response.status_code == 400, (path, response.content)
        assert response.json()["code"] == "unknown_field", path
        assert "surprise" in response.json()["errors"], path
        assert counts() == before, path


def test_ticket_close_must_be_a_boolean(world) -> None:  # type: ignore[no-untyped-def]
    path = "/api/v1/me/tickets/{ticket}/messages".format(**world["ids"])
    before = counts()
    for value in ("yes", 1, "1", "true"):
        response = world["learner"].post(path, {"message": "m", "close": value})
        assert response.status_code == 400, value
        assert response.json()["code"] == "boolean_required", value
        assert list(response.json()["errors"]) == ["close"], value
        assert counts() == before
        assert Ticket.objects.get(pk=world["ids"]["ticket"]).status == "open"


def test_multipart_ticket_fields_are_checked_too(world) -> None:  # type: ignore[no-untyped-def]
    path = "/api/v1/me/tickets/{ticket}/messages".format(**world["ids"])
    before = counts()
    unknown = world["learner"].post(path, {"message": "m", "surprise": "1"}, multipart=True)
    assert unknown.json()["code"] == "unknown_field"
    assert list(unknown.json()["errors"]) == ["surprise"]
    not_boolean = world["learner"].post(path, {"message": "m", "close": "yes"}, multipart=True)
    assert not_boolean.json()["code"] == "boolean_required"
    assert counts() == before
    closed = world["learner"].post(path, {"message": "谢谢", "close": "true"}, multipart=True)
    assert closed.status_code == 201
    assert closed.json()["status"] == "closed"


def test_json_field_of_the_wrong_type(world) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    response = world["learner"].post("/api/v1/me/tickets", {"category": "other", "subject": 42, "message": "m"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["errors"]) == ["subject"]
    assert counts() == before


# --- the rule, applied everywhere -------------------------------------------------------------


def _input_schemas() -> list[type[InputSchema]]:
    import config.api  # noqa: F401 (every router and its schemas)

    out, todo = [], list(InputSchema.__subclasses__())
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


def test_every_json_body_is_an_input_schema() -> None:
    from config.api import api

    bodies = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if getattr(model, "__ninja_param_source__", None) == "body":
                        for field in model.model_fields.values():
                            bodies.append((path, field.annotation))
    assert len(bodies) >= 18
    for path, schema in bodies:
        assert isinstance(schema, type) and issubclass(schema, InputSchema), (path, schema)


def test_every_boolean_of_an_input_schema_is_strict() -> None:
    schemas = _input_schemas()
    assert len(schemas) >= 15
    for schema in schemas:
        assert schema.model_config.get("extra") == "forbid", schema
        for name, field in schema.model_fields.items():
            annotation = str(field.annotation)
            if "bool" in annotation:
                strict = any(getattr(m, "strict", False) for m in field.metadata) or field.annotation in (
                    StrictBool,
                    StrictBool | None,
                )
                assert strict, f"{schema.__name__}.{name} is a lax bool: use StrictBool"


def test_the_openapi_document_states_the_rule(db) -> None:  # type: ignore[no-untyped-def]
    document = spec()
    components = document["components"]["schemas"]
    json_bodies = 0
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            json_bodies += 1
            ref = content["application/json"]["schema"].get("$ref", "")
            schema = components[ref.rsplit("/", 1)[-1]] if ref else content["application/json"]["schema"]
            assert schema.get("additionalProperties") is False, (method, path)
            assert {"400", "413", "415"} <= set(op["responses"]), (method, path)
    assert json_bodies >= 21
