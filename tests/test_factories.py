"""Each factory's product is what the service path produces: the same columns filled (sealed the
same way), the same related rows, and the account can do what an account in that state can do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core import mail
from django.db.models import Model
from django.test import Client

from conftest import PASSWORD, Api, back_upload, front_upload, make_reviewer_user, next_identity
from creditbank.accounts import services as account_services
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.personal_data import ID_CONTEXT, PHONE_CONTEXT
from creditbank.accounts.roles import Role, roles_of
from creditbank.audit.models import AuditEvent
from creditbank.identity import services as identity_services
from creditbank.identity.models import PortraitHashBand, VerificationAttempt
from creditbank.identity.personal_data import PHOTO_CONTEXT
from creditbank.identity.specimens import valid_id_number
from creditbank.kernel.masking import mask_id_number, mask_phone
from creditbank.kernel.pii import cipher, indexer
from creditbank.kernel.vault import vault
from creditbank.notices import services as notice_services
from creditbank.notices.models import Ticket, TicketMessage
from creditbank.profiles import services as profile_services
from creditbank.profiles.models import ChangeRequest, ChangeRequestProof, EducationEntry, WorkEntry
from creditbank.profiles.personal_data import PROOF_CONTEXT, REQUEST_VALUE_CONTEXT
from tests import factories

#: Columns whose values (not only whether they are filled) must agree between the two paths.
COMPARED_VALUES = {
    "status",
    "region_flagged",
    "terms_version",
    "preferred_language",
    "is_staff",
    "is_active",
    "is_superuser",
    "must_change_password",
    "consent_version",
    "provider",
    "auto_decided",
    "reason_code",
    "kind",
    "field",
    "content_type",
    "category",
    "from_staff",
}


def shape(model: type[Model], pk: Any) -> dict[str, Any]:
    """A row as the kinds of its values: NULL, empty, filled (the type), or the value itself for
    the columns in COMPARED_VALUES."""
    row = model._default_manager.filter(pk=pk).values().get()
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in COMPARED_VALUES:
            out[name] = value
        elif value is None:
            out[name] = None
        elif value in ("", [], {}):
            out[name] = "empty"
        else:
            out[name] = type(value).__name__
    return out


def sealed_as_the_kernel_seals(user: User, *, id_number: str, phone: str) -> None:
    assert cipher().decrypt(user.id_number_enc, context=ID_CONTEXT) == id_number
    assert user.id_number_index == indexer().index(id_number, context=ID_CONTEXT)
    assert user.id_number_masked == mask_id_number(id_number)
    assert cipher().decrypt(user.phone_enc, context=PHONE_CONTEXT) == phone
    assert user.phone_index == indexer().index(phone, context=PHONE_CONTEXT)
    assert user.phone_masked == mask_phone(phone)
    assert id_number not in user.id_number_enc


def registered_by_hand(**over: str) -> User:
    ident = next_identity() | over
    with factories.committed():
        result = account_services.user_register(
            name="张三",
            password=PASSWORD,
            accept_terms=True,
            terms_version="2026-01",
            client_address="10.9.0.1",
            **ident,
        )
    return User.objects.get(account_no=result.account_no)


def activated_by_hand() -> User:
    user = registered_by_hand()
    account_services.user_activate(token=account_services.activation_token_issue(user=user))
    return User.objects.get(pk=user.pk)


def submitted_by_hand(user: User) -> VerificationAttempt:
    with factories.committed():
        attempt = identity_services.verification_submit(
            user=user, consent=True, id_front=front_upload(user), id_back=back_upload(user)
        )
    return VerificationAttempt.objects.get(pk=attempt.pk)


def decided_by_hand(attempt: VerificationAttempt, decision: str, reason_code: str = "") -> VerificationAttempt:
    with factories.committed():
        identity_services.verification_decide(
            reviewer=make_reviewer_user(), attempt_id=attempt.pk, decision=decision, reason_code=reason_code
        )
    return VerificationAttempt.objects.get(pk=attempt.pk)


def logged_in(user: User) -> Api:
    api = Api(Client())
    api.login(user.email)
    return api


def same_checks(made: VerificationAttempt, by_hand: VerificationAttempt) -> None:
    """The same checks in the same order with the same keys; the same results but the face's (what
    the detector finds on a specimen's random texture varies with the picture)."""
    assert [(c["name"], sorted(c)) for c in made.checks] == [(c["name"], sorted(c)) for c in by_hand.checks]
    results = [(c["name"], c["status"], c["detail"]) for c in made.checks if c["name"] != "face_present"]
    assert results == [(c["name"], c["status"], c["detail"]) for c in by_hand.checks if c["name"] != "face_present"]
    [face] = [c for c in made.checks if c["name"] == "face_present"]
    answer = factories.specimen_face_answer()
    assert (face["status"], face["detail"], face["data"]) == (answer.status.value, answer.detail, answer.data)


