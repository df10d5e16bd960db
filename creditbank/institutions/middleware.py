"""Every API call made with a client token is recorded (client, institution, endpoint, status)
once the answer is known: ``ApiClientCall``, append-only."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from creditbank.institutions.services import ClientPrincipal, client_call_record

log = logging.getLogger(__name__)


class ClientCallRecordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        principal = getattr(request, "api_client_principal", None)
        if isinstance(principal, ClientPrincipal):
            client_call_record(
                principal=principal, method=request.method or "", path=request.path, status=response.status_code
            )
        return response
