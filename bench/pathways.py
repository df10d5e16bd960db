"""The pathway view: 10,000 published conversion rules, a learner with 200 certified outcomes.

Usage: .venv/bin/python bench/pathways.py [--database-url postgres://…/<scratch database>]
           [--rules 10000] [--outcomes 200] [--institutions 20] [--runs 5] [--no-write]

Migrates a throwaway database (a temporary SQLite file unless --database-url), seeds INSTITUTIONS
institutions with 5 published programmes of 10 courses each, RULES published rules spread evenly
over the programmes, and one verified learner with OUTCOMES certified outcomes deposited by an
institution. The rules name source codes from a catalogue of 2,000 (types academic_credit and
vocational_certificate, one to three codes a requirement; 80 % any_of with a fixed grant, half of
them exempting a course; 10 % all_of two requirements; 10 % any MOOC or non-formal outcome at a
ratio, with a programme cap). The first rule is made through the services and the rest written
with the same fields (definition, hash, look-up keys) in bulk, so seeding is quick; the rule
made by the services is checked to give the same bytes as the bulk one would.

Measured in one process, each figure the median of RUNS runs after one warm-up:
- ``services.pathways(learner)``: candidates through the RuleSourceKey index, each evaluated on the
  outcomes it could accept, greedy per programme (the page's and the API's work, without HTTP);
- the naive loop it replaces: every rule in force loaded and evaluated on all the learner's
  outcomes, once (no combination: a floor for the naive pathway).
Checks that both find the same programmes. Target: the pathway view under 1 s. Writes the section
"## Pathway view" of BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from argon2_cost import replace_section  # noqa: E402
from http_throughput import env_for  # noqa: E402
from people import fast_passwords, verified_learner  # noqa: E402
from people import school as make_school  # noqa: E402

SECTION = "Pathway view"
TARGET_S = 1.0
CODES = 2000
PROGRAMMES_EACH = 5
COURSES_EACH = 10


def code_type(index: int) -> str:
    return "vocational_certificate" if index % 3 == 0 else "academic_credit"


def rule_bodies(n: int, programmes: list[tuple[str, str]], rng: random.Random) -> list[dict[str, Any]]:
    bodies = []
    for i in range(n):
        institution, programme = programmes[i % len(programmes)]
        course = f"C{(i // len(programmes)) % COURSES_EACH:02d}"
        kind = i % 10
        target: dict[str, Any] = {"institution": institution, "programme": programme}
        caps: dict[str, Any] = {}
        if kind < 8:
            codes = [rng.randrange(CODES) for _ in range(rng.randint(1, 3))]
            ctype = code_type(codes[0])
            codes = [c for c in codes if code_type(c) == ctype]
            criteria = {"combine": "any_of", "requirements": [
                {"types": [ctype], "codes": [f"S{c:04d}" for c in codes], "max_age_months": 120}]}  # fmt: skip
            grants: dict[str, Any] = {"mode": "fixed", "credits": f"{rng.randint(1, 6)}.00"}
            if kind % 2 == 0:
                target["course"] = course
                grants["exempts_course"] = True
        elif kind == 8:
            pair = [rng.randrange(CODES) for _ in range(2)]
            criteria = {"combine": "all_of", "requirements": [
                {"types": [code_type(c)], "codes": [f"S{c:04d}"]} for c in pair]}  # fmt: skip
            grants = {"mode": "fixed", "credits": "5.00"}
        else:
            criteria = {"combine": "any_of", "requirements": [{"types": ["mooc", "non_formal"], "min_hours": "10"}]}
            grants = {"mode": "ratio", "ratio": "0.5", "step": "0.50"}
            caps = {"programme_total": "10.00"}
        bodies.append({
            "code": f"R{i:05d}", "target": target, "criteria": criteria, "grants": grants, "caps": caps,
            "requires_review": i % 4 == 0, "valid_from": "2020-01-01",
        })  # fmt: skip
    return bodies


def seed(args: argparse.Namespace) -> tuple[Any, int]:
    from django.db import transaction
    from django.utils import timezone

    from creditbank.institutions import services as institution_services
    from creditbank.outcomes import services as outcome_services
    from creditbank.rules import services
    from creditbank.rules.domain.rule import parse_rule, search_keys
    from creditbank.rules.models import ConversionRule, RuleSourceKey, RuleStatus

    fast_passwords()
    rng = random.Random(20261205)  # noqa: S311 - a reproducible catalogue, not a secret
    schools = []
    programmes: list[tuple[str, str]] = []
    for i in range(args.institutions):
        code = f"bench-{i:02d}"
        school = make_school(code, first=10 * i)
        schools.append(school)
        for p in range(PROGRAMMES_EACH):
            programme = f"P{p}"
            institution_services.programme_create(
                actor=school.admin, code=code, programme_code=programme, name_zh=f"专业{p}", name_en=f"Programme {p}",
                total_credits="160.00",
            )  # fmt: skip
            for c in range(COURSES_EACH):
                institution_services.course_create(
                    actor=school.admin, code=code, programme_code=programme, course_code=f"C{c:02d}",
                    name_zh=f"课程{c}", name_en=f"Course {c}", credits="4.00",
                )  # fmt: skip
            institution_services.programme_publish(actor=school.admin, code=code, programme_code=programme)
            programmes.append((code, programme))
    institutions = {s.institution.code: s.institution for s in schools}
    bodies = rule_bodies(args.rules, programmes, rng)
    first = services.rule_publish(
        actor=schools[0].admin, rule_id=services.rule_create(actor=schools[0].admin, data=bodies[0]).pk
    )
    now = timezone.now()
    rows, keys = [], []
    for body in bodies[1:]:
        record = parse_rule(body, code=body["code"], version=1)
        canonical = record.as_dict()
        institution = institutions[record.target.institution]
        rows.append(ConversionRule(
            series=f"{institution.code}:{record.code}", code=record.code, version=1, institution=institution,
            programme_code=record.target.programme, course_code=record.target.course or "",
            definition={k: canonical[k] for k in ("criteria", "grants", "caps")},
            requires_review=record.requires_review, valid_from=record.valid_from, valid_to=record.valid_to,
            status=RuleStatus.PUBLISHED, hash=record.sha256(), published_at=now,
        ))  # fmt: skip
        keys.append(sorted(search_keys(record)))
    check = parse_rule(bodies[0], code=bodies[0]["code"], version=1)
    assert (first.hash, first.definition, first.series) == (
        check.sha256(), {k: check.as_dict()[k] for k in ("criteria", "grants", "caps")}, f"bench-00:{check.code}",
    ), "the bulk rows would differ from the services' rule"  # fmt: skip
    with transaction.atomic():
        made = ConversionRule.objects.bulk_create(rows, batch_size=1000)
        RuleSourceKey.objects.bulk_create(
            [RuleSourceKey(rule=r, key=k) for r, ks in zip(made, keys, strict=True) for k in ks], batch_size=5000
        )
    learner = verified_learner(9999)
    today = timezone.localdate()
    deposit = []
    for n in range(args.outcomes):
        if n % 10 == 9:
            fields = {"type": "mooc", "code": f"M{n:03d}", "hours": "20"}
        else:
            c = rng.randrange(CODES)
            fields = {"type": code_type(c), "code": f"S{c:04d}"}
        deposit.append({
            "learner": {"account_no": learner.account_no}, "external_id": f"bench-{n}", "title": f"成果 {n}",
            "achieved_on": (today - dt.timedelta(days=30 + n)).isoformat(), "credits": f"{1 + n % 5}",
            **fields,
        })  # fmt: skip
    report = outcome_services.outcomes_deposit(
        institution=schools[0].institution, rows=deposit, actor=schools[0].issuer, deposited_by="bench"
    )
    assert report.accepted == args.outcomes, report.errors
    return learner, ConversionRule.objects.filter(status=RuleStatus.PUBLISHED).count()


def naive(learner: Any) -> set[tuple[str, str]]:
    """Every rule in force, evaluated on all the learner's outcomes: the programmes with an eligible rule."""
    from django.utils import timezone

    from creditbank.rules.domain.evaluator import evaluate
    from creditbank.rules.selectors import rule_record, rules_in_force
    from creditbank.rules.services import chosen_facts, prior_conversions, reuse_policy

    today = timezone.localdate()
    facts = chosen_facts(learner, None)
    prior, reuse = prior_conversions(learner), reuse_policy()
    found = set()
    for rule in rules_in_force(today):
        if evaluate(rule_record(rule), facts, prior, as_of=today, reuse=reuse).eligible:
            found.add((rule.institution.code, rule.programme_code))
    return found


