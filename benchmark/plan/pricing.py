"""Price the precomputed hours of every unit, role and month with a tariff (SPEC §11).

Per row of the hours table (unit × role × month):

- base pay = annual pay × position-days ÷ days of the year (a position is paid by its percentage
  for every day it exists, whatever it works that day);
- hourly pay = annual pay ÷ divisor (rotation or day, by the role);
- each supplement per hour = max(rate × hourly pay, min_per_hour), times the hours in its category;
- social costs = (employer tax + pension) × (base pay + supplements);
- cover = (vacation weeks ÷ 52 + absence rate) × (base pay + supplements + social costs): the
  shifts of staff on vacation or absent are worked by others at the same cost.

Re-pricing is a few numpy operations on arrays laid out once (:class:`HoursLayout`), so the plan
app can change a rate and show the new gap at once (no new roll-out, no pandas grouping).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmark.plan.tariff import Tariff

COST_COLUMNS = ("cost_base", "cost_evening_night", "cost_weekend", "cost_holiday", "cost_social",
                "cost_cover", "cost_total")


@dataclass(frozen=True)
class HoursLayout:
    """The hours table as arrays, with the row → (unit, month) cell of the staffing budget."""

    roles: tuple[str, ...]
    role: np.ndarray  # role code per row
    unit: np.ndarray  # unit index per row (into the plan's units)
    cell: np.ndarray  # staffing-budget row per hours row
    cells: pd.DataFrame  # unit_id, month of each staffing-budget row
    cell_unit: np.ndarray
    columns: dict  # fte_days, hours, evening_night, weekend, holiday, fixed_pay, from_rota, days_in_month
    absence: np.ndarray  # the unit's own sick-leave rate per row


def layout(hours: pd.DataFrame, unit_ids: pd.Index, absence: pd.Series, year: int) -> HoursLayout:
    from benchmark.plan.hours_table import days_in_months

    role_codes, roles = pd.factorize(hours["role"].astype(str))
    unit = unit_ids.get_indexer(hours["unit_id"])
    month = hours["month"].str[5:7].astype(int).to_numpy() - 1 if len(hours) else np.zeros(0, int)
    key = unit.astype(np.int64) * 12 + month
    uniq, cell = np.unique(key, return_inverse=True)
    cells = pd.DataFrame({"unit_id": unit_ids[uniq // 12], "month": [f"{year}-{m + 1:02d}" for m in uniq % 12]})
    cols = {k: hours[k].to_numpy(float) for k in ("fte_days", "hours", "evening_night", "weekend", "holiday",
                                                  "fixed_pay")}
    cols["from_rota"] = hours["from_rota"].to_numpy(bool)
    cols["days_in_month"] = days_in_months(year)[month].astype(float)
    rate = hours["unit_id"].map(absence).fillna(float(absence.attrs.get("trust", 0.0))).to_numpy(float) \
        if len(absence) else np.zeros(len(hours))
    return HoursLayout(tuple(roles), role_codes, unit, cell.ravel(), cells, (uniq // 12).astype(np.int64), cols, rate)


def supplement_per_hour(tariff: Tariff, hourly: np.ndarray, sid: str) -> np.ndarray:
    s = tariff.supplement(sid)
    return np.maximum(s.rate * hourly, s.min_per_hour)


def price(lay: HoursLayout, tariff: Tariff, days_in_year: int) -> dict[str, np.ndarray]:
    """Cost arrays (kNOK) per row of the hours table."""
    by_id = {r.id: r for r in tariff.roles}
    annual_r = np.array([by_id[r].annual_pay if r in by_id else 0.0 for r in lay.roles])
    divisor_r = np.array([(tariff.divisor_rotation if by_id[r].rotation else tariff.divisor_day)
                          if r in by_id else 1.0 for r in lay.roles])
    annual = annual_r[lay.role] if len(lay.roles) else np.zeros(len(lay.role))
    hourly = annual / (divisor_r[lay.role] if len(lay.roles) else 1.0)
    c = lay.columns
    out = {"cost_base": annual * np.where(c["from_rota"], c["fte_days"], 0.0) / days_in_year + c["fixed_pay"]}
    for sid in ("evening_night", "weekend", "holiday"):
        out[f"cost_{sid}"] = np.where(c[sid] > 0, supplement_per_hour(tariff, hourly, sid) * c[sid], 0.0)
    pay = out["cost_base"] + out["cost_evening_night"] + out["cost_weekend"] + out["cost_holiday"]
    out["cost_social"] = tariff.social_rate * pay
    absence = lay.absence if tariff.absence == "unit" else np.full(len(pay), float(tariff.absence))
    out["cost_cover"] = (tariff.vacation_weeks / 52.0 + absence) * (pay + out["cost_social"])
    out["cost_total"] = pay + out["cost_social"] + out["cost_cover"]
    out["fte_plan"] = c["fte_days"] / c["days_in_month"]
    out["hours"] = c["hours"]
    return out
