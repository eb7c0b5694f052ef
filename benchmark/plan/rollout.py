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
CHUNK = 20_000


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


def _codes(col: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a column (categorical codes directly) and their number."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(np.int64), len(col.cat.categories)
    codes, uniques = pd.factorize(col, use_na_sentinel=False)
    return codes.astype(np.int64), len(uniques)


def position_codes(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Position number of every rota row (in order of first appearance) and each position's first row."""
    key = np.zeros(len(keys), dtype=np.int64)
    radix = 1
    for col in keys.columns:
        codes, n = _codes(keys[col])
        radix *= max(n, 1)
        if radix > 2**62:  # too many combinations for one integer: let pandas hash the tuples
            codes = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
            break
        key = key * max(n, 1) + codes
    else:
        codes = pd.factorize(key)[0]
    n_pos = int(codes.max()) + 1 if len(codes) else 0
    first = np.empty(n_pos, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    return codes, first


def roll_out(rota: pd.DataFrame, codes: tuple[str, ...], year: int,
             plans: pd.DataFrame | None = None) -> Roster:
    """The roster of ``year`` from a validated rota (day rows and base-rotation rows may mix)."""
    first = np.datetime64(f"{year}-01-01")
    n_days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    code_ix = pd.Index(codes)
    keys = rota[POSITION_KEY]
    pos_codes, first_rows = position_codes(keys)
    positions = keys.iloc[first_rows].reset_index(drop=True)
    for col in positions.columns:  # plain columns, whatever the rota's dtypes
        if isinstance(positions[col].dtype, pd.CategoricalDtype):
            positions[col] = positions[col].astype(str if col != "position_pct" else float)
    n_pos = len(positions)
    matrix = np.full((n_pos, n_days), -1, dtype=np.int16)
    sc = rota["shift_code"]
    if isinstance(sc.dtype, pd.CategoricalDtype):
        shift = code_ix.get_indexer(sc.cat.categories).astype(np.int16)[sc.cat.codes.to_numpy()]
    else:
        shift = code_ix.get_indexer(sc).astype(np.int16)
    has_date = rota["date"].notna().to_numpy() if "date" in rota else np.zeros(len(rota), bool)
    if has_date.any():
        d = (rota["date"].to_numpy("datetime64[D]")[has_date] - first).astype(np.int64)
        inside = (d >= 0) & (d < n_days)
        matrix[pos_codes[has_date][inside], d[inside]] = shift[has_date][inside]
    base = ~has_date
    if base.any():
        pick = slice(None) if base.all() else base  # a pure base rotation needs no masking of 10⁷ rows

        def column(name: str) -> np.ndarray:
            return rota[name].to_numpy()[pick].astype(np.int64)
        p = pos_codes[pick]
        weeks = column("rota_weeks")
        cell = (column("rota_week") - 1) * 7 + column("weekday") - 1
        width = int(weeks.max()) * 7
        pattern = np.full((n_pos, width), -1, dtype=np.int16)
        pattern[p, cell] = shift[pick]
        length = np.zeros(n_pos, dtype=np.int64)
        length[p] = weeks * 7
        lo, hi, anchor = _validity(plans, positions["plan_id"], year)
        day0 = first.astype("datetime64[D]").view("int64")
        monday = anchor.astype("datetime64[D]").view("int64")
        monday = monday - (monday - 4) % 7  # 1970-01-05 was a Monday
        lo_i = lo.astype("datetime64[D]").view("int64") - day0
        hi_i = hi.astype("datetime64[D]").view("int64") - day0
        rows_all = np.flatnonzero(length > 0)
        # positions sharing anchor, cycle length and validity share one calendar → plain column indexing
        combo = np.stack([monday[rows_all], length[rows_all], lo_i[rows_all], hi_i[rows_all]], axis=1)
        uniq, which = np.unique(combo, axis=0, return_inverse=True)
        days = np.arange(n_days)
        for g, (mon, length_g, lo_g, hi_g) in enumerate(uniq):
            rows_g = rows_all[which.ravel() == g]
            cells = (days + day0 - mon) % length_g
            valid = (days >= lo_g) & (days <= hi_g)
            cols = np.flatnonzero(valid)
            for a in range(0, len(rows_g), CHUNK):
                rows = rows_g[a:a + CHUNK]
                matrix[np.ix_(rows, cols)] = pattern[rows][:, cells[cols]]
    return Roster(year, positions, matrix)


def month_starts(year: int) -> np.ndarray:
    return np.array([(date(year, m, 1) - date(year, 1, 1)).days for m in range(1, 13)])


def position_months(roster: Roster, table, chunk: int = CHUNK) -> dict[str, np.ndarray]:
    """Per position and month: days present and paid hours per category (positions × 12).

    No loop over positions, and as little per-cell work as the calendar allows: categories whose
    hours do not depend on the date (paid hours, evening/night — clock times) come from counts of
    each code per position and month (one ``bincount``); the date-dependent ones (weekend,
    holiday) are looked up cell by cell, only on the days where some code has such hours, and
    summed per month by a matrix product with a month indicator.
    """
    from benchmark.plan.hours import CATEGORIES

    n_codes = len(table.codes)
    n_days = roster.days.shape[1]
    month = (np.searchsorted(month_starts(roster.year), np.arange(n_days), side="right") - 1).astype(np.int64)
    constant = [k for k in CATEGORIES if np.all(table.hours[k] == table.hours[k][:1])]
    varying = [k for k in CATEGORIES if k not in constant]
    special = np.flatnonzero(np.any([table.hours[k].any(axis=1) for k in varying], axis=0)) if varying \
        else np.array([], dtype=np.int64)
    month_of_day = np.zeros((len(special), 12), dtype=np.float32)
    month_of_day[np.arange(len(special)), month[special]] = 1.0
    # code 0 is "no row" (the position does not exist that day), codes 1… the shift codes
    lookup = {k: np.concatenate([np.zeros((len(special), 1), np.float32),
                                 table.hours[k][special].astype(np.float32)], axis=1).ravel() for k in varying}
    per_code = {k: np.concatenate([[0.0], table.hours[k][0]]) for k in constant}
    out = {k: np.zeros((len(roster.positions), 12)) for k in ("days", *CATEGORIES)}
    width = n_codes + 1
    base = (np.arange(len(special), dtype=np.int32) * width)[None, :]
    offsets = ((np.arange(min(chunk, len(roster.positions)), dtype=np.int32)[:, None] * 12
                + month[None, :].astype(np.int32)) * width)
    for a in range(0, len(roster.positions), chunk):
        m = roster.days[a:a + chunk]
        n = len(m)
        code = m.astype(np.int32)
        code += 1
        bins = offsets[:n] + code
        counts = np.bincount(bins.ravel(), minlength=n * 12 * width).reshape(n, 12, width)
        out["days"][a:a + n] = counts[:, :, 1:].sum(axis=2)
        for k in constant:
            out[k][a:a + n] = counts @ per_code[k]
        if len(special):
            idx = code[:, special]
            idx += base
            for k in varying:
                out[k][a:a + n] = lookup[k][idx] @ month_of_day
    return out
