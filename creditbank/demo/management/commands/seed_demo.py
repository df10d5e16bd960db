"""Demo data for `./dev run`: one learner in each state, a reviewer, two institutions with their
administrator, issuer and reviewer, an API client, the institutions' published programmes
with their courses, and their published conversion rules. Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from creditbank.accounts import services as account_services
from creditbank.accounts.models import AccountStatus, User
from creditbank.accounts.services import activation_token_issue, user_activate
from creditbank.demo.conversion_rules import DEMO_RULES
from creditbank.identity import services as identity_services
from creditbank.identity.specimens import card_back, card_front, valid_id_number
from creditbank.institutions import selectors as institution_selectors
from creditbank.institutions import services as institution_services
from creditbank.kernel.policy import policy

DEMO_PASSWORD = "Demo-Passphrase-2026"  # noqa: S105 - printed demo login, development only
REVIEWERS_GROUP = "Bank staff: reviewers and support"
NOTICE_EDITORS_GROUP = "Notice editors"
NOTICE_PERMISSIONS = ["add_notice", "change_notice", "delete_notice", "view_notice"]
INSTITUTION_MANAGERS_GROUP = "Institution managers"
INSTITUTION_PERMISSIONS = [
    "manage_institution",
    "view_institution",
    "add_institution",
    "change_institution",
    "view_membership",
    "view_apiclient",
]
#: (role printed, name, birth date, sequence, phone, institution role)
INSTITUTION_STAFF = [
    ("institution-admin", "周敏", "19800214", 661, "13800000006", "admin"),
    ("institution-issuer", "孙浩", "19830521", 771, "13800000007", "issuer"),
    ("institution-reviewer", "吴芳", "19870809", 882, "13800000008", "reviewer"),
]
#: (code, name_zh, name_en, kind, region)
INSTITUTIONS = [
    ("demo-open-univ", "演示开放大学", "Demo Open University", "university", "110000"),
    ("demo-skills", "演示职业技能培训中心", "Demo Vocational Skills Centre", "training_body", "310000"),
]
# The seed activates, verifies and decides for its own accounts; the background work those steps
# enqueue (activation and decision emails, pre-checks it runs itself) is dropped, so the terminal of
# `./dev run` shows only the emails of what a newcomer does.
NO_BACKGROUND_WORK = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

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
        with override_settings(TASKS=NO_BACKGROUND_WORK):
            self._seed()

    def _seed(self) -> None:
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
                    f"  (activation link: {settings.SITE_URL}/accounts/activate/{activation_token_issue(user=user)}/)"
                )
        lines.append(f"reviewer: {reviewer.email} / {DEMO_PASSWORD}")
        lines += self._institutions(reviewer)
        self._programmes()
        self._extras(reviewer)
        self._outcomes(reviewer)
        self._rules()
        self.stdout.write("Demo logins (identifier / password):")
        for line in lines:
            self.stdout.write(line)

    def _reviewer(self) -> User:
        group, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
        group.permissions.add(
            *Permission.objects.filter(
                codename__in=[
                    "review_verification",
                    "review_change_request",
                    "answer_ticket",
                    "review_certification",
                    "publish_standard",
                    "publish_rule",
                ]
            )
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
        editors, _ = Group.objects.get_or_create(name=NOTICE_EDITORS_GROUP)
        editors.permissions.add(
            *Permission.objects.filter(content_type__app_label="notices", codename__in=NOTICE_PERMISSIONS)
        )
        managers, _ = Group.objects.get_or_create(name=INSTITUTION_MANAGERS_GROUP)
        managers.permissions.add(
            *Permission.objects.filter(content_type__app_label="institutions", codename__in=INSTITUTION_PERMISSIONS)
        )
        reviewer.groups.add(group, editors, managers)
        return User.objects.get(pk=reviewer.pk)  # fresh permission cache

    def _institutions(self, manager: User) -> list[str]:
        """Two institutions, the first with an administrator, an issuer, a reviewer and an API
        client (its secret is shown once, so a second run rotates it to print a working one)."""
        lines = []
        staff: dict[str, User] = {}
        for role, name, birth, seq, phone, _member_role in INSTITUTION_STAFF:
            email = f"{role}@demo.creditbank.test"
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = self._learner(role, name, valid_id_number(birth=birth, sequence=seq), phone, email, manager, 0)
            staff[role] = user
            lines.append(f"{role}: {email} / {DEMO_PASSWORD}")
        admin = staff["institution-admin"]
        for code, name_zh, name_en, kind, region in INSTITUTIONS:
            if not institution_selectors.institutions_listed().filter(code=code).exists():
                institution_services.institution_create(
                    actor=manager, code=code, name_zh=name_zh, name_en=name_en, kind=kind, region=region,
                    admin=admin.email,
                )  # fmt: skip
        code = INSTITUTIONS[0][0]
        institution = institution_selectors.institution_get_for_actor(actor=admin, code=code)
        members = institution_selectors.memberships_of(institution=institution)
        for role, *_rest, member_role in INSTITUTION_STAFF[1:]:
            if not members.filter(user=staff[role], role=member_role).exists():
                institution_services.member_add(actor=admin, code=code, account=staff[role].email, role=member_role)
        client = institution_selectors.api_clients_of(institution=institution).filter(revoked_at__isnull=True).first()
        if client is None:
            client, secret = institution_services.api_client_create(
                actor=admin, code=code, name="演示教务系统 Demo registry",
                scopes=["outcomes:write", "outcomes:read", "imports:write", "accounts:write"],
            )  # fmt: skip
        else:
            client, secret = institution_services.api_client_rotate(actor=admin, code=code, id=client.pk)
        lines.append(f"institution-client: {client.client_id} / {secret}")
        lines.append(f"institution-code: {code}")
        return lines

    def _programmes(self) -> None:
        """Published programmes with their courses at both institutions (each made once)."""
        admin = User.objects.get(email__iexact="institution-admin@demo.creditbank.test")
        for code, programmes in DEMO_PROGRAMMES.items():
            existing = institution_selectors.programmes_for_admin(actor=admin, code=code)
            for (programme_code, name_zh, name_en, total_credits, level), courses in programmes:
                if existing.filter(code=programme_code).exists():
                    continue
                institution_services.programme_create(
                    actor=admin, code=code, programme_code=programme_code, name_zh=name_zh, name_en=name_en,
                    total_credits=total_credits, level=level,
                )  # fmt: skip
                for course_code, course_zh, course_en, credits in courses:
                    institution_services.course_create(
                        actor=admin, code=code, programme_code=programme_code, course_code=course_code,
                        name_zh=course_zh, name_en=course_en, credits=credits, level=level,
                    )  # fmt: skip
                institution_services.programme_publish(actor=admin, code=code, programme_code=programme_code)

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
        user_activate(token=activation_token_issue(user=user))
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

    def _extras(self, reviewer: User) -> None:
        """History entries, a notice, an open ticket and a pending change request (once)."""
        from datetime import timedelta

        from django.utils import timezone

        from creditbank.notices.selectors import notices_visible, tickets_for_user
        from creditbank.notices.services import notice_publish, ticket_open
        from creditbank.profiles.selectors import change_requests_for_user, education_for_user
        from creditbank.profiles.services import change_request_create, history_create

        verified = User.objects.get(email__iexact="learner-verified@demo.creditbank.test")
        if not education_for_user(verified).exists():
            history_create(kind="education", user=verified, data={
                "school": "北京开放大学", "major": "计算机应用技术", "level": "junior_college", "study_mode": "part_time",
                "start": "2016-09", "end": "2019-07", "certificate_no": "",
            })  # fmt: skip
            history_create(kind="work", user=verified, data={
                "employer": "某软件有限公司", "position": "测试工程师", "industry": "信息技术", "start": "2019-08",
                "current": True, "description": "负责自动化测试",
            })  # fmt: skip
        if not change_requests_for_user(verified).exists():
            change_request_create(
                user=verified,
                field="name",
                new_value="陈静怡",
                reason="演示：已办理改名，附户口簿页。Demo: name changed, household register attached.",
                proofs=[_upload("proof.jpg", card_back(seed=99))],
            )
        if not notices_visible().exists():
            notice_publish(
                title_zh="学分银行平台上线公告",
                title_en="The credit bank platform is open",
                body_zh="欢迎使用学分银行。完成**实名认证**后即可申请学习成果认证和学分转换。",
                body_en="Welcome. Once your **real-name verification** is done you can apply for certification and credit conversion.",
                published_at=timezone.now() - timedelta(hours=1),
                pinned=True,
                created_by=reviewer,
            )
        activated = User.objects.get(email__iexact="learner-activated@demo.creditbank.test")
        if not tickets_for_user(activated).exists():
            ticket_open(
                user=activated,
                category="verification",
                subject="身份证照片上传不了",
                message="上传时一直提示格式不对，请问支持哪些格式？",
            )

    def _outcomes(self, editor: User) -> None:
        """Certification standards of both institutions and the bank; for ``learner-verified``
        three outcomes deposited by the university (certified, credits in the account) and a
        self-reported certificate waiting for the university's reviewer (once)."""
        from creditbank.institutions.selectors import institution_find_active
        from creditbank.outcomes import selectors as outcome_selectors
        from creditbank.outcomes import services as outcome_services

        if outcome_selectors.standards_published().exists():
            return
        admin = User.objects.get(email__iexact="institution-admin@demo.creditbank.test")
        for owner, actor, rows in DEMO_STANDARDS:
            for outcome_type, code, title_zh, title_en, credits, level, evidence_zh, evidence_en in rows:
                draft = outcome_services.standard_create(
                    actor=actor(editor, admin), owner=owner,
                    data={
                        "outcome_type": outcome_type, "code": code, "title_zh": title_zh, "title_en": title_en,
                        "credits": credits, "level": level, "evidence_zh": evidence_zh, "evidence_en": evidence_en,
                        "valid_from": "2024-01-01",
                    },
                )  # fmt: skip
                outcome_services.standard_publish(actor=actor(editor, admin), standard_id=draft.pk)
        learner = User.objects.get(email__iexact="learner-verified@demo.creditbank.test")
        university = institution_find_active(INSTITUTIONS[0][0])
        outcome_services.outcomes_deposit(
            institution=university,
            rows=[
                {"learner": {"account_no": learner.account_no}, "external_id": external_id, "type": "academic_credit",
                 "title": title, "code": code, "achieved_on": day, "credits": credits,
                 "result": {"scheme": "percentage", "value": score}, "level": 5}
                for external_id, title, code, day, credits, score in DEMO_DEPOSITS
            ],
            deposited_by="demo-seed",
        )  # fmt: skip
        outcome = outcome_services.outcome_self_report(
            user=learner,
            data={
                "type": "vocational_certificate", "title": "Web 前端开发职业技能等级证书（中级）", "code": "1X-WEB-2",
                "issuer": INSTITUTIONS[0][0], "achieved_on": "2024-06-30", "credits": "6",
                "result": {"scheme": "pass_fail", "value": "pass"}, "level": 4, "expires_on": "2029-06-30",
            },
            evidence=[_upload("certificate.jpg", card_back(seed=77))],
        )  # fmt: skip
        outcome_services.certification_apply(user=learner, outcome_id=outcome.pk)

    def _rules(self) -> None:
        """The conversion rules of both institutions' programmes, published by their administrator
        (once). Nobody applies: ``learner-verified`` can, by two of them (conversion_rules.py)."""
        from creditbank.rules import selectors as rule_selectors
        from creditbank.rules import services as rule_services

        if rule_selectors.rules_public().exists():
            return
        admin = User.objects.get(email__iexact="institution-admin@demo.creditbank.test")
        report = rule_services.rules_import(actor=admin, rows=DEMO_RULES, publish=True)
        if report.errors:
            raise CommandError(f"demo conversion rules refused: {report.errors}")


