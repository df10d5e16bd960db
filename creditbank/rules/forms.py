"""Page forms of the rules context: the public search, and the authors' rule form for the
common cases (no JSON): a target, up to a few source requirements, the grant, the caps, the
dates, and a sample outcome to preview the rule against. The services check every value; this
form turns the rows into the API's rule object and puts a refusal's field path
(``criteria.requirements.0.min_level``) back next to the right input."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from creditbank.kernel.errors import DomainError
from creditbank.rules.domain.grades import Scheme
from creditbank.rules.domain.rule import OUTCOME_TYPES
from creditbank.rules.errors import ErrorCode
from creditbank.rules.models import ConversionRule
from creditbank.rules.plain import TYPE_LABEL

TYPE_CHOICES = [(t, TYPE_LABEL[t]) for t in OUTCOME_TYPES]
RESULT_SCHEMES = [
    ("", "—"),
    (Scheme.PERCENTAGE.value, _("Percentage (0–100)")),
    (Scheme.FIVE_LEVEL.value, _("Five levels (优/良/中/及格/不及格)")),
    (Scheme.PASS_FAIL.value, _("Pass / fail")),
    (Scheme.GPA4.value, _("GPA (4.0)")),
]
COMBINE_CHOICES = [
    ("any_of", _("Any one requirement is enough")),
    ("all_of", _("All requirements, a different outcome for each")),
    ("at_least", _("At least n requirements, a different outcome for each")),
]
GRANT_CHOICES = [
    ("fixed", _("A fixed number of credits")),
    ("ratio", _("A share of the credits of the outcomes used, rounded down")),
]
STEP_CHOICES = [("0.01", "0.01"), ("0.10", "0.1"), ("0.50", "0.5"), ("1.00", "1")]
CAPS = (
    ("programme_total", _("At most, in total in the programme (credits)")),
    ("per_academic_year", _("At most, per academic year (credits)")),
    ("per_term", _("At most, per term (credits)")),
    ("per_source_institution", _("At most, from the outcomes of any one institution (credits)")),
)
#: How many source requirements a new rule's form offers.
ROWS = 3
_SPLIT = re.compile(r"[\s,，;；、]+")

#: A refusal's field (the last part of its path) → what to say next to the input.
FIELD_MESSAGES: dict[str, Promise] = {
    "types": _("Choose outcome types from the list."),
    "codes": _("Codes have letters, digits and . _ / - (at most 64 each), separated by commas."),
    "issuers": _("Give institution codes (letters, digits and . _ / -), separated by commas."),
    "min_level": _("A level from 1 to 10."),
    "min_result": _(
        "A result in the chosen scheme: 0–100, 优/良/中/及格/不及格, pass or fail, or a GPA from 0.00 to 4.00."
    ),
    "max_age_months": _("A number of months from 1 to 1200."),
    "min_hours": _("A number of hours greater than 0, with at most two decimal places."),
    "min_credits": _("A number of credits greater than 0 and at most 300, with at most two decimal places."),
    "requirement": _("State at least one condition: a type, a code, an issuer, a level, a result…"),
    "requirements": _("Fill in at least one source requirement."),
    "n": _("For “at least n”, a number from 1 to the number of requirements filled in."),
    "credits": _("A number of credits greater than 0 and at most 300, with at most two decimal places."),
    "ratio": _("A share greater than 0 and at most 1, such as 0.5 (at most four decimal places)."),
    "step": _("Round down to 0.01, 0.1, 0.5 or 1."),
    "exempts_course": _("Choose the course the rule exempts, or do not exempt one."),
}


class RuleSearchForm(forms.Form):
    """The public catalogue's filters (every one optional)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    institution = forms.ChoiceField(label=_("Target institution"), required=False)
    programme = forms.CharField(label=_("Programme code"), max_length=64, required=False)
    code = forms.CharField(label=_("Source certificate or course code"), max_length=64, required=False)
    type = forms.ChoiceField(label=_("Outcome type"), choices=[("", _("All")), *TYPE_CHOICES], required=False)

    def __init__(self, *args: Any, institutions: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [("", _("All")), *institutions]  # type: ignore[attr-defined]

    def filters(self) -> dict[str, str]:
        """The valid filters, as ``selectors.rules_public`` takes them (a bad one is dropped)."""
        if not self.is_bound:
            return {"q": "", "institution": "", "programme": "", "code": "", "outcome_type": ""}
        self.is_valid()
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(),
            "institution": data.get("institution") or "",
            "programme": (data.get("programme") or "").strip(),
            "code": (data.get("code") or "").strip(),
            "outcome_type": data.get("type") or "",
        }


def _amount_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=12, required=False)


def _codes(value: str) -> list[str]:
    return [c for c in _SPLIT.split(value or "") if c]


