"""Requests per second of the WSGI app under gunicorn (gthread), on PostgreSQL or SQLite.

Usage: .venv/bin/python bench/http_throughput.py [--requests 600] [--concurrency 8] [--database-url URL]

Starts gunicorn on 127.0.0.1 (a free port) against a throwaway database, seeds accounts through
the real services, then sends a bounded number of requests from a thread pool on this machine and
reports throughput and latency for: a static-ish endpoint (no database: the baseline), GET /me
with a bearer token (token lookup, user, profile), and POST /auth/token (Argon2id verification).
The client shares the 2 cores with the server, so absolute figures are a floor; ratios to the
baseline in the same run are what to compare. Writes the section "## HTTP throughput" of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from argon2_cost import replace_section  # noqa: E402

PASSWORD = "correct horse battery staple"  # noqa: S105 - throwaway benchmark accounts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(database_url: str | None, var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.development",
            "CREDITBANK_VAR_DIR": str(var),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(40)).decode(),
            "CREDITBANK_PII_KEYS": "b1:" + base64.b64encode(os.urandom(32)).decode(),
            "CREDITBANK_BLIND_INDEX_KEYS": "i1:" + base64.b64encode(os.urandom(32)).decode(),
            "POLICY_LOGIN_ATTEMPTS_PER_ADDRESS": "1000000",
            "POLICY_LOGIN_FAILURES_PER_ACCOUNT": "1000000",
            "POLICY_LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS": "1000000",
            "POLICY_REGISTRATIONS_PER_ADDRESS_PER_HOUR": "1000000",
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


SEED = """
import django, json, sys
django.setup()
from creditbank.accounts.services import user_register, user_activate
from creditbank.accounts.tokens import make_token, ACTIVATION
from creditbank.accounts.models import User
from creditbank.identity.specimens import valid_id_number
emails = []
for i in range(int(sys.argv[1])):
    email = f"bench{i}@example.com"
    r = user_register(name="测试", id_number=valid_id_number(birth=f"19{70 + i % 30:02d}0101", sequence=100 + i),
        phone=f"139{i:08d}", email=email, password=sys.argv[2], accept_terms=True, terms_version="2026-01",
        client_address="bench")
    u = User.objects.get(account_no=r.account_no)
    user_activate(token=make_token(u, ACTIVATION))
    emails.append(email)
print(json.dumps(emails))
"""


def request(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    start = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - start


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def run(n: int, concurrency: int, fn: Any) -> dict[str, float]:
    """``n`` calls of ``fn`` (each answers (status, seconds)) from ``concurrency`` threads, a closed
    loop: throughput and latency percentiles in ms. Any failed request stops the benchmark."""
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(fn, range(n)))
    wall = time.perf_counter() - start
    bad = [s for s, _ in results if s >= 400]
    if bad:
        raise SystemExit(f"{len(bad)} failed requests (status {bad[0]})")
    latencies = [t * 1000 for _, t in results]
    return {"rps": n / wall, **{f"p{p}": percentile(latencies, p) for p in (50, 95, 99)}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="creditbank-bench-"))
    env = env_for(args.database_url, var)
    py = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    emails = json.loads(
        subprocess.run(
            [py, "-c", SEED, str(args.users), PASSWORD], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi", "-k", "gthread", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.development"},
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                request(port, "GET", "/api/v1/verification/reasons")
                break
            except OSError:
                time.sleep(0.2)
        tokens = []
        for email in emails:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(
                "POST",
                "/api/v1/auth/token",
                body=json.dumps({"identifier": email, "password": PASSWORD}),
                headers={"Content-Type": "application/json"},
            )
            tokens.append(json.loads(conn.getresponse().read())["access_token"])
        n, c = args.requests, args.concurrency
        rows = {
            "GET /api/v1/verification/reasons (no DB, baseline)": run(
                n, c, lambda i: request(port, "GET", "/api/v1/verification/reasons")
            ),
            "GET /api/v1/me (bearer token)": run(
                n, c, lambda i: request(port, "GET", "/api/v1/me", token=tokens[i % len(tokens)])
            ),
            "POST /api/v1/auth/token (Argon2id)": run(
                max(60, n // 5),
                c,
                lambda i: request(
                    port, "POST", "/api/v1/auth/token", {"identifier": emails[i % len(emails)], "password": PASSWORD}
                ),
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    base = next(iter(rows.values()))["rps"]
    db = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    lines = [
        f"Command: `.venv/bin/python bench/http_throughput.py --requests {args.requests} --concurrency {args.concurrency}"
        + (" --database-url postgres://…`" if args.database_url else "`")
        + f" · {dt.datetime.now(dt.UTC).date()} · {os.cpu_count()} cores · gunicorn gthread 2×4 · {db}; client on the same machine",
        "",
        "| request | req/s | ratio to baseline | p50 | p95 |",
        "|---|---|---|---|---|",
        *[
            f"| {name} | {r['rps']:.0f} | {r['rps'] / base:.2f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms |"
            for name, r in rows.items()
        ],
    ]
    replace_section(f"HTTP throughput ({db})", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
