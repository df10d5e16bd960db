"""Error pages with DEBUG off: styled like the site, in the visitor's language, with a way back.

Pages get the site's own 400, 403 (and the CSRF failure page), 404 and 500; the same failures
under /api/ answer problem details. The 500 page renders without the database or any context
processor.
"""

from __future__ import annotations

import json
import logging

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from conftest import PASSWORD
from creditbank.accounts.models import AccountStatus

pytestmark = pytest.mark.urls("tests.pages.error_urls")

EN = {"Accept-Language": "en"}


def page(response) -> str:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'href="/static/css/site.css"' in html  # the site's own stylesheet: the base template
    assert '<a class="brand" href="/">' in html
    return html


def test_debug_is_off() -> None:
    assert settings.DEBUG is False


def test_404_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/no/such/page/", headers=EN)
    assert response.status_code == 404
    html = page(response)
    assert "Page not found" in html
    assert "The address may be mistyped, or the page has moved." in html
    assert 'class="button" href="/">Back to the home page</a>' in html
    assert "Not Found</h1>" not in html  # not Django's bare default


def test_404_page_defaults_to_chinese_and_knows_the_signed_in_account(db, make_learner) -> None:  # type: ignore[no-untyped-def]
    user = make_learner(AccountStatus.ACTIVATED)
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = page(response)
    assert '<html lang="zh-Hans">' in html
    assert user.account_no in html  # the account strip of every page


def test_500_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client(raise_request_exception=False).get("/test-errors/boom/", headers=EN)
    assert response.status_code == 500
    html = page(response)
    assert "Something went wrong on our side" in html
    assert "Nothing you did caused this. Try again in a few minutes." in html
    assert 'class="button" href="/">Back to the home page</a>' in html
    assert "internal detail" not in html


def test_500_page_needs_no_database_and_no_context_processor(settings) -> None:  # type: ignore[no-untyped-def]
    """No ``db`` fixture: any query raises. A context processor that raises is never called."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "tests.pages.test_error_pages.failing_context_processor",
                ],
            },
        }
    ]
    from config.urls import handler500
    from creditbank.kernel import error_pages

    assert handler500 == "creditbank.kernel.error_pages.server_error"
    request = RequestFactory().get("/anything/", headers=EN)
    with translation.override("en"):  # what LocaleMiddleware has activated before the handler runs
        response = error_pages.server_error(request)
    assert response.status_code == 500
    html = page(response)
    assert "Something went wrong on our side" in html
    assert 'name="csrfmiddlewaretoken"' in html  # the language switch still works
    assert '<input name="next" type="hidden" value="/anything/">' in html


def failing_context_processor(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("a context processor that fails")


def test_400_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/test-errors/suspicious/", headers=EN)
    assert response.status_code == 400
    html = page(response)
    assert "The request could not be understood" in html
    assert 'class="button" href="/">Back to the home page</a>' in html
    assert "tampered" not in html


def test_403_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/test-errors/denied/", headers=EN)
    assert response.status_code == 403
    html = page(response)
    assert "You may not open this page" in html
    assert 'class="button" href="/">Back to the home page</a>' in html


def test_csrf_failure_page_explains_a_stale_form(db, make_learner) -> None:  # type: ignore[no-untyped-def]
    assert settings.CSRF_FAILURE_VIEW == "creditbank.kernel.error_pages.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post("/accounts/login/?next=/profile/", {"identifier": "x", "password": "y"}, headers=EN)
    assert response.status_code == 403
    html = page(response)
    assert "This form has expired" in html
    assert "Reload the page and submit the form again." in html
    assert 'class="button" href="/accounts/login/?next=/profile/">Reload the page</a>' in html
    assert "CSRF verification failed" not in html  # not Django's default


def test_error_pages_under_the_api_are_problem_details(db, caplog) -> None:  # type: ignore[no-untyped-def]
    client = Client(raise_request_exception=False)
    expected = {
        "/api/v1/test-errors/boom/": (500, "server_error"),
        "/api/v1/test-errors/suspicious/": (400, "bad_request"),
        "/api/v1/test-errors/denied/": (403, "forbidden"),
        "/api/v1/no/such/endpoint": (404, "not_found"),
    }
    for path, (status, code) in expected.items():
        response = client.get(path)
        assert response.status_code == status, path
        assert response["Content-Type"] == "application/problem+json", path
        body = json.loads(response.content)
        assert (body["status"], body["code"], body["instance"]) == (status, code, path)


def test_errors_are_logged_once_each(db, caplog) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.WARNING):
        Client().get("/no/such/page/")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("WARNING", "Not Found: /no/such/page/")]
