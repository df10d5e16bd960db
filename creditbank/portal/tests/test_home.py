"""The portal serves the home page: a welcome for visitors, the dashboard for a signed-in account."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from conftest import make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.notices.models import Notice
from creditbank.portal import views


def templates(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.name for t in response.templates if t.name and not t.name.startswith(("django/", "_"))]


def test_the_portal_serves_the_home_page() -> None:
    match = resolve("/")
    assert match.func is views.home
    assert (match.url_name, reverse("home")) == ("home", "/")


def test_visitors_get_the_landing_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert templates(response)[0] == "portal/landing.html"
    assert "Your lifelong record of learning" in response.content.decode()


def test_a_learner_gets_the_dashboard_with_each_contexts_summary(make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.ACTIVATED)
    Notice.objects.create(title_zh="通知", body_zh="正文", published_at=timezone.now() - timedelta(hours=1))
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert templates(response)[0] == "portal/dashboard.html"
    assert response.context["verification"]["status"] == "none"
    assert (response.context["notices_unread"], response.context["read_ids"]) == (1, set())
    assert response.context["staff_queues"] == []


def test_staff_get_their_queues(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_reviewer_user())
    response = client.get("/")
    assert response.context["verification"] is None
    assert [(q["key"], q["pending"]) for q in response.context["staff_queues"]] == [
        ("verifications", 0),
        ("change_requests", 0),
        ("support_tickets", 0),
    ]
