"""Real-name verification through the API: the learner's and the reviewer's sides."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image

from conftest import Api, back_upload, front_upload, make_reviewer_user
from creditbank.accounts.models import AccountStatus, User
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt, VerificationStatus
from creditbank.identity.services import verification_purge_photos
from creditbank.kernel.vault import vault

VERIFY = "/api/v1/me/verification"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    return lambda: django_capture_on_commit_callbacks(execute=True)


def submit(api: Api, user: User | None = None, *, headers: dict[str, str] | None = None, **over):  # type: ignore[no-untyped-def]
    data = {"consent": "true", "id_front": front_upload(user), "id_back": back_upload(user)}
    data.update(over)
    data = {k: v for k, v in data.items() if v is not None}
    return api.post(VERIFY, data, multipart=True, headers=headers)


def png_bytes(size: tuple[int, int] = (800, 500)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, name: str = "x.jpg", content_type: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_submit_runs_the_checks_and_waits_for_a_reviewer(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    before = api.get(VERIFY).json()
    assert before["status"] == "none"
    assert before["attempts_left_today"] == 3
    assert before["can_submit"] is True
    with commit():
        response = submit(api, user)
    assert response.status_code == 202
    state = api.get(VERIFY).json()
    assert state["status"] == "pending"
    assert state["attempts_left_today"] == 2
    assert state["can_submit"] is False
    assert state["can_withdraw"] is True
    names = {c["name"]: c["status"] for c in state["checks"]}
    # the learner sees the checks that are theirs to fix; the advisory ones are for the reviewer
    assert set(names) == {"id_number_rules", "gender_consistent", "face_present", "ocr_match"}
    assert names["id_number_rules"] == "passed"
    assert names["gender_consistent"] == "passed"
    assert names["ocr_match"] == "not_run"  # OCR is off in the test settings
    assert names["face_present"] in {"passed", "failed", "not_run"}
    attempt = VerificationAttempt.objects.get(user=user)
    stored = {c["name"]: c["status"] for c in attempt.checks}
    assert stored["id_number_unique"] == "passed"
    assert stored["photo_not_reused"] == "passed"
    attempt = VerificationAttempt.objects.get(user=user)
    assert attempt.front_blob and attempt.back_blob
    raw = (vault().root / attempt.front_blob[:2] / attempt.front_blob).read_bytes()
    assert raw.startswith(b"CBE1")  # encrypted at rest
    assert b"JFIF" not in raw and b"Exif" not in raw
    user.refresh_from_db()
    assert user.status == AccountStatus.ACTIVATED


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"consent": None}, "consent_required", "consent"),
        ({"consent": "yes"}, "consent_required", "consent"),
        ({"id_front": None}, "upload_missing", "id_front"),
        ({"id_back": None}, "upload_missing", "id_back"),
        ({"id_front": "svg"}, "upload_type_not_allowed", "id_front"),
        ({"id_front": "html"}, "upload_type_not_allowed", "id_front"),
        ({"id_front": "pdf"}, "upload_type_not_allowed", "id_front"),
        ({"id_front": "truncated"}, "image_corrupt", "id_front"),
        ({"id_front": "small"}, "image_too_small", "id_front"),
        ({"id_back": "empty"}, "upload_empty", "id_back"),
        ({"id_front": "huge"}, "upload_too_large", "id_front"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(api, make_learner, over, code, field, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    good_jpeg = front_upload(user).read()
    makers = {
        "svg": lambda: upload(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "card.jpg"),
        "html": lambda: upload(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "card.png", "image/png"),
        "pdf": lambda: upload(b"%PDF-1.7\n1 0 obj<<>>endobj\n", "card.jpg"),
        "truncated": lambda: upload(good_jpeg[: len(good_jpeg) // 2]),
        "small": lambda: upload(png_bytes((200, 120)), "s.png", "image/png"),
        "empty": lambda: upload(b""),
        "huge": lambda: upload(b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024 + 10)),
    }
    data = {}
    for key, value in over.items():
        data[key] = makers[value]() if value in makers else value
    files_before = sorted(p.name for p in vault().root.rglob("*") if p.is_file()) if vault().root.exists() else []
    response = submit(api, user, **data)
    assert response.status_code in (400, 413)
    problem = response.json()
    assert problem["code"] == code
    assert field in problem["errors"]
    assert not VerificationAttempt.objects.filter(user=user).exists()
    files_after = sorted(p.name for p in vault().root.rglob("*") if p.is_file()) if vault().root.exists() else []
    assert files_after == files_before


def test_registered_account_cannot_submit(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.REGISTERED)
    api.login(user.email)
    response = submit(api, user)
    assert response.status_code == 403
    assert response.json()["code"] == "not_activated"
    assert response.json()["next_step"] == "activate_email"


def test_second_submission_while_pending_conflicts(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    with commit():
        submit(api, user)
    response = submit(api, user)
    assert response.status_code == 409
    assert response.json()["code"] == "verification_pending"
    assert VerificationAttempt.objects.filter(user=user).count() == 1


def test_attempts_per_day_are_limited(api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_ATTEMPTS_PER_DAY": 2}
    user = make_learner()
    api.login(user.email)
    for _ in range(2):
        assert submit(api, user).status_code == 202
        assert api.delete(VERIFY).status_code == 200
    response = submit(api, user)
    assert response.status_code == 429
    assert response.json()["code"] == "verification_attempts_exhausted"
    assert int(response["Retry-After"]) > 0
    state = api.get(VERIFY).json()
    assert state["attempts_left_today"] == 0
    assert state["next_attempt_at"] is not None
    assert state["can_submit"] is False


def test_withdraw_deletes_the_photos(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    submit(api, user)
    attempt = VerificationAttempt.objects.get(user=user)
    names = [attempt.front_blob, attempt.back_blob]
    response = api.delete(VERIFY)
    assert response.status_code == 200
    assert response.json()["status"] == "none"
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.WITHDRAWN
    assert attempt.front_dhash  # hashes are kept
    assert not any(vault().exists(n) for n in names)
    again = api.delete(VERIFY)
    assert again.status_code == 409
    assert again.json()["code"] == "nothing_to_reset"


def test_reviewer_approves_and_the_learner_is_verified(api, make_learner, reviewer, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    with commit():
        submit(api, user)
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    queue = staff.get("/api/v1/review/verifications").json()
    assert queue["count"] == 1
    item = queue["items"][0]
    assert item["account_no"] == user.account_no
    assert item["id_number"] == user.id_number_masked
    assert "*" in item["id_number"]
    photo = staff.get(item["photo_urls"]["front"])
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in photo["Cache-Control"]
    assert photo["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="verification.photo_viewed", actor=reviewer, subject=user).count() == 1
    mail.outbox.clear()
    with commit():
        decided = staff.post(f"/api/v1/review/verifications/{item['id']}/decision", {"decision": "approve"})
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    user.refresh_from_db()
    assert user.status == AccountStatus.VERIFIED
    assert user.verified_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert api.get("/api/v1/me").json()["status"] == "verified"
    assert "apply_conversion" in api.get("/api/v1/me").json()["may"]
    again = staff.post(
        f"/api/v1/review/verifications/{item['id']}/decision", {"decision": "reject", "reason_code": "other"}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "verification_not_pending"


def test_rejection_explains_and_reset_allows_a_fresh_start(api, make_learner, reviewer, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    submit(api, user)
    attempt = VerificationAttempt.objects.get(user=user)
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    missing = staff.post(f"/api/v1/review/verifications/{attempt.pk}/decision", {"decision": "reject"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "reason_code_invalid"
    bad = staff.post(f"/api/v1/review/verifications/{attempt.pk}/decision", {"decision": "maybe"})
    assert bad.json()["code"] == "decision_invalid"
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.PENDING
    with commit():
        staff.post(
            f"/api/v1/review/verifications/{attempt.pk}/decision",
            {"decision": "reject", "reason_code": "photo_unclear", "note": "反光 glare"},
        )
    state = api.get(VERIFY).json()
    assert state["status"] == "rejected"
    assert state["reason"]["code"] == "photo_unclear"
    assert state["reason"]["advice"]
    assert state["note"] == "反光 glare"
    assert state["can_reset"] is True
    assert state["can_submit"] is True
    assert api.get("/api/v1/me").json()["status"] == "activated"
    reset = api.delete(VERIFY)
    assert reset.json()["status"] == "none"
    assert submit(api, user).status_code == 202


def test_non_reviewers_are_kept_out(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    other = make_learner()
    api.login(user.email)
    submit(api, user)
    attempt = VerificationAttempt.objects.get(user=user)
    intruder = Api(api.client.__class__())
    intruder.login(other.email)
    assert intruder.get("/api/v1/review/verifications").json()["code"] == "not_reviewer"
    for path in [
        f"/api/v1/review/verifications/{attempt.pk}",
        f"/api/v1/review/verifications/{attempt.pk}/photos/front",
    ]:
        assert intruder.get(path).status_code == 404
    r = intruder.post(f"/api/v1/review/verifications/{attempt.pk}/decision", {"decision": "approve"})
    assert r.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == VerificationStatus.PENDING
    assert not AuditEvent.objects.exists()


def test_reviewer_cannot_decide_own_verification(make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    from creditbank.identity import services

    user = make_learner()
    submit_api = Api(__import__("django.test").test.Client())
    submit_api.login(user.email)
    submit(submit_api, user)
    user.user_permissions.add(Permission.objects.get(codename="review_verification"))
    user = User.objects.get(pk=user.pk)
    attempt = VerificationAttempt.objects.get(user=user)
    with pytest.raises(Exception) as info:
        services.verification_decide(reviewer=user, attempt_id=attempt.pk, decision="approve")
    assert getattr(info.value, "code", "") == "own_verification"


def test_reveal_is_audited_with_its_reason(api, make_learner, reviewer) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(id_number="11010519491231002X", phone="13912340000")
    api.login(user.email)
    submit(api, user)
    attempt = VerificationAttempt.objects.get(user=user)
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    no_reason = staff.post(f"/api/v1/review/verifications/{attempt.pk}/reveal", {"reason": "  "})
    assert no_reason.json()["code"] == "reason_required"
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()
    shown = staff.post(f"/api/v1/review/verifications/{attempt.pk}/reveal", {"reason": "card number unreadable"})
    assert shown.json() == {"id_number": "11010519491231002X", "phone": "+8613912340000"}
    event = AuditEvent.objects.get(action="pii.revealed")
    assert (event.actor, event.subject, event.reason) == (reviewer, user, "card number unreadable")


def test_staff_reset_of_an_approval(api, make_learner, reviewer) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.VERIFIED)
    attempt = VerificationAttempt.objects.get(user=user, status=VerificationStatus.APPROVED)
    names = [attempt.front_blob, attempt.back_blob]
    hashes = (attempt.front_dhash, attempt.back_dhash, attempt.front_sha256, attempt.back_sha256)
    assert all(names) and all(vault().exists(n) for n in names)
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    response = staff.post(f"/api/v1/review/verifications/{attempt.pk}/reset", {"reason": "card reported stolen"})
    assert response.status_code == 200
    assert response.json()["status"] == "reset"
    user.refresh_from_db()
    assert user.status == AccountStatus.ACTIVATED
    assert AuditEvent.objects.filter(action="verification.reset", subject=user).exists()
    # a reset attempt loses its photos at once, like a withdrawn one; the hashes stay
    attempt.refresh_from_db()
    assert attempt.front_blob == attempt.back_blob == ""
    assert attempt.photos_deleted_at is not None
    assert not any(vault().exists(n) for n in names)
    assert (attempt.front_dhash, attempt.back_dhash, attempt.front_sha256, attempt.back_sha256) == hashes
    assert response.json()["photos_available"] is False
    again = staff.post(f"/api/v1/review/verifications/{attempt.pk}/reset", {"reason": "again"})
    assert again.json()["code"] == "verification_not_approved"


def test_same_photo_on_another_account_is_flagged(api, make_learner, commit) -> None:  # type: ignore[no-untyped-def]
    first, second = make_learner(), make_learner()
    api.login(first.email)
    with commit():
        submit(api, first, id_front=front_upload(first, seed=4242), id_back=back_upload(first, seed=4243))
    other = Api(api.client.__class__())
    other.login(second.email)
    with commit():
        submit(other, second, id_front=front_upload(first, seed=4242), id_back=back_upload(second, seed=99))
    reused = next(c for c in VerificationAttempt.objects.get(user=second).checks if c["name"] == "photo_not_reused")
    original = VerificationAttempt.objects.get(user=first)
    assert reused["status"] == "failed"
    assert reused["data"] == {
        "reason": "same_file",
        "matched_attempt_id": original.pk,
        "matched_account_no": first.account_no,
        "distance": None,
        "matches": 1,
    }
    checks_first = {c["name"]: c["status"] for c in original.checks}
    assert checks_first["photo_not_reused"] == "passed"


def test_auto_approval_policy(api, make_learner, commit, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from creditbank.identity import providers

    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_AUTO_APPROVE": True}
    monkeypatch.setattr(
        providers.LocalChecksProvider, "checks", lambda self, s: [providers.Check("id_number_rules", providers.PASSED)]
    )
    user = make_learner()
    api.login(user.email)
    with commit():
        submit(api, user)
    user.refresh_from_db()
    assert user.status == AccountStatus.VERIFIED
    attempt = VerificationAttempt.objects.get(user=user)
    assert attempt.auto_decided is True
    assert attempt.reviewer is None


def test_a_not_run_check_keeps_auto_approval_away(api, make_learner, commit, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_AUTO_APPROVE": True}
    user = make_learner()
    api.login(user.email)
    with commit():
        submit(api, user)
    user.refresh_from_db()
    assert user.status == AccountStatus.ACTIVATED  # OCR is "not run", so a reviewer decides


def test_provider_failure_does_not_crash(api, make_learner, commit, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from creditbank.identity import providers

    def boom(self, submission):  # type: ignore[no-untyped-def]
        raise RuntimeError("provider down")

    monkeypatch.setattr(providers.LocalChecksProvider, "checks", boom)
    user = make_learner()
    api.login(user.email)
    with commit():
        assert submit(api, user).status_code == 202
    checks = {c["name"]: c["status"] for c in VerificationAttempt.objects.get(user=user).checks}
    assert checks["provider"] == "not_run"
    assert [c["name"] for c in api.get(VERIFY).json()["checks"]] == []  # nothing for the learner to fix


def test_photos_are_deleted_after_the_retention_period(api, make_learner, reviewer, commit, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    submit(api, user)
    attempt = VerificationAttempt.objects.get(user=user)
    names = [attempt.front_blob, attempt.back_blob]
    from creditbank.identity import services

    services.verification_decide(
        reviewer=reviewer, attempt_id=attempt.pk, decision="reject", reason_code="photo_unclear"
    )
    days = settings.CREDITBANK_POLICY["VERIFICATION_PHOTO_RETENTION_DAYS"]
    assert verification_purge_photos(now=timezone.now() + timedelta(days=days - 1)) == 0
    assert all(vault().exists(n) for n in names)
    assert verification_purge_photos(now=timezone.now() + timedelta(days=days, minutes=1)) == 1
    attempt.refresh_from_db()
    assert attempt.photos_deleted_at is not None
    assert attempt.front_blob == attempt.back_blob == ""
    assert attempt.front_dhash and attempt.front_sha256 and attempt.reason_code == "photo_unclear"
    assert not any(vault().exists(n) for n in names)
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    item = staff.get(f"/api/v1/review/verifications/{attempt.pk}").json()
    assert item["photos_available"] is False
    assert staff.get(f"/api/v1/review/verifications/{attempt.pk}/photos/front").json()["code"] == "photos_deleted"


def test_reasons_are_public(api, db) -> None:  # type: ignore[no-untyped-def]
    items = api.get("/api/v1/verification/reasons").json()["items"]
    codes = [i["code"] for i in items]
    assert "photo_unclear" in codes and "info_mismatch" in codes
    assert all(i["advice"] for i in items)


def test_not_verified_gate(make_learner) -> None:  # type: ignore[no-untyped-def]
    from creditbank.accounts.selectors import user_require_verified
    from creditbank.kernel.errors import PermissionDenied

    activated = make_learner()
    with pytest.raises(PermissionDenied) as info:
        user_require_verified(activated)
    assert info.value.code == "not_verified"
    assert info.value.extra["next_step"] == "verify_identity"
    user_require_verified(make_learner(AccountStatus.VERIFIED))


def test_queue_is_oldest_first_and_excludes_own(api, make_learner, db) -> None:  # type: ignore[no-untyped-def]
    a, b = make_learner(), make_learner()
    for u in (a, b):
        client = Api(api.client.__class__())
        client.login(u.email)
        submit(client, u)
    reviewer = make_reviewer_user()
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    items = staff.get("/api/v1/review/verifications", {"limit": 1}).json()
    assert items["count"] == 2
    assert items["items"][0]["account_no"] == a.account_no
    page2 = staff.get("/api/v1/review/verifications", {"limit": 1, "offset": 1}).json()
    assert page2["items"][0]["account_no"] == b.account_no
    assert staff.get("/api/v1/review/verifications", {"status": "approved"}).json()["count"] == 0


def test_approval_waits_for_the_automatic_checks(api, make_learner, reviewer) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    submit(api, user)  # no commit: the pre-check task has not run yet
    attempt = VerificationAttempt.objects.get(user=user)
    assert attempt.checks_completed_at is None
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    response = staff.post(f"/api/v1/review/verifications/{attempt.pk}/decision", {"decision": "approve"})
    assert response.status_code == 409
    assert response.json()["code"] == "checks_pending"
    assert User.objects.get(pk=user.pk).status == AccountStatus.ACTIVATED


def test_pending_verification_means_waiting_for_review_everywhere(api, make_learner, reviewer, commit) -> None:  # type: ignore[no-untyped-def]
    from creditbank.accounts.selectors import user_require_verified
    from creditbank.kernel.errors import PermissionDenied

    user = make_learner()
    api.login(user.email)
    before = api.get("/api/v1/me").json()
    assert before["next_step"]["code"] == "verify_identity"
    assert "submit_verification" in before["may"]
    with commit():
        assert submit(api, user).status_code == 202
    me = api.get("/api/v1/me", headers={"Accept-Language": "en"}).json()
    assert me["next_step"] == {
        "code": "await_review",
        "message": "Your real-name verification is with a reviewer. We will email you the decision.",
        "url": "/verification/",
    }
    assert "submit_verification" not in me["may"]
    assert api.get(VERIFY).json()["can_submit"] is False
    with pytest.raises(PermissionDenied) as info:
        user_require_verified(user)
    assert info.value.extra["next_step"] == "await_review"

    attempt = VerificationAttempt.objects.get(user=user)
    from creditbank.identity import services

    services.verification_decide(
        reviewer=reviewer, attempt_id=attempt.pk, decision="reject", reason_code="photo_unclear"
    )
    rejected = api.get("/api/v1/me").json()
    assert rejected["next_step"]["code"] == "verify_identity"
    assert "submit_verification" in rejected["may"]
    assert api.get(VERIFY).json()["can_submit"] is True


def test_no_attempts_left_means_no_submit_in_may(api, make_learner, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CREDITBANK_POLICY = {**settings.CREDITBANK_POLICY, "VERIFICATION_ATTEMPTS_PER_DAY": 1}
    user = make_learner()
    api.login(user.email)
    assert submit(api, user).status_code == 202
    assert api.delete(VERIFY).status_code == 200
    me = api.get("/api/v1/me").json()
    state = api.get(VERIFY).json()
    assert state["can_submit"] is False
    assert "submit_verification" not in me["may"]
    assert me["next_step"]["code"] == "verify_identity"


def _damage(token: str) -> str:
    """One character of a stored ciphertext changed, as a disk or a bad restore might."""
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


def test_reveal_of_a_damaged_record_is_a_clear_error_and_an_alert(api, make_learner, reviewer, caplog) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(phone="13912340001")
    api.login(user.email)
    submit(api, user)
    attempt = VerificationAttempt.objects.get(user=user)
    User.objects.filter(pk=user.pk).update(phone_enc=_damage(user.phone_enc))
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    with caplog.at_level("ERROR"):
        response = staff.post(f"/api/v1/review/verifications/{attempt.pk}/reveal", {"reason": "card unreadable"})
    assert response.status_code == 500
    problem = response.json()
    assert problem["code"] == "record_damaged"
    assert "13912340001" not in response.content.decode()
    alerts = [r for r in caplog.records if r.levelname == "ERROR" and "damaged" in r.getMessage()]
    assert [r.getMessage() for r in alerts] == [f"damaged ciphertext record=accounts.user:{user.pk} field=phone"]
    assert "13912340001" not in caplog.text
    assert not AuditEvent.objects.filter(action="pii.revealed").exists()  # nothing was shown


def test_precheck_decrypts_only_the_id_number(api, make_learner, commit, caplog) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(phone_enc=_damage(user.phone_enc))
    api.login(user.email)
    with caplog.at_level("ERROR"), commit():
        assert submit(api, user).status_code == 202
    attempt = VerificationAttempt.objects.get(user=user)
    checks = {c["name"]: c["status"] for c in attempt.checks}
    assert checks["id_number_rules"] == "passed"
    assert checks["gender_consistent"] == "passed"
    assert "provider" not in checks
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_precheck_with_a_damaged_id_number_goes_to_a_reviewer(api, make_learner, commit, caplog) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    User.objects.filter(pk=user.pk).update(id_number_enc=_damage(user.id_number_enc))
    api.login(user.email)
    with caplog.at_level("ERROR"), commit():
        assert submit(api, user).status_code == 202
    attempt = VerificationAttempt.objects.get(user=user)
    provider = next(c for c in attempt.checks if c["name"] == "provider")
    assert (provider["status"], provider["detail"]) == ("not_run", "the stored ID number is damaged")
    assert "id_number_rules" not in {c["name"] for c in attempt.checks}
    alerts = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert alerts == [f"damaged ciphertext record=accounts.user:{user.pk} field=id_number"]
    assert attempt.checks_completed_at is not None


@pytest.mark.parametrize(
    ("field", "size", "ratio"), [("id_front", (40_000, 250), "160.0"), ("id_back", (1000, 1000), "1.0")]
)
def test_a_photo_not_shaped_like_an_id_card_is_refused(api, make_learner, field, size, ratio) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 190)).save(out, "PNG")
    files_before = sorted(p.name for p in vault().root.rglob("*") if p.is_file()) if vault().root.exists() else []
    photo = upload(out.getvalue(), "card.png", "image/png")
    response = submit(api, user, headers={"Accept-Language": "en"}, **{field: photo})
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "image_aspect_ratio"
    assert list(problem["errors"]) == [field]
    side = "portrait side" if field == "id_front" else "national emblem side"
    assert problem["errors"][field] == [
        f"The photo of the {side} is {ratio} times as long as it is wide; an ID card is about 1.6 times, "
        "so its photo must be between 1.2 and 2.2 times. Photograph the whole card so that it fills most "
        "of the picture."
    ]
    assert (problem["min_aspect"], problem["max_aspect"]) == (1.2, 2.2)
    assert not VerificationAttempt.objects.filter(user=user).exists()
    files_after = sorted(p.name for p in vault().root.rglob("*") if p.is_file()) if vault().root.exists() else []
    assert files_after == files_before


def test_an_upright_photo_of_the_card_is_accepted(api, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner()
    api.login(user.email)
    portrait = Image.open(front_upload(user)).rotate(90, expand=True)
    out = io.BytesIO()
    portrait.save(out, "JPEG", quality=90)
    assert portrait.height / portrait.width > 1.5
    assert submit(api, user, id_front=upload(out.getvalue())).status_code == 202


def test_advisory_checks_are_for_the_reviewer_and_a_decision_replaces_the_checks(
    api, make_learner, reviewer, commit
) -> None:  # type: ignore[no-untyped-def]
    first, second = make_learner(), make_learner()
    api.login(first.email)
    with commit():
        submit(api, first, id_front=front_upload(first, seed=5151))
    learner = Api(api.client.__class__())
    learner.login(second.email)
    with commit():
        submit(learner, second, id_front=front_upload(second, seed=5151))  # the first learner's photo
    attempt = VerificationAttempt.objects.get(user=second)
    assert {c["name"]: c["status"] for c in attempt.checks}["photo_not_reused"] == "failed"
    pending = learner.get(VERIFY).json()
    assert [c["name"] for c in pending["checks"]] == [
        "id_number_rules",
        "gender_consistent",
        "face_present",
        "ocr_match",
    ]
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    item = staff.get(f"/api/v1/review/verifications/{attempt.pk}").json()
    advisory = {c["name"]: c["advisory"] for c in item["checks"]}
    assert advisory == {
        "id_number_rules": False,
        "gender_consistent": False,
        "face_present": False,
        "ocr_match": False,
        "id_number_unique": True,
        "photo_not_reused": True,
    }
    with commit():
        staff.post(f"/api/v1/review/verifications/{attempt.pk}/decision", {"decision": "approve"})
    approved = learner.get(VERIFY).json()
    assert approved["status"] == "approved"
    assert approved["decided_at"] is not None
    assert approved["checks"] == []


def _edited(data: bytes) -> bytes:
    """The same photo re-used: smaller, brighter, re-encoded."""
    from PIL import ImageEnhance

    picture = Image.open(io.BytesIO(data)).convert("RGB")
    picture = ImageEnhance.Brightness(picture.resize((800, 504))).enhance(1.15)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=60)
    return out.getvalue()


def test_a_reused_portrait_is_found_among_many_and_different_people_are_not_flagged(
    api, make_learner, reviewer, commit
) -> None:  # type: ignore[no-untyped-def]
    import random

    from creditbank.identity import photo_reuse
    from creditbank.identity.models import PortraitHashBand
    from creditbank.identity.selectors import portrait_reuse_candidates
    from creditbank.identity.services import verification_submit
    from creditbank.identity.specimens import card_front

    # many earlier submissions: their portrait hashes, as the index holds them
    crowd = make_learner()
    rng = random.Random(11)
    earlier = VerificationAttempt.objects.bulk_create(
        VerificationAttempt(
            user=crowd,
            status=VerificationStatus.REJECTED,
            declared_name=crowd.name,
            consent_at=timezone.now(),
            consent_version="2026-01",
            portrait_hash=f"{rng.getrandbits(photo_reuse.HASH_BITS):036x}",
        )
        for _ in range(400)
    )
    PortraitHashBand.objects.bulk_create(
        PortraitHashBand(attempt=a, band=band, value=value)
        for a in earlier
        for band, value in enumerate(photo_reuse.bands(a.portrait_hash))
    )
    # twelve different people, each with their own card
    people = [
        make_learner(name=name)
        for name in ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴涛", "徐丽", "孙强"]
    ]
    fronts = {}
    for seed, person in enumerate(people, start=300):
        fronts[person.pk] = card_front(name=person.name, id_number="110105199003071234", seed=seed)
        with commit():
            verification_submit(
                user=person, consent=True, id_front=upload(fronts[person.pk]), id_back=back_upload(person, seed=seed)
            )
    statuses = {
        p.name: next(
            c["status"] for c in VerificationAttempt.objects.get(user=p).checks if c["name"] == "photo_not_reused"
        )
        for p in people
    }
    assert statuses == {p.name: "passed" for p in people}
    for person in people:
        attempt = VerificationAttempt.objects.get(user=person)
        assert len(attempt.portrait_hash) == 36
        assert PortraitHashBand.objects.filter(attempt=attempt).count() == photo_reuse.BANDS

    # someone else re-uses the sixth person's portrait side, edited, with their own emblem side
    copier = make_learner(name=people[5].name)
    with commit():
        verification_submit(
            user=copier, consent=True, id_front=upload(_edited(fronts[people[5].pk])), id_back=back_upload(copier)
        )
    attempt = VerificationAttempt.objects.get(user=copier)
    original = VerificationAttempt.objects.get(user=people[5])
    reuse = next(c for c in attempt.checks if c["name"] == "photo_not_reused")
    assert reuse["status"] == "failed"
    assert (reuse["data"]["reason"], reuse["data"]["matched_attempt_id"]) == ("portrait", original.pk)
    assert reuse["data"]["matched_account_no"] == people[5].account_no
    assert reuse["data"]["matches"] == 1
    assert 0 <= reuse["data"]["distance"] <= photo_reuse.THRESHOLD
    # the look-up searched the band index: a handful of candidates out of 412 earlier attempts
    hashes = photo_reuse.PortraitHashes(attempt.portrait_hash, attempt.portrait_hash, True)
    candidates = portrait_reuse_candidates(user_id=copier.pk, hashes=hashes)
    assert original.pk in [pk for pk, _, _ in candidates]
    assert len(candidates) < 12

    # the reviewer is told which attempt it is; the learner is not shown the advisory check
    staff = Api(api.client.__class__())
    staff.login(reviewer.email)
    item = staff.get(f"/api/v1/review/verifications/{attempt.pk}").json()
    assert next(c for c in item["checks"] if c["name"] == "photo_not_reused")["matched_attempt_id"] == original.pk
    learner = Api(api.client.__class__())
    learner.login(copier.email)
    assert "photo_not_reused" not in [c["name"] for c in learner.get(VERIFY).json()["checks"]]


def test_review_page_names_and_links_the_matched_attempt(make_learner, reviewer, commit) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client
    from django.utils import translation

    from creditbank.identity.services import verification_submit
    from creditbank.identity.specimens import card_front

    first, second = make_learner(), make_learner()
    data = card_front(name=first.name, id_number="110105199003071234", seed=777)
    with commit():
        verification_submit(user=first, consent=True, id_front=upload(data), id_back=back_upload(first))
    with commit():
        verification_submit(user=second, consent=True, id_front=upload(_edited(data)), id_back=back_upload(second))
    original = VerificationAttempt.objects.get(user=first)
    attempt = VerificationAttempt.objects.get(user=second)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reviewer)
    html = client.get(f"/review/verifications/{attempt.pk}/").content.decode()
    with translation.override("en"):
        assert f"The portrait matches verification #{original.pk} (account {first.account_no})" in html
    assert f'href="/review/verifications/{original.pk}/" data-testid="matched-attempt"' in html


def test_attempts_from_before_the_portrait_hash_are_hashed_by_the_command(make_learner, reviewer, commit) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    from creditbank.identity import photo_reuse
    from creditbank.identity.models import PortraitHashBand
    from creditbank.identity.services import verification_submit, verification_withdraw
    from creditbank.identity.specimens import card_front

    older, purged, copier = make_learner(), make_learner(), make_learner()
    data = card_front(name=older.name, id_number="110105199003071234", seed=888)
    with commit():
        verification_submit(user=older, consent=True, id_front=upload(data), id_back=back_upload(older))
        verification_submit(user=purged, consent=True, id_front=front_upload(purged), id_back=back_upload(purged))
    before = VerificationAttempt.objects.get(user=older).portrait_hash
    # as they were before the upgrade: no portrait hash; one has had its photos deleted since (withdrawn)
    VerificationAttempt.objects.update(portrait_hash="")
    PortraitHashBand.objects.all().delete()
    withdrawn = verification_withdraw(user=purged)
    assert VerificationAttempt.objects.get(pk=withdrawn.pk).photos_deleted_at is not None
    out = io.StringIO()
    call_command("hash_verification_portraits", stdout=out)
    assert out.getvalue().strip() == "hashed the portraits of 1 verifications"
    assert VerificationAttempt.objects.get(user=older).portrait_hash == before
    assert PortraitHashBand.objects.filter(attempt__user=older).count() == photo_reuse.BANDS == 8
    assert VerificationAttempt.objects.get(pk=withdrawn.pk).portrait_hash == ""  # photos gone: nothing to hash
    again = io.StringIO()
    call_command("hash_verification_portraits", stdout=again)
    assert again.getvalue().strip() == "hashed the portraits of 0 verifications"
    redo = io.StringIO()
    call_command("hash_verification_portraits", "--redo", stdout=redo)
    assert redo.getvalue().strip() == "hashed the portraits of 1 verifications"
    assert PortraitHashBand.objects.filter(attempt__user=older).count() == photo_reuse.BANDS
    # and the older attempt is found again
    with commit():
        verification_submit(user=copier, consent=True, id_front=upload(_edited(data)), id_back=back_upload(copier))
    reuse = next(c for c in VerificationAttempt.objects.get(user=copier).checks if c["name"] == "photo_not_reused")
    assert reuse["data"]["matched_attempt_id"] == VerificationAttempt.objects.get(user=older).pk
