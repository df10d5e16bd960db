"""The credit page over the API: GET /api/v1/me/credits of a learner with 500 ledger entries.

Usage: .venv/bin/python bench/credits_page.py --database-url postgres://…/<scratch database>
           [--entries 500] [--learners 1] [--requests 3000] [--concurrency 32] [--no-write]

Migrates the given (throwaway) PostgreSQL database, seeds learners through the services
(registered, activated, marked verified: the real-name review is not what is measured) with
ENTRIES ledger entries each (``ledger_post``: deposits of every outcome type, freezes, releases,
reversals and expiries over three years), counts the SQL statements one request makes, then
starts gunicorn (gthread 2×4, as bench/http_throughput.py) on 127.0.0.1 and sends REQUESTS
requests from CONCURRENCY client threads, each sending its next request as soon as the last one
answered: first to the no-database baseline endpoint (GET /api/v1/verification/reasons), then to
GET /api/v1/me/credits with a bearer token (the default page: balances, credits by type, the 20
newest entries). Reports requests per second, the ratio to the baseline of the same run, and
p50/p95/p99 latency. The client shares the machine's cores with the server and the database, so
absolute figures are a floor; the ratio is what to compare. Writes the section "## Credit page
API (PostgreSQL)" of BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from argon2_cost import replace_section  # noqa: E402
from http_throughput import PASSWORD, env_for, free_port, request, run  # noqa: E402

SECTION = "Credit page API (PostgreSQL)"
TARGET_P99_MS = 50.0

SEED = """
import django, json, sys
django.setup()
from datetime import timedelta
from types import SimpleNamespace
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from creditbank.accounts.models import User
from creditbank.accounts.services import user_activate, user_mark_verified, user_register
from creditbank.accounts.tokens import ACTIVATION, make_token
from creditbank.identity.specimens import valid_id_number
from creditbank.ledger.services import ledger_post, posting

