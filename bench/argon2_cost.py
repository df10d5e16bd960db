"""Argon2id verification cost at candidate parameters, and the login rate it allows.

Usage: .venv/bin/python bench/argon2_cost.py [--n 30]
Writes the section "## Password hashing (Argon2id)" of BENCHMARKS.md. The figures are ratios
to the argon2-cffi default measured in the same run, plus absolute medians for this machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import time
from pathlib import Path

from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
CANDIDATES = [
    ("argon2-cffi default", 65536, 3, 4),
    ("OWASP alt. m=46 MiB t=1 p=1", 47104, 1, 1),
    ("chosen: OWASP m=19 MiB t=2 p=1", 19456, 2, 1),
]


def measure(m: int, t: int, p: int, n: int) -> float:
    ph = PasswordHasher(time_cost=t, memory_cost=m, parallelism=p)
    h = ph.hash("correct horse battery staple")
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        ph.verify(h, "correct horse battery staple")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def replace_section(title: str, body: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(block + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    base = None
    for label, m, t, p in CANDIDATES:
        median = measure(m, t, p, args.n)
        base = base or median
        # p lanes each take a core; the server can run cores // p verifications at once
        rate = (cores / p if p <= cores else 1) / median
        rows.append(
            f"| {label} | {m // 1024} MiB | {t} | {p} | {median * 1000:.1f} ms | {median / base:.2f} | {rate:.0f}/s |"
        )
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    body = "\n".join(
        [
            f"Command: `.venv/bin/python bench/argon2_cost.py --n {args.n}` · {dt.datetime.now(dt.UTC).date()} · {cores} cores ({cpu})",
            "",
            "| parameters | memory | t | p | median verify | ratio to default | logins/s, whole machine |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            "The chosen cost (docs/adr/0003-argon2id-cost.md) is OWASP's minimum for Argon2id.",
        ]
    )
    replace_section("Password hashing (Argon2id)", body)
    print(body)


if __name__ == "__main__":
    main()
