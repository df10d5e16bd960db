"""How long the photo-reuse look-up takes with many stored attempts (PostgreSQL).

    python bench/photo_reuse_lookup.py --database-url postgres://postgres@127.0.0.1:5432/bench_reuse \\
        [--rows 100000,1000000] [--queries 200] [--no-write]

Creates the schema in the given (scratch) database, stores ROWS attempts with random 144-bit
portrait hashes and their bands (generated inside PostgreSQL), then times, per query, what the
pre-check does: ``selectors.portrait_reuse_candidates`` (the band index search) plus the exact
Hamming check of the candidates. Half the queries are near a stored hash (12 bits flipped: a
re-used photo), half are fresh. Random hashes spread evenly over the band values; real portraits
are less even, so real candidate counts are higher (see docs/SCALING.md).

Writes the table into BENCHMARKS.md under "## Photo reuse look-up" (unless --no-write).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import math
import os
import platform
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECTION = "## Photo reuse look-up"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def setup(database_url: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.development",
            "DATABASE_URL": database_url,
            "CREDITBANK_VAR_DIR": tempfile.mkdtemp(prefix="bench-reuse-"),
            "DJANGO_SECRET_KEY": base64.b64encode(os.urandom(40)).decode(),
            "CREDITBANK_PII_KEYS": "b1:" + base64.b64encode(os.urandom(32)).decode(),
            "CREDITBANK_BLIND_INDEX_KEYS": "i1:" + base64.b64encode(os.urandom(32)).decode(),
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(rows: int) -> int:
    """Store ``rows`` attempts of one account with random portrait hashes and their bands."""
    from django.db import connection

    from creditbank.accounts.models import AccountStatus, User
    from creditbank.identity.models import PortraitHashBand, VerificationAttempt

    PortraitHashBand.objects.all().delete()
    VerificationAttempt.objects.all().delete()
    crowd, _ = User.objects.get_or_create(
        account_no="990000000001",
        defaults={"name": "bench", "email": "crowd@bench.test", "status": AccountStatus.ACTIVATED},
    )
    attempts, bands = VerificationAttempt._meta.db_table, PortraitHashBand._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {attempts} (user_id, status, declared_name, declared_gender, consent_at, consent_version,
                front_blob, back_blob, front_dhash, back_dhash, front_sha256, back_sha256, portrait_hash,
                checks, provider, reason_code, note, auto_decided, created_at)
            SELECT %s, 'rejected', 'bench', '', now(), '2026-01', '', '', '', '', md5(g::text || 'f'),
                md5(g::text || 'b'), md5(random()::text) || substr(md5(random()::text), 1, 4),
                '[]'::jsonb, '', '', '', false, now()
            FROM generate_series(1, %s) AS g
            """,  # noqa: S608 - table names from the models, values as parameters
            [crowd.pk, rows],
        )
        cursor.execute(
            f"""
            INSERT INTO {bands} (attempt_id, band, value)
            SELECT a.id, b, substring(('x' || a.portrait_hash)::bit(144) FROM b * 18 + 1 FOR 18)::int
            FROM {attempts} a, generate_series(0, 7) AS b
            """  # noqa: S608
        )
        cursor.execute(f"ANALYZE {attempts}; ANALYZE {bands}")  # noqa: S608
    from creditbank.identity import photo_reuse

    sample = VerificationAttempt.objects.order_by("pk").first()
    assert sample is not None
    stored = list(PortraitHashBand.objects.filter(attempt=sample).order_by("band").values_list("value", flat=True))
    assert stored == photo_reuse.bands(sample.portrait_hash), "the SQL band split differs from photo_reuse.bands"
    return crowd.pk


def measure(rows: int, queries: int, seed: int) -> dict[str, float]:
    from creditbank.identity import photo_reuse
    from creditbank.identity.models import VerificationAttempt
    from creditbank.identity.selectors import portrait_reuse_candidates

    crowd = fill(rows)
    rng = random.Random(seed)
    stored = list(VerificationAttempt.objects.order_by("?").values_list("portrait_hash", flat=True)[: queries // 2])
    near = []
    for h in stored:
        value = int(h, 16)
        for bit in rng.sample(range(photo_reuse.HASH_BITS), 12):
            value ^= 1 << bit
        near.append(f"{value:036x}")
    fresh = [f"{rng.getrandbits(photo_reuse.HASH_BITS):036x}" for _ in range(queries - len(near))]
    timings, candidates, found = [], [], 0
    for h in near + fresh:
        hashes = photo_reuse.PortraitHashes(h, f"{rng.getrandbits(photo_reuse.HASH_BITS):036x}", True)
        started = time.perf_counter()
        rows_found = portrait_reuse_candidates(user_id=crowd + 1, hashes=hashes)
        matches = [
            pk
            for pk, _, other in rows_found
            if min(photo_reuse.distance(other, hashes.upright), photo_reuse.distance(other, hashes.turned))
            <= photo_reuse.THRESHOLD
        ]
        timings.append((time.perf_counter() - started) * 1000)
        candidates.append(len(rows_found))
        found += bool(matches) and h in near
    # the way it was done before: every stored hash compared in Python
    scans = []
    for h in (near + fresh)[:3]:
        started = time.perf_counter()
        for other in VerificationAttempt.objects.values_list("portrait_hash", flat=True).iterator(chunk_size=5000):
            photo_reuse.distance(other, h)
        scans.append((time.perf_counter() - started) * 1000)
    return {
        "rows": rows,
        "scan": percentile(scans, 50),
        "p50": percentile(timings, 50),
        "p95": percentile(timings, 95),
        "candidates": sum(candidates) / len(candidates),
        "found": found,
        "near": len(near),
    }


def report(results: list[dict[str, float]], command: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    lines = [
        SECTION,
        "",
        f"- Command: `{command}`",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; Python {platform.python_version()}; "
        f"PostgreSQL {version} on the same machine",
        "- Per query: the band index search (8 bands of 18 bits, 38 probed values each: upright and turned hash) and the exact "
        "check of the candidates; half the queries 12 bits from a stored hash, half fresh; random hashes",
        "",
        "| stored attempts | band rows | candidates per query (mean) | re-used photo found | p50 | p95 "
        "| full scan in Python (before), p50 of 3 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {int(r['rows']):,} | {8 * int(r['rows']):,} | {r['candidates']:.0f} | {int(r['found'])}/{int(r['near'])} "
            f"| {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['scan']:.0f} ms |"
        )
    lines.append("")
    return "\n".join(lines)


def write_section(text: str, path: Path) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a scratch PostgreSQL database (its tables are filled)")
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated numbers of stored attempts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a PostgreSQL URL")
    setup(args.database_url)
    results = [measure(int(n), args.queries, args.seed) for n in args.rows.split(",")]
    command = "python bench/photo_reuse_lookup.py --database-url postgres://…" + "".join(
        f" {a}" for a in sys.argv[1:] if a != "--no-write" and not a.startswith(("--database-url", "postgres"))
    )
    text = report(results, command)
    print(text)
    if not args.no_write:
        write_section(text, args.output)
        print(f"written to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
