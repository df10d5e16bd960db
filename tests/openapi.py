"""Validate API answers against the OpenAPI document the server itself serves."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jsonschema
from django.test import Client


@cache
def spec() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    assert document["openapi"].startswith("3.1")
    return document


@cache
def _path_patterns() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in spec()["paths"]:
        regex = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        out.append((re.compile(regex), template))
    return out


def operation(method: str, path: str) -> dict[str, Any]:
    path = path.split("?", 1)[0]
    for regex, template in _path_patterns():
        if regex.match(path) and method.lower() in spec()["paths"][template]:
            op: dict[str, Any] = spec()["paths"][template][method.lower()]
            return op
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def validate_response(method: str, path: str, response: Any) -> None:
    op = operation(method, path)
    status = str(response.status_code)
    responses = op.get("responses", {})
    assert status in responses, f"{method} {path} answered {status}, not documented ({sorted(responses)})"
    content_type = response.get("Content-Type", "").split(";")[0]
    if getattr(response, "streaming", False):  # a streamed download: its media type is documented
        documented = responses[status].get("content", {})
        assert content_type in documented, f"{method} {path} answered {content_type}, not in {sorted(documented)}"
        return
    if status == "204" or not response.content:
        return
    if content_type in {"application/json", "application/problem+json"}:
        body = json.loads(response.content)
        if int(status) >= 400:
            assert content_type == "application/problem+json", f"errors are problem details, got {content_type}"
            assert {"type", "title", "status", "detail", "code"} <= set(body)
            assert body["status"] == int(status)
        media = responses[status].get("content", {})
        schema = (media.get("application/json") or {}).get("schema")
        if schema is None:
            return
        root = {**schema, "components": spec().get("components", {})}
        jsonschema.validate(body, root, cls=jsonschema.Draft202012Validator)
