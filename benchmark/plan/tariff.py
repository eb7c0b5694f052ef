"""The pay tariff that prices staffing plans: ``criteria/tariff.toml`` (SPEC §11).

A :class:`Tariff` is immutable; :meth:`Tariff.with_supplement` and :meth:`Tariff.with_cover`
return changed copies (the plan app's sliders). Every problem in the file is reported at once as
a :class:`~benchmark.issues.CriteriaError` naming the file and the field.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from benchmark.issues import CriteriaError, Issue

SUPPLEMENTS = ("evening_night", "weekend", "holiday")


@dataclass(frozen=True)
class Role:
    id: str
    annual_pay: float  # kNOK per year for a full-time position
    rotation: bool


@dataclass(frozen=True)
class Supplement:
    id: str
    rate: float  # fraction of hourly pay
    min_per_hour: float  # kNOK


@dataclass(frozen=True)
class Tariff:
    version: str
    valid_from: str
    divisor_rotation: float
    divisor_day: float
    employer_tax: float
    pension: float
    vacation_weeks: float
    absence: str | float  # "unit" or a fraction
    roles: tuple[Role, ...]
    supplements: tuple[Supplement, ...]
    source: str = field(default="<tariff>", compare=False)
    text: str = field(default="", compare=False, repr=False)

    @property
    def social_rate(self) -> float:
        return self.employer_tax + self.pension

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def supplement(self, sid: str) -> Supplement:
        return next((s for s in self.supplements if s.id == sid), Supplement(sid, 0.0, 0.0))

    def with_supplement(self, sid: str, rate: float | None = None, min_per_hour: float | None = None) -> Tariff:
        old = self.supplement(sid)
        new = Supplement(sid, old.rate if rate is None else float(rate),
                         old.min_per_hour if min_per_hour is None else float(min_per_hour))
        rest = tuple(s for s in self.supplements if s.id != sid)
        return dataclasses.replace(self, supplements=(*rest, new))

    def with_cover(self, vacation_weeks: float | None = None, absence: str | float | None = None) -> Tariff:
        return dataclasses.replace(self, vacation_weeks=self.vacation_weeks if vacation_weeks is None
                                   else float(vacation_weeks), absence=self.absence if absence is None else absence)

    def assumptions(self) -> list[tuple[str, str]]:
        """(name, value) pairs for the workbook's and report's assumptions list (Norwegian)."""
        from benchmark.explanation.numbers import number, percent

        rows = [("Tariff", f"{self.version} (gyldig fra {self.valid_from})"),
                ("Timelønn", f"årslønn ÷ {number(self.divisor_rotation)} (turnus) eller "
                             f"÷ {number(self.divisor_day)} (dagtid)"),
                ("Arbeidsgiveravgift", percent(self.employer_tax, 1)),
                ("Pensjon", percent(self.pension, 1)),
                ("Ferieavvikling dekket", f"{number(self.vacation_weeks, 1)} uker per år"),
                ("Fraværsdekning", "enhetens eget sykefravær siste 12 måneder før budsjettåret"
                 if self.absence == "unit" else percent(float(self.absence), 1))]
        names = {"evening_night": "Kvelds- og nattillegg (17–06)", "weekend": "Lørdags- og søndagstillegg",
                 "holiday": "Helge- og høytidstillegg (§ 10-10-vinduer)"}
        for s in sorted(self.supplements, key=lambda s: SUPPLEMENTS.index(s.id) if s.id in SUPPLEMENTS else 9):
            decimals = 0 if abs(s.rate * 100 - round(s.rate * 100)) < 1e-9 else 2
            rows.append((names.get(s.id, s.id), f"{percent(s.rate, decimals)} av timelønn, minst "
                                                f"{number(s.min_per_hour * 1000)} kr per time"))
        for r in self.roles:
            rows.append((f"Årslønn {r.id} (forutsetning)", f"{number(r.annual_pay * 1000)} kr"
                         + (", turnus" if r.rotation else ", dagtid")))
        return rows


def default_tariff_path() -> Path:
    return Path(__file__).resolve().parents[2] / "criteria" / "tariff.toml"


def _number(data: dict, key: str, where: str, src: str, issues: list[Issue], minimum: float = 0.0) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        issues.append(Issue(src, "bad_tariff_value", f"must be a number of at least {minimum:g}",
                            column=f"{where}{key}", value=value))
        return 0.0
    return float(value)


def parse_tariff(text: str, source: str = "<tariff>") -> Tariff:
    """Parse a tariff's TOML text; raises :class:`CriteriaError` listing every problem."""
    issues: list[Issue] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CriteriaError(issues=[Issue(source, "bad_toml", f"the file is not valid TOML ({exc})")],
                            title="The tariff file has problems") from None
    divisor = data.get("divisor") or {}
    social = data.get("social_costs") or {}
    cover = data.get("cover") or {}
    for key, table in (("divisor", divisor), ("social_costs", social), ("cover", cover)):
        if not isinstance(table, dict):
            issues.append(Issue(source, "bad_tariff_value", "must be a table", column=key, value=table))
    d_rot = _number(divisor, "rotation", "divisor.", source, issues, 1)
    d_day = _number(divisor, "day", "divisor.", source, issues, 1)
    tax = _number(social, "employer_tax", "social_costs.", source, issues)
    pension = _number(social, "pension", "social_costs.", source, issues)
    weeks = _number(cover, "vacation_weeks", "cover.", source, issues)
    absence = cover.get("absence", "unit")
    if not (absence == "unit" or (isinstance(absence, (int, float)) and not isinstance(absence, bool)
                                  and 0 <= absence < 1)):
        issues.append(Issue(source, "bad_tariff_value", 'must be "unit" or a fraction such as 0.07',
                            column="cover.absence", value=absence))
    roles = []
    for n, r in enumerate(data.get("role") or []):
        rid = str(r.get("id", "")).strip()
        if not rid:
            issues.append(Issue(source, "bad_tariff_value", "a role needs an id", column=f"role[{n + 1}].id"))
        roles.append(Role(rid, _number(r, "annual_pay", f"role[{n + 1}].", source, issues),
                          bool(r.get("rotation", True))))
    if not roles:
        issues.append(Issue(source, "bad_tariff_value", "the tariff names no [[role]]", column="role"))
    if len({r.id for r in roles}) < len(roles):
        issues.append(Issue(source, "duplicate_id", "a role id appears twice", column="role"))
    sups = []
    for n, s in enumerate(data.get("supplement") or []):
        sid = str(s.get("id", ""))
        if sid not in SUPPLEMENTS:
            issues.append(Issue(source, "unknown_supplement", f"a supplement id is one of {', '.join(SUPPLEMENTS)}",
                                column=f"supplement[{n + 1}].id", value=sid))
        sups.append(Supplement(sid, _number(s, "rate", f"supplement[{n + 1}].", source, issues),
                               _number(s, "min_per_hour", f"supplement[{n + 1}].", source, issues)))
    if issues:
        raise CriteriaError(issues=issues, title="The tariff file has problems")
    return Tariff(str(data.get("version", "")), str(data.get("valid_from", "")), d_rot, d_day, tax, pension,
                  weeks, absence if absence == "unit" else float(absence), tuple(roles), tuple(sups),
                  source=source, text=text)


def load_tariff(path: str | Path | None = None) -> Tariff:
    """The tariff at ``path`` (default ``criteria/tariff.toml``)."""
    p = Path(path) if path else default_tariff_path()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CriteriaError(issues=[Issue(str(p), "unreadable_file", f"the tariff file cannot be read "
                                          f"({exc.strerror})")], title="The tariff file has problems") from None
    return parse_tariff(text, str(p))
