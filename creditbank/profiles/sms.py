"""Text messages (confirmation codes) behind one interface.

``SMS_BACKEND`` picks the implementation: the console backend prints the message (development),
the in-memory one keeps it in ``outbox`` (tests), the HTTP backend posts JSON to the operator's
SMS gateway (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_TOKEN``; production).
"""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from creditbank.kernel.masking import mask_phone


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {mask_phone(phone)}] {text}\n")
        sys.stdout.flush()


outbox: list[tuple[str, str]] = []


class LocmemSmsBackend:
    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


class SmsDeliveryError(Exception):
    pass


class HttpSmsBackend:
    """POST {"to": "+86…", "text": "…"} with a bearer token; any non-2xx answer is an error."""

    def send(self, phone: str, text: str) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise SmsDeliveryError("SMS_GATEWAY_URL must be https")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=json.dumps({"to": phone, "text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SmsDeliveryError(f"gateway answered {response.status}")
        except OSError as exc:
            raise SmsDeliveryError(str(exc)) from exc


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
