"""Private files served to the people allowed to see them: never sniffed, cached or rendered inline."""

from __future__ import annotations

from django.http import HttpResponse


def private_file_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