def photos_in_the_vault(attempt: VerificationAttempt) -> None:
    for name in (attempt.front_blob, attempt.back_blob):
        assert vault().read(name, context=PHOTO_CONTEXT).startswith(b"\xff\xd8\xff")  # a JPEG, sealed at rest
    assert PortraitHashBand.objects.filter(attempt=attempt).count() == 8


def test_a_registered_learner_is_what_registration_makes(db: Any) -> None:
    mail.outbox.clear()
    id_number = valid_id_number(region="110101", birth="19800101", sequence=123)
    made = factories.RegisteredLearnerFactory(id_number=id_number, phone="13800001111")
    assert [m.to for m in mail.outbox] == [[made.email]]  # the activation link was sent
    by_hand = registered_by_hand()

    assert made.status == AccountStatus.REGISTERED
    assert made.activated_at is None
    sealed_as_the_kernel_seals(made, id_number=id_number, phone="+8613800001111")
    assert (made.birth_date, made.gender, made.region_code) == (date(1980, 1, 1), "M", "110101")
    assert made.check_password(PASSWORD)
    assert shape(User, made.pk) == shape(User, by_hand.pk)


def test_an_activated_learner_is_what_activation_makes_and_can_log_in(db: Any) -> None:
    made = factories.LearnerFactory()
    by_hand = activated_by_hand()

    assert made.status == AccountStatus.ACTIVATED
    assert isinstance(made.activated_at, datetime)
    assert shape(User, made.pk) == shape(User, by_hand.pk)
    api = logged_in(made)
    assert api.get("/api/v1/me").json()["account_no"] == made.account_no
    refused = api.get("/api/v1/me/education")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_verified")


def test_identities_of_the_factories_never_meet_those_of_conftest(db: Any) -> None:
    made = [factories.LearnerFactory.create() for _ in range(3)] + [registered_by_hand() for _ in range(3)]
    assert len({u.id_number_index for u in made}) == len({u.phone_index for u in made}) == len(made)
    assert len({u.email for u in made}) == len(made)


def test_a_learner_with_a_pending_verification_is_what_submitting_makes(db: Any) -> None:
    made_user = factories.PendingLearnerFactory()
    by_hand_user = activated_by_hand()
    by_hand = submitted_by_hand(by_hand_user)
    made = VerificationAttempt.objects.get(user=made_user)

    assert made.status == "pending"
    assert made.checks_completed_at is not None
    same_checks(made, by_hand)
    photos_in_the_vault(made)
    assert made.front_sha256 != by_hand.front_sha256
    assert shape(VerificationAttempt, made.pk) == shape(VerificationAttempt, by_hand.pk)
    assert shape(User, made_user.pk) == shape(User, by_hand_user.pk)
    state = logged_in(made_user).get("/api/v1/me/verification").json()
    assert (state["status"], state["can_withdraw"], state["attempts_left_today"]) == ("pending", True, 2)
    staff = logged_in(factories.VerificationReviewerFactory())
    assert [i["id"] for i in staff.get("/api/v1/review/verifications").json()["items"]] == [made.pk, by_hand.pk]


