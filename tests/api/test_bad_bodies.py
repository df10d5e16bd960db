"""Bodies that cannot be read: too large, nested too deep, broken multipart.

Each answers 413 ``request_too_large`` or 400 ``invalid_body`` (problem details) under /api/ and
the styled 400 page elsewhere, writes one warning line to the log (no traceback), and stores
nothing. Unauthenticated endpoints are refused the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import make_reviewer_user
from creditbank.accounts.models import AccountStatus, User
from creditbank.audit.models import AuditEvent
from creditbank.identity.models import VerificationAttempt
from creditbank.kernel.models import IdempotencyRecord
from creditbank.notices.models import Ticket, TicketAttachment, TicketMessage
from creditbank.profiles.models import ChangeRequest, EducationEntry, ProfileHistory, WorkEntry

BOUNDARY = "----creditbank-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
THREE_MB = 3 * 1024 * 1024

# Every JSON write endpoint ({id} is filled with an object of the caller's that exists).
JSON_ENDPOINTS = [
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/activate"),
    ("POST", "/api/v1/auth/activation/resend"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("POST", "/api/v1/auth/password"),
    ("POST", "/api/v1/me/email/confirm"),
    ("POST", "/api/v1/me/phone/confirm"),
    ("PATCH", "/api/v1/me"),
    ("POST", "/api/v1/me/education"),
    ("PATCH", "/api/v1/me/education/{education}"),
    ("POST", "/api/v1/me/work"),
    ("PATCH", "/api/v1/me/work/{work}"),
    ("POST", "/api/v1/me/tickets"),
    ("POST", "/api/v1/me/tickets/{ticket}/messages"),
    ("POST", "/api/v1/support/tickets/{ticket}/messages"),
    ("POST", "/api/v1/review/verifications/{attempt}/decision"),
    ("POST", "/api/v1/review/verifications/{attempt}/reveal"),
    ("POST", "/api/v1/review/verifications/{attempt}/reset"),
    ("POST", "/api/v1/review/change-requests/1/decision"),
]
UNAUTHENTICATED = {
    path for _m, path in JSON_ENDPOINTS if path.startswith("/api/v1/auth/") and path != "/api/v1/auth/password"
}
UNAUTHENTICATED.add("/api/v1/me/email/confirm")

# Endpoints that take multipart (files), and pages that take forms.
MULTIPART_ENDPOINTS = [
    "/api/v1/me/verification",
    "/api/v1/me/change-requests",
    "/api/v1/me/tickets",
    "/api/v1/me/tickets/{ticket}/messages",
    "/api/v1/support/tickets/{ticket}/messages",
    "/api/v1/me/education/{education}/evidence",
    "/api/v1/me/work/{work}/evidence",
]
PAGES = [
    "/accounts/register/",
    "/accounts/login/",
    "/support/tickets/",
    "/support/tickets/{ticket}/",
    "/profile/change-requests/",
    "/verification/",
]


def stored() -> dict[str, int]:
    models = (
        User,
        VerificationAttempt,
        ChangeRequest,
        EducationEntry,
        WorkEntry,
        ProfileHistory,
        Ticket,
        TicketMessage,
        TicketAttachment,
        IdempotencyRecord,
        AuditEvent,
    )
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def world(make_learner, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A verified learner with one of everything, and a bearer token for them; a staff member too."""
    from creditbank.notices import services as notice_services
    from creditbank.profiles import services as profile_services

    learner = make_learner(AccountStatus.VERIFIED)
    staff = make_reviewer_user()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = notice_services.ticket_open(
            user=learner, category="other", subject="问题", message="请帮忙", attachments=[]
        )
    education = profile_services.history_create(
        kind="education",
        user=learner,
        data={
            "school": "北京大学",
            "level": "bachelor",
            "study_mode": "full_time",
            "start": "2015-09",
            "end": "2019-07",
        },
    )
    work = profile_services.history_create(
        kind="work",
        user=learner,
        data={"employer": "某公司", "position": "工程师", "start": "2019-09", "current": True},
    )
    ids = {
        "ticket": ticket.pk,
        "education": education.pk,
        "work": work.pk,
        "attempt": VerificationAttempt.objects.get(user=learner).pk,
    }
    token = (
        Client()
        .post(
            "/api/v1/auth/token",
            {"identifier": learner.email, "password": "correct horse battery staple"},
            "application/json",
        )
        .json()["access_token"]
    )
    return {"learner": learner, "staff": staff, "ids": ids, "token": token}


