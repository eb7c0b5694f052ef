"""Budget measures (tiltak) against their assessed risk (SPEC §5).

For the period's report month (the latest ``report_month`` ≤ the period's last month, in the same
budget year):

- expected to date = planned yearly effect × share of the year since the measure's start
  (months from the start month to the report month, inclusive, ÷ 12; zero before the start);
- risk-adjusted = planned effect × the risk class's realisation probability (catalogue
  ``risk_probabilities``; defaults low 0.9, medium 0.6, high 0.3), and likewise to date;
- realisation vs risk = realised ÷ risk-adjusted expected to date (NaN, never inf, when nothing
  was expected yet);
- high-risk share = planned effect rated high ÷ all planned effect;
- delayed or not started = progress ``delayed``, or ``not_started`` after the start month;
- risk-adjusted coverage = risk-adjusted effect ÷ the year's remaining challenge (restutfordring).

Rolled up per division (``department == ""``) and per division and department, by sums.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from benchmark.periods import Period

TEXT_STARTS = {  # imprecise starts, mapped to a month of the budget year (documented in docs/METHODS.md)
    "første halvår": 1, "1. halvår": 1, "våren": 3, "vår": 3, "sommeren": 6, "andre halvår": 7,
    "2. halvår": 7, "høsten": 9, "høst": 9, "senere i året": 9, "i løpet av året": 7, "årsskiftet": 12,
}
DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
ISO = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?")

COLUMNS = ["level", "division", "department", "report_month", "n_measures", "effect_planned",
           "effect_risk_adjusted", "effect_expected_to_date", "effect_risk_adjusted_to_date", "effect_realised",
           "realisation_vs_risk", "high_risk_share", "n_delayed_or_not_started", "n_unknown_progress",
           "remaining_challenge", "risk_adjusted_coverage"]


def start_month(start: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(month number 1–12 of the start within its year, imprecise flag) from dates or text."""
    text = start.fillna("").astype(str).str.strip()
    month = pd.Series(np.nan, index=start.index)
    d = text.str.extract(DATE)
    month = month.where(d[1].isna(), pd.to_numeric(d[1], errors="coerce"))
    iso = text.str.extract(ISO)
    month = month.where(iso[1].isna() | month.notna(), pd.to_numeric(iso[1], errors="coerce"))
    mapped = text.str.lower().map(TEXT_STARTS)
    imprecise = month.isna()
    month = month.fillna(mapped).fillna(1.0)  # unknown text: from January (conservative: expects most)
    return month.astype(int), imprecise


def report_month_for(measures: pd.DataFrame, period: Period) -> str | None:
    year = period.last[:4]
    months = measures["report_month"]
    eligible = months[(months <= period.last) & (months.str[:4] == year)]
    return None if eligible.empty else str(eligible.max())


def measure_status(measures: pd.DataFrame, period: Period, risk_probabilities) -> pd.DataFrame:
    """Per measure at the period's report month: expected, risk-adjusted, delayed (vectorised)."""
    month = report_month_for(measures, period)
    if month is None:
        return measures.iloc[0:0].copy()
    m = measures[measures["report_month"] == month].copy()
    report_m = int(month[5:7])
    m["start_month"], m["start_imprecise"] = start_month(m["start"])
    elapsed = (report_m - m["start_month"] + 1).clip(lower=0, upper=12)
    prob = m["risk"].map({k: float(v) for k, v in risk_probabilities.items()}).fillna(0.0)
    m["probability"] = prob
    m["effect_expected_to_date"] = m["effect_planned"] * elapsed / 12
    m["effect_risk_adjusted"] = m["effect_planned"] * prob
    m["effect_risk_adjusted_to_date"] = m["effect_expected_to_date"] * prob
    m["effect_realised"] = m["effect_realised"].fillna(0.0) if "effect_realised" in m else 0.0
    m["delayed_or_not_started"] = (m["progress"] == "delayed") | (
        (m["progress"] == "not_started") & (m["start_month"] <= report_m))
    m["high_risk_planned"] = m["effect_planned"].where(m["risk"] == "high", 0.0)
    return m


def _challenge(division_results: pd.DataFrame | None, month: str) -> pd.Series:
    if division_results is None or division_results.empty:
        return pd.Series(dtype=float)
    d = division_results[(division_results["month"].str[:4] == month[:4]) & (division_results["month"] <= month)]
    latest = d.sort_values("month").groupby("division")["remaining_challenge"].last()
    return latest.astype(float)


def realisation(measures: pd.DataFrame, division_results: pd.DataFrame | None, period: Period,
                risk_probabilities) -> pd.DataFrame:
    """Realisation against risk per division and per (division, department) (SPEC §6 measures.csv)."""
    status = measure_status(measures, period, risk_probabilities)
    if status.empty:
        return pd.DataFrame(columns=COLUMNS)
    month = str(status["report_month"].iloc[0])
    sums = ["effect_planned", "effect_risk_adjusted", "effect_expected_to_date", "effect_risk_adjusted_to_date",
            "effect_realised", "high_risk_planned"]
    status = status.assign(unknown=(status["progress"] == "unknown"), n=1)
    frames = []
    for level, keys in (("division", ["division"]), ("department", ["division", "department"])):
        g = status.groupby(keys, sort=True)
        part = g[sums].sum()
        part["n_measures"] = g["n"].sum()
        part["n_delayed_or_not_started"] = g["delayed_or_not_started"].sum()
        part["n_unknown_progress"] = g["unknown"].sum()
        part = part.reset_index()
        if level == "division":
            part["department"] = ""
        part["level"] = level
        frames.append(part)
    out = pd.concat(frames, ignore_index=True)
    out["report_month"] = month
    expected = out["effect_risk_adjusted_to_date"]
    out["realisation_vs_risk"] = out["effect_realised"] / expected.where(expected > 0)
    out["high_risk_share"] = out["high_risk_planned"] / out["effect_planned"].where(out["effect_planned"] != 0)
    challenge = _challenge(division_results, month)
    out["remaining_challenge"] = np.where(out["level"] == "division", out["division"].map(challenge), np.nan)
    out["risk_adjusted_coverage"] = out["effect_risk_adjusted"] / out["remaining_challenge"].where(
        out["remaining_challenge"] > 0)
    return out[COLUMNS].sort_values(["division", "level", "department"], ascending=[True, False, True]).reset_index(drop=True)
