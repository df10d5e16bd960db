"""Production refuses to start without its secrets; the deploy checks pass with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CREDITBANK_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_production_secret_stops_startup_with_its_name() -> None:
    result = run_check({"DJANGO_SETTINGS_MODULE": "config.settings.production", "DATABASE_URL": "postgres://x/y"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "required in production" in result.stderr


def test_production_settings_pass_the_deploy_check() -> None:
    import base64

    result = run_check(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": "postgres://x/y",
            "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
            "CREDITBANK_PII_KEYS": "p1:" + base64.b64encode(os.urandom(32)).decode(),
            "CREDITBANK_BLIND_INDEX_KEYS": "b1:" + base64.b64encode(os.urandom(32)).decode(),
            "DJANGO_ALLOWED_HOSTS": "creditbank.example",
        }
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_bad_key_format_is_named() -> None:
    result = run_check(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": "postgres://x/y",
            "DJANGO_SECRET_KEY": "x" * 60,
            "CREDITBANK_PII_KEYS": "p1:c2hvcnQ=",
            "CREDITBANK_BLIND_INDEX_KEYS": "b1:" + "A" * 44,
        }
    )
    assert result.returncode != 0
    assert "CREDITBANK_PII_KEYS" in result.stderr
    assert "32 bytes" in result.stderr


def test_no_missing_migrations(db) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