def send(world: dict[str, Any], method: str, path: str, body: bytes, content_type: str, *, auth: bool = True) -> Any:
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {world['token']}"} if auth else {}
    if not path.startswith("/api/"):
        client.force_login(world["learner"])
    return client.generic(method, path.format(**world["ids"]), data=body, content_type=content_type, headers=headers)


def check_refused(response: Any, caplog: Any, before: dict[str, int], *, status: int, code: str) -> None:
    where = response.wsgi_request.path
    assert response.status_code == status, where
    assert response["Content-Type"] == "application/problem+json", where
    body = json.loads(response.content)
    assert (body["status"], body["code"], body["instance"]) == (status, code, where)
    check_logged_once(caplog, where)
    assert stored() == before, where


def check_page_refused(response: Any, caplog: Any, before: dict[str, int]) -> None:
    where = response.wsgi_request.path
    assert response.status_code == 400, where
    assert response["Content-Type"].startswith("text/html"), where
    html = response.content.decode()
    assert 'href="/static/css/site.css"' in html, where  # the site's styled page, not Django's bare text
    assert "Bad Request (400)" not in html, where
    check_logged_once(caplog, where)
    assert stored() == before, where


def check_logged_once(caplog: Any, where: str) -> None:
    """One warning line for the refusal, no traceback; then the log is cleared for the next request."""
    relevant = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.exc_info for r in relevant] == [None], (where, [r.getMessage() for r in relevant])
    assert relevant[0].levelname == "WARNING"
    assert relevant[0].getMessage().startswith("Refused request body"), where
    assert where in relevant[0].getMessage()
    assert "\n" not in relevant[0].getMessage()
    caplog.clear()


def multipart(*parts: bytes, terminated: bool = True) -> bytes:
    out = b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + p + b"\r\n" for p in parts)
    return out + (b"--" + BOUNDARY.encode() + b"--\r\n" if terminated else b"")


def field(name: str, value: str) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}'.encode()


def file_part(name: str, filename: str, data: bytes = b"\xff\xd8\xff\xe0 not really a photo") -> bytes:
    head = f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
    return head.encode() + data


BROKEN_MULTIPART: dict[str, Callable[[], tuple[bytes, str]]] = {
    "no_boundary": lambda: (multipart(field("message", "你好")), "multipart/form-data"),
    "part_header_over_1kb": lambda: (
        multipart(field("message", "你好"), file_part("attachments", "a" * 1000 + ".jpg")),
        MULTIPART,
    ),
    "2000_fields": lambda: (multipart(*(field(f"f{i}", "x") for i in range(2000))), MULTIPART),
    "200_files": lambda: (
        multipart(field("message", "你好"), *(file_part("attachments", f"{i}.jpg") for i in range(200))),
        MULTIPART,
    ),
    "unterminated": lambda: (
        multipart(field("category", "other"), field("subject", "主题"), field("message", "半截"), terminated=False),
        MULTIPART,
    ),
    "unterminated_inside_a_part": lambda: (
        multipart(field("message", "你好"), terminated=False)[: -len("\r\n")] + b" and more",
        MULTIPART,
    ),
}


def test_json_over_the_size_limit_is_413_on_every_json_endpoint(world, caplog) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    body = json.dumps({"identifier": "x" * THREE_MB, "message": "x", "password": "y"}).encode()
    for method, path in JSON_ENDPOINTS:
        response = send(world, method, path, body, "application/json", auth=path not in UNAUTHENTICATED)
        check_refused(response, caplog, before, status=413, code="request_too_large")
        assert json.loads(response.content)["max_bytes"] == 2 * 1024 * 1024