def timed(fn: Any, runs: int) -> tuple[float, Any, float]:
    """(median of ``runs`` runs, the result, the first run's time: the warm-up)."""
    start = time.perf_counter()
    result = fn()  # warm-up
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result, first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--outcomes", type=int, default=200)
    parser.add_argument("--institutions", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="creditbank-bench-"))
    os.environ.update(env_for(args.database_url, var))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from creditbank.rules import services
    from creditbank.rules.domain.rule import outcome_keys
    from creditbank.rules.selectors import rules_for_keys

    started = time.perf_counter()
    learner, published = seed(args)
    print(f"seeded {published} published rules and {args.outcomes} outcomes in {time.perf_counter() - started:.0f} s")
    from django.utils import timezone

    facts = services.chosen_facts(learner, None)
    keys = set().union(*(outcome_keys(f.type, f.code) for f in facts))
    candidates = len(rules_for_keys(keys, on=timezone.localdate()))
    load_before = os.getloadavg()[0]
    indexed_s, found, cold_s = timed(lambda: services.pathways(learner), args.runs)
    naive_s, naive_found, _ = timed(lambda: naive(learner), max(1, args.runs // 2))
    load_after = os.getloadavg()[0]
    with CaptureQueriesContext(connection) as queries:
        services.pathways(learner)
    programmes = {(p.institution, p.programme) for p in found}
    assert programmes == naive_found, (sorted(programmes ^ naive_found))[:5]
    lines = sum(len(p.lines) for p in found)
    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    met = "met" if indexed_s < TARGET_S else "missed"
    body = "\n".join([
        f"Command: `.venv/bin/python bench/pathways.py{' --database-url postgres://…' if args.database_url else ''} "
        f"--rules {args.rules} --outcomes {args.outcomes} --institutions {args.institutions} --runs {args.runs}` · "
        f"{dt.datetime.now(dt.UTC).date()} · {os.cpu_count()} cores · {engine} · one process, no HTTP; "
        f"medians of {args.runs} runs (naive: {max(1, args.runs // 2)}) after a warm-up · load average (1 min) "
        f"before/after: {load_before:.1f} / {load_after:.1f}",
        "",
        "| computation | time | ratio to naive |",
        "|---|---|---|",
        f"| `services.pathways(learner)`: {candidates} candidate rules through the index, each on the outcomes "
        f"it could accept, greedy per programme | {indexed_s * 1000:.0f} ms | {indexed_s / naive_s:.3f} |",
        f"| naive: all {published} rules in force, each on all {args.outcomes} outcomes, once | "
        f"{naive_s * 1000:.0f} ms | 1.000 |",
        "",
        f"{published} published rules over {args.institutions * PROGRAMMES_EACH} programmes; the learner's "
        f"{args.outcomes} certified outcomes give {len(keys)} look-up keys. The pathway view finds {len(found)} "
        f"programmes ({lines} lines, {sum(p.credits for p in found)} credits in all) with "
        f"{len(queries.captured_queries)} SQL statements; the naive loop finds the same programmes. Target "
        f"under {TARGET_S:.0f} s: {met} ({naive_s / indexed_s:.1f}× faster than the naive loop). The first run "
        f"(the warm-up, before the per-process cache of parsed published rule versions is filled) took "
        f"{cold_s * 1000:.0f} ms.",
    ])  # fmt: skip
    if not args.no_write:
        replace_section(SECTION, body)
    print(body)


if __name__ == "__main__":
    main()
