"""Deterministic generator of the demo trust and of national-scale test data.

The demo trust is modelled on the trust behind the seed documents: the eight divisions of the
budget-measure report (seed 004), about 150 units at every care level, 36 months (2022-10 …
2025-09, so the latest whole quarter is 2025Q3), the real 2024 measure rows of seed 004 replayed
month by month with realised effects, division results with the stated remaining challenges, and
staffing plans (GAT). Every number is drawn from a fixed seed, so ``python
fixtures/generate_demo.py`` rewrites ``fixtures/demo/`` byte for byte.

Magnitudes (per unit and month unless stated), chosen to look like Norwegian hospital units:

- size: wards 14–40 FTE, outpatient clinics 6–25, theatres 15–45, emergency 20–45, ambulance
  stations 10–30, diagnostics 8–35, day treatment 5–15, support 4–25 FTE;
- productivity per FTE-month (the activity measure of the care level): wards 5.5 DRG points,
  clinics 85 visits, day treatment 30 treatments, theatres 9 operations, emergency 42 admissions,
  ambulance 22 missions, diagnostics 260 examinations; unit effects ±8 %;
- pay: fixed pay about 58 kNOK per FTE-month; variable pay about 8 % of total pay (overtime 35 %
  of it, extra shifts 35 %, shift displacement 12 %, call-outs 8 %, other 10 %); agency cost about
  1 % of pay, 6–10 % for a few units short of doctors;
- sick leave about 7 % of possible days (21.7 possible days per FTE-month), higher in winter;
- turnover about 11 % a year (leavers per month ≈ headcount × 0.11 / 12; headcount ≈ 1.25 × FTE);
- seasonality: activity −30 % in July and −15 % in December, variable pay +45 % in July.

Planted truths (deficits in the last 12 months, so they show in 2025Q3 and in the trend) are
written to ``fixtures/demo_planted.json`` by :func:`planted` so tests can check that scoring
finds them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.demo_daily import generate_daily
from benchmark.demo_seed import CHALLENGE_2024, RESULT_MARCH_2024, SEED_2024
from benchmark.periods import month_from_index, month_index, month_range

SEED = 20251001
FIRST_MONTH, LAST_MONTH = "2022-10", "2025-09"
POSSIBLE_DAYS_PER_FTE = 21.7
PAY_PER_FTE = 58.0  # kNOK per FTE-month of fixed pay
DIVISIONS = ("Elverum-Hamar", "Gjøvik-Lillehammer", "Tynset", "Prehospitale tjenester",
             "Psykisk helsevern", "Medisinsk service", "Habilitering og rehabilitering",
             "Eiendom og internservice")

# care level -> (activity column, productivity per FTE-month, size range in FTE)
CARE = {
    "inpatient": ("drg_points", 5.5, (14, 40)),
    "outpatient": ("outpatient_visits", 85.0, (6, 25)),
    "day_treatment": ("day_treatments", 30.0, (5, 15)),
    "surgery": ("operations", 9.0, (15, 45)),
    "emergency": ("admissions", 42.0, (20, 45)),
    "prehospital": ("ambulance_missions", 22.0, (10, 30)),
    "diagnostics": ("examinations", 260.0, (8, 35)),
    "support": (None, 0.0, (4, 25)),
}
ACTIVITY_COLUMNS = ("drg_points", "outpatient_visits", "bed_days", "admissions", "day_treatments",
                    "operations", "ambulance_missions", "examinations")

# (division, department, specialty, [(care_level, count, name stem)])
STRUCTURE: list[tuple[str, str, str, list[tuple[str, int, str]]]] = [
    ("Elverum-Hamar", "Kirurgisk avdeling Hamar", "kirurgi", [("inpatient", 3, "Sengepost kirurgi"), ("outpatient", 2, "Kirurgisk poliklinikk"), ("surgery", 2, "Operasjon")]),
    ("Elverum-Hamar", "Indremedisin Hamar", "indremedisin", [("inpatient", 4, "Sengepost medisin"), ("outpatient", 2, "Medisinsk poliklinikk"), ("day_treatment", 1, "Dagbehandling medisin")]),
    ("Elverum-Hamar", "Indremedisin Elverum", "indremedisin", [("inpatient", 3, "Sengepost medisin"), ("outpatient", 2, "Poliklinikk lunge og hematologi")]),
    ("Elverum-Hamar", "Ortopedisk avdeling", "ortopedi", [("inpatient", 2, "Sengepost ortopedi"), ("surgery", 1, "Ortopedisk operasjon"), ("outpatient", 1, "Ortopedisk poliklinikk")]),
    ("Elverum-Hamar", "Øye avdeling Elverum", "øye", [("outpatient", 2, "Øyepoliklinikk"), ("day_treatment", 1, "Øye dagkirurgi")]),
    ("Elverum-Hamar", "Akuttmedisinsk avdeling EH", "akuttmedisin", [("emergency", 3, "Akuttmottak")]),
    ("Elverum-Hamar", "Kvinneklinikk Hamar", "gynekologi", [("inpatient", 2, "Føde og barsel"), ("outpatient", 1, "Gynekologisk poliklinikk"), ("surgery", 1, "Operasjon gynekologi")]),
    ("Gjøvik-Lillehammer", "Kirurgi GVK/ØNH", "kirurgi", [("inpatient", 3, "Sengepost kirurgi"), ("surgery", 2, "Operasjon"), ("outpatient", 2, "ØNH-poliklinikk")]),
    ("Gjøvik-Lillehammer", "Indremedisin", "indremedisin", [("inpatient", 4, "Sengepost medisin"), ("outpatient", 2, "Medisinsk poliklinikk"), ("day_treatment", 1, "Dagbehandling")]),
    ("Gjøvik-Lillehammer", "Ortopedi Lillehammer", "ortopedi", [("inpatient", 2, "Sengepost ortopedi"), ("surgery", 2, "Ortopedisk operasjon"), ("day_treatment", 1, "Dagkirurgi")]),
    ("Gjøvik-Lillehammer", "Indremedisin Lillehammer", "indremedisin", [("inpatient", 3, "Sengepost medisin"), ("outpatient", 2, "Medisinsk poliklinikk")]),
    ("Gjøvik-Lillehammer", "Gyn-Føde", "gynekologi", [("inpatient", 2, "Barsel og føde"), ("outpatient", 1, "Gynekologisk poliklinikk")]),
    ("Gjøvik-Lillehammer", "Nevrologi", "nevrologi", [("inpatient", 2, "Sengepost nevrologi"), ("outpatient", 1, "Nevrologisk poliklinikk")]),
    ("Gjøvik-Lillehammer", "Kreft/strålen", "onkologi", [("day_treatment", 2, "Cytostatika dagbehandling"), ("outpatient", 2, "Stråleterapi poliklinikk")]),
    ("Gjøvik-Lillehammer", "Akuttmedisin GL", "akuttmedisin", [("emergency", 3, "Akuttmottak")]),
    ("Tynset", "Kirurgisk avdeling Tynset", "kirurgi", [("inpatient", 1, "Sengepost kirurgi"), ("surgery", 1, "Operasjon"), ("outpatient", 1, "Poliklinikk")]),
    ("Tynset", "Overvåkningsenhet", "intensiv", [("inpatient", 1, "Overvåkning")]),
    ("Tynset", "Medisinsk avdeling Tynset", "indremedisin", [("inpatient", 1, "Sengepost medisin"), ("emergency", 1, "Akuttmottak")]),
    ("Prehospitale tjenester", "Ambulanse", "prehospital", [("prehospital", 10, "Ambulansestasjon")]),
    ("Prehospitale tjenester", "Ambulanse/AMK", "prehospital", [("prehospital", 2, "AMK-sentral")]),
    ("Prehospitale tjenester", "Pasientreiser/AMK", "prehospital", [("support", 1, "Pasientreiser")]),
    ("Psykisk helsevern", "DPS Hamar", "psykiatri", [("inpatient", 3, "DPS døgnpost"), ("outpatient", 3, "DPS poliklinikk")]),
    ("Psykisk helsevern", "Sykehuspsykiatri", "psykiatri", [("inpatient", 4, "Akuttpost psykiatri"), ("emergency", 1, "Psykiatrisk akuttmottak")]),
    ("Psykisk helsevern", "BUP", "barne- og ungdomspsykiatri", [("outpatient", 3, "BUP poliklinikk"), ("day_treatment", 2, "BUP dagbehandling")]),
    ("Psykisk helsevern", "DPS Gjøvik", "psykiatri", [("inpatient", 2, "DPS døgnpost"), ("outpatient", 3, "DPS poliklinikk")]),
    ("Medisinsk service", "Bildediagnostikk", "radiologi", [("diagnostics", 6, "Radiologi")]),
    ("Medisinsk service", "Avd. blodbank og med.biokjemi", "laboratoriemedisin", [("diagnostics", 4, "Laboratorium")]),
    ("Medisinsk service", "Patologi", "patologi", [("diagnostics", 2, "Patologi")]),
    ("Medisinsk service", "Nukleærmedisin", "nukleærmedisin", [("diagnostics", 2, "Nukleærmedisin")]),
    ("Habilitering og rehabilitering", "Fysikalsk medisin og rehabilitering", "rehabilitering", [("inpatient", 4, "Rehabiliteringspost"), ("outpatient", 2, "Poliklinikk rehabilitering"), ("day_treatment", 1, "Dagrehabilitering")]),
    ("Habilitering og rehabilitering", "Habilitering", "habilitering", [("outpatient", 3, "Habiliteringstjenesten")]),
    ("Eiendom og internservice", "Drift og vedlikehold", "drift", [("support", 5, "Drift")]),
    ("Eiendom og internservice", "Logistikk", "logistikk", [("support", 5, "Logistikk")]),
    ("Eiendom og internservice", "Kantine og service", "service", [("support", 3, "Kantine")]),
    ("Eiendom og internservice", "Stab", "stab", [("support", 3, "Stab")]),
]
# Wards outside somatics, appended after STRUCTURE with their own random stream (so the draws of
# the units above, and with them every other demo table, stay as they were). With the psychiatric
# wards of STRUCTURE the demo trust has 9 psychiatric, 8 rehabilitation and 8 intensive/
# overvåkning wards: full peer groups under [peers] min_size = 8.
EXTRA_STRUCTURE: list[tuple[str, str, str, list[tuple[str, int, str]]]] = [
    ("Elverum-Hamar", "Intensiv og overvåkning EH", "intensiv", [("inpatient", 4, "Intensiv/overvåkning")]),
    ("Gjøvik-Lillehammer", "Intensiv og overvåkning GL", "intensiv", [("inpatient", 3, "Intensiv/overvåkning")]),
    ("Habilitering og rehabilitering", "Rehabilitering Ottestad", "rehabilitering",
     [("inpatient", 4, "Rehabiliteringspost")]),
]
EXTRA_SEED = 20251002
# inpatient wards by service area: (DRG points, bed days) per FTE-month and size range in FTE.
# Psychiatric wards: many bed days, few DRG points (a 16-bed ward with ~40 FTE); rehabilitation:
# long stays, lean staffing; intensive/overvåkning: few beds, heavy staffing (8 beds, ~50 FTE).
# The size range stays the wards' 14–40 FTE, so the random draws (and every other demo table)
# are those of the earlier demo.
INPATIENT_AREA = {
    "somatic": (5.5, 9.5, (14, 40)),
    "mental_health": (0.9, 11.0, (14, 40)),
    "substance_abuse": (0.7, 14.0, (14, 40)),
    "rehabilitation": (1.6, 23.0, (14, 40)),
    "intensive": (3.4, 4.4, (14, 40)),
}

SITES = ("Hamar", "Elverum", "Gjøvik", "Lillehammer", "Tynset", "Kongsvinger", "Trysil", "Otta")


def _months(first: str = FIRST_MONTH, last: str = LAST_MONTH) -> tuple[str, ...]:
    return month_range(first, last)


def _demo_units(rng: np.random.Generator, structure=None) -> pd.DataFrame:
    rows = []
    for division, department, specialty, parts in (STRUCTURE if structure is None else structure):
        for care_level, count, stem in parts:
            for k in range(count):
                # one station per site, the first sites again (numbered 2) once they run out
                site = (SITES[k % len(SITES)] + (f" {k // len(SITES) + 1}" if k >= len(SITES) else "")
                        if care_level == "prehospital" else "")
                name = f"{stem} {site}".strip() if site else (f"{stem} {k + 1}" if count > 1 else stem)
                rows.append((division, department, care_level, specialty, f"{name} ({department})"
                             if care_level != "prehospital" else name))
    units = pd.DataFrame(rows, columns=["division", "department", "care_level", "specialty", "unit_name"])
    code = {d: f"D{i + 1}" for i, d in enumerate(DIVISIONS)}
    start = 0 if structure is None else sum(n for *_, parts in STRUCTURE for _, n, _ in parts)
    units.insert(0, "unit_id", [f"{code[d]}-{start + i + 1:03d}" for i, d in enumerate(units["division"])])
    return units


def _size_range(units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per unit the FTE size range of its care level (inpatient: of its service area)."""
    from benchmark.scoring.peergroups import derive_service_area

    area = derive_service_area(units).to_numpy()
    care = units["care_level"].to_numpy()
    lo = np.array([INPATIENT_AREA[a][2][0] if c == "inpatient" else CARE[c][2][0] for c, a in zip(care, area, strict=True)], float)
    hi = np.array([INPATIENT_AREA[a][2][1] if c == "inpatient" else CARE[c][2][1] for c, a in zip(care, area, strict=True)], float)
    return lo, hi