def test_a_verified_learner_is_what_an_approval_makes_and_reaches_verified_only_endpoints(db: Any) -> None:
    made_user = factories.VerifiedLearnerFactory(name="王芳")
    by_hand_user = activated_by_hand()
    by_hand = decided_by_hand(submitted_by_hand(by_hand_user), "approve")
    made = VerificationAttempt.objects.get(user=made_user)

    assert made_user.status == AccountStatus.VERIFIED
    assert made_user.verified_at == made.decided_at
    assert made.status == "approved"
    same_checks(made, by_hand)
    photos_in_the_vault(made)
    assert shape(User, made_user.pk) == shape(User, by_hand_user.pk)
    assert shape(VerificationAttempt, made.pk) == shape(VerificationAttempt, by_hand.pk)
    [event] = AuditEvent.objects.filter(action="verification.approve", subject=made_user)
    assert event.actor == made.reviewer
    assert len(event.digest) == 64
    assert shape(AuditEvent, event.pk) == shape(AuditEvent, AuditEvent.objects.get(subject=by_hand_user).pk)
    api = logged_in(made_user)
    assert api.get("/api/v1/me/education").status_code == 200
    assert api.get("/api/v1/me").json()["name"] == "王芳"


def test_a_rejected_learner_is_what_a_rejection_makes(db: Any) -> None:
    made_user = factories.RejectedLearnerFactory()
    by_hand_user = activated_by_hand()
    by_hand = decided_by_hand(submitted_by_hand(by_hand_user), "reject", "photo_unclear")
    made = VerificationAttempt.objects.get(user=made_user)

    assert (made.status, made.reason_code) == ("rejected", "photo_unclear")
    assert made_user.status == AccountStatus.ACTIVATED
    same_checks(made, by_hand)
    assert shape(VerificationAttempt, made.pk) == shape(VerificationAttempt, by_hand.pk)
    assert AuditEvent.objects.get(action="verification.reject", subject=made_user).reason == "photo_unclear"
    state = logged_in(made_user).get("/api/v1/me/verification").json()
    assert (state["status"], state["reason"]["code"], state["can_submit"]) == ("rejected", "photo_unclear", True)


@pytest.mark.parametrize(
    ("make", "roles"),
    [
        (factories.ReviewerFactory, set(factories.ALL_ROLES)),
        (factories.VerificationReviewerFactory, {Role.VERIFICATION_REVIEWER}),
        (factories.ChangeReviewerFactory, {Role.CHANGE_REVIEWER}),
        (factories.SupportStaffFactory, {Role.SUPPORT}),
        (factories.StaffFactory, set()),
    ],
    ids=["reviewer-roles", "verification", "change-requests", "support", "no-role"],
)
def test_staff_hold_exactly_their_roles_through_groups(db: Any, make: Any, roles: set[Role]) -> None:
    staff = make()
    assert roles_of(staff) == roles
    assert {g.name for g in staff.groups.all()} == {factories.ROLE_GROUPS[r] for r in roles}
    assert not staff.user_permissions.exists()
    assert (staff.is_staff, staff.status) == (True, AccountStatus.ACTIVATED)
    api = logged_in(staff)
    expected = {
        "/api/v1/review/verifications": Role.VERIFICATION_REVIEWER,
        "/api/v1/review/change-requests": Role.CHANGE_REVIEWER,
        "/api/v1/support/tickets": Role.SUPPORT,
    }
    reached = {path for path in expected if api.get(path).status_code == 200}
    assert reached == {path for path, role in expected.items() if role in roles}


def test_make_reviewer_user_and_the_reviewer_factory_grant_the_same_roles(db: Any) -> None:
    assert roles_of(make_reviewer_user()) == roles_of(factories.ReviewerFactory()) == set(factories.ALL_ROLES)
    assert roles_of(make_reviewer_user(perms=("answer_ticket",))) == {Role.SUPPORT}