def _bank(editor: User, admin: User) -> User:
    return editor


def _institution_admin(editor: User, admin: User) -> User:
    return admin


#: (owner code or "" for the bank, who publishes, [(type, code, 中文, English, credits, level, 证据, evidence)])
DEMO_STANDARDS = [
    ("demo-open-univ", _institution_admin, [
        ("academic_credit", "CS101", "计算机应用基础", "Computer fundamentals", "3", 5, "课程成绩单", "The course transcript"),
        ("academic_credit", "MATH101", "高等数学", "Calculus", "4", 5, "课程成绩单", "The course transcript"),
        ("academic_credit", "ENG101", "大学英语", "College English", "4", 5, "课程成绩单", "The course transcript"),
        ("vocational_certificate", "1X-WEB-2", "Web 前端开发职业技能等级证书（中级）",
         "Web front-end development certificate (intermediate)", "6", 4, "证书照片或电子证书", "A photo of the certificate"),
    ]),
    ("demo-skills", _institution_admin, [
        ("non_formal", "TRAIN-PM-40", "项目管理实务培训（40 学时）", "Project management training (40 hours)", "2", 4,
         "培训结业证书", "The training certificate"),
    ]),
    ("", _bank, [
        ("mooc", "MOOC-PY", "Python 语言程序设计（慕课）", "Python programming (MOOC)", "2", 5, "慕课平台成绩证明",
         "The MOOC platform's certificate of achievement"),
        ("award", "AWARD-PROV-1", "省级职业技能大赛一等奖", "Provincial skills competition, first prize", "4", 5,
         "获奖证书", "The award certificate"),
    ]),
]  # fmt: skip
#: (external id, title, code, achieved on, credits, score) deposited by the university
DEMO_DEPOSITS = [
    ("DOU-2023-CS101-0556", "计算机应用基础", "CS101", "2023-01-15", "3", "88"),
    ("DOU-2023-MATH101-0556", "高等数学", "MATH101", "2023-07-10", "4", "76"),
    ("DOU-2024-ENG101-0556", "大学英语", "ENG101", "2024-01-12", "4", "81"),
]


