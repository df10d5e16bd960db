"""Conversion applications per second: LEARNERS learners apply at once from CONCURRENCY threads.

Usage: .venv/bin/python bench/conversions.py --database-url postgres://…/<scratch database>
           [--learners 1000] [--concurrency 16] [--no-write]

Migrates the given (throwaway) PostgreSQL database and seeds, through the services, an institution
with a published programme and two published rules (CET4 → 4 credits exempting a course, granted
at once; a second course's rule that needs review), and LEARNERS verified learners (registered,
activated, marked verified: the real-name review is not what is measured; a fast password hasher
for the seed only) each with one certified CET4 outcome deposited by the institution. Then every
learner applies (``services.conversion_apply``, the API's and the page's service: the account
lock, the evaluator, the decision snapshot, the claim, the freeze or the whole posting with the
audit record) from CONCURRENCY threads, each thread with its own database connection; three
learners in four by the automatic rule, one in four by the reviewed one. Reports applications per
second, latency percentiles and errors (the target is none), then checks the outcome: one
application per learner, the credits of each programme, ``verify_ledger``. Writes the section
"## Conversion applications (PostgreSQL)" of BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from argon2_cost import replace_section  # noqa: E402
from http_throughput import env_for  # noqa: E402
from people import fast_passwords, verified_learner  # noqa: E402
from people import school as make_school  # noqa: E402

SECTION = "Conversion applications (PostgreSQL)"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def seed(learners: int) -> tuple[list[tuple[Any, int, int]], Any]:
    from creditbank.institutions import services as institution_services
    from creditbank.outcomes import services as outcome_services
    from creditbank.outcomes.models import Outcome
    from creditbank.rules import services

    fast_passwords()
    school = make_school("bench-conv", first=100_000)
    code = school.institution.code
    institution_services.programme_create(
        actor=school.admin, code=code, programme_code="CS", name_zh="计算机科学与技术", total_credits="160.00"
    )
    for course in ("ENG1", "ENG2"):
        institution_services.course_create(
            actor=school.admin, code=code, programme_code="CS", course_code=course, name_zh=course, credits="4.00"
        )
    institution_services.programme_publish(actor=school.admin, code=code, programme_code="CS")
    rules = []
    for course, review in (("ENG1", False), ("ENG2", True)):
        body = {
            "code": f"CET4-{course}", "target": {"institution": code, "programme": "CS", "course": course},
            "criteria": {"combine": "any_of", "requirements": [{"types": ["vocational_certificate"], "codes": ["CET4"]}]},
            "grants": {"mode": "fixed", "credits": "4.00", "exempts_course": True},
            "caps": {"per_academic_year": "20.00"}, "requires_review": review, "valid_from": "2020-01-01",
        }  # fmt: skip
        draft = services.rule_create(actor=school.admin, data=body)
        rules.append(services.rule_publish(actor=school.admin, rule_id=draft.pk))
    users = [verified_learner(i, prefix="conv-bench") for i in range(learners)]
    for start in range(0, learners, 1000):
        rows = [
            {"learner": {"account_no": u.account_no}, "external_id": f"cet4-{n}", "type": "vocational_certificate",
             "code": "CET4", "title": "CET-4", "achieved_on": "2025-06-30", "credits": "2"}
            for n, u in enumerate(users[start : start + 1000], start)
        ]  # fmt: skip
        report = outcome_services.outcomes_deposit(
            institution=school.institution, rows=rows, actor=school.issuer, deposited_by="bench"
        )
        assert report.accepted == len(rows), report.errors
    outcome_of = dict(Outcome.objects.filter(user__in=users).values_list("user_id", "pk"))
    plan = [(u, rules[1 if n % 4 == 3 else 0].pk, outcome_of[u.pk]) for n, u in enumerate(users)]
    return plan, school


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgres"):
        raise SystemExit("--database-url postgres://… (a throwaway database) is required")
    var = Path(tempfile.mkdtemp(prefix="creditbank-bench-"))
    os.environ.update(env_for(args.database_url, var))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection, connections

    from creditbank.ledger.models import CreditAccount
    from creditbank.rules import services
    from creditbank.rules.models import ConversionApplication

    started = time.perf_counter()
    plan, _school = seed(args.learners)
    print(f"seeded {args.learners} learners in {time.perf_counter() - started:.0f} s")
    connection.close()

    def apply(item: tuple[Any, int, int]) -> tuple[str, float]:
        user, rule_id, outcome_id = item
        begin = time.perf_counter()
        try:
            made = services.conversion_apply(user=user, rule_id=rule_id, outcome_ids=[outcome_id])
            status = made.status
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            status = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()  # this thread's connection: each thread its own, closed after each
        return status, time.perf_counter() - begin

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(apply, plan))
    wall = time.perf_counter() - start
    load_after = os.getloadavg()[0]
    errors = [s for s, _ in results if s.startswith("error")]
    for e in sorted(set(errors))[:5]:
        print(e)
    latencies = [t * 1000 for _, t in results]
    statuses = {s: sum(1 for r, _ in results if r == s) for s in ("approved", "pending")}
    assert ConversionApplication.objects.count() == args.learners - len(errors)
    credited = sum(
        (float(a.programmes.get("bench-conv:CS", "0")) for a in CreditAccount.objects.exclude(programmes={})), 0.0
    )
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    rate = args.learners / wall
    body = "\n".join([
        f"Command: `.venv/bin/python bench/conversions.py --database-url postgres://… --learners {args.learners} "
        f"--concurrency {args.concurrency}` · {dt.datetime.now(dt.UTC).date()} · {os.cpu_count()} cores · "
        f"PostgreSQL on the same machine · services called from {args.concurrency} threads (each its own "
        f"connection, opened per application), no HTTP · load average (1 min) before/after: {load_before:.1f} / "
        f"{load_after:.1f}",
        "",
        "| applications | per second | p50 | p95 | p99 | errors |",
        "|---|---|---|---|---|---|",
        f"| {args.learners} ({statuses['approved']} approved at once: posted; {statuses['pending']} waiting for "
        f"review: frozen) | {rate:.0f} | {percentile(latencies, 50):.0f} ms | {percentile(latencies, 95):.0f} ms | "
        f"{percentile(latencies, 99):.0f} ms | {len(errors)} |",
        "",
        f"Each application: the learner's account lock, the evaluator and the decision snapshot, the claim, then "
        f"either the freeze or the whole posting (freeze, conversion debit, conversion credit, the decision's "
        f"audit record). After the run: {ConversionApplication.objects.count()} applications, "
        f"{credited:.2f} credits in the programme (4.00 × {statuses['approved']}), `verify_ledger`: "
        f"{out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else 'ok'}.",
    ])  # fmt: skip
    if not args.no_write:
        replace_section(SECTION, body)
    print(body)
    if errors:
        raise SystemExit(f"{len(errors)} errors")


if __name__ == "__main__":
    main()