def test_a_pending_change_request_is_what_the_request_service_makes(db: Any) -> None:
    made = factories.ChangeRequestFactory(field="name", new_value="李四")
    owner = factories.VerifiedLearnerFactory()
    with factories.committed():
        by_hand = profile_services.change_request_create(
            user=owner, field="name", new_value="李四", reason="改名", proofs=[factories.proof_jpeg()]
        )

    assert (made.status, made.field, made.new_value_masked, made.old_value_masked) == (
        "pending",
        "name",
        "李四",
        "张三",
    )
    assert cipher().decrypt(made.new_value_enc, context=REQUEST_VALUE_CONTEXT) == "李四"
    assert shape(ChangeRequest, made.pk) == shape(ChangeRequest, by_hand.pk)
    [proof] = made.proofs.all()
    assert vault().read(proof.blob, context=PROOF_CONTEXT).startswith(b"\xff\xd8\xff")
    assert shape(ChangeRequestProof, proof.pk) == shape(ChangeRequestProof, by_hand.proofs.get().pk)
    listed = logged_in(made.user).get("/api/v1/me/change-requests").json()
    assert [r["id"] for r in listed["items"]] == [made.pk]


@pytest.mark.parametrize("field", ["gender", "id_number"])
def test_a_change_request_for_another_locked_field_asks_for_a_new_value(db: Any, field: str) -> None:
    made = factories.ChangeRequestFactory(field=field)
    value = cipher().decrypt(made.new_value_enc, context=REQUEST_VALUE_CONTEXT)
    current = account_services.user_reveal_pii(user=made.user, fields=("id_number",))["id_number"]
    assert value not in (made.user.gender, current, "")
    assert made.status == "pending"


def test_history_entries_are_what_the_history_service_makes(db: Any) -> None:
    owner = factories.VerifiedLearnerFactory()
    education = factories.EducationEntryFactory(user=owner)
    work = factories.WorkEntryFactory(user=owner, evidence=factories.proof_jpeg(3))
    by_hand_edu = profile_services.history_create(
        kind="education",
        user=owner,
        data={
            "school": "清华大学",
            "major": "物理",
            "level": "master",
            "study_mode": "part_time",
            "start": "2010-09",
            "end": "2013-07",
            "certificate_no": "1",
        },
    )
    by_hand_work = profile_services.history_create(
        kind="work",
        user=owner,
        data={"employer": "某公司", "position": "教师", "industry": "教育", "start": "2014-01", "current": True,
              "description": "x"},
        evidence=factories.proof_jpeg(4),
    )  # fmt: skip

    assert (education.school, education.start, education.end) == ("北京大学", date(2015, 9, 1), date(2019, 7, 1))
    assert shape(EducationEntry, education.pk) == shape(EducationEntry, by_hand_edu.pk)
    assert shape(WorkEntry, work.pk) == shape(WorkEntry, by_hand_work.pk)
    api = logged_in(owner)
    assert [e["id"] for e in api.get("/api/v1/me/education").json()["items"]] == [education.pk, by_hand_edu.pk]
    assert {e["id"] for e in api.get("/api/v1/me/work").json()["items"]} == {work.pk, by_hand_work.pk}


def test_a_ticket_is_what_opening_one_makes(db: Any) -> None:
    made = factories.TicketFactory()
    owner = factories.LearnerFactory()
    by_hand = notice_services.ticket_open(user=owner, category="other", subject="问题", message="请帮忙")

    assert (made.status, made.category, made.subject) == ("open", "account", "无法修改手机号")
    assert made.user.status == AccountStatus.ACTIVATED
    [message] = made.messages.all()
    assert (message.author, message.body, message.from_staff) == (made.user, "收不到验证码，请帮忙。", False)
    assert shape(Ticket, made.pk) | {"category": None} == shape(Ticket, by_hand.pk) | {"category": None}
    assert shape(TicketMessage, message.pk) == shape(TicketMessage, by_hand.messages.get().pk)
    listed = logged_in(made.user).get("/api/v1/me/tickets").json()
    assert [t["id"] for t in listed["items"]] == [made.pk]


def test_factories_only_create(db: Any) -> None:
    with pytest.raises(TypeError, match="only creates"):
        factories.LearnerFactory.build()
