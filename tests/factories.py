"""Learners, staff and their requests in the states tests start from, made the way the services make them.

Every factory creates its rows through the public services (``user_register``, ``user_activate``,
``verification_submit``, the pre-check, ``verification_decide``, ``change_request_create``,
``history_create``, ``ticket_open``), so the personal values are sealed by ``kernel.pii.seal``,
the photos are cleaned and encrypted in the vault and every decision writes its audit row, exactly
as in production. ``tests/test_factories.py`` compares each product with the same state reached
step by step. The callbacks a commit would run (emails, the pre-check) run as they would.

One step is shortened: face detection. OpenCV takes about half a second per photo and a specimen
card has no face; the pre-check gets the detector's answer for a specimen card, computed once per
process (:func:`specimen_face_answer`), instead of computing the same answer again for each card.
Tests about face detection call the detector themselves.

Identities never meet the ones ``conftest.next_identity`` hands out: the factories' ID numbers are
from another region (东城区, 110101), their phones start with 138 and their emails with
``factory-``.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from unittest import mock

import factory
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from PIL import Image

from creditbank.accounts import services as account_services
from creditbank.accounts.models import AccountStatus, Gender, User
from creditbank.accounts.roles import Role
from creditbank.identity import recognition
from creditbank.identity import services as identity_services
from creditbank.identity.models import VerificationAttempt
from creditbank.identity.specimens import card_back, card_front, valid_id_number
from creditbank.notices import services as notice_services
from creditbank.notices.models import Ticket
from creditbank.profiles import services as profile_services
from creditbank.profiles.models import ChangeRequest, EducationEntry, WorkEntry

PASSWORD = "correct horse battery staple"
REGION = "110101"
#: The first seed of the factories' specimen photos (conftest's helpers count from 1).
PHOTO_SEED = 1_000_000
#: One group per role, as a deployment grants roles (ADR 0013: roles are permissions).
ROLE_GROUPS = {
    Role.VERIFICATION_REVIEWER: "Verification reviewers",
    Role.CHANGE_REVIEWER: "Change request reviewers",
    Role.SUPPORT: "Support",
    Role.INSTITUTION_MANAGER: "Institution managers",
    Role.CERTIFICATION_REVIEWER: "Certification reviewers",
    Role.STANDARDS_EDITOR: "Standards editors",
}
#: The bank-wide roles granted by a permission (roles held at an institution come from memberships).
BANK_ROLES = tuple(role for role in Role if "." in role.value)
#: What the ``reviewer`` of most tests holds: every review queue and support.
ALL_ROLES = (Role.VERIFICATION_REVIEWER, Role.CHANGE_REVIEWER, Role.SUPPORT)


def id_number_for(n: int) -> str:
    """A valid ID number, different for every ``n`` (a birth date per thousand, then the sequence)."""
    birth = date(1980, 1, 1) + timedelta(days=n // 1000)
    return valid_id_number(region=REGION, birth=f"{birth:%Y%m%d}", sequence=n % 1000)


def committed() -> Any:
    """Run the on-commit callbacks of the block (emails, the pre-check) as a commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


