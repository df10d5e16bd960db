"""The site has an icon: linked from every page, and at /favicon.ico for clients that just ask."""

from __future__ import annotations

from django.test import Client


def test_favicon_is_linked_and_answers(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/static/favicon.ico" sizes="16x16 32x32 48x48">' in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert icon["Cache-Control"] == "public, max-age=86400"
    body = b"".join(icon.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # ICONDIR: reserved 0, type 1 (icon)
    assert int.from_bytes(body[4:6], "little") == 3  # 16, 32 and 48 px
    assert client.post("/favicon.ico").status_code == 405
