"""What the beds mean for staffing: care hours per patient day (pleietimer per liggedøgn).

Each ward's own care hours per patient day (CHPPD, the NHS's measure of ward staffing, NHS
Improvement 2016) over the last 12 months of ``monthly``: worked hours / bed-days, with worked
hours = ``fte_worked`` × ``HOURS_PER_FTE_MONTH``. The week's expected care hours are then the
expected patient days × CHPPD, and the FTE that covers them is care hours / ``HOURS_PER_FTE_WEEK``.
Staffing therefore follows the forecast census, not the beds: empty beds need no nurses, but a
week planned for more patients needs more hours — which is what the plan shows.
"""

from __future__ import annotations

import pandas as pd

HOURS_PER_FTE_WEEK = 37.5  # full-time week in Norwegian hospitals (AML § 10-4, day work)
HOURS_PER_FTE_MONTH = HOURS_PER_FTE_WEEK * 52 / 12  # 162.5 h: 1 950 h a year, the årsverk convention
MONTHS = 12


def care_hours_per_patient_day(monthly: pd.DataFrame, before_month: str) -> pd.Series:
    """CHPPD per unit over its last 12 months before ``before_month`` (sums, then divide)."""
    if "bed_days" not in monthly or "fte_worked" not in monthly:
        return pd.Series(dtype=float)
    m = monthly[(monthly["month"] < before_month) & (monthly["bed_days"] > 0)]
    m = m.sort_values(["unit_id", "month"]).groupby("unit_id").tail(MONTHS)
    sums = m.groupby("unit_id")[["fte_worked", "bed_days"]].sum()
    return (sums["fte_worked"] * HOURS_PER_FTE_MONTH / sums["bed_days"]).rename("care_hours_per_patient_day")


def add_staffing(plan: pd.DataFrame, chppd: pd.Series) -> pd.DataFrame:
    """``plan`` with care_hours_per_patient_day, care_hours_expected and fte_expected per week."""
    out = plan.copy()
    out["care_hours_per_patient_day"] = out["unit_id"].map(chppd).astype(float)
    patient_days = out["census_mean"].where(~out["closed"], 0.0)  # open weeks include patients moved in
    out["care_hours_expected"] = patient_days * out["days"] * out["care_hours_per_patient_day"]
    out["fte_expected"] = out["care_hours_expected"] / (HOURS_PER_FTE_WEEK * out["days"] / 7)
    return out