#: institution code → [((programme code, 中文, English, credits to graduate, level), [(course code, 中文, English, credits)])]
DEMO_PROGRAMMES = {
    "demo-open-univ": [
        (("CS", "计算机科学与技术", "Computer Science and Technology", "160", 6), [
            ("ENG101", "大学英语 I", "College English I", "4"),
            ("MATH101", "高等数学 A", "Advanced Mathematics A", "5"),
            ("CS101", "计算机应用基础", "Computer Fundamentals", "3"),
            ("CS102", "程序设计基础", "Programming Fundamentals", "4"),
            ("CS201", "数据结构", "Data Structures", "4"),
            ("CS202", "数据库原理", "Principles of Databases", "3.5"),
            ("CS203", "计算机网络", "Computer Networks", "3"),
            ("CS301", "软件工程", "Software Engineering", "3"),
            ("PE101", "体育 I", "Physical Education I", "1"),
        ]),
        (("ACC", "会计学", "Accounting", "150", 6), [
            ("ENG101", "大学英语 I", "College English I", "4"),
            ("ECO101", "经济学原理", "Principles of Economics", "3"),
            ("ACC101", "基础会计", "Fundamentals of Accounting", "3"),
            ("ACC201", "中级财务会计", "Intermediate Financial Accounting", "4"),
            ("ACC202", "成本会计", "Cost Accounting", "3"),
            ("TAX201", "税法", "Tax Law", "3"),
            ("ACC301", "审计学", "Auditing", "3"),
            ("CS101", "计算机应用基础", "Computer Fundamentals", "3"),
        ]),
    ],
    "demo-skills": [
        (("SE", "软件技术", "Software Technology", "140", 5), [
            ("WEB101", "Web 前端开发", "Web Front-end Development", "4"),
            ("PY101", "Python 程序设计", "Python Programming", "4"),
            ("JAVA101", "Java 程序设计", "Java Programming", "4"),
            ("DB101", "MySQL 数据库应用", "MySQL Database Applications", "3"),
            ("LNX101", "Linux 操作系统", "The Linux Operating System", "3"),
            ("SE201", "软件测试", "Software Testing", "3"),
            ("PRJ301", "顶岗实习", "Work Placement", "12"),
        ]),
        (("EC", "电子商务", "E-commerce", "130", 5), [
            ("EC101", "电子商务基础", "Introduction to E-commerce", "3"),
            ("EC102", "网店运营", "Online Shop Operations", "4"),
            ("EC201", "网络营销", "Online Marketing", "3"),
            ("EC202", "直播电商", "Live-stream Commerce", "2"),
            ("EC203", "商务数据分析", "Business Data Analysis", "3"),
            ("LOG101", "物流管理", "Logistics Management", "2"),
            ("PRJ301", "顶岗实习", "Work Placement", "12"),
        ]),
    ],
}  # fmt: skip


def _terms() -> str:
    return str(policy().terms_version)
