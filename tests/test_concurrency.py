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


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_parallel_wrong_passwords_cannot_pass_the_limit(
    settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from creditbank.accounts.models import AccountStatus, ApiToken
    from creditbank.kernel.errors import DomainError

    ident = next_identity()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.user_register(
            name="张三",
            password=PASSWORD,
            accept_terms=True,
            terms_version="2026-01",
            client_address="10.9.9.9",
            **ident,
        )
    owner = User.objects.get(account_no=result.account_no)
    User.objects.filter(pk=owner.pk).update(status=AccountStatus.ACTIVATED)
    limit = settings.CREDITBANK_POLICY["LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS"]
    n = limit + 5
    barrier = threading.Barrier(n)
    codes: list[str] = []
    errors: list[BaseException] = []

    def guess() -> None:
        try:
            barrier.wait(timeout=10)
            services.auth_login(identifier=owner.email, password="a wrong guess", client_address="198.51.100.66")
            codes.append("logged_in")
        except DomainError as exc:
            codes.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    # exactly `limit` passwords were checked, whatever the interleaving; the rest were refused unchecked
    assert codes.count("invalid_credentials") == limit
    assert codes.count("rate_limited") == n - limit
    assert not ApiToken.objects.filter(user=owner).exists()
    # and the owner, elsewhere, is not locked out
    assert services.auth_login(identifier=owner.email, password=PASSWORD, client_address="203.0.113.20").pk == owner.pk
