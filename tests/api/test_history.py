"""Education and work history: owner-only CRUD, validation, limits, evidence."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import Api
from creditbank.accounts.models import AccountStatus
from creditbank.profiles.models import EducationEntry, WorkEntry

EDU = "/api/v1/me/education"
WORK = "/api/v1/me/work"


@pytest.fixture
def learner(api, make_learner):  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.VERIFIED)
    api.login(user.email)
    return user


def edu(**over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "school": "北京大学",
        "major": "计算机科学与技术",
        "level": "bachelor",
        "study_mode": "full_time",
        "start": "2015-09",
        "end": "2019-07",
        "certificate_no": "100011201905001234",
    }
    data.update(over)
    return data


def test_education_crud(api, learner) -> None:  # type: ignore[no-untyped-def]
    created = api.post(EDU, edu())
    assert created.status_code == 201
    entry = created.json()
    assert entry["start"] == "2015-09"
    assert entry["end"] == "2019-07"
    assert entry["verified_by"] == ""
    ongoing = api.post(EDU, edu(school="清华大学", level="master", start="2024-09", end=None, study_mode="part_time"))
    assert ongoing.json()["end"] is None
    listed = api.get(EDU).json()
    assert listed["count"] == 2
    assert listed["items"][0]["school"] == "清华大学"  # newest first
    patched = api.call("PATCH", f"{EDU}/{entry['id']}", {"major": "软件工程"})
    assert patched.json()["major"] == "软件工程"
    assert patched.json()["school"] == "北京大学"
    assert api.delete(f"{EDU}/{entry['id']}").status_code == 204
    assert api.get(EDU).json()["count"] == 1


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"school": ""}, "required", "school"),
        ({"school": "x" * 101}, "too_long", "school"),
        ({"level": "kindergarten"}, "choice_invalid", "level"),
        ({"study_mode": "remote"}, "choice_invalid", "study_mode"),
        ({"start": "2015/09"}, "month_invalid", "start"),
        ({"start": "2015-13"}, "month_invalid", "start"),
        ({"start": "2019-09", "end": "2015-07"}, "end_before_start", "end"),
        ({"start": "2099-09", "end": None}, "start_in_future", "start"),
        ({"end": "2099-07"}, "end_in_future", "end"),
    ],
)
def test_education_validation(api, learner, over, code, field) -> None:  # type: ignore[no-untyped-def]
    response = api.post(EDU, edu(**over))
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not EducationEntry.objects.exists()


def test_work_crud_and_rules(api, learner) -> None:  # type: ignore[no-untyped-def]
    body = {
        "employer": "某科技有限公司",
        "position": "工程师",
        "industry": "IT",
        "start": "2019-08",
        "current": True,
        "description": "后端开发",
    }
    created = api.post(WORK, body)
    assert created.status_code == 201
    assert created.json()["current"] is True
    assert created.json()["end"] is None
    needs_end = api.post(WORK, {**body, "current": False})
    assert needs_end.json()["code"] == "end_required"
    both = api.post(WORK, {**body, "end": "2020-01"})
    assert both.json()["code"] == "end_with_ongoing"
    wid = created.json()["id"]
    updated = api.call("PATCH", f"{WORK}/{wid}", {"current": False, "end": "2023-12"})
    assert updated.json()["end"] == "2023-12"
    bad = api.call("PATCH", f"{WORK}/{wid}", {"end": "2018-01"})
    assert bad.json()["code"] == "end_before_start"
    assert WorkEntry.objects.get(pk=wid).end.isoformat() == "2023-12-01"


def test_entries_are_limited(api, learner, settings) -> None:  # type: ignore[no-untyped-def]
    from creditbank.profiles.services import history as history_services

    for i in range(history_services.MAX_ENTRIES):
        EducationEntry.objects.create(
            user=learner, school=f"S{i}", level="other", study_mode="distance", start="2000-01-01"
        )
    response = api.post(EDU, edu())
    assert response.status_code == 409
    assert response.json()["code"] == "too_many_entries"


def test_another_users_entry_answers_404_and_nothing_changes(api, learner, make_learner, caplog) -> None:  # type: ignore[no-untyped-def]
    entry = api.post(EDU, edu()).json()
    work = api.post(WORK, {"employer": "A", "position": "B", "start": "2019-08", "current": True}).json()
    intruder = Api(api.client.__class__())
    intruder.login(make_learner(AccountStatus.VERIFIED).email)
    for method, path, body in [
        ("PATCH", f"{EDU}/{entry['id']}", {"school": "hacked"}),
        ("DELETE", f"{EDU}/{entry['id']}", None),
        ("PATCH", f"{WORK}/{work['id']}", {"employer": "hacked"}),
        ("DELETE", f"{WORK}/{work['id']}", None),
    ]:
        response = intruder.call(method, path, body)
        assert response.status_code == 404
    assert EducationEntry.objects.get(pk=entry["id"]).school == "北京大学"
    assert WorkEntry.objects.get(pk=work["id"]).employer == "A"
    assert intruder.get(EDU).json()["count"] == 0
    assert "access refused" in caplog.text


def test_unverified_learner_is_told_what_to_do(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    api.login(make_learner().email)
    for response in (api.get(EDU), api.post(EDU, edu()), api.get(WORK)):
        assert response.status_code == 403
        assert response.json()["code"] == "not_verified"
        assert response.json()["next_step"] == "verify_identity"


def test_evidence_upload(api, learner) -> None:  # type: ignore[no-untyped-def]
    entry = api.post(EDU, edu()).json()
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (10, 200, 10)).save(out, "PNG")
    ok = api.post(
        f"{EDU}/{entry['id']}/evidence", {"evidence": SimpleUploadedFile("d.png", out.getvalue())}, multipart=True
    )
    assert ok.status_code == 200
    assert ok.json()["has_evidence"] is True
    bad = api.post(
        f"{EDU}/{entry['id']}/evidence", {"evidence": SimpleUploadedFile("d.png", b"GIF89a....")}, multipart=True
    )
    assert bad.json()["code"] == "upload_type_not_allowed"


def test_education_idempotency_key(api, learner) -> None:  # type: ignore[no-untyped-def]
    a = api.post(EDU, edu(), headers={"Idempotency-Key": "e-1"})
    b = api.post(EDU, edu(), headers={"Idempotency-Key": "e-1"})
    assert a.json() == b.json()
    assert EducationEntry.objects.count() == 1
    assert (
        api.post(EDU, edu(school="别的学校"), headers={"Idempotency-Key": "e-1"}).json()["code"]
        == "idempotency_key_reused"
    )


def test_idempotency_records_expire(api, learner) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from creditbank.kernel.models import IdempotencyRecord

    api.post(EDU, edu(), headers={"Idempotency-Key": "e-2"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    api.post(EDU, edu(), headers={"Idempotency-Key": "e-2"})
    assert EducationEntry.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1


def test_lists_page_with_limit_and_offset(api, learner) -> None:  # type: ignore[no-untyped-def]
    for school in ("甲", "乙", "丙"):
        api.post(EDU, edu(school=school))
    page = api.get(EDU, {"limit": 2, "offset": 1}).json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
