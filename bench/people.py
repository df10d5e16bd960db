"""The people and institutions the conversion benchmarks seed, through the services (no test
factories: their verified learners go through the photo pre-check, which is not what is measured)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from http_throughput import PASSWORD


@dataclass(frozen=True)
class School:
    institution: Any
    admin: Any
    issuer: Any
    reviewer: Any


def verified_learner(n: int, prefix: str = "bench") -> Any:
    """Registered, activated and marked verified (the real-name review is not what is measured)."""
    from creditbank.accounts.models import User
    from creditbank.accounts.services import user_activate, user_mark_verified, user_register
    from creditbank.accounts.tokens import ACTIVATION, make_token
    from creditbank.identity.specimens import valid_id_number

    birth = (date(1980, 1, 1) + timedelta(days=n // 900)).strftime("%Y%m%d")
    r = user_register(
        name="测试", id_number=valid_id_number(birth=birth, sequence=100 + n % 900),
        phone=f"136{n:08d}", email=f"{prefix}{n}@example.com", password=PASSWORD, accept_terms=True,
        terms_version="2026-01", client_address="bench",
    )  # fmt: skip
    user = User.objects.get(account_no=r.account_no)
    user_activate(token=make_token(user, ACTIVATION))
    user_mark_verified(user=User.objects.get(pk=user.pk))
    return User.objects.get(pk=user.pk)


def school(code: str, first: int) -> School:
    """An institution with an administrator, an issuer and a reviewer (learners ``first`` … ``first + 2``)."""
    from creditbank.institutions import services
    from creditbank.institutions.tests.factories import make_manager

    admin, issuer, reviewer = (verified_learner(first + i, prefix=f"{code}-") for i in range(3))
    institution = services.institution_create(
        actor=make_manager(), code=code, admin=admin.account_no, name_zh=f"{code} 大学", name_en=f"{code} University",
        kind="university", region="110108",
    )  # fmt: skip
    services.member_add(actor=admin, code=code, account=issuer.account_no, role="issuer")
    services.member_add(actor=admin, code=code, account=reviewer.account_no, role="reviewer")
    return School(institution, admin, issuer, reviewer)


def fast_passwords() -> None:
    """A fast password hasher for the seed (its logins are not what is measured)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
