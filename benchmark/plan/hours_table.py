"""The hours table: paid hours per unit, role and month, from the rota or the staffing plans.

This is the expensive part of a plan (roll-out and hour split, see :mod:`rollout`, :mod:`hours`)
and it does not depend on the tariff, so it is computed once and priced many times.

A unit *without* rota rows in the budget year is taken from ``staffing_plans`` (plans valid in
the year): its ``annual_cost`` (kNOK, read as pay before social costs and cover) is spread over
the days of validity and kept as ``fixed_pay``; a plan row without ``annual_cost`` is priced as
``fte`` × the role's annual pay (no supplements). The ``basis`` of every unit says which was used.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from benchmark.plan.codes import typed_codes
from benchmark.plan.hours import CATEGORIES, split_hours
from benchmark.plan.rollout import month_starts, position_months, roll_out

MONTHS = [f"{m:02d}" for m in range(1, 13)]


def days_in_months(year: int) -> np.ndarray:
    starts = list(month_starts(year)) + [(date(year + 1, 1, 1) - date(year, 1, 1)).days]
    return np.diff(starts)


def rota_hours(rota: pd.DataFrame, shift_codes: pd.DataFrame, year: int,
               plans: pd.DataFrame | None) -> pd.DataFrame:
    """Hours per (unit_id, role, month) of the rota rows that fall in ``year``."""
    codes = typed_codes(shift_codes)
    table = split_hours(year, codes)
    return roster_hours(roll_out(rota, table.codes, year, plans), table)


def roster_hours(roster, table) -> pd.DataFrame:
    """Hours per (unit_id, role, month) of a rolled-out roster (vectorised over positions)."""
    year = roster.year
    pm = position_months(roster, table)
    pos = roster.positions
    group = pos.groupby(["unit_id", "role"], sort=False).ngroup().to_numpy()
    keys = pos[["unit_id", "role"]].drop_duplicates().reset_index(drop=True)
    n = len(keys)
    pct = pos["position_pct"].to_numpy(float) / 100.0
    cols = {"fte_days": pm["days"] * pct[:, None], **{k: pm[k] for k in CATEGORIES}}
    agg = {k: np.stack([np.bincount(group, weights=v[:, m], minlength=n) for m in range(12)], axis=1)
           for k, v in cols.items()}
    frame = keys
    out = frame.loc[frame.index.repeat(12)].reset_index(drop=True)
    out["month"] = np.tile([f"{year}-{m}" for m in MONTHS], n)
    for k, v in agg.items():
        out[k] = v.ravel()
    out["fixed_pay"] = 0.0
    out["from_rota"] = True
    present = out.groupby("unit_id")["fte_days"].transform("sum") > 0
    return out[present].reset_index(drop=True)


def plan_hours(plans: pd.DataFrame, year: int, units_without_rota: set[str],
               annual_pay: dict[str, float]) -> pd.DataFrame:
    """Hours-table rows (fixed pay, no hours) from staffing_plans for units without a rota."""
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    p = plans[plans["unit_id"].isin(units_without_rota) & (plans["valid_from"] <= last)
              & (plans["valid_to"] >= first)]
    if p.empty:
        return pd.DataFrame()
    n_year = (last - first).days + 1
    starts = pd.to_datetime([f"{year}-{m}-01" for m in MONTHS])
    ends = starts + pd.offsets.MonthEnd(0)
    lo = np.maximum(p["valid_from"].to_numpy("datetime64[D]")[:, None], starts.to_numpy("datetime64[D]")[None, :])
    hi = np.minimum(p["valid_to"].to_numpy("datetime64[D]")[:, None], ends.to_numpy("datetime64[D]")[None, :])
    days = np.clip((hi - lo).astype(np.int64) + 1, 0, None)
    fte = p["fte"].to_numpy(float)[:, None]
    cost = p["annual_cost"].to_numpy(float) if "annual_cost" in p else np.full(len(p), np.nan)
    cost = np.where(np.isnan(cost), p["role"].map(annual_pay).to_numpy(float) * p["fte"].to_numpy(float), cost)
    rows = pd.DataFrame({"unit_id": np.repeat(p["unit_id"].to_numpy(), 12),
                         "role": np.repeat(p["role"].to_numpy(), 12),
                         "month": np.tile([f"{year}-{m}" for m in MONTHS], len(p)),
                         "fte_days": (fte * days).ravel(),
                         "fixed_pay": (np.nan_to_num(cost)[:, None] * days / n_year).ravel()})
    for k in CATEGORIES:
        rows[k] = 0.0
    rows = rows.groupby(["unit_id", "role", "month"], as_index=False, sort=False).sum()
    rows["from_rota"] = False
    return rows
