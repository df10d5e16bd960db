"""The demo's catalogue of conversion rules (转换规则): what the two demo institutions' published
programmes recognise (certificates of the 1+X scheme and the national computer rank
examination, CET, MOOCs, awards, work experience, the university's own courses), with caps per
academic year and per programme, combinations (all of, at least 2 of 3), ratio grants, course
exemptions and rules a person reviews. Rows as ``POST /api/v1/conversion-rules`` takes them.

``learner-verified`` holds the university's certified ENG101 (81) and CS101 (88): the rule
``DOU-ENG101-CS`` of the Computer Science programme converts ENG101 at once, and ``DOU-CS101-ACC``
of the Accounting programme converts CS101 after the university's reviewer (``institution-reviewer``)
approves it. The seed publishes the rules and applies for nothing: the learner does it."""

from __future__ import annotations

from typing import Any

UNIV, SKILLS = "demo-open-univ", "demo-skills"
START = "2024-09-01"


def req(
    *types: str,
    codes: tuple[str, ...] = (),
    issuers: tuple[str, ...] = (),
    level: int | None = None,
    result: tuple[str, str] | None = None,
    months: int | None = None,
    credits: str | None = None,
    hours: str | None = None,
) -> dict[str, Any]:
    """A source requirement (every condition left out means "any")."""
    return {
        "types": list(types), "codes": list(codes), "issuers": list(issuers), "min_level": level,
        "min_result": {"scheme": result[0], "value": result[1]} if result else None, "max_age_months": months,
        "min_credits": credits, "min_hours": hours,
    }  # fmt: skip