learners, entries, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
types = ["academic_credit", "vocational_certificate", "non_formal", "mooc", "work_experience", "award"]
start = timezone.now() - timedelta(days=3 * 365)
emails = []
for i in range(learners):
    email = f"credits-bench{i}@example.com"
    r = user_register(name="测试", id_number=valid_id_number(birth=f"19{80 + i % 20:02d}0101", sequence=200 + i),
        phone=f"137{i:08d}", email=email, password=password, accept_terms=True, terms_version="2026-01",
        client_address="bench")
    u = User.objects.get(account_no=r.account_no)
    user_activate(token=make_token(u, ACTIVATION))
    user_mark_verified(user=User.objects.get(pk=u.pk))
    u = User.objects.get(pk=u.pk)
    deposits = []
    for n in range(entries):
        when = start + timedelta(hours=n * 3 * 365 * 24 // entries)
        posting.timezone = SimpleNamespace(now=lambda when=when: when)  # entries spread over three years
        step = n % 10
        if step == 3 and deposits:
            ledger_post(user=u, kind="freeze", amount="1.00", application_id=n)
        elif step == 4 and deposits:
            ledger_post(user=u, kind="unfreeze", amount="1.00", application_id=n - 1)
        elif step == 7 and deposits:
            ledger_post(user=u, kind="reversal", amount=None, reverses=deposits.pop(0))
        elif step == 9 and deposits:
            ledger_post(user=u, kind="expiry", amount="0.50", outcome_id=deposits[-1].outcome_id,
                        outcome_type=deposits[-1].outcome_type)
        else:
            deposits.append(ledger_post(user=u, kind="deposit", amount=f"{1 + n % 4}.50", outcome_id=10_000 * i + n,
                                        outcome_type=types[n % len(types)]))
    emails.append(email)
posting.timezone = timezone
client = Client(HTTP_HOST="127.0.0.1")
token = client.post("/api/v1/auth/token", {"identifier": emails[0], "password": password},
                    content_type="application/json").json()["access_token"]
client.get("/api/v1/me/credits", HTTP_AUTHORIZATION=f"Bearer {token}")
with CaptureQueriesContext(connection) as queries:
    response = client.get("/api/v1/me/credits", HTTP_AUTHORIZATION=f"Bearer {token}")
assert response.status_code == 200, response.content
body = response.json()
statements = [q["sql"][:160] for q in queries.captured_queries]  # now: each request resets the log
import time
def in_process(path, n=300, **headers):
    for _ in range(30):
        client.get(path, **headers)
    start = time.perf_counter()
    for _ in range(n):
        client.get(path, **headers)
    return (time.perf_counter() - start) / n * 1000
server_ms = {"baseline": in_process("/api/v1/verification/reasons"),
             "credits": in_process("/api/v1/me/credits", HTTP_AUTHORIZATION=f"Bearer {token}")}
print(json.dumps({"emails": emails, "queries": len(statements), "count": body["count"], "bytes": len(response.content),
                  "statements": statements, "server_ms": server_ms}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), required=False)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--learners", type=int, default=1)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgres"):
        raise SystemExit("--database-url postgres://… (a throwaway database) is required")
    var = Path(tempfile.mkdtemp(prefix="creditbank-bench-"))
    env = env_for(args.database_url, var)
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    seeded = json.loads(
        subprocess.run(
            [py, "-c", SEED, str(args.learners), str(args.entries), PASSWORD],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"seeded {args.learners} learner(s), {seeded['count']} entries each; one request: {seeded['queries']} SQL "
          f"statements, {seeded['bytes']} bytes")  # fmt: skip
    for sql in seeded["statements"]:
        print("  ", sql)
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-k", "gthread", "--workers", str(args.workers),
         "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                request(port, "GET", "/api/v1/verification/reasons")
                break
            except OSError:
                time.sleep(0.2)
        tokens = []
        for email in seeded["emails"]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(
                "POST",
                "/api/v1/auth/token",
                body=json.dumps({"identifier": email, "password": PASSWORD}),
                headers={"Content-Type": "application/json"},
            )
            tokens.append(json.loads(conn.getresponse().read())["access_token"])
        n, c = args.requests, args.concurrency

        def baseline(i: int) -> tuple[int, float]:
            return request(port, "GET", "/api/v1/verification/reasons")

        def credits(i: int) -> tuple[int, float]:
            return request(port, "GET", "/api/v1/me/credits", token=tokens[i % len(tokens)])

        run(200, c, baseline)  # warm-up: workers, connections, caches
        run(200, c, credits)
        load_before = os.getloadavg()[0]
        rows = {
            "GET /api/v1/verification/reasons (no DB, baseline)": run(n, c, baseline),
            f"GET /api/v1/me/credits (bearer token, {seeded['count']} entries, first page of 20)": run(n, c, credits),
        }
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = next(iter(rows.values()))["rps"]
    credits_row = list(rows.values())[1]
    met = "met" if credits_row["p99"] < TARGET_P99_MS else "missed"
    rows_list = list(rows.values())
    needed = c / (TARGET_P99_MS / 2 / 1000)
    server_ms = seeded["server_ms"]["credits"]
    cores = needed * server_ms / 1000
    lines = [
        f"Command: `.venv/bin/python bench/credits_page.py --database-url postgres://… --entries {args.entries} "
        f"--learners {args.learners} --requests {n} --concurrency {c}` · {dt.datetime.now(dt.UTC).date()} · "
        f"{os.cpu_count()} cores · gunicorn gthread {args.workers}×{args.threads} · PostgreSQL; {c} client threads on "
        f"the same machine (closed loop) · load average (1 min) before/after: {load_before:.1f} / {load_after:.1f}",
        "",
        "| request | req/s | ratio to baseline | p50 | p95 | p99 |",
        "|---|---|---|---|---|---|",
        *[
            f"| {name} | {r['rps']:.0f} | {r['rps'] / base:.2f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | "
            f"{r['p99']:.1f} ms |"
            for name, r in rows.items()
        ],
        "",
        f"One request of the credit page makes {seeded['queries']} SQL statements and answers {seeded['bytes']} bytes; "
        f"in one process without HTTP (Django's test client, one after another) it takes "
        f"{seeded['server_ms']['credits']:.1f} ms (the baseline {seeded['server_ms']['baseline']:.1f} ms). "
        f"Target p99 < {TARGET_P99_MS:.0f} ms at {c} concurrent clients: {met}.",
        "",
        f"With {c} clients each waiting for its answer before asking again, the mean latency is {c} ÷ throughput "
        f"(Little's law), so on this machine even the no-DB baseline's p99 is {rows_list[0]['p99']:.0f} ms. A p99 "
        f"under {TARGET_P99_MS:.0f} ms at {c} clients needs a mean near {TARGET_P99_MS / 2:.0f} ms, i.e. about "
        f"{needed:.0f} req/s: at {server_ms:.1f} ms of server time each, about {cores:.0f} cores of web nodes for this "
        "endpoint alone, with the database and the clients on other machines.",
    ]
    if not args.no_write:
        replace_section(SECTION, "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
