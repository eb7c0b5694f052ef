"""Price the precomputed hours of every unit, role and month with a tariff (SPEC §11).

Per row of the hours table (unit × role × month):

- base pay = annual pay × position-days ÷ days of the year (a position is paid by its percentage
  for every day it exists, whatever it works that day);
- hourly pay = annual pay ÷ divisor (rotation or day, by the role);
- each supplement per hour = max(rate × hourly pay, min_per_hour), times the hours in its category;
- social costs = (employer tax + pension) × (base pay + supplements);
- cover = (vacation weeks ÷ 52 + absence rate) × (base pay + supplements + social costs): the
  shifts of staff on vacation or absent are worked by others at the same cost.

Re-pricing is a few vectorised operations on this small table, so the plan app can change a rate
and show the new gap at once (no new roll-out).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.plan.tariff import Tariff

COST_COLUMNS = ("cost_base", "cost_evening_night", "cost_weekend", "cost_holiday", "cost_social",
                "cost_cover", "cost_total")


def supplement_per_hour(tariff: Tariff, hourly: np.ndarray, sid: str) -> np.ndarray:
    s = tariff.supplement(sid)
    return np.maximum(s.rate * hourly, s.min_per_hour)


def price(hours: pd.DataFrame, tariff: Tariff, absence: pd.Series, days_in_year: int) -> pd.DataFrame:
    """``hours`` with the cost columns added (kNOK); ``absence``: rate per unit_id.

    ``hours`` has unit_id, role, month, fte_days, hours, evening_night, weekend, holiday and
    ``fixed_pay`` (kNOK already priced, from staffing_plans; no supplements) and ``from_rota``
    (base pay from position-days only for rota rows).
    """
    roles = {r.id: r for r in tariff.roles}
    role = hours["role"]
    annual = role.map({k: r.annual_pay for k, r in roles.items()}).to_numpy(float)
    divisor = role.map({k: tariff.divisor_rotation if r.rotation else tariff.divisor_day
                        for k, r in roles.items()}).to_numpy(float)
    annual = np.nan_to_num(annual)
    hourly = np.divide(annual, divisor, out=np.zeros_like(annual), where=divisor > 0)
    out = hours.copy()
    paid_days = np.where(hours["from_rota"].to_numpy(bool), hours["fte_days"].to_numpy(float), 0.0)
    out["cost_base"] = annual * paid_days / days_in_year + hours["fixed_pay"].to_numpy(float)
    for sid in ("evening_night", "weekend", "holiday"):
        rate = supplement_per_hour(tariff, hourly, sid)
        out[f"cost_{sid}"] = np.where(hours[sid].to_numpy(float) > 0, rate * hours[sid].to_numpy(float), 0.0)
    pay = out["cost_base"] + out["cost_evening_night"] + out["cost_weekend"] + out["cost_holiday"]
    out["cost_social"] = tariff.social_rate * pay
    if tariff.absence == "unit":
        rate = hours["unit_id"].map(absence).fillna(0.0).to_numpy(float)
    else:
        rate = np.full(len(hours), float(tariff.absence))
    out["cover_share"] = tariff.vacation_weeks / 52.0 + rate
    out["cost_cover"] = out["cover_share"] * (pay + out["cost_social"])
    out["cost_total"] = pay + out["cost_social"] + out["cost_cover"]
    return out
