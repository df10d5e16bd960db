"""The profiles API is a package of modules (creditbank/profiles/api/); clients see the same document:
the same paths and operation ids, and education and work answering alike (one implementation)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.openapi import spec

#: The profiles operation ids as they were when the API was one module (clients generate code from them).
PROFILES_OPERATION_IDS = {
    "creditbank_profiles_api_me",
    "creditbank_profiles_api_me_patch",
    "creditbank_profiles_api_email_confirm",
    "creditbank_profiles_api_phone_confirm",
    "creditbank_profiles_api_history",
    "creditbank_profiles_api_change_requests",
    "creditbank_profiles_api_change_request_create",
    "creditbank_profiles_api_change_request_withdraw",
    "creditbank_profiles_api_review_list",
    "creditbank_profiles_api_review_detail",
    "creditbank_profiles_api_review_proof",
    "creditbank_profiles_api_review_decide",
    *(f"creditbank_profiles_api_{kind}_{action}" for kind in ("education", "work") for action in
      ("list", "create", "update", "delete", "evidence")),
}  # fmt: skip


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in spec()["paths"].items() for method, op in item.items()]


def test_operation_ids_are_unique_and_name_the_context_api(db) -> None:  # type: ignore[no-untyped-def]
    ids = [op["operationId"] for _m, _p, op in operations()]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(
            r"creditbank_(accounts|identity|profiles|notices|institutions|ledger|outcomes|rules)_api_[a-z_]+",
            operation_id,
        ), operation_id


def test_the_profiles_operation_ids_are_those_of_before_the_split(db) -> None:  # type: ignore[no-untyped-def]
    ids = {op["operationId"] for _m, _p, op in operations() if op["operationId"].startswith("creditbank_profiles_")}
    assert ids == PROFILES_OPERATION_IDS


def _as_kind(op: dict[str, Any], kind: str) -> str:
    text = json.dumps(op, sort_keys=True)
    return text.replace(kind.capitalize(), "Kind").replace(kind, "kind")


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/v1/me/{kind}", "get"), ("/api/v1/me/{kind}", "post"), ("/api/v1/me/{kind}/{entry_id}", "patch"),
     ("/api/v1/me/{kind}/{entry_id}", "delete"), ("/api/v1/me/{kind}/{entry_id}/evidence", "post")],
    ids=["list", "create", "update", "delete", "evidence"],
)  # fmt: skip
def test_education_and_work_operations_have_one_shape(db, path: str, method: str) -> None:  # type: ignore[no-untyped-def]
    education = spec()["paths"][path.format(kind="education", entry_id="{entry_id}")][method]
    work = spec()["paths"][path.format(kind="work", entry_id="{entry_id}")][method]
    assert _as_kind(education, "education") == _as_kind(work, "work")
