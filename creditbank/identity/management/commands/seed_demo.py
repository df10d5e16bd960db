"""Demo data for `./dev run`: one learner in each state and a reviewer. Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from creditbank.accounts import services as account_services
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services import user_activate
from creditbank.accounts.tokens import ACTIVATION, make_token
from creditbank.identity import services as identity_services
from creditbank.identity.specimens import card_back, card_front, valid_id_number

DEMO_PASSWORD = "Demo-Passphrase-2026"  # noqa: S105 - printed demo login, development only
REVIEWERS_GROUP = "Verification reviewers"

LEARNERS = [
    ("learner-registered", "张三", "19900307", 111, "13800000001"),
    ("learner-activated", "李四", "19920415", 222, "13800000002"),
    ("learner-pending", "阿依古丽·买买提", "19950612", 334, "13800000003"),
    ("learner-rejected", "Wang Lei", "19880120", 445, "13800000004"),
    ("learner-verified", "陈静", "19850930", 556, "13800000005"),
]


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print their logins."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        reviewer = self._reviewer()
        lines = []
        for i, (role, name, birth, seq, phone) in enumerate(LEARNERS):
            email = f"{role}@demo.creditbank.test"
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = self._learner(role, name, valid_id_number(birth=birth, sequence=seq), phone, email, reviewer, i)
            lines.append(f"{role}: {email} / {DEMO_PASSWORD}")
            if user.status == AccountStatus.REGISTERED:
                lines.append(
                    f"  (activation link: {settings.SITE_URL}/accounts/activate/{make_token(user, ACTIVATION)}/)"
                )
        lines.append(f"reviewer: {reviewer.email} / {DEMO_PASSWORD}")
        self.stdout.write("Demo logins (identifier / password):")
        for line in lines:
            self.stdout.write(line)

    def _reviewer(self) -> User:
        group, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
        group.permissions.add(
            Permission.objects.get(codename="review_verification", content_type__app_label="identity")
        )
        reviewer = User.objects.filter(email__iexact="reviewer@demo.creditbank.test").first()
        if reviewer is None:
            reviewer = User.objects.create_user(
                account_no=account_services.account_number_issue(),
                password=DEMO_PASSWORD,
                name="审核员 Reviewer",
                email="reviewer@demo.creditbank.test",
                status=AccountStatus.ACTIVATED,
                is_staff=True,
            )
        reviewer.groups.add(group)
        return reviewer

    @transaction.atomic
    def _learner(self, role: str, name: str, id_number: str, phone: str, email: str, reviewer: User, i: int) -> User:
        result = account_services.user_register(
            name=name,
            id_number=id_number,
            phone=phone,
            email=email,
            password=DEMO_PASSWORD,
            accept_terms=True,
            terms_version=_terms(),
            client_address="demo-seed",
            language="zh-hans",
        )
        user = User.objects.get(account_no=result.account_no)
        if role == "learner-registered":
            return user
        user_activate(token=make_token(user, ACTIVATION))
        user.refresh_from_db()
        if role == "learner-activated":
            return user
        gender = "男" if user.gender == "M" else "女"
        attempt = identity_services.verification_submit(
            user=user,
            consent=True,
            id_front=_upload("front.jpg", card_front(name=name, id_number=id_number, gender=gender, seed=i)),
            id_back=_upload("back.jpg", card_back(seed=i)),
        )
        identity_services.verification_precheck(attempt_id=attempt.pk)
        if role == "learner-rejected":
            identity_services.verification_decide(
                reviewer=reviewer,
                attempt_id=attempt.pk,
                decision="reject",
                reason_code="photo_unclear",
                note="演示：照片反光，请重新拍摄。 Demo: glare on the photo, please retake it.",
            )
        elif role == "learner-verified":
            identity_services.verification_decide(reviewer=reviewer, attempt_id=attempt.pk, decision="approve")
        user.refresh_from_db()
        return user


def _terms() -> str:
    return str(settings.CREDITBANK_POLICY["TERMS_VERSION"])