def rule(
    code: str,
    institution: str,
    programme: str,
    requirements: list[dict[str, Any]],
    *,
    course: str | None = None,
    credits: str | None = None,
    ratio: str | None = None,
    step: str = "0.50",
    exempt: bool = False,
    caps: dict[str, str] | None = None,
    combine: str = "any_of",
    n: int | None = None,
    review: bool = False,
    valid_from: str = START,
    valid_to: str | None = None,
) -> dict[str, Any]:
    grants: dict[str, Any] = (
        {"mode": "ratio", "ratio": ratio, "step": step} if ratio else {"mode": "fixed", "credits": credits}
    )
    grants["exempts_course"] = exempt
    return {
        "code": code,
        "target": {"institution": institution, "programme": programme, "course": course},
        "criteria": {"combine": combine, "n": n, "requirements": requirements},
        "grants": grants,
        "caps": caps or {},
        "requires_review": review,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def cert(*codes: str, **more: Any) -> dict[str, Any]:
    return req("vocational_certificate", codes=codes, **more)


PASS = ("pass_fail", "pass")
#: CET-4 / CET-6: 425 of 710 points, recorded as a percentage (about 60)
CET_PASS = ("percentage", "60")

DEMO_RULES: list[dict[str, Any]] = [
    # --- 演示开放大学 · 计算机科学与技术 (CS) -------------------------------------------------
    rule("DOU-ENG101-CS", UNIV, "CS", [req("academic_credit", codes=("ENG101",), issuers=(UNIV,),
         result=("percentage", "60"))], course="ENG101", credits="4", exempt=True),
    rule("CET4-ENG101", UNIV, "CS", [cert("CET4", result=CET_PASS, months=60)], course="ENG101", credits="4",
         exempt=True, caps={"per_academic_year": "10"}),
    rule("CET6-ENG101", UNIV, "CS", [cert("CET6", result=CET_PASS)], course="ENG101", credits="4", exempt=True),
    rule("DOU-MATH101", UNIV, "CS", [req("academic_credit", codes=("MATH101",), result=("five_level", "良"))],
         course="MATH101", credits="5", exempt=True),
    rule("MOOC-PY-CS102", UNIV, "CS", [req("mooc", codes=("MOOC-PY",), result=("percentage", "85"))],
         course="CS102", credits="4", exempt=True, review=True),
    rule("NCRE2-PY", UNIV, "CS", [cert("NCRE2-PY", result=PASS)], credits="2",
         caps={"per_academic_year": "6", "programme_total": "12"}),
    rule("1X-WEB-2", UNIV, "CS", [cert("1X-WEB-2", level=4, months=60)], ratio="0.5",
         caps={"per_academic_year": "8", "programme_total": "20"}),
    rule("HCIA-CS203", UNIV, "CS", [cert("HCIA-DATACOM", "HCIA-ROUTING")], course="CS203", credits="3",
         exempt=True),
    rule("DB-BOTH-CS202", UNIV, "CS", [cert("1X-DB-2"), req("mooc", codes=("MOOC-DB",), credits="1")],
         combine="all_of", course="CS202", credits="3.5", exempt=True),
    rule("SE-2OF3-CS301", UNIV, "CS", [
        req("academic_credit", codes=("SE201",), issuers=(SKILLS,), result=("percentage", "70")),
        req("work_experience", hours="1000"),
        cert("1X-SOFTTEST-2"),
    ], combine="at_least", n=2, course="CS301", credits="3", exempt=True, review=True),
    rule("AWARD-PROV-CS", UNIV, "CS", [req("award", codes=("AWARD-PROV-1",), months=36)], credits="4",
         caps={"programme_total": "8"}, review=True),
    rule("SPORT-PE101", UNIV, "CS", [req("non_formal", "award", codes=("SPORT-LVL2",))], course="PE101",
         credits="1", exempt=True),
    rule("MOOC-ANY-CS", UNIV, "CS", [req("mooc", credits="1", result=PASS)], ratio="0.5",
         caps={"per_term": "2", "per_academic_year": "4", "programme_total": "10", "per_source_institution": "4"}),
    # --- 演示开放大学 · 会计学 (ACC) -------------------------------------------------------------
    rule("DOU-CS101-ACC", UNIV, "ACC", [req("academic_credit", codes=("CS101",), result=("five_level", "良"))],
         course="CS101", credits="3", exempt=True, review=True),
    rule("CET4-ENG101-ACC", UNIV, "ACC", [cert("CET4", result=CET_PASS, months=60)], course="ENG101", credits="4",
         exempt=True, caps={"per_academic_year": "10"}),
    rule("CPA-JUNIOR-ACC101", UNIV, "ACC", [cert("CPA-JUNIOR")], course="ACC101", credits="3", exempt=True),
    rule("ACC-BOTH-ACC201", UNIV, "ACC", [cert("CPA-JUNIOR"), cert("1X-FIN-SHARE-2")], combine="all_of",
         course="ACC201", credits="4", exempt=True, review=True),
    rule("1X-ERP-ACC202", UNIV, "ACC", [cert("1X-ERP-2", level=4)], course="ACC202", credits="3", exempt=True),
    rule("TAX-AGENT-TAX201", UNIV, "ACC", [cert("TAX-AGENT")], course="TAX201", credits="3", exempt=True,
         review=True),
    rule("MOOC-ECO101", UNIV, "ACC", [req("mooc", codes=("MOOC-ECO",), result=("percentage", "80"))],
         course="ECO101", credits="3", exempt=True),
    rule("WORK-ACC", UNIV, "ACC", [req("work_experience", hours="2000")], ratio="0.25", step="1.00",
         caps={"per_academic_year": "5", "programme_total": "10"}, review=True),
    # --- 演示职业技能培训中心 · 软件技术 (SE) ----------------------------------------------------
    rule("DOU-CS101-SE", SKILLS, "SE", [req("academic_credit", codes=("CS101", "CS102"), issuers=(UNIV,),
         result=("percentage", "60"))], ratio="1", caps={"per_source_institution": "10"}),
    rule("1X-WEB-2-WEB101", SKILLS, "SE", [cert("1X-WEB-2", "1X-WEB-3", level=4)], course="WEB101", credits="4",
         exempt=True),
    rule("1X-WEB-1", SKILLS, "SE", [cert("1X-WEB-1")], credits="2", caps={"programme_total": "4"}),
    rule("MOOC-PY-PY101", SKILLS, "SE", [req("mooc", codes=("MOOC-PY",), result=("percentage", "60"))],
         course="PY101", credits="4", exempt=True),
    rule("NCRE2-PY-PY101", SKILLS, "SE", [cert("NCRE2-PY")], course="PY101", credits="4", exempt=True),
    rule("JAVA-2OF3", SKILLS, "SE", [cert("NCRE2-JAVA"), req("mooc", codes=("MOOC-JAVA",)), cert("1X-JAVA-2")],
         combine="at_least", n=2, course="JAVA101", credits="4", exempt=True),
    rule("1X-DB-2-DB101", SKILLS, "SE", [cert("1X-DB-2")], course="DB101", credits="3", exempt=True),
    rule("LINUX-LNX101", SKILLS, "SE", [cert("RHCSA", "LPIC-1")], course="LNX101", credits="3", exempt=True),
    rule("1X-TEST-SE201", SKILLS, "SE", [cert("1X-SOFTTEST-2")], course="SE201", credits="3", exempt=True),
    rule("WORK-PRJ301-SE", SKILLS, "SE", [req("work_experience", hours="960", months=60)], course="PRJ301",
         credits="12", exempt=True, review=True),
    # --- 演示职业技能培训中心 · 电子商务 (EC) ----------------------------------------------------
    rule("1X-LIVE-EC202", SKILLS, "EC", [cert("1X-LIVE-EC-2")], course="EC202", credits="2", exempt=True),
    rule("1X-SHOP-EC102", SKILLS, "EC", [cert("1X-SHOP-OPS-2", level=4)], course="EC102", credits="4",
         exempt=True),
    rule("1X-DATA-EC203", SKILLS, "EC", [cert("1X-EC-DATA-2")], course="EC203", credits="3", exempt=True),
    rule("1X-LOG-LOG101", SKILLS, "EC", [cert("1X-LOG-2")], course="LOG101", credits="2", exempt=True),
    rule("MOOC-ANY-EC", SKILLS, "EC", [req("mooc", credits="1")], ratio="0.5",
         caps={"per_academic_year": "4", "programme_total": "8"}),
    rule("TRAIN-PM-EC", SKILLS, "EC", [req("non_formal", codes=("TRAIN-PM-40",), hours="40")], credits="1",
         caps={"per_academic_year": "2"}),
    rule("WORK-PRJ301-EC", SKILLS, "EC", [req("work_experience", hours="960"), req("non_formal", "award")],
         combine="all_of", course="PRJ301", credits="12", exempt=True, review=True),
]  # fmt: skip
