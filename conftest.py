"""Fixtures shared by every test: the cache table, learners in each state, API clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from creditbank.accounts.models import AccountStatus, User
from creditbank.identity.specimens import card_back, card_front, valid_id_number

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def on_postgresql() -> bool:
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Race tests (marked ``postgres``) need PostgreSQL: on SQLite, which serialises writers, they
    would pass without racing. They are deselected there, never skipped and never run as no-ops;
    ``./dev test`` runs the suite on PostgreSQL too when DATABASE_URL is set, and CI sets it."""
    if on_postgresql():
        return
    races = [item for item in items if item.get_closest_marker("postgres")]
    if races:
        config.hook.pytest_deselected(items=races)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]
        config.stash[_RACES_DESELECTED] = len(races)


_RACES_DESELECTED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say so when race tests were left out (under pytest -n the workers collect, so the number
    is not known here; the line is written whenever the database is SQLite)."""
    deselected = config.stash.get(_RACES_DESELECTED, 0)
    if deselected or (not on_postgresql() and getattr(config.option, "dist", "no") != "no"):
        terminalreporter.write_line(
            f"{deselected or 'The'} race tests (marked postgres) need PostgreSQL and were deselected on SQLite: "
            "DATABASE_URL=postgres://… ./dev test runs them."
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        call_command("createcachetable", verbosity=0)
    yield


@pytest.fixture(scope="session", autouse=True)
def _append_only_tables_allow_the_test_reset() -> Iterator[None]:
    """Transactional tests reset SQLite with DELETE, which append-only tables refuse (on
    PostgreSQL the reset is TRUNCATE, which row triggers do not see). The guard is lifted for
    the reset only and put back at once; every other statement meets it."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)  # noqa: N806
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: Any, sql_list: Any) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%append_only%'")
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            original(self, sql_list)
        finally:
            with self.connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)

    DatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rate-limit counters live in the cache; start each database test with none."""
    marker_names = {m.name for m in request.node.iter_markers()}
    uses_db = "django_db" in marker_names or any(
        f in request.fixturenames for f in ("db", "transactional_db", "live_server", "client", "api")
    )
    if uses_db:
        request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request activates its language in the
    thread (LocaleMiddleware) and nothing deactivates it, so a test that asked in English would
    otherwise leave English to the next test in the same worker: a learner a factory registers
    then prefers English and is written to in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def next_identity() -> dict[str, str]:
    n = next(_seq)
    birth = f"19{70 + n % 30:02d}{1 + n % 12:02d}{1 + n % 28:02d}"
    return {
        "id_number": valid_id_number(birth=birth, sequence=100 + n % 900),
        "phone": f"139{n:08d}",
        "email": f"learner{n}@example.com",
    }


@pytest.fixture
def make_learner(db: Any) -> Callable[..., User]:
    """A learner in the given state (registered, activated, verified), made by the factories of
    tests/factories.py through the real services, with conftest's identities (``next_identity``)."""
    from tests.factories import LEARNER_FACTORIES

    def make(
        status: str = AccountStatus.ACTIVATED, *, name: str = "张三", password: str = PASSWORD, **over: str
    ) -> User:
        return LEARNER_FACTORIES[status](name=name, password=password, **(next_identity() | over))

    return make


STAFF_PERMISSIONS = ("review_verification", "review_change_request", "answer_ticket")


def make_reviewer_user(email: str | None = None, perms: tuple[str, ...] = STAFF_PERMISSIONS) -> User:
    """Staff holding the roles of ``perms`` (permission codenames), through the roles' groups."""
    from tests.factories import BANK_ROLES, StaffFactory

    roles = [role for role in BANK_ROLES if role.value.split(".")[1] in perms]
    others = set(perms) - {role.value.split(".")[1] for role in roles}
    user = StaffFactory(roles=roles, **({"email": email} if email else {}))
    if others:  # permissions no role stands for (the admin site's model permissions) are granted directly
        from django.contrib.auth.models import Permission

        found = Permission.objects.filter(codename__in=others)
        missing = others - set(found.values_list("codename", flat=True))
        if missing:
            raise ValueError(f"no permission {sorted(missing)}")
        user.user_permissions.add(*found)
        user = type(user).objects.get(pk=user.pk)  # no cached permissions
    return user


@pytest.fixture
def reviewer(db: Any) -> User:
    return make_reviewer_user()


def front_upload(user: User | None = None, *, seed: int | None = None, name: str = "front.jpg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = seed if seed is not None else next(_seq)
    data = card_front(name=user.name if user else "张三", id_number="110105199003071234", seed=s)
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def back_upload(user: User | None = None, *, seed: int | None = None, name: str = "back.jpg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    s = seed if seed is not None else next(_seq)
    return SimpleUploadedFile(name, card_back(seed=s), content_type="image/jpeg")


class Api:
    """A JSON client for /api/v1 that validates every answer against the served OpenAPI document."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.token: str | None = None

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def call(
        self, method: str, path: str, data: Any = None, *, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        from tests.openapi import validate_response

        fn = getattr(self.client, method.lower())
        if method.upper() in {"POST", "PATCH", "PUT", "DELETE"} and not kw.get("multipart"):
            response = fn(path, data=data, content_type="application/json", headers=self._headers(headers))
        elif kw.get("multipart"):
            response = fn(path, data=data, headers=self._headers(headers))
        else:
            response = fn(path, data=data, headers=self._headers(headers))
        validate_response(method, path, response)
        return response

    def get(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.call("GET", path, data, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self.call("POST", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.call("DELETE", path, None, **kw)

    def login(self, identifier: str, password: str = PASSWORD) -> Any:
        response = self.post("/api/v1/auth/token", {"identifier": identifier, "password": password})
        assert response.status_code == 200, response.content
        self.token = response.json()["access_token"]
        return response


@pytest.fixture
def api(db: Any) -> Api:
    return Api(Client())
