"""Locked-field change requests with proof, and the staff review."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import Api
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.selectors import user_find_by_identifier
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt, VerificationStatus
from creditbank.identity.specimens import valid_id_number
from creditbank.kernel.vault import vault
from creditbank.profiles.models import ChangeRequest, ChangeRequestProof, ProfileHistory

CR = "/api/v1/me/change-requests"


def jpeg(seed: int = 1) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (seed * 40 % 255, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile("proof.jpg", out.getvalue(), content_type="image/jpeg")


def pdf(body: bytes = b"") -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n" + body + b"\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile("proof.pdf", data, content_type="application/pdf")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def learner(api, make_learner):  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.VERIFIED, name="张三")
    api.login(user.email)
    return user


@pytest.fixture
def staff(api, reviewer):  # type: ignore[no-untyped-def]
    client = Api(api.client.__class__())
    client.login(reviewer.email)
    return client


def submit(api, **over):  # type: ignore[no-untyped-def]
    data = {"field": "name", "new_value": "张三丰", "reason": "改名，已更新户口簿", "proof": [jpeg(), pdf()]}
    data.update(over)
    return api.post(CR, {k: v for k, v in data.items() if v is not None}, multipart=True)


def test_name_change_approved_applies_keeps_history_and_requires_reverification(api, learner, staff, commit) -> None:  # type: ignore[no-untyped-def]
    response = submit(api)
    assert response.status_code == 202
    out = response.json()
    assert (out["field"], out["old_value"], out["new_value"], out["status"]) == ("name", "张三", "张三丰", "pending")
    assert len(out["proofs"]) == 2
    queue = staff.get("/api/v1/review/change-requests").json()
    assert queue["count"] == 1
    item = queue["items"][0]
    proof = staff.get(f"/api/v1/review/change-requests/{item['id']}/proofs/{item['proofs'][0]['id']}")
    assert proof.status_code == 200
    assert proof["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="change_request.proof_viewed").count() == 1
    mail.outbox.clear()
    approved = VerificationAttempt.objects.get(user=learner)
    photos = [approved.front_blob, approved.back_blob]
    assert all(photos) and all(vault().exists(n) for n in photos)
    with commit():
        decided = staff.post(
            f"/api/v1/review/change-requests/{item['id']}/decision", {"decision": "approve", "note": "证明齐全"}
        )
    assert decided.status_code == 200
    user = User.objects.get(pk=learner.pk)
    assert user.name == "张三丰"
    assert user.status == AccountStatus.ACTIVATED  # verification must be redone
    invalidated = VerificationAttempt.objects.get(user=user)
    assert invalidated.status == VerificationStatus.RESET
    # the invalidated attempt's photos are deleted at once (hashes kept), not after the retention period
    assert invalidated.front_blob == invalidated.back_blob == ""
    assert invalidated.photos_deleted_at is not None
    assert not any(vault().exists(n) for n in photos)
    assert invalidated.front_sha256 == approved.front_sha256 != ""
    history = ProfileHistory.objects.get(user=user, field="name")
    assert (history.old_value, history.new_value, history.source) == ("张三", "张三丰", "change_request")
    assert history.evidence == f"change_request:{item['id']}"
    assert any("verification" in m.body.lower() or "实名认证" in m.body for m in mail.outbox)
    me = api.get("/api/v1/me").json()
    assert me["next_step"]["code"] == "verify_identity"


def test_id_number_change_rebuilds_index_and_derived_data(api, learner, staff) -> None:  # type: ignore[no-untyped-def]
    new_id = valid_id_number(birth="19800808", sequence=222)
    assert submit(api, field="id_number", new_value=new_id).status_code == 202
    item = staff.get("/api/v1/review/change-requests").json()["items"][0]
    assert "*" in item["new_value"]
    assert new_id not in str(item)
    staff.post(f"/api/v1/review/change-requests/{item['id']}/decision", {"decision": "approve"})
    user = User.objects.get(pk=learner.pk)
    assert str(user.birth_date) == "1980-08-08"
    assert user.gender == "F"
    assert user_find_by_identifier(new_id) == user
    assert user.status == AccountStatus.ACTIVATED


def test_id_number_held_by_another_account_cannot_be_approved(api, learner, staff, make_learner) -> None:  # type: ignore[no-untyped-def]
    taken = valid_id_number(birth="19810101", sequence=135)
    make_learner(id_number=taken)
    submit(api, field="id_number", new_value=taken)
    item = staff.get("/api/v1/review/change-requests").json()["items"][0]
    response = staff.post(f"/api/v1/review/change-requests/{item['id']}/decision", {"decision": "approve"})
    assert response.status_code == 409
    assert response.json()["code"] == "id_number_taken"
    assert ChangeRequest.objects.get(pk=item["id"]).status == "pending"
    assert User.objects.get(pk=learner.pk).status == AccountStatus.VERIFIED


def test_rejection_keeps_everything(api, learner, staff) -> None:  # type: ignore[no-untyped-def]
    submit(api)
    rid = ChangeRequest.objects.get().pk
    no_reason = staff.post(f"/api/v1/review/change-requests/{rid}/decision", {"decision": "reject"})
    assert no_reason.json()["code"] == "reason_code_invalid"
    staff.post(
        f"/api/v1/review/change-requests/{rid}/decision",
        {"decision": "reject", "reason_code": "proof_unreadable", "note": "模糊"},
    )
    mine = api.get(CR).json()["items"][0]
    assert (mine["status"], mine["reason_code"], mine["note"]) == ("rejected", "proof_unreadable", "模糊")
    user = User.objects.get(pk=learner.pk)
    assert (user.name, user.status) == ("张三", AccountStatus.VERIFIED)
    again = staff.post(f"/api/v1/review/change-requests/{rid}/decision", {"decision": "approve"})
    assert again.json()["code"] == "change_not_pending"


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"field": "email"}, "field_not_requestable", "field"),
        ({"new_value": "张三"}, "unchanged", "new_value"),
        ({"new_value": "张\u200b三丰"}, "name_invalid_characters", "new_value"),
        ({"field": "gender", "new_value": "X"}, "choice_invalid", "new_value"),
        ({"field": "id_number", "new_value": "110105194912310022"}, "id_number_checksum", "new_value"),
        ({"reason": ""}, "required", "reason"),
        ({"proof": None}, "proof_required", "proof"),
        ({"proof": [jpeg(i) for i in range(6)]}, "too_many_files", "proof"),
        (
            {"proof": [SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", content_type="image/jpeg")]},
            "upload_type_not_allowed",
            "proof",
        ),
        ({"proof": [pdf(b"/OpenAction << /JS (app.alert(1)) >>")]}, "pdf_active_content", "proof"),
        (
            {"proof": [SimpleUploadedFile("x.pdf", b"%PDF-1.4 truncated", content_type="application/pdf")]},
            "pdf_invalid",
            "proof",
        ),
    ],
)
def test_bad_requests_store_nothing(api, learner, over, code, field) -> None:  # type: ignore[no-untyped-def]
    before = sorted(vault().root.rglob("*")) if vault().root.exists() else []
    response = submit(api, **over)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not ChangeRequest.objects.exists()
    assert not ChangeRequestProof.objects.exists()
    assert (sorted(vault().root.rglob("*")) if vault().root.exists() else []) == before


def test_one_open_request_per_field_and_withdraw(api, learner) -> None:  # type: ignore[no-untyped-def]
    assert submit(api).status_code == 202
    second = submit(api, new_value="张三四")
    assert second.status_code == 409
    assert second.json()["code"] == "change_pending"
    other_gender = "F" if learner.gender == "M" else "M"
    assert submit(api, field="gender", new_value=other_gender).status_code == 202
    rid = ChangeRequest.objects.get(field="name").pk
    names = list(ChangeRequestProof.objects.filter(request_id=rid).values_list("blob", flat=True))
    assert api.delete(f"{CR}/{rid}").json()["status"] == "withdrawn"
    assert not any(vault().exists(n) for n in names)
    assert submit(api, new_value="张三四").status_code == 202


def test_unverified_cannot_request(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    response = submit(api)
    assert response.status_code == 403
    assert response.json()["code"] == "not_verified"
    assert response.json()["next_step"] == "verify_identity"


def test_other_users_requests_are_invisible(api, learner, make_learner) -> None:  # type: ignore[no-untyped-def]
    submit(api)
    rid = ChangeRequest.objects.get().pk
    intruder = Api(api.client.__class__())
    intruder.login(make_learner(AccountStatus.VERIFIED).email)
    assert intruder.delete(f"{CR}/{rid}").status_code == 404
    assert intruder.get(CR).json()["count"] == 0
    assert intruder.get("/api/v1/review/change-requests").json()["code"] == "not_reviewer"
    assert intruder.get(f"/api/v1/review/change-requests/{rid}").status_code == 404
    assert intruder.post(f"/api/v1/review/change-requests/{rid}/decision", {"decision": "approve"}).status_code == 404
    assert ChangeRequest.objects.get().status == "pending"


def test_change_request_idempotency_key(api, learner) -> None:  # type: ignore[no-untyped-def]
    headers = {"Idempotency-Key": "cr-1"}
    a = api.post(
        CR, {"field": "name", "new_value": "张三丰", "reason": "r", "proof": [jpeg(7)]}, multipart=True, headers=headers
    )
    b = api.post(
        CR, {"field": "name", "new_value": "张三丰", "reason": "r", "proof": [jpeg(7)]}, multipart=True, headers=headers
    )
    assert a.status_code == b.status_code == 202
    assert a.json()["id"] == b.json()["id"]
    assert ChangeRequest.objects.count() == 1


@pytest.mark.parametrize("value", ["男", "female", "X", ""])
def test_gender_is_m_or_f_in_the_api_and_anything_else_says_so(api, learner, value) -> None:  # type: ignore[no-untyped-def]
    response = submit(api, field="gender", new_value=value)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "choice_invalid"
    assert body["allowed"] == ["M", "F"]
    assert body["errors"] == {"new_value": ["性别只能是 M（男）或 F（女）。"]}
    assert not ChangeRequest.objects.exists()
