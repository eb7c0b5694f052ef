"""Beds per ward and ISO week for a service level, closures moved to sister wards, the trade-off.

The rule (SPEC §12): ``beds`` is the smallest integer with

    (1/7) Σ_{d in week} P(census_d > beds) ≤ 1 − s,

the expected share of the week's days on which the ward is over full; it is the s-quantile of the
week's mixture distribution (:mod:`benchmark.beds.distribution`). Occupancy and overflow days
are results, not targets: ``occupancy_expected = E[census] / beds``,
``overflow_days_expected = Σ_d P(census_d > beds)``, ``service_level_expected = 1 − overflow/days``.

Closures: a ward closed in a week plans no beds of its own; its patients are admitted to the open
wards of the same department (else of the same division), each taking a share proportional to
its own forecast (independent thinning: mean ``w·m``, variance ``w²·v + w(1 − w)·m``). When no
ward of the division is open the patients have nowhere to go: the closed ward's rows then count
every day with a patient as an overflow day, and :func:`unplaced` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from benchmark.beds.distribution import walk

PLAN_COLUMNS = ("unit_id", "week", "census_mean", "census_p50", "census_p90", "census_p95",
                "beds_recommended", "beds_current", "occupancy_expected", "overflow_days_expected",
                "service_level_expected")
TRADEOFF_LOW = -2  # the trade-off table starts this many beds below the recommendation


def closed_set(forecast: pd.DataFrame, closed_weeks: Iterable[int] | Mapping[str, Iterable[int]],
               closed_units: Iterable[str] | None = None) -> np.ndarray:
    """Boolean per forecast row: is the ward closed that day's ISO week?"""
    week_no = forecast["week"].str[-2:].astype(int).to_numpy()
    if isinstance(closed_weeks, Mapping):
        out = np.zeros(len(forecast), bool)
        for unit, weeks in closed_weeks.items():
            out |= (forecast["unit_id"].to_numpy() == unit) & np.isin(week_no, list(weeks))
        return out
    weeks = list(closed_weeks or ())
    out = np.isin(week_no, weeks)
    if closed_units is not None:
        out &= forecast["unit_id"].isin(set(closed_units)).to_numpy()
    return out


