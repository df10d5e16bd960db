"""Two registrations racing with the same ID number make exactly one account (database constraint)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from conftest import PASSWORD, next_identity
from creditbank.accounts import services
from creditbank.accounts.models import User


@pytest.mark.django_db(transaction=True)
def test_racing_registrations_make_one_account() -> None:
    # On PostgreSQL the threads really overlap; SQLite serialises writers (IMMEDIATE transactions).
    same = next_identity()
    n = 4
    barrier = threading.Barrier(n)
    results: list[object] = []
    errors: list[BaseException] = []

    def register(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            ident = next_identity()
            ident["id_number"] = same["id_number"]
            results.append(
                services.user_register(
                    name="张三",
                    password=PASSWORD,
                    accept_terms=True,
                    terms_version="2026-01",
                    client_address=f"10.1.0.{i}",
                    **ident,
                )
            )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(results) == n
    assert User.objects.count() == 1
    created = [r for r in results if r.created]  # type: ignore[attr-defined]
    assert len(created) == 1
    # every caller got the same shape of answer
    assert {r.status for r in results} == {"registered"}  # type: ignore[attr-defined]