class _ServiceFactory(factory.Factory):
    """A factory whose ``create`` calls services; ``build`` has no meaning here (rows only exist
    once a service wrote them)."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{cls.__name__} only creates: use {cls.__name__}() or {cls.__name__}.create()")


# --- Learners -----------------------------------------------------------------------------------


class RegisteredLearnerFactory(_ServiceFactory):
    """A learner who registered (``user_register``) and has not followed the activation link."""

    class Meta:
        model = User

    name = "张三"
    password = PASSWORD
    id_number = factory.Sequence(id_number_for)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    email = factory.Sequence(lambda n: f"factory-learner{n}@example.com")
    client_address = factory.Sequence(lambda n: f"10.200.{n // 250 % 250}.{n % 250 + 1}")
    language = None  # the request's language, as for a person registering

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> User:
        return cls._register(**values)

    @staticmethod
    def _register(*, language: str | None, **values: Any) -> User:
        from creditbank.kernel.policy import policy

        with committed():
            result = account_services.user_register(
                accept_terms=True, terms_version=policy().terms_version, language=language, **values
            )
        if not result.created:
            raise ValueError(f"the factory's identity is already registered: {values['email']}")
        return User.objects.get(account_no=result.account_no)


class LearnerFactory(RegisteredLearnerFactory):
    """An activated learner: registered, then activated with the emailed link (``user_activate``)."""

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> User:
        user = cls._register(**values)
        account_services.user_activate(token=account_services.activation_token_issue(user=user))
        return User.objects.get(pk=user.pk)


ActivatedLearnerFactory = LearnerFactory


class PendingLearnerFactory(LearnerFactory):
    """An activated learner whose verification waits for a reviewer (the pre-check has run)."""

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> User:
        user = super()._create(model_class, **values)
        VerificationAttemptFactory(user=user)
        return User.objects.get(pk=user.pk)


class VerifiedLearnerFactory(LearnerFactory):
    """A verified learner: a reviewer approved their verification (``verification_decide``)."""

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> User:
        user = super()._create(model_class, **values)
        ApprovedVerificationFactory(user=user)
        return User.objects.get(pk=user.pk)


class RejectedLearnerFactory(LearnerFactory):
    """An activated learner whose verification a reviewer rejected (``photo_unclear``)."""

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> User:
        user = super()._create(model_class, **values)
        RejectedVerificationFactory(user=user)
        return User.objects.get(pk=user.pk)


LEARNER_FACTORIES: dict[str, type[RegisteredLearnerFactory]] = {
    AccountStatus.REGISTERED: RegisteredLearnerFactory,
    AccountStatus.ACTIVATED: LearnerFactory,
    AccountStatus.VERIFIED: VerifiedLearnerFactory,
}


# --- Staff --------------------------------------------------------------------------------------


def role_group(role: Role) -> Group:
    """The group that grants ``role`` (made on first use)."""
    app_label, codename = role.value.split(".")
    group, _created = Group.objects.get_or_create(name=ROLE_GROUPS.get(role, role.name.replace("_", " ").capitalize()))
    group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


class StaffFactory(_ServiceFactory):
    """A staff account holding ``roles`` through their groups (none: staff without a role).

    Staff accounts are not registered: an operator makes them (``createsuperuser``, the admin),
    as the demo seed does; the factory does what they do.
    """

    class Meta:
        model = User

    name = "审核员"
    password = PASSWORD
    email = factory.Sequence(lambda n: f"factory-staff{n}@example.com")
    roles: Sequence[Role] = ()

    @classmethod
    def _create(cls, model_class: Any, *, roles: Sequence[Role], password: str, **values: Any) -> User:
        user = User.objects.create_user(
            account_no=account_services.account_number_issue(),
            password=password,
            status=AccountStatus.ACTIVATED,
            is_staff=True,
            **values,
        )
        user.groups.add(*(role_group(role) for role in roles))
        return User.objects.get(pk=user.pk)  # a fresh instance: no cached permissions


class ReviewerFactory(StaffFactory):
    """Staff holding every role: verification and change-request reviewer, support."""

    roles = ALL_ROLES


class VerificationReviewerFactory(StaffFactory):
    roles = (Role.VERIFICATION_REVIEWER,)


class ChangeReviewerFactory(StaffFactory):
    roles = (Role.CHANGE_REVIEWER,)


class SupportStaffFactory(StaffFactory):
    """Support staff: answers tickets, reviews nothing."""

    name = "客服"
    roles = (Role.SUPPORT,)


# --- Real-name verification ---------------------------------------------------------------------


@functools.cache
def specimen_face_answer() -> Any:
    """What the face detector says about a specimen card, computed once per process."""
    return recognition.detect_face(card_front(name="张三", id_number=id_number_for(0), seed=PHOTO_SEED))


@contextmanager
def specimen_face_detector() -> Iterator[None]:
    """The pre-check gets :func:`specimen_face_answer` instead of running the detector again."""
    answer = specimen_face_answer()
    with mock.patch.object(recognition, "detect_face", return_value=answer):
        yield


def id_card_photos(user: User, seed: int) -> tuple[SimpleUploadedFile, SimpleUploadedFile]:
    """Both sides of a specimen ID card showing ``user``'s name, gender and ID number."""
    id_number = account_services.user_reveal_pii(user=user, fields=("id_number",))["id_number"]
    gender = "女" if user.gender == Gender.FEMALE else "男"
    front = card_front(name=user.name, id_number=id_number, gender=gender, seed=seed)
    return (
        SimpleUploadedFile("front.jpg", front, content_type="image/jpeg"),
        SimpleUploadedFile("back.jpg", card_back(seed=seed), content_type="image/jpeg"),
    )


