"""The HTTP SMS backend against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from creditbank.profiles.sms import HttpSmsBackend, SmsDeliveryError

received: list[dict[str, Any]] = []


class Gateway(BaseHTTPRequestHandler):
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append({"auth": self.headers["Authorization"], "body": json.loads(body)})
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def gateway(settings):  # type: ignore[no-untyped-def]
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    received.clear()
    yield server
    server.shutdown()


def test_posts_json_with_the_token(gateway) -> None:  # type: ignore[no-untyped-def]
    HttpSmsBackend().send("+8613800000000", "code 123456")
    assert received == [{"auth": "Bearer t0ken", "body": {"to": "+8613800000000", "text": "code 123456"}}]


def test_gateway_error_raises(gateway) -> None:  # type: ignore[no-untyped-def]
    Gateway.status = 500
    try:
        with pytest.raises(SmsDeliveryError):
            HttpSmsBackend().send("+8613800000000", "x")
    finally:
        Gateway.status = 200


def test_plain_http_to_a_remote_host_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_GATEWAY_URL = "http://sms.example/send"
    with pytest.raises(SmsDeliveryError, match="https"):
        HttpSmsBackend().send("+8613800000000", "x")
