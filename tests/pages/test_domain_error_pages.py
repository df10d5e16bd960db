"""Pages map a NotFound to the 404 page and a PermissionDenied to the 403 page in one place
(kernel.middleware.DomainErrorPageMiddleware), so views no longer map them by hand."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from conftest import make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.kernel.errors import DomainError, NotFound, PermissionDenied
from creditbank.kernel.middleware import DomainErrorPageMiddleware
from tests.pages.test_error_pages import page

EN = {"Accept-Language": "en"}


@pytest.mark.urls("tests.pages.domain_error_urls")
def test_a_not_found_leaving_a_page_view_is_the_styled_404_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/test-domain-errors/not-found/", headers=EN)
    assert response.status_code == 404
    html = page(response)
    assert "Page not found" in html
    assert "internal detail" not in html


@pytest.mark.urls("tests.pages.domain_error_urls")
def test_a_permission_denied_leaving_a_page_view_is_the_styled_403_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/test-domain-errors/denied/", headers=EN)
    assert response.status_code == 403
    html = page(response)
    assert "You may not open this page" in html
    assert "internal detail" not in html


@pytest.mark.urls("tests.pages.domain_error_urls")
def test_other_domain_errors_are_not_mapped(db) -> None:  # type: ignore[no-untyped-def]
    """A refusal is the view's to explain next to a field; one that escapes stays a server error."""
    response = Client(raise_request_exception=False).get("/test-domain-errors/refused/", headers=EN)
    assert response.status_code == 500


@pytest.mark.parametrize("error", [NotFound("gone"), PermissionDenied("no", "no")], ids=["not_found", "denied"])
def test_api_paths_are_left_to_the_api(error: DomainError) -> None:
    """Under /api/ the API itself answers problem details; the middleware does not step in."""
    middleware = DomainErrorPageMiddleware(lambda request: HttpResponse())
    request = RequestFactory().get("/api/v1/notices/1")
    assert middleware.process_exception(request, error) is None


MISSING = 999_999

# Every page that used to turn a NotFound into Http404 by hand, as (who, method, path).
NOT_FOUND_PAGES = [
    ("anyone", "get", f"/notices/{MISSING}/"),
    ("learner", "get", f"/support/tickets/{MISSING}/"),
    ("learner", "post", f"/support/tickets/{MISSING}/close/"),
    ("learner", "post", f"/support/tickets/{MISSING}/reopen/"),
    ("learner", "get", f"/support/tickets/{MISSING}/attachments/1/"),
    ("learner", "post", f"/profile/change-requests/{MISSING}/withdraw/"),
    ("learner", "get", f"/profile/education/{MISSING}/"),
    ("learner", "post", f"/profile/work/{MISSING}/delete/"),
    ("learner", "get", f"/profile/education/{MISSING}/evidence/"),
    ("staff", "get", f"/support/queue/{MISSING}/"),
    ("staff", "get", f"/review/verifications/{MISSING}/"),
    ("staff", "get", f"/review/verifications/{MISSING}/photo/front/"),
    ("staff", "post", f"/review/verifications/{MISSING}/reveal/"),
    ("staff", "post", f"/review/verifications/{MISSING}/reset/"),
    ("staff", "get", f"/review/change-requests/{MISSING}/"),
    ("staff", "get", f"/review/change-requests/{MISSING}/proof/1/"),
]


@pytest.mark.parametrize(("who", "method", "path"), NOT_FOUND_PAGES, ids=[f"{m} {p}" for _w, m, p in NOT_FOUND_PAGES])
def test_pages_answer_the_styled_404_for_what_does_not_exist(make_learner, who: str, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    if who == "learner":
        client.force_login(make_learner(AccountStatus.VERIFIED))
    elif who == "staff":
        client.force_login(make_reviewer_user())
    data = {"reason": "checking a complaint"} if method == "post" else None
    response = getattr(client, method)(path, data, headers=EN)
    assert response.status_code == 404
    assert "Page not found" in page(response)
