"""The input data contract (SPEC §3), declared once: tables, columns, types, ranges, keys.

Everything else — the readers' parsing, the pandera schemas, the catalogue's check that criteria
only reference known columns, the docs — is derived from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from benchmark.vocabulary import CareLevel, MeasureKind, Progress, Risk, ServiceArea, Status


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "str" | "number" | "month" | "date" | "category" | "text_or_date"
    required: bool = True
    min: float | None = None  # inclusive lower bound for numbers
    vocabulary: type[StrEnum] | None = None
    meaning: str = ""


def _num(name: str, required: bool = True, min: float | None = 0.0, meaning: str = "") -> Column:
    return Column(name, "number", required, min, None, meaning)


ACTIVITY = ("drg_points", "outpatient_visits", "bed_days", "admissions", "day_treatments",
            "operations", "ambulance_missions", "examinations")
VARIABLE_PAY = ("pay_overtime", "pay_extra_shifts", "pay_shift_displacement", "pay_call_out",
                "pay_other_variable")

TABLES: dict[str, tuple[Column, ...]] = {
    "units": (
        Column("unit_id", "str", meaning="stable id"),
        Column("unit_name", "str", meaning="display name"),
        Column("division", "str", meaning="divisjon / klinikk"),
        Column("department", "str", meaning="avdeling"),
        Column("care_level", "category", vocabulary=CareLevel, meaning="omsorgsnivå"),
        Column("specialty", "str", required=False, meaning="fagområde"),
        Column("service_area", "category", required=False, vocabulary=ServiceArea,
               meaning="tjenesteområde; blank: derived from specialty (benchmark/scoring/peergroups.py)"),
        _num("headcount", required=False, meaning="ansatte i enheten (skjerming når monthly.headcount mangler)"),
        Column("peer_group", "str", required=False, meaning="overrides the derived peer group"),
        Column("active_from", "date", required=False),
        Column("active_to", "date", required=False),
    ),
    "monthly": (
        Column("unit_id", "str"),
        Column("month", "month"),
        _num("drg_points"),
        *(_num(c, required=False) for c in ACTIVITY[1:]),
        _num("beds", required=False),
        _num("fte_worked", meaning="utførte årsverk"),
        _num("fte_contracted", meaning="avtalte årsverk"),
        _num("fte_planned", required=False, meaning="årsverk i bemanningsplan (GAT)"),
        _num("fte_budget", required=False),
        _num("pay_fixed", meaning="fastlønn, kNOK"),
        *(_num(c) for c in VARIABLE_PAY),
        _num("agency_cost", meaning="innleie, kNOK"),
        _num("pay_budget", required=False),
        _num("variable_pay_budget", required=False),
        _num("sick_leave_days"),
        _num("possible_days"),
        _num("leavers", required=False),
        _num("headcount", required=False),
        _num("cost_total", required=False, min=None),
        _num("cost_budget", required=False, min=None),
        _num("revenue", required=False, min=None),
        _num("revenue_budget", required=False, min=None),
    ),
    "measures": (
        Column("measure_id", "str"),
        Column("report_month", "month"),
        Column("division", "str"),
        Column("department", "str"),
        Column("unit_id", "str", required=False),
        Column("kind", "category", vocabulary=MeasureKind),
        Column("description", "str"),
        Column("progress", "category", vocabulary=Progress),
        _num("fte_reduction_planned", required=False, min=None),
        Column("start", "text_or_date"),
        _num("effect_planned", min=None),
        Column("risk", "category", vocabulary=Risk),
        Column("status", "category", required=False, vocabulary=Status),
        _num("effect_realised", required=False, min=None),
    ),
    "division_results": (
        Column("division", "str"),
        Column("month", "month"),
        _num("result", min=None),
        _num("result_budget", min=None),
        _num("remaining_challenge", min=None),
    ),
    "staffing_plans": (
        Column("unit_id", "str"),
        Column("plan_id", "str"),
        Column("valid_from", "date"),
        Column("valid_to", "date"),
        Column("role", "str"),
        _num("fte"),
        _num("annual_cost", required=False),
    ),
    # staffing budget from GAT (SPEC §3, §11); times, booleans and shift categories are checked
    # by benchmark/plan/rules.py, which also checks codes against shift_codes and plan validity
    "rota": (
        Column("unit_id", "str"),
        Column("plan_id", "str"),
        Column("position_id", "str", meaning="pseudonymous position (turnuslinje)"),
        Column("role", "str", meaning="stilling, as in criteria/tariff.toml"),
        _num("position_pct", meaning="stillingsprosent, in per cent (100 = full time)"),
        Column("date", "date", required=False, meaning="the day (kalenderplan/årsturnus)"),
        _num("rota_week", required=False, min=1, meaning="week of the base rotation (grunnturnus)"),
        _num("weekday", required=False, min=1, meaning="1 = Monday … 7 = Sunday"),
        _num("rota_weeks", required=False, min=1, meaning="length of the base rotation in weeks"),
        Column("shift_code", "str", meaning="vaktkode"),
    ),
    "shift_codes": (
        Column("shift_code", "str"),
        Column("start", "str", required=False, meaning="HH:MM"),
        Column("end", "str", required=False, meaning="HH:MM; before the start runs past midnight"),
        _num("break_minutes", required=False),
        Column("counts_as_work", "str", meaning="true/false (ja/nei)"),
        Column("category", "str", meaning="day, evening, night, off, absence, leave"),
    ),
    "frames": (
        _num("year", min=1900),
        Column("division", "str"),
        Column("department", "str", required=False),
        Column("unit_id", "str", required=False),
        _num("pay_frame", min=None, meaning="lønnsramme, kNOK"),
        _num("fte_frame", required=False),
    ),
    "activity_plans": (
        Column("unit_id", "str"),
        Column("month", "month"),
        *(_num(c, required=False) for c in ACTIVITY),
    ),
    "daily": (
        Column("unit_id", "str"),
        Column("date", "date"),
        _num("census", meaning="patients present at 23:59 (belegg)"),
        _num("admissions", required=False, meaning="innleggelser"),
        _num("discharges", required=False, meaning="utskrivninger"),
        _num("beds_open", required=False, meaning="driftede senger"),
    ),
}

REQUIRED_TABLES = ("units", "monthly")
KEYS = {
    "units": ("unit_id",),
    "monthly": ("unit_id", "month"),
    "measures": ("measure_id", "report_month"),
    "division_results": ("division", "month"),
    "shift_codes": ("shift_code",),
    "activity_plans": ("unit_id", "month"),
    "daily": ("unit_id", "date"),
}

# Text (not numbers) that may be blank without a problem
OPTIONAL_BLANK = {("measures", "description"), ("measures", "department"), ("measures", "progress"),
                  ("frames", "department"), ("frames", "unit_id")}


def columns(table: str) -> dict[str, Column]:
    return {c.name: c for c in TABLES[table]}


def monthly_numeric_columns() -> tuple[str, ...]:
    """Numeric monthly columns of the contract (criteria may reference these)."""
    return tuple(c.name for c in TABLES["monthly"] if c.kind == "number")