def move_closed(forecast: pd.DataFrame, units: pd.DataFrame, closed: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forecast with closed wards' patients moved to open sister wards, and the unplaced demand."""
    f = forecast[["unit_id", "date", "week", "mean", "var"]].copy()
    f["closed"] = closed
    f["mean_in"], f["var_in"] = 0.0, 0.0
    if not closed.any():
        return f, pd.DataFrame(columns=["unit_id", "week", "census_mean"])
    org = units.set_index("unit_id")[["department", "division"]]
    f["department"] = f["unit_id"].map(org["department"])
    f["division"] = f["unit_id"].map(org["division"])
    remaining = f[f["closed"]][["unit_id", "date", "week", "department", "division", "mean", "var"]]
    for level in ("department", "division"):
        if remaining.empty:
            break
        demand = remaining.groupby([level, "date"])[["mean", "var"]].sum()
        open_ = f[~f["closed"]]
        total = open_.groupby([level, "date"])["mean"].sum()
        key = pd.MultiIndex.from_arrays([open_[level], open_["date"]])
        d_mean = demand["mean"].reindex(key).to_numpy()
        d_var = demand["var"].reindex(key).to_numpy()
        share = open_["mean"].to_numpy() / total.reindex(key).to_numpy()
        has = np.isfinite(d_mean)
        add_mean = np.where(has, share * np.nan_to_num(d_mean), 0.0)
        add_var = np.where(has, share**2 * np.nan_to_num(d_var) + share * (1 - share) * np.nan_to_num(d_mean), 0.0)
        f.loc[open_.index, "mean_in"] += add_mean
        f.loc[open_.index, "var_in"] += add_var
        placed = set(zip(open_[level], open_["date"], strict=True))
        keep = [(a, b) not in placed for a, b in zip(remaining[level], remaining["date"], strict=True)]
        remaining = remaining[np.asarray(keep, bool)]
    unplaced = remaining.groupby(["unit_id", "week"], sort=False)["mean"].mean().rename("census_mean").reset_index()
    return f, unplaced


def recommend(forecast: pd.DataFrame, units: pd.DataFrame, service_level: float = 0.95,
              closed_weeks: Iterable[int] | Mapping[str, Iterable[int]] = (),
              closed_units: Iterable[str] | None = None, beds_current: pd.Series | None = None,
              extra_beds: int = 2, chunk_wards: int = 200) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(bed_plan, tradeoff, unplaced) from a forecast (unit_id, date, week, mean, var); no refit.

    >>> # bed_plan, tradeoff, unplaced = recommend(bd.forecast, ds.units, 0.9, closed_weeks=(29, 30))
    """
    if not 0.5 <= service_level < 1:
        from benchmark.issues import UsageError

        raise UsageError(f"the service level must be at least 0.5 and below 1 (got {service_level})")
    closed = closed_set(forecast, closed_weeks, closed_units)
    f, unplaced = move_closed(forecast, units, closed)
    f = f.assign(mean_total=f["mean"] + f["mean_in"], var_total=f["var"] + f["var_in"])
    ward_code, ward_ids = pd.factorize(f["unit_id"], sort=False)
    week_code, week_ids = pd.factorize(f["week"], sort=True)
    combined = ward_code.astype(np.int64) * len(week_ids) + week_code
    first_seen, groups = np.unique(combined, return_inverse=True)  # ordered by ward (first seen), week
    groups = groups.ravel()
    keys = pd.MultiIndex.from_arrays([np.asarray(ward_ids, dtype=object)[first_seen // len(week_ids)],
                                      np.asarray(week_ids, dtype=object)[first_seen % len(week_ids)]])
    n_groups = len(keys)
    offsets = np.arange(TRADEOFF_LOW, max(extra_beds, 0) + 1)
    plan = {c: np.full(n_groups, np.nan) for c in ("p50", "p90", "p95", "beds", "cdf_beds", "cdf_current")}
    trade = np.full((n_groups, len(offsets)), np.nan)
    current = (beds_current.reindex(keys.get_level_values(0)).to_numpy(float)
               if beds_current is not None else np.full(n_groups, np.nan))
    mean_total, var_total = f["mean_total"].to_numpy(float), f["var_total"].to_numpy(float)
    for rows in _chunks(ward_code, mean_total, chunk_wards):
        g_index, g_codes = np.unique(groups[rows], return_inverse=True)
        g_codes = g_codes.ravel()
        w_codes = np.unique(ward_code[rows], return_inverse=True)[1].ravel()
        _, cdf = walk(mean_total[rows], var_total[rows], w_codes, g_codes, len(g_index))
        plan["p50"][g_index] = cdf.quantile(0.5)
        plan["p90"][g_index] = cdf.quantile(0.9)
        plan["p95"][g_index] = cdf.quantile(0.95)
        beds = cdf.quantile(service_level)
        plan["beds"][g_index] = beds
        plan["cdf_beds"][g_index] = cdf.cdf_at(beds)
        plan["cdf_current"][g_index] = cdf.cdf_at(current[g_index])
        for j, k in enumerate(offsets):
            trade[g_index, j] = cdf.cdf_at(np.maximum(beds + k, 0))
    days = np.bincount(groups, minlength=n_groups).astype(float)
    mean_week = np.bincount(groups, weights=mean_total, minlength=n_groups) / days
    is_closed = np.bincount(groups, weights=f["closed"].to_numpy(float), minlength=n_groups) > 0
    out = pd.DataFrame({"unit_id": keys.get_level_values(0), "week": keys.get_level_values(1)})
    own_mean = np.bincount(groups, weights=f["mean"].to_numpy(float), minlength=n_groups) / days
    out["census_mean"] = np.where(is_closed, own_mean, mean_week)
    out["census_p50"], out["census_p90"], out["census_p95"] = plan["p50"], plan["p90"], plan["p95"]
    out["beds_recommended"] = np.where(is_closed, 0.0, plan["beds"])
    out["beds_current"] = current
    with np.errstate(divide="ignore", invalid="ignore"):
        out["occupancy_expected"] = np.where(is_closed, np.nan, mean_week / out["beds_recommended"])
    overflow = days * (1 - plan["cdf_beds"])
    out["overflow_days_expected"] = np.where(is_closed, 0.0, overflow)
    out["service_level_expected"] = np.where(is_closed, np.nan, plan["cdf_beds"])
    out["closed"] = is_closed
    out["days"] = days
    out["service_level_current"] = plan["cdf_current"]
    out["census_moved_in"] = np.bincount(groups, weights=f["mean_in"].to_numpy(float), minlength=n_groups) / days
    if len(unplaced):
        key = pd.MultiIndex.from_frame(unplaced[["unit_id", "week"]])
        hit = pd.MultiIndex.from_frame(out[["unit_id", "week"]]).isin(key)
        out.loc[hit, "overflow_days_expected"] = out.loc[hit, "days"]
    tradeoff = _tradeoff(out, trade, offsets, is_closed)
    return out, tradeoff, unplaced


def _tradeoff(plan: pd.DataFrame, trade: np.ndarray, offsets: np.ndarray, closed: np.ndarray) -> pd.DataFrame:
    """Per ward and offset k: bed-days, overflow days and service level over the year."""
    rows = []
    open_ = ~closed
    for j, k in enumerate(offsets):
        beds = np.maximum(plan["beds_recommended"].to_numpy() + k, 0)
        frame = pd.DataFrame({"unit_id": plan["unit_id"], "bed_days": np.where(open_, beds * plan["days"], 0),
                              "overflow": np.where(open_, plan["days"] * (1 - trade[:, j]), 0),
                              "days": np.where(open_, plan["days"], 0),
                              "patient_days": np.where(open_, plan["census_mean"] * plan["days"], 0)})
        agg = frame.groupby("unit_id", sort=False).sum()
        agg["beds_offset"] = int(k)
        rows.append(agg)
    out = pd.concat(rows).reset_index()
    out["beds_mean"] = out["bed_days"] / out["days"]
    out["service_level_expected"] = 1 - out["overflow"] / out["days"]
    out["occupancy_expected"] = out["patient_days"] / out["bed_days"]
    out = out.rename(columns={"overflow": "overflow_days_expected", "bed_days": "bed_days_planned"})
    return out[["unit_id", "beds_offset", "beds_mean", "bed_days_planned", "overflow_days_expected",
                "service_level_expected", "occupancy_expected"]].sort_values(
        ["unit_id", "beds_offset"], kind="stable").reset_index(drop=True)


def _chunks(codes: np.ndarray, mean: np.ndarray, chunk: int):
    if len(codes) == 0:
        return
    size = pd.Series(mean).groupby(codes).max().sort_values()
    ordered = size.index.to_numpy()
    for i in range(0, len(ordered), chunk):
        yield np.flatnonzero(np.isin(codes, ordered[i:i + chunk]))
