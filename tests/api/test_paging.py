"""Every list pages with ``limit`` 1..100 and ``offset`` 0..100000; anything else is a 400 naming the field."""

from __future__ import annotations

import pytest

from conftest import Api, make_reviewer_user
from creditbank.accounts.models import AccountStatus
from creditbank.kernel.paging import MAX_LIMIT, MAX_OFFSET, page
from tests.openapi import operation

LEARNER_LISTS = [
    "/api/v1/notices",
    "/api/v1/me/tickets",
    "/api/v1/me/history",
    "/api/v1/me/change-requests",
    "/api/v1/me/education",
    "/api/v1/me/work",
]
STAFF_LISTS = ["/api/v1/support/tickets", "/api/v1/review/change-requests", "/api/v1/review/verifications"]
EVERY_LIST = LEARNER_LISTS + STAFF_LISTS


@pytest.fixture
def caller(api, make_learner):  # type: ignore[no-untyped-def]
    """A verified learner who is also staff with every review role, so every list answers."""
    api.login(make_learner(AccountStatus.VERIFIED).email)
    staff = Api(api.client.__class__())
    staff.login(make_reviewer_user().email)
    return {"learner": api, "staff": staff}


def _client(caller: dict[str, Api], path: str) -> Api:
    return caller["staff"] if path in STAFF_LISTS else caller["learner"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"offset": "9999999999999999999"}, "offset", "Use a value of at most 100000."),
        ({"offset": "5662232101629169563074560"}, "offset", "Use a value of at most 100000."),
        ({"offset": str(MAX_OFFSET + 1)}, "offset", "Use a value of at most 100000."),
        ({"offset": "-1"}, "offset", "Use a value of at least 0."),
        ({"limit": "9999999999999999999"}, "limit", "Use a value of at most 100."),
        ({"limit": str(MAX_LIMIT + 1)}, "limit", "Use a value of at most 100."),
        ({"limit": "0"}, "limit", "Use a value of at least 1."),
        ({"limit": "-5"}, "limit", "Use a value of at least 1."),
        ({"limit": "ten"}, "limit", "Enter a whole number."),
    ],
)
def test_out_of_range_paging_is_a_validation_error_naming_the_field(caller, query, field, message) -> None:  # type: ignore[no-untyped-def]
    for path in EVERY_LIST:
        response = _client(caller, path).get(path, query, headers={"Accept-Language": "en"})
        assert response.status_code == 400, path
        body = response.json()
        assert body["code"] == "validation_error", path
        assert body["errors"] == {field: [message]}, path


def test_the_helper_refuses_out_of_range_values_itself(db) -> None:  # type: ignore[no-untyped-def]
    from creditbank.kernel.errors import DomainError
    from creditbank.notices.models import Notice

    with pytest.raises(DomainError) as refused:
        page(Notice.objects.all(), limit=0, offset=MAX_OFFSET + 1)
    assert refused.value.code == "validation_error"
    assert set(refused.value.errors) == {"limit", "offset"}
    assert page(Notice.objects.all(), limit=MAX_LIMIT, offset=MAX_OFFSET) == ([], 0)


def test_the_bounds_themselves_are_accepted(caller) -> None:  # type: ignore[no-untyped-def]
    for path in EVERY_LIST:
        client = _client(caller, path)
        assert client.get(path, {"limit": MAX_LIMIT, "offset": MAX_OFFSET}).json()["items"] == [], path
        assert client.get(path, {"limit": 1, "offset": 0}).status_code == 200, path


def test_the_openapi_document_states_the_bounds(db) -> None:  # type: ignore[no-untyped-def]
    for path in EVERY_LIST:
        params = {p["name"]: p["schema"] for p in operation("GET", path)["parameters"] if p["in"] == "query"}
        assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, MAX_LIMIT), path
        assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, MAX_OFFSET), path
        assert params["limit"]["default"] in (20, 50), path
        assert params["offset"]["default"] == 0, path


def test_a_page_in_the_middle(caller) -> None:  # type: ignore[no-untyped-def]
    learner = caller["learner"]
    for subject in ("一", "二", "三"):
        learner.post("/api/v1/me/tickets", {"category": "other", "subject": subject, "message": "请帮忙"})
    page = learner.get("/api/v1/me/tickets", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3
    assert [t["subject"] for t in page["items"]] == ["二"]