class VerificationAttemptFactory(_ServiceFactory):
    """A submitted verification (``verification_submit``) whose pre-check has run; with
    ``decision`` a reviewer then decided it (``verification_decide``)."""

    class Meta:
        model = VerificationAttempt

    user = factory.SubFactory(LearnerFactory)
    seed = factory.Sequence(lambda n: PHOTO_SEED + 1 + n)
    decision = ""
    reviewer = factory.Maybe("decision", yes_declaration=factory.SubFactory(ReviewerFactory), no_declaration=None)
    reason_code = ""
    note = ""

    @classmethod
    def _create(
        cls,
        model_class: Any,
        *,
        user: User,
        seed: int,
        decision: str,
        reviewer: User | None,
        reason_code: str,
        note: str,
    ) -> VerificationAttempt:
        front, back = id_card_photos(user, seed)
        with specimen_face_detector(), committed():
            attempt = identity_services.verification_submit(user=user, consent=True, id_front=front, id_back=back)
        if decision:
            assert reviewer is not None
            with committed():
                identity_services.verification_decide(
                    reviewer=reviewer, attempt_id=attempt.pk, decision=decision, reason_code=reason_code, note=note
                )
        return VerificationAttempt.objects.get(pk=attempt.pk)


class ApprovedVerificationFactory(VerificationAttemptFactory):
    decision = "approve"


class RejectedVerificationFactory(VerificationAttemptFactory):
    decision = "reject"
    reason_code = "photo_unclear"


# --- Profiles: change requests and history ------------------------------------------------------


def proof_jpeg(seed: int = 1, name: str = "proof.jpg") -> SimpleUploadedFile:
    """A small JPEG proof file."""
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (seed * 40 % 255, 120, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _new_value(field: str, user: User, n: int) -> str:
    if field == "gender":
        return Gender.FEMALE if user.gender == Gender.MALE else Gender.MALE
    if field == "id_number":
        return id_number_for(500_000 + n)
    return "李四"


class ChangeRequestFactory(_ServiceFactory):
    """A pending request to change a locked field, with one proof (``change_request_create``)."""

    class Meta:
        model = ChangeRequest

    user = factory.SubFactory(VerifiedLearnerFactory)
    field = "name"
    new_value = factory.LazyAttributeSequence(lambda o, n: _new_value(o.field, o.user, n))
    reason = "改名，已更新户口簿"
    proofs = factory.LazyFunction(lambda: [proof_jpeg()])

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> ChangeRequest:
        with committed():
            request = profile_services.change_request_create(**values)
        return ChangeRequest.objects.get(pk=request.pk)


class EducationEntryFactory(_ServiceFactory):
    """An education entry of a verified learner's history (``history_create``)."""

    class Meta:
        model = EducationEntry

    user = factory.SubFactory(VerifiedLearnerFactory)
    school = "北京大学"
    major = "计算机科学与技术"
    level = "bachelor"
    study_mode = "full_time"
    start = "2015-09"
    end = "2019-07"
    certificate_no = "100011201905001234"
    evidence = None

    @classmethod
    def _create(cls, model_class: Any, *, user: User, evidence: Any, **data: Any) -> EducationEntry:
        with committed():
            entry = profile_services.history_create(kind="education", user=user, data=data, evidence=evidence)
        return EducationEntry.objects.get(pk=entry.pk)


class WorkEntryFactory(_ServiceFactory):
    """A work entry of a verified learner's history (``history_create``)."""

    class Meta:
        model = WorkEntry

    user = factory.SubFactory(VerifiedLearnerFactory)
    employer = "某科技有限公司"
    position = "工程师"
    industry = "软件"
    start = "2019-08"
    end = None
    current = True
    description = "后端开发"
    evidence = None

    @classmethod
    def _create(cls, model_class: Any, *, user: User, evidence: Any, **data: Any) -> WorkEntry:
        with committed():
            entry = profile_services.history_create(kind="work", user=user, data=data, evidence=evidence)
        return WorkEntry.objects.get(pk=entry.pk)


# --- Support ------------------------------------------------------------------------------------


class TicketFactory(_ServiceFactory):
    """An open support ticket with its first message (``ticket_open``)."""

    class Meta:
        model = Ticket

    user = factory.SubFactory(LearnerFactory)
    category = "account"
    subject = "无法修改手机号"
    message = "收不到验证码，请帮忙。"
    attachments = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class: Any, **values: Any) -> Ticket:
        with committed():
            ticket = notice_services.ticket_open(**values)
        return Ticket.objects.get(pk=ticket.pk)
