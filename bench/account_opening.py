"""Bulk account opening: how long the background run takes per row, with the production password
hasher (Argon2id at the cost of docs/adr/0003-argon2id-cost.md), next to the hash alone.

Usage: .venv/bin/python bench/account_opening.py [--rows 300] [--no-write]
       DATABASE_URL=postgres://… .venv/bin/python bench/account_opening.py

Creates a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is set), an institution
and a file of ``--rows`` new students, runs the opening as the task worker would, and reports rows
per second and milliseconds per row (every row opens an account: the worst case), and the median
Argon2id hash of one initial password in the same run. Writes the section "## Bulk account
opening (<database>)" of BENCHMARKS.md (unless --no-write). These figures are why a file is opened by a
background task rather than inside the upload's request (docs/adr/0023-bulk-account-opening.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from argon2_cost import replace_section  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402


def run(rows: int) -> dict[str, float]:
    from conftest import PASSWORD
    from creditbank.accounts import services as account_services
    from creditbank.accounts.models import User
    from creditbank.institutions.domain.initial_passwords import initial_password
    from creditbank.institutions.services import account_opening_run, account_opening_upload
    from creditbank.institutions.services.opening import upload as opening_module
    from creditbank.institutions.tests.factories import make_institution, student, students_file

    registered = account_services.user_register(
        name="周敏", id_number="11010519800214661X", phone="13800000006", email="admin@bench.example",
        password=PASSWORD, accept_terms=True, terms_version=settings.CREDITBANK_POLICY["TERMS_VERSION"],
    )  # fmt: skip
    admin = User.objects.get(account_no=registered.account_no)
    make_institution("bench-u", admin=admin)
    upload = students_file([student(f"学生{'甲乙丙丁戊己庚辛壬癸'[i % 10]}") for i in range(rows)])
    queued = opening_module.tasks
    opening_module.tasks = SimpleNamespace(run_account_opening=SimpleNamespace(enqueue=lambda *a: None))  # type: ignore[assignment]
    try:
        opening = account_opening_upload(caller=admin, code="bench-u", upload=upload)
    finally:
        opening_module.tasks = queued
    start = time.perf_counter()
    done = account_opening_run(opening_id=opening.pk)
    elapsed = time.perf_counter() - start
    assert done is not None and done.created == rows, (done and done.created, rows)
    samples = []
    for _ in range(20):
        password = initial_password()
        t0 = time.perf_counter()
        make_password(password)
        samples.append(time.perf_counter() - t0)
    return {"seconds": elapsed, "per_row_ms": 1000 * elapsed / rows, "hash_ms": 1000 * statistics.median(samples)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    setup_test_environment()
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite (WAL)"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(PASSWORD_HASHERS=["creditbank.accounts.hashers.CreditBankArgon2PasswordHasher"]):
            figures = run(args.rows)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    rate = args.rows / figures["seconds"]
    body = f"""
Command: `.venv/bin/python bench/account_opening.py --rows {args.rows}` · {dt.datetime.now(dt.UTC).date()} · {os.cpu_count()} cores · {vendor}

| what | figure |
|---|---|
| rows, each opening a new account | {args.rows} |
| run (the background task) | {figures["seconds"]:.1f} s |
| per row | {figures["per_row_ms"]:.1f} ms |
| rows per second | {rate:.0f} |
| Argon2id hash of one initial password (median of 20) | {figures["hash_ms"]:.1f} ms |
| a file of 5,000 new students (`POLICY_ACCOUNT_OPENING_MAX_ROWS`), extrapolated | {5000 / rate / 60:.1f} min |

The password hash is about half of each row's time (the rest: registration's checks, the account
number, the account, its enrolment, the audit rows); a file of thousands of students takes minutes,
which is why it runs as a background task with a progress bar (docs/adr/0023-bulk-account-opening.md).
The machine ran other work at the same time: the hash alone took 20 to 60 ms between runs, so
compare the two rows of one run rather than runs.
"""
    print(body)
    if not args.no_write:
        replace_section(f"Bulk account opening ({vendor})", body)


if __name__ == "__main__":
    main()
