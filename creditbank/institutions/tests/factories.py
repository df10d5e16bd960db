"""Institutions, staff and clients for tests, made through the real services."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from conftest import make_reviewer_user
from creditbank.accounts.models import User
from creditbank.identity.specimens import valid_id_number
from creditbank.institutions import services
from creditbank.institutions.domain.principals import ClientPrincipal
from creditbank.institutions.domain.student_files import TEMPLATE_HEADERS
from creditbank.institutions.models import AccountOpening, ApiClient, Institution, Programme

#: published, valid unified social credit codes (see domain tests)
USCC_A = "12100000400000624D"
USCC_B = "91350100M000100Y43"


def make_manager() -> User:
    """Bank staff holding Role.INSTITUTION_MANAGER (the institutions.manage_institution permission)."""
    return make_reviewer_user(perms=("manage_institution",))


def make_institution(code: str, *, admin: User, manager: User | None = None, **over: Any) -> Institution:
    fields: dict[str, Any] = {
        "name_zh": f"{code} 大学", "name_en": f"{code} University", "kind": "university", "region": "110108",
    }  # fmt: skip
    fields.update(over)
    return services.institution_create(actor=manager or make_manager(), code=code, admin=admin.account_no, **fields)


def make_client(
    institution: Institution, *, admin: User, scopes: tuple[str, ...] = ("outcomes:write",)
) -> tuple[ApiClient, str]:
    return services.api_client_create(actor=admin, code=institution.code, name="教务系统", scopes=list(scopes))


# --- files of students (bulk account opening) -------------------------------------------------------

_students = itertools.count(1)


def student(name: str = "王芳", **over: str) -> dict[str, str]:
    """A new person for a file of students: an ID number from a region no other helper uses
    (310104, 徐汇区), a phone starting 137, an email at school.example.cn."""
    n = next(_students)
    birth = date(1995, 1, 1) + timedelta(days=n % 3000)
    values = {
        "name": name,
        "id_number": valid_id_number(region="310104", birth=f"{birth:%Y%m%d}", sequence=n % 1000),
        "phone": f"137{n:08d}",
        "email": f"student-{n}@school.example.cn",
        "student_no": f"S{n:05d}",
    }
    return values | over


COLUMN_ORDER = ("name", "id_number", "phone", "email", "student_no")


def students_file(
    rows: list[dict[str, Any]], *, kind: str = "csv", headers: str = "zh", name: str | None = None
) -> SimpleUploadedFile:
    """An upload of ``rows`` with the template's header row (``zh`` or ``en``) as CSV or XLSX."""
    header = list(TEMPLATE_HEADERS[headers])
    lines = [[row.get(column, "") for column in COLUMN_ORDER] for row in rows]
    if kind == "csv":  # written as given (a formula-looking name stays so)
        out_text = io.StringIO()
        csv.writer(out_text, lineterminator="\r\n").writerows([header, *lines])
        data = out_text.getvalue().encode()
    else:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for line in [header, *lines]:
            sheet.append(line)
        for row in sheet.iter_rows():
            for cell in row:
                cell.data_type = "s"  # text cells, even "=…" (a formula cell would read as empty)
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
    return SimpleUploadedFile(name or f"students.{kind}", data)


def client_principal(client: ApiClient, scopes: tuple[str, ...] = ("accounts:write",)) -> ClientPrincipal:
    """Who a token of ``client`` names, as the API's authenticator makes it."""
    return ClientPrincipal(
        client_pk=client.pk, client_id=client.client_id, institution_pk=client.institution_id,
        institution_code=client.institution.code, scopes=frozenset(scopes),
    )  # fmt: skip


def open_accounts(caller: Any, code: str, upload: SimpleUploadedFile, **over: Any) -> AccountOpening:
    """Upload ``upload`` and run the opening as the worker would (after the commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        opening = services.account_opening_upload(caller=caller, code=code, upload=upload, **over)
    opening.refresh_from_db()
    return opening


# --- programmes and courses --------------------------------------------------------------------------

#: (code, 中文, English, credits) of the courses ``make_programme`` adds by default
COURSES = (("ENG101", "大学英语 I", "College English I", "4"), ("MATH101", "高等数学 A", "Calculus A", "5"))


def make_programme(
    institution: Institution,
    *,
    admin: User,
    code: str = "CS",
    publish: bool = True,
    courses: tuple[tuple[str, str, str, str], ...] = COURSES,
    **over: Any,
) -> Programme:
    """A programme of ``institution`` with ``courses``, made by its administrator ``admin``
    through the services, published unless ``publish=False``."""
    fields: dict[str, Any] = {
        "name_zh": "计算机科学与技术", "name_en": "Computer Science and Technology", "total_credits": "160", "level": 6,
    }  # fmt: skip
    fields.update(over)
    programme = services.programme_create(actor=admin, code=institution.code, programme_code=code, **fields)
    for course_code, name_zh, name_en, credits in courses:
        services.course_create(
            actor=admin, code=institution.code, programme_code=code, course_code=course_code, name_zh=name_zh,
            name_en=name_en, credits=credits,
        )  # fmt: skip
    if publish:
        programme = services.programme_publish(actor=admin, code=institution.code, programme_code=code)
    return programme