def test_json_nested_too_deep_is_invalid_body_on_every_json_endpoint(world, caplog) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    for method, path in JSON_ENDPOINTS:
        response = send(world, method, path, b"[" * 50_000, "application/json", auth=path not in UNAUTHENTICATED)
        assert response.status_code == 400, path
        assert json.loads(response.content)["code"] == "invalid_body", path
        assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == [], path
        assert stored() == before, path


@pytest.mark.parametrize("kind", sorted(BROKEN_MULTIPART))
def test_broken_multipart_is_invalid_body_on_every_multipart_endpoint(world, caplog, kind) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    body, content_type = BROKEN_MULTIPART[kind]()
    for path in MULTIPART_ENDPOINTS:
        response = send(world, "POST", path, body, content_type)
        check_refused(response, caplog, before, status=400, code="invalid_body")


@pytest.mark.parametrize("kind", sorted(BROKEN_MULTIPART))
def test_broken_multipart_without_credentials_is_refused_the_same_way(world, caplog, kind) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    body, content_type = BROKEN_MULTIPART[kind]()
    response = send(world, "POST", "/api/v1/auth/token", body, content_type, auth=False)
    check_refused(response, caplog, before, status=400, code="invalid_body")


def test_an_unterminated_body_does_not_add_a_message(world, caplog) -> None:  # type: ignore[no-untyped-def]
    before = TicketMessage.objects.filter(ticket_id=world["ids"]["ticket"]).count()
    body = multipart(field("message", "只写了一半的回复"), terminated=False)
    response = send(world, "POST", "/api/v1/me/tickets/{ticket}/messages", body, MULTIPART)
    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "invalid_body"
    assert TicketMessage.objects.filter(ticket_id=world["ids"]["ticket"]).count() == before
    whole = send(
        world, "POST", "/api/v1/me/tickets/{ticket}/messages", multipart(field("message", "完整的回复")), MULTIPART
    )
    assert whole.status_code == 201
    assert TicketMessage.objects.filter(ticket_id=world["ids"]["ticket"]).count() == before + 1


def test_form_over_the_size_limit_on_a_page(world, caplog) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    body = b"message=" + b"x" * THREE_MB
    response = send(world, "POST", "/support/tickets/", body, "application/x-www-form-urlencoded")
    check_page_refused(response, caplog, before)
    assert "too large" in response.content.decode() or "过大" in response.content.decode()


@pytest.mark.parametrize("kind", sorted(BROKEN_MULTIPART))
def test_broken_multipart_on_a_page_is_the_styled_400_page(world, caplog, kind) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    body, content_type = BROKEN_MULTIPART[kind]()
    for path in PAGES:
        response = send(world, "POST", path, body, content_type)
        check_page_refused(response, caplog, before)


def test_a_whole_multipart_body_still_works(world) -> None:  # type: ignore[no-untyped-def]
    body = multipart(field("category", "other"), field("subject", "主题"), field("message", "完整"))
    response = send(world, "POST", "/api/v1/me/tickets", body, MULTIPART)
    assert response.status_code == 201, response.content
    assert Ticket.objects.filter(subject="主题").count() == 1


def test_a_request_over_the_whole_request_cap_is_413_before_it_is_read(world, caplog, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_REQUEST_BYTES = 10_000
    before = stored()
    body = multipart(field("message", "你好"), file_part("attachments", "a.jpg", b"x" * 20_000))
    response = send(world, "POST", "/api/v1/me/tickets/{ticket}/messages", body, MULTIPART)
    check_refused(response, caplog, before, status=413, code="request_too_large")
    assert json.loads(response.content)["max_bytes"] == 10_000


def test_a_form_body_sent_to_a_json_endpoint(world, caplog) -> None:  # type: ignore[no-untyped-def]
    before = stored()
    response = send(world, "POST", "/api/v1/auth/token", multipart(field("identifier", "x")), MULTIPART, auth=False)
    assert response.status_code == 415
    assert json.loads(response.content)["code"] == "unsupported_media_type"
    assert [r for r in caplog.records if r.exc_info] == []
    assert stored() == before