class RuleForm(forms.Form):
    """A conversion rule for the common cases. Requirement rows are ``r<n>_<field>``; an empty
    row is left out. ``rule_data`` is the API's rule object; ``sample_data`` the sample outcome."""

    code = forms.CharField(
        label=_("Rule code"), max_length=64,
        help_text=_("Unique within your institution, for example CET4-ENG101. It stays the same in every version."),
    )  # fmt: skip
    programme = forms.ChoiceField(label=_("Target programme"))
    course = forms.ChoiceField(
        label=_("Target course (optional)"), required=False,
        help_text=_("The course of the programme the rule recognises, or exempts when you tick “exempt the course”."),
    )  # fmt: skip
    combine = forms.ChoiceField(label=_("Combine the requirements"), choices=COMBINE_CHOICES, initial="any_of")
    n = forms.IntegerField(label=_("n (for “at least n”)"), required=False, min_value=1, max_value=20)
    grant_mode = forms.ChoiceField(
        label=_("What the rule grants"), choices=GRANT_CHOICES, initial="fixed", widget=forms.RadioSelect
    )
    grant_credits = _amount_field(_("Fixed credits"))
    grant_ratio = forms.CharField(
        label=_("Share of the credits (0–1)"), max_length=8, required=False, help_text=_("For example 0.5 for half.")
    )
    grant_step = forms.ChoiceField(
        label=_("Round down to a multiple of"), choices=STEP_CHOICES, initial="0.50", required=False
    )
    exempts_course = forms.BooleanField(label=_("Exempt the target course (免修)"), required=False)
    requires_review = forms.BooleanField(
        label=_("Needs review by a person"), required=False,
        help_text=_("Applications wait for your institution's reviewers instead of being approved at once."),
    )  # fmt: skip
    valid_from = forms.CharField(label=_("Valid from (YYYY-MM-DD)"), max_length=10)
    valid_to = forms.CharField(label=_("Valid to (optional, YYYY-MM-DD)"), max_length=10, required=False)
    sample_type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, required=False)
    sample_code = forms.CharField(label=_("Course or certificate code"), max_length=64, required=False)
    sample_issuer = forms.CharField(label=_("Issuer"), max_length=200, required=False)
    sample_achieved_on = forms.CharField(label=_("Date achieved (YYYY-MM-DD)"), max_length=10, required=False)
    sample_credits = forms.CharField(label=_("Credits"), max_length=12, required=False)
    sample_level = forms.CharField(label=_("Level (1–10, optional)"), max_length=2, required=False)
    sample_result_scheme = forms.ChoiceField(label=_("Result scheme"), choices=RESULT_SCHEMES, required=False)
    sample_result_value = forms.CharField(label=pgettext_lazy("grade", "Result"), max_length=16, required=False)

    def __init__(
        self, *args: Any, programmes: Sequence[Any] = (), fixed_code: bool = False, rows: int = ROWS, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = max(rows, len((kwargs.get("initial") or {}).get("_requirements", ())))
        for i in range(self.rows):
            self.fields.update(self._row_fields(i))
        for name, label in CAPS:
            self.fields[f"cap_{name}"] = _amount_field(label)
        self.programmes = list(programmes)
        programme: Any = self.fields["programme"]
        programme.choices = [(p.code, f"{p.code} {p.name()}") for p in self.programmes]
        course: Any = self.fields["course"]
        course.choices = [("", "—")] + [
            (f"{p.code} {p.name()}", [(c.code, f"{c.code} {c.name()}") for c in p.courses.all()])
            for p in self.programmes
        ]
        if fixed_code:  # a rule's code never changes
            self.fields["code"].disabled = True
        self._row_of: list[int] = []

    @staticmethod
    def _row_fields(i: int) -> dict[str, forms.Field]:
        return {
            f"r{i}_types": forms.MultipleChoiceField(
                label=_("Outcome types (none ticked: any)"), choices=TYPE_CHOICES, required=False,
                widget=forms.CheckboxSelectMultiple,
            ),
            f"r{i}_codes": forms.CharField(
                label=_("Certificate or course codes (comma separated)"), max_length=500, required=False
            ),
            f"r{i}_issuers": forms.CharField(
                label=_("Issuing institutions' codes (comma separated, optional)"), max_length=500, required=False
            ),
            f"r{i}_min_level": forms.IntegerField(
                label=_("Minimum level (1–10)"), required=False, min_value=1, max_value=10
            ),
            f"r{i}_result_scheme": forms.ChoiceField(
                label=_("Minimum result: scheme"), choices=RESULT_SCHEMES, required=False
            ),
            f"r{i}_result_value": forms.CharField(label=_("Minimum result"), max_length=16, required=False),
            f"r{i}_max_age_months": forms.IntegerField(
                label=_("Achieved within (months)"), required=False, min_value=1, max_value=1200
            ),
            f"r{i}_min_credits": _amount_field(_("Minimum credits")),
            f"r{i}_min_hours": _amount_field(_("Minimum hours")),
            f"r{i}_not_expired": forms.BooleanField(
                label=_("Must not have expired"), required=False, initial=True
            ),
        }  # fmt: skip

    # --- sections, for the template --------------------------------------------------------

    def sections(self) -> list[tuple[Any, list[Any]]]:
        rows = [
            (_("Source requirement %(n)s") % {"n": i + 1}, [self[n] for n in self.fields if n.startswith(f"r{i}_")])
            for i in range(self.rows)
        ]
        return [
            (_("The rule and its target"), [self["code"], self["programme"], self["course"]]),
            *rows,
            (_("How the requirements combine"), [self["combine"], self["n"]]),
            (_("What it grants"), [self[n] for n in ("grant_mode", "grant_credits", "grant_ratio", "grant_step",
                                                     "exempts_course")]),
            (_("Caps (optional)"), [self[f"cap_{name}"] for name, _label in CAPS]),
            (_("Review and validity"), [self["requires_review"], self["valid_from"], self["valid_to"]]),
        ]  # fmt: skip

    def sample_fields(self) -> list[Any]:
        return [self[n] for n in self.fields if n.startswith("sample_")]

    # --- to the service's data -------------------------------------------------------------

    def _requirement(self, i: int) -> dict[str, Any] | None:
        d = self.cleaned_data
        scheme, value = d.get(f"r{i}_result_scheme") or "", (d.get(f"r{i}_result_value") or "").strip()
        req: dict[str, Any] = {
            "types": list(d.get(f"r{i}_types") or []),
            "codes": _codes(d.get(f"r{i}_codes") or ""),
            "issuers": _codes(d.get(f"r{i}_issuers") or ""),
            "min_level": d.get(f"r{i}_min_level"),
            "min_result": {"scheme": scheme, "value": value} if (scheme or value) else None,
            "max_age_months": d.get(f"r{i}_max_age_months"),
            "min_credits": (d.get(f"r{i}_min_credits") or "").strip() or None,
            "min_hours": (d.get(f"r{i}_min_hours") or "").strip() or None,
        }
        if not any(req.values()):
            return None
        req["not_expired"] = bool(d.get(f"r{i}_not_expired"))
        return req

    def rule_data(self, institution: str) -> dict[str, Any]:
        """The API's rule object (``POST /conversion-rules``) from the form's rows."""
        d = self.cleaned_data
        requirements = []
        self._row_of = []
        for i in range(self.rows):
            req = self._requirement(i)
            if req is not None:
                requirements.append(req)
                self._row_of.append(i)
        combine = d.get("combine") or "any_of"
        if d.get("grant_mode") == "ratio":
            grants: dict[str, Any] = {"mode": "ratio", "ratio": (d.get("grant_ratio") or "").strip() or None,
                                      "step": d.get("grant_step") or "0.01"}  # fmt: skip
        else:
            grants = {"mode": "fixed", "credits": (d.get("grant_credits") or "").strip() or None}
        grants["exempts_course"] = bool(d.get("exempts_course"))
        return {
            "code": (d.get("code") or "").strip(),
            "target": {
                "institution": institution,
                "programme": d.get("programme") or "",
                "course": d.get("course") or None,
            },
            "criteria": {
                "combine": combine,
                "n": d.get("n") if combine == "at_least" else None,
                "requirements": requirements,
            },
            "grants": grants,
            "caps": {name: (d.get(f"cap_{name}") or "").strip() or None for name, _label in CAPS},
            "requires_review": bool(d.get("requires_review")),
            "valid_from": (d.get("valid_from") or "").strip(),
            "valid_to": (d.get("valid_to") or "").strip() or None,
        }

    def sample_data(self) -> dict[str, Any]:
        """The sample outcome (the outcome fields of the API contract)."""
        d = self.cleaned_data
        scheme, value = d.get("sample_result_scheme") or "", (d.get("sample_result_value") or "").strip()
        return {
            "type": d.get("sample_type") or "",
            "code": (d.get("sample_code") or "").strip(),
            "issuer": (d.get("sample_issuer") or "").strip(),
            "achieved_on": (d.get("sample_achieved_on") or "").strip(),
            "credits": (d.get("sample_credits") or "").strip(),
            "level": (d.get("sample_level") or "").strip() or None,
            "result": {"scheme": scheme, "value": value} if (scheme or value) else None,
        }

    def target_names(self) -> dict[str, str]:
        """Names of the chosen programme and its courses, for the preview's words."""
        chosen = next((p for p in self.programmes if p.code == self.cleaned_data.get("programme")), None)
        if chosen is None:
            return {}
        return {**{c.code: c.name() for c in chosen.courses.all()}, chosen.code: chosen.name()}

    # --- refusals back onto the form -------------------------------------------------------

    def field_for(self, path: str) -> str | None:
        """The input a rule refusal's field path is about (None: above the form)."""
        parts = path.split(".")
        if path in ("code", "requires_review", "valid_from", "valid_to"):
            return path
        if parts[0] == "target":
            return {"programme": "programme", "course": "course"}.get(parts[-1])
        if parts[0] == "caps" and len(parts) == 2:
            return f"cap_{parts[1]}"
        if parts[0] == "grants" and len(parts) == 2:
            return {"mode": "grant_mode", "credits": "grant_credits", "ratio": "grant_ratio", "step": "grant_step",
                    "exempts_course": "exempts_course"}.get(parts[1])  # fmt: skip
        if path in ("criteria.combine", "criteria.n"):
            return parts[1]
        if parts[:2] == ["criteria", "requirements"]:
            if len(parts) == 2:
                return "r0_types"
            index = int(parts[2]) if parts[2].isdigit() else 0
            row = self._row_of[index] if index < len(self._row_of) else index
            name = {"min_result": "result_value"}.get(parts[3], parts[3]) if len(parts) > 3 else "types"
            return f"r{row}_{name}" if f"r{row}_{name}" in self.fields else f"r{row}_types"
        return None

    def add_domain_error(self, exc: DomainError, *, sample: bool = False) -> None:
        """Each message next to its input: a rule refusal by its field path, a sample outcome's
        refusal (when ``sample``) next to the sample's input, anything else above the form."""
        rule_codes = {c.value for c in ErrorCode}
        placed = False
        for path, msgs in exc.errors.items():
            if exc.code in rule_codes:
                target = self.field_for(path)
                parts = path.split(".")
                key = "requirement" if parts[:2] == ["criteria", "requirements"] and len(parts) == 3 else parts[-1]
                specific = FIELD_MESSAGES.get(key) if exc.code != ErrorCode.RULE_EXISTS else None
                texts = [specific] if specific is not None else list(msgs)
            elif sample:
                name = f"sample_{path.split('.')[0]}"
                target = "sample_result_value" if name == "sample_result" else name
                texts = list(msgs)
            else:
                target, texts = None, list(msgs)
            for text in texts:
                self.add_error(target if target in self.fields else None, str(text))
                placed = True
        if not placed:
            self.add_error(None, str(exc.message))

    # --- from a stored version -------------------------------------------------------------

    @staticmethod
    def initial_from(rule: ConversionRule) -> dict[str, Any]:
        definition = rule.definition
        criteria, grants, caps = definition["criteria"], definition["grants"], definition["caps"]
        initial: dict[str, Any] = {
            "code": rule.code, "programme": rule.programme_code, "course": rule.course_code,
            "combine": criteria["combine"], "n": criteria.get("n"),
            "grant_mode": grants["mode"], "grant_credits": grants.get("credits") or "",
            "grant_ratio": grants.get("ratio") or "", "grant_step": grants.get("step") or "0.50",
            "exempts_course": grants.get("exempts_course", False), "requires_review": rule.requires_review,
            "valid_from": rule.valid_from.isoformat(), "valid_to": rule.valid_to.isoformat() if rule.valid_to else "",
            "_requirements": criteria["requirements"],
        }  # fmt: skip
        for name, _label in CAPS:
            initial[f"cap_{name}"] = caps.get(name) or ""
        for i, req in enumerate(criteria["requirements"]):
            result = req.get("min_result") or {}
            initial.update({
                f"r{i}_types": req.get("types") or [], f"r{i}_codes": ", ".join(req.get("codes") or []),
                f"r{i}_issuers": ", ".join(req.get("issuers") or []), f"r{i}_min_level": req.get("min_level"),
                f"r{i}_result_scheme": result.get("scheme", ""), f"r{i}_result_value": result.get("value", ""),
                f"r{i}_max_age_months": req.get("max_age_months"), f"r{i}_min_credits": req.get("min_credits") or "",
                f"r{i}_min_hours": req.get("min_hours") or "", f"r{i}_not_expired": req.get("not_expired", True),
            })  # fmt: skip
        return initial


class RuleImportForm(forms.Form):
    """A JSON file of rules for an institution's authors (rules.services.rules_import_file)."""

    file = forms.FileField(
        label=_("JSON file of rules"),
        help_text=_(
            'A list of rules as the API takes them ([{"code", "target", "criteria", "grants", "caps", '
            '"requires_review", "valid_from", "valid_to"}, …]), UTF-8, at most 2 MiB and 2,000 rules.'
        ),
    )
    publish = forms.BooleanField(label=_("Publish each rule that passes its checks"), required=False)
