"""Private files served to the people allowed to see them: never sniffed, cached or rendered inline."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse


def private_file_response(data: bytes, content_type: str, filename: str, *, display_name: str = "") -> HttpResponse:
    """``filename`` is an ASCII name of our making; ``display_name`` the file's own (sanitised) name,
    offered as ``filename*`` (RFC 6266 §4.3, RFC 8187) and as ``filename`` too when it is plain ASCII."""
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = content_disposition(filename, display_name)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def content_disposition(fallback: str, display_name: str = "") -> str:
    if not display_name:
        return f'attachment; filename="{fallback}"'
    plain = display_name.isascii() and display_name.isprintable() and not any(c in display_name for c in '"\\')
    return f"attachment; filename=\"{display_name if plain else fallback}\"; filename*=UTF-8''{quote(display_name, safe='')}"