def _monthly(units: pd.DataFrame, months: tuple[str, ...], rng: np.random.Generator,
             effects: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Vectorised monthly rows for ``units`` (U) × ``months`` (M); arrays are shaped (U, M)."""
    from benchmark.scoring.peergroups import derive_service_area

    n_units, n_months = len(units), len(months)
    care = units["care_level"].to_numpy()
    area = derive_service_area(units).to_numpy()
    lo, hi = _size_range(units)
    size = units["size"].to_numpy(float) if "size" in units else lo + (hi - lo) * rng.random(n_units)
    inpatient = care == "inpatient"
    drg_rate = np.array([INPATIENT_AREA[a][0] for a in area])
    bed_rate = np.array([INPATIENT_AREA[a][1] for a in area])
    month_no = np.array([int(m[5:7]) for m in months])
    t = np.arange(n_months)
    season_act = np.where(month_no == 7, 0.70, np.where(month_no == 12, 0.85, 1.0))
    season_var = np.where(month_no == 7, 1.45, np.where(np.isin(month_no, (1, 2, 12)), 1.15, 1.0))
    season_sick = np.where(np.isin(month_no, (1, 2, 12)), 1.2, np.where(np.isin(month_no, (6, 7, 8)), 0.85, 1.0))
    eff = effects or {}

    def unit(name: str) -> np.ndarray:
        """A planted effect as a (U, M) multiplier (1 where nothing is planted)."""
        return eff.get(name, np.ones((n_units, n_months)))

    planned = np.round(size * 4) / 4
    # month-to-month noise falls with size (more staff average out more): CV ∝ 1/√FTE, 1 at 20 FTE
    noisy = np.sqrt(20.0 / np.maximum(size, 1.0))[:, None]
    fte = planned[:, None] * (1 + 0.03 * rng.standard_normal((n_units, n_months))) * (1 + 0.002 * t)
    fte *= np.where(month_no == 7, 0.93, 1.0) * unit("fte_factor")
    fte = np.maximum(fte, 0.5)
    prod = np.where(inpatient, drg_rate, np.array([CARE[c][1] for c in care])) * (1 + 0.08 * rng.standard_normal(n_units))
    activity = prod[:, None] * unit("productivity") * fte * season_act * (1 + 0.05 * noisy * rng.standard_normal((n_units, n_months)))
    pay_fixed = fte * PAY_PER_FTE * (1 + 0.02 * rng.standard_normal((n_units, n_months)))
    var_share = np.clip(0.08 + 0.02 * rng.standard_normal(n_units), 0.03, 0.15)[:, None] * unit("variable_pay")
    variable = pay_fixed * var_share / (1 - var_share) * season_var * (1 + 0.10 * noisy * rng.standard_normal((n_units, n_months)))
    variable = np.maximum(variable, 0)
    agency_share = np.where(rng.random(n_units) < 0.08, 0.06 + 0.04 * rng.random(n_units), 0.01 * rng.random(n_units))
    agency = (pay_fixed + variable) * agency_share[:, None] * np.abs(1 + 0.3 * noisy * rng.standard_normal((n_units, n_months)))
    possible = fte * POSSIBLE_DAYS_PER_FTE
    sick_rate = np.clip(0.07 + 0.012 * rng.standard_normal(n_units), 0.03, 0.12)[:, None] * unit("sick_leave")
    sick = possible * np.clip(sick_rate * season_sick * (1 + 0.12 * noisy * rng.standard_normal((n_units, n_months))), 0, 0.5)
    headcount = np.round(fte * 1.25)
    leavers = rng.poisson(np.maximum(headcount, 1) * 0.11 / 12)

    frame = {
        "unit_id": np.repeat(units["unit_id"].to_numpy(), n_months),
        "month": np.tile(np.array(months), n_units),
    }
    act_col = np.array([CARE[c][0] or "" for c in care])
    for column in ACTIVITY_COLUMNS:
        mask = (act_col == column)[:, None]
        values = np.where(mask, activity, 0.0)
        if column == "drg_points":  # outpatient and day treatment also earn some DRG points
            values = values + np.where(np.isin(care, ("outpatient", "day_treatment", "surgery"))[:, None],
                                       activity * 0.04, 0.0)
        if column == "bed_days":  # the ward's bed days follow its staffing and its own productivity
            values = np.where(inpatient[:, None], activity / drg_rate[:, None] * bed_rate[:, None], 0.0)
        frame[column] = values.ravel()
    beds = np.round(planned * bed_rate / 30.4 / 0.9)  # about 90 % occupancy
    frame["beds"] = np.where(inpatient[:, None], beds[:, None] + 0 * t, 0.0).ravel()
    frame["fte_worked"] = fte.ravel()
    frame["fte_contracted"] = (planned[:, None] * (0.97 + 0 * t)).ravel()
    frame["fte_planned"] = (planned[:, None] * unit("has_plan") + 0 * t).ravel()
    frame["fte_budget"] = (planned[:, None] * 0.98 + 0 * t).ravel()
    frame["pay_fixed"] = pay_fixed.ravel()
    shares = {"pay_overtime": 0.35, "pay_extra_shifts": 0.35, "pay_shift_displacement": 0.12,
              "pay_call_out": 0.08, "pay_other_variable": 0.10}
    for column, share in shares.items():
        frame[column] = (variable * share).ravel()
    frame["agency_cost"] = agency.ravel()
    frame["pay_budget"] = (planned[:, None] * PAY_PER_FTE * 1.07 + 0 * t).ravel()
    frame["variable_pay_budget"] = (planned[:, None] * PAY_PER_FTE * 0.07 + 0 * t).ravel()
    frame["sick_leave_days"] = sick.ravel()
    frame["possible_days"] = possible.ravel()
    frame["leavers"] = leavers.astype(float).ravel()
    frame["headcount"] = headcount.ravel()
    cost = pay_fixed + variable + agency + fte * 12.0
    frame["cost_total"] = cost.ravel()
    frame["cost_budget"] = (planned[:, None] * (PAY_PER_FTE * 1.07 + 12.0) + 0 * t).ravel()
    frame["revenue"] = (activity * 0.0 + fte * 25.0).ravel()
    frame["revenue_budget"] = (planned[:, None] * 25.0 + 0 * t).ravel()
    monthly = pd.DataFrame(frame)
    numeric = monthly.columns.drop(["unit_id", "month"])
    monthly[numeric] = monthly[numeric].round(3)
    monthly.loc[monthly["fte_planned"] == 0, "fte_planned"] = np.nan
    return monthly


# --- planted truths ---------------------------------------------------------------------------

PLANT_FROM = "2024-10"  # deficits apply to the last 12 months


def _pick(units: pd.DataFrame, care_level: str, n: int, skip: set[str], rng: np.random.Generator,
          min_size: float = 12.0) -> list[str]:
    pool = units[(units["care_level"] == care_level) & (units["size"] >= min_size)
                 & ~units["unit_id"].isin(skip)]["unit_id"].to_list()
    chosen = list(rng.choice(pool, size=n, replace=False))
    skip.update(chosen)
    return [str(c) for c in chosen]


def _plant(units: pd.DataFrame, months: tuple[str, ...], rng: np.random.Generator):
    """Choose planted units and build their (U, M) effect multipliers."""
    n_units, n_months = len(units), len(months)
    late = np.array([m >= PLANT_FROM for m in months])
    index = {u: i for i, u in enumerate(units["unit_id"])}
    effects = {k: np.ones((n_units, n_months)) for k in ("productivity", "variable_pay", "sick_leave",
                                                          "has_plan", "fte_factor")}
    skip: set[str] = set()
    truths = []
    for uid in _pick(units, "inpatient", 1, skip, rng) + _pick(units, "outpatient", 1, skip, rng):
        effects["productivity"][index[uid], late] = 0.70
        truths.append({"unit_id": uid, "criterion": "activity_per_fte", "expected": "below",
                       "magnitude": "30 % lower activity per FTE than own level before 2024-10",
                       "why": "planted low productivity: same staffing, less activity"})
    for uid in _pick(units, "inpatient", 1, skip, rng) + _pick(units, "emergency", 1, skip, rng):
        effects["variable_pay"][index[uid], late] = 2.3
        truths.append({"unit_id": uid, "criterion": "variable_pay_share", "expected": "above",
                       "magnitude": "variable pay 2.3 × the unit's normal level",
                       "why": "planted high variable pay (overtime and extra shifts)"})
    for uid in _pick(units, "inpatient", 1, skip, rng) + _pick(units, "prehospital", 1, skip, rng):
        effects["sick_leave"][index[uid], late] = 2.0
        truths.append({"unit_id": uid, "criterion": "sick_leave_rate", "expected": "above",
                       "magnitude": "sick leave about 14 % instead of about 7 %",
                       "why": "planted high sick leave"})
    no_plan = _pick(units, "outpatient", 1, skip, rng)[0]
    effects["has_plan"][index[no_plan], :] = 0.0
    small = units[(units["care_level"] == "inpatient") & ~units["unit_id"].isin(skip)]["unit_id"].iloc[-1]
    skip.add(small)
    ordinary = units[(units["care_level"].isin(["inpatient", "outpatient", "surgery"]))
                     & ~units["unit_id"].isin(skip)]["unit_id"].iloc[::7].head(6).to_list()
    return effects, truths, no_plan, small, ordinary


# --- measures, results, staffing plans --------------------------------------------------------

RISK_RATE = {"Lav": 0.9, "Middels": 0.6, "Høy": 0.3}
WEAK_DIVISION = "Prehospitale tjenester"
TEXT_START = {"andre halvår": 7, "senere i året": 9, "første halvår": 1}


def _start_month(start: str, year: int) -> int:
    if start[:2].isdigit():
        return int(start[3:5])
    return TEXT_START.get(start.strip().lower(), 7)


def _measure_rows(rng: np.random.Generator, year: int, base: list[tuple], last_month: int) -> list[dict]:
    rows = []
    for n, (division, kind, department, description, progress, fte, start, effect, risk) in enumerate(base):
        key = f"{year}|{division}|{department}|{description}|{risk}|{n}"
        measure_id = f"M{year}-" + hashlib.sha1(key.encode()).hexdigest()[:8]
        rate = RISK_RATE[risk] * (0.25 if division == WEAK_DIVISION else 1.0)
        rate = float(np.clip(rate + 0.15 * rng.standard_normal(), 0.0, 1.05))
        start_m = _start_month(start, year)
        for month in range(1, last_month + 1):
            share = max(0, month - start_m + 1) / 12
            realised = round(effect * share * rate, 1) if progress != "Ikke startet" or month > 6 else 0.0
            state = progress
            if progress == "Pågår" and month >= 11 and rate > 0.85:
                state = "Fullført"
            if progress == "Ikke startet" and month > 6:
                state = "Forsinket"
            expected = effect * share * RISK_RATE[risk]
            ratio = realised / expected if expected > 0 else 1.0
            status = "grønn" if ratio >= 0.8 else ("gul" if ratio >= 0.5 else "rød")
            rows.append({
                "measure_id": measure_id, "report_month": f"{year}-{month:02d}", "division": division,
                "department": department, "unit_id": "", "kind": kind, "description": description,
                "progress": state, "fte_reduction_planned": fte, "start": start,
                "effect_planned": float(effect), "risk": risk, "status": status,
                "effect_realised": realised,
            })
    return rows


def _measures_2025(rng: np.random.Generator) -> list[tuple]:
    themes = [("cost", "Flere avdelinger", "Redusere variabel lønn", "Høy"),
              ("cost", "Flere avdelinger", "Redusere innleie fra vikarbyrå", "Middels"),
              ("cost", "Flere avdelinger", "Redusert sykefravær", "Høy"),
              ("income", "Flere avdelinger", "Økt poliklinisk aktivitet", "Lav"),
              ("cost", "Divisjonsledelse", "Bemanning etter bemanningsplan (GAT)", "Middels")]
    base = []
    for division in DIVISIONS:
        for kind, department, description, risk in themes:
            effect = float(np.round(rng.uniform(500, 6000) / 50) * 50)
            fte = float(np.round(rng.uniform(0, 4), 1)) if kind == "cost" else None
            base.append((division, kind, department, description, "Pågår", fte, "01.01.2025", effect, risk))
    return base


def _oddities(measures: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Data-quality problems a controller would flag, planted on purpose and recorded."""
    m = measures.copy()
    notes = []
    turnover = (m["description"] == "Reduksjons turnover 1%") & (m["report_month"] >= "2024-06")
    m.loc[turnover, "effect_planned"] = 6500.0
    notes.append({"rule": "planned_effect_changed", "description": "Reduksjons turnover 1%",
                  "change": "8 500 → 6 500 kNOK from 2024-06"})
    red_done = (m["description"] == "Felles kontorleder på tvers av geografi") & (m["report_month"] == "2024-03")
    m.loc[red_done, "status"] = "rød"
    notes.append({"rule": "completed_but_red", "description": "Felles kontorleder på tvers av geografi",
                  "report_month": "2024-03"})
    over = (m["description"] == "Redusert antall fristbrudd") & (m["report_month"] == "2024-12")
    m.loc[over, "effect_realised"] = 7200.0
    notes.append({"rule": "realised_above_planned", "description": "Redusert antall fristbrudd",
                  "report_month": "2024-12"})
    notes.append({"rule": "blank_progress", "description": "Bedret logistikk og redusert svinn AMD medikamenter",
                  "why": "blank in the seed's own sheet"})
    return m, notes


def _division_results(months: tuple[str, ...], rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for division in DIVISIONS:
        march = RESULT_MARCH_2024.get(division, 0)
        for month in months:
            year = int(month[:4])
            if year == 2024 and month <= "2024-03":
                result = march / 3
            else:
                result = march / 3 * 0.6 + 800 * rng.standard_normal()
            challenge = CHALLENGE_2024.get(division, 0) if year == 2024 else (
                round(CHALLENGE_2024.get(division, 0) * 0.6) if year == 2025 else 0)
            rows.append({"division": division, "month": month, "result": round(result, 1),
                         "result_budget": 0.0, "remaining_challenge": float(challenge)})
    return pd.DataFrame(rows)


ROLES = (("sykepleier", 0.45, 640.0), ("spesialsykepleier", 0.15, 720.0), ("helsefagarbeider", 0.2, 560.0),
         ("lege", 0.12, 1150.0), ("merkantil", 0.08, 540.0))


def _staffing_plans(units: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    planned = monthly.groupby("unit_id", sort=False)["fte_planned"].max().dropna()
    rows = []
    for unit_id, total in planned.items():
        for role, share, cost in ROLES:
            fte_role = round(total * share, 2)
            rows.append({"unit_id": unit_id, "plan_id": f"GAT-{unit_id}", "valid_from": "2022-10-01",
                         "valid_to": "2025-12-31", "role": role, "fte": fte_role,
                         "annual_cost": round(fte_role * cost, 1)})
    return pd.DataFrame(rows)


# --- public API -------------------------------------------------------------------------------


def generate_demo() -> tuple[dict[str, pd.DataFrame], dict]:
    """The demo trust's tables (SPEC §3) and the planted truths, deterministically."""
    rng = np.random.default_rng(SEED)
    months = _months()
    units = _demo_units(rng)
    lo, hi = _size_range(units)
    units["size"] = np.round(lo + (hi - lo) * rng.random(len(units)), 1)
    effects, truths, no_plan, small, ordinary = _plant(units, months, rng)
    units.loc[units["unit_id"] == small, "size"] = 2.5
    monthly = _monthly(units, months, rng, effects)
    extra_rng = np.random.default_rng(EXTRA_SEED)
    extra = _demo_units(extra_rng, EXTRA_STRUCTURE)
    elo, ehi = _size_range(extra)
    extra["size"] = np.round(elo + (ehi - elo) * extra_rng.random(len(extra)), 1)
    monthly = pd.concat([monthly, _monthly(extra, months, extra_rng)], ignore_index=True)
    units = pd.concat([units, extra], ignore_index=True)
    # one unit opened and one closed during the 36 months
    opened = units[units["care_level"] == "day_treatment"]["unit_id"].iloc[-1]
    closed = units[units["care_level"] == "support"]["unit_id"].iloc[0]
    units["active_from"], units["active_to"] = "", ""
    units.loc[units["unit_id"] == opened, "active_from"] = "2023-09-01"
    units.loc[units["unit_id"] == closed, "active_to"] = "2024-06-30"
    keep = ~(((monthly["unit_id"] == opened) & (monthly["month"] < "2023-09"))
             | ((monthly["unit_id"] == closed) & (monthly["month"] > "2024-06")))
    monthly = monthly[keep].reset_index(drop=True)
    from benchmark.scoring.peergroups import derive_service_area

    # service area written out, except for the habilitation clinics, left blank to show the
    # derivation from specialty (SPEC §3)
    units["service_area"] = derive_service_area(units).where(units["specialty"] != "habilitering", "")
    units["headcount"] = np.round(units["size"] * 1.25)
    units = units.drop(columns="size")
    units["peer_group"] = ""

    measures = pd.DataFrame(_measure_rows(rng, 2024, SEED_2024, 12)
                            + _measure_rows(rng, 2025, _measures_2025(rng), 9))
    measures, oddities = _oddities(measures)
    measures = measures.sort_values(["report_month", "measure_id"]).reset_index(drop=True)
    results = _division_results(months, rng)
    plans = _staffing_plans(units, monthly)
    tables = {"units": units, "monthly": monthly, "measures": measures,
              "division_results": results, "staffing_plans": plans}
    tables["daily"] = generate_daily(units, monthly)  # its own seeded generator (benchmark/demo_daily.py)
    planted = {
        "period": "2025Q3",
        "level": "unit",
        "deficits": truths,
        "small_unit": {"unit_id": small, "why": "2.5 FTE: its raw values are noisy and should be shrunk"},
        "no_staffing_plan": {"unit_id": no_plan, "criterion": "staffing_vs_plan",
                             "why": "no fte_planned, so staffing_vs_plan is not scored"},
        "weak_measures_division": {"division": WEAK_DIVISION, "why": "realises about a quarter of "
                                   "what the risk assessment promises (seed 004: no effect so far)"},
        "measure_oddities": oddities,
        "ordinary_units": ordinary,
        "opened": {"unit_id": opened, "active_from": "2023-09-01"},
        "closed": {"unit_id": closed, "active_to": "2024-06-30"},
    }
    return tables, planted


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def write_demo(folder: str | Path, planted_path: str | Path | None = None) -> Path:
    """Write the demo trust as a CSV folder (and the planted truths as JSON)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables, planted = generate_demo()
    for name, frame in tables.items():
        _csv(frame, folder / f"{name}.csv")
    __import__("benchmark.demo_plan").demo_plan.write_plan_tables(folder, tables)  # GAT tables (issue 15)
    if planted_path is not None:
        Path(planted_path).write_text(json.dumps(planted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


def generate_national(n_units: int, n_months: int = 36, seed: int = 1) -> dict[str, pd.DataFrame]:
    """Synthetic units and monthly tables at national scale (vectorised; a few seconds at 28 000)."""
    rng = np.random.default_rng(seed)
    levels = np.array(list(CARE))
    weights = np.array([0.30, 0.22, 0.08, 0.08, 0.05, 0.07, 0.08, 0.12])
    care = rng.choice(levels, size=n_units, p=weights)
    n_div = max(8, n_units // 150)
    division = np.array([f"Divisjon {i + 1:03d}" for i in rng.integers(0, n_div, n_units)])
    department = np.char.add(np.char.add(division, " avd "), rng.integers(1, 8, n_units).astype(str))
    ids = np.char.add("U", np.char.zfill(np.arange(1, n_units + 1).astype(str), 6))
    lo = np.array([CARE[c][2][0] for c in care], float)
    hi = np.array([CARE[c][2][1] for c in care], float)
    units = pd.DataFrame({"unit_id": ids, "unit_name": np.char.add("Enhet ", ids), "division": division,
                          "department": department, "care_level": care, "specialty": "",
                          "size": np.round(lo + (hi - lo) * rng.random(n_units), 1)})
    last = month_index(LAST_MONTH)
    months = tuple(month_from_index(i) for i in range(last - n_months + 1, last + 1))
    monthly = _monthly(units, months, rng)
    return {"units": units.drop(columns="size"), "monthly": monthly}
