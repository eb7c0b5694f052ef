"""Lay a rota onto the budget year as a matrix positions × days of shift-code numbers.

A row of ``rota`` either names its date (kalenderplan/årsturnus) or its place in a base rotation
(grunnturnus: ``rota_week``, ``weekday`` 1 = Monday, ``rota_weeks``). A base rotation repeats from
week 1 starting on the Monday on or before the plan's ``valid_from`` (staffing_plans), or on or
before 1 January of the budget year when the plan has no validity, and is laid on every day of
the plan's validity inside the budget year. A cell is -1 where the position has no row: the
position does not exist that day (no pay).

A position is one line of the rota: (unit_id, plan_id, position_id, role, position_pct); a
change of role or percentage in GAT starts a new line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

POSITION_KEY = ["unit_id", "plan_id", "position_id", "role", "position_pct"]


@dataclass(frozen=True)
class Roster:
    """``positions`` (one row per line, in matrix order) and ``days`` (positions × days, int16)."""

    year: int
    positions: pd.DataFrame
    days: np.ndarray


def _validity(plans: pd.DataFrame | None, plan_ids: pd.Series, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    first = np.datetime64(f"{year}-01-01")
    last = np.datetime64(f"{year}-12-31")
    lo = np.full(len(plan_ids), first)
    hi = np.full(len(plan_ids), last)
    anchor = np.full(len(plan_ids), first)
    if plans is not None and len(plans):
        span = plans.groupby("plan_id").agg(valid_from=("valid_from", "min"), valid_to=("valid_to", "max"))
        vf = plan_ids.map(span["valid_from"]).to_numpy("datetime64[D]")
        vt = plan_ids.map(span["valid_to"]).to_numpy("datetime64[D]")
        known = ~np.isnat(vf)
        lo = np.where(known, np.maximum(vf, first), lo)
        hi = np.where(known, np.minimum(vt, last), hi)
        anchor = np.where(known, vf, anchor)
    return lo, hi, anchor


def roll_out(rota: pd.DataFrame, codes: tuple[str, ...], year: int,
             plans: pd.DataFrame | None = None) -> Roster:
    """The roster of ``year`` from a validated rota (day rows and base-rotation rows may mix)."""
    first = np.datetime64(f"{year}-01-01")
    n_days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    code_ix = pd.Index(codes)
    keys = rota[POSITION_KEY]
    pos_codes = keys.groupby(POSITION_KEY, sort=False, dropna=False).ngroup().to_numpy()
    positions = keys.drop_duplicates().reset_index(drop=True)
    n_pos = len(positions)
    matrix = np.full((n_pos, n_days), -1, dtype=np.int16)
    shift = code_ix.get_indexer(rota["shift_code"]).astype(np.int16)
    has_date = rota["date"].notna().to_numpy() if "date" in rota else np.zeros(len(rota), bool)
    if has_date.any():
        d = (rota["date"].to_numpy("datetime64[D]")[has_date] - first).astype(np.int64)
        inside = (d >= 0) & (d < n_days)
        matrix[pos_codes[has_date][inside], d[inside]] = shift[has_date][inside]
    base = ~has_date
    if base.any():
        b = rota.loc[base]
        p = pos_codes[base]
        weeks = b["rota_weeks"].to_numpy(np.int64)
        cell = (b["rota_week"].to_numpy(np.int64) - 1) * 7 + b["weekday"].to_numpy(np.int64) - 1
        width = int(weeks.max()) * 7
        pattern = np.full((n_pos, width), -1, dtype=np.int16)
        pattern[p, cell] = shift[base]
        length = np.zeros(n_pos, dtype=np.int64)
        length[p] = weeks * 7
        lo, hi, anchor = _validity(plans, positions["plan_id"], year)
        monday = anchor - ((anchor.astype("datetime64[D]").view("int64") - 4) % 7)  # 1970-01-05 was a Monday
        rows = np.unique(p)
        days = first + np.arange(n_days)
        offset = (days[None, :] - monday[rows, None]).astype(np.int64)
        cells = np.mod(offset, length[rows, None])
        rolled = np.take_along_axis(pattern[rows], cells, axis=1)
        valid = (days[None, :] >= lo[rows, None]) & (days[None, :] <= hi[rows, None])
        matrix[rows] = np.where(valid, rolled, matrix[rows])
    return Roster(year, positions, matrix)


def month_starts(year: int) -> np.ndarray:
    return np.array([(date(year, m, 1) - date(year, 1, 1)).days for m in range(1, 13)])


def position_months(roster: Roster, table, chunk: int = 20_000) -> dict[str, np.ndarray]:
    """Per position and month: days present and paid hours per category (positions × 12)."""
    from benchmark.plan.hours import CATEGORIES

    starts = month_starts(roster.year)
    n_codes = len(table.codes)
    n_days = roster.days.shape[1]
    flat = {k: np.concatenate([table.hours[k].astype(np.float32), np.zeros((n_days, 1), np.float32)],
                              axis=1).ravel() for k in CATEGORIES}
    out = {k: np.zeros((len(roster.positions), 12)) for k in (*CATEGORIES, "days")}
    day_base = (np.arange(n_days) * (n_codes + 1))[None, :]
    for a in range(0, len(roster.positions), chunk):
        m = roster.days[a:a + chunk].astype(np.int64)
        present = m >= 0
        idx = day_base + np.where(present, m, n_codes)
        out["days"][a:a + chunk] = np.add.reduceat(present, starts, axis=1)
        for k in CATEGORIES:
            out[k][a:a + chunk] = np.add.reduceat(flat[k][idx], starts, axis=1, dtype=np.float64)
    return out
