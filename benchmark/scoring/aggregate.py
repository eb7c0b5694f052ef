"""Criterion values per entity and period — the only place in the package where ratios are formed.

Numerator, denominator and potential volume are evaluated per unit and month, summed over the
criterion's window (:meth:`Period.window`) and over the units of an entity, and only then divided
(SPEC §5: ratios are never averaged). Entities that cannot be scored keep a row with
``scored=False`` and a reason, never an inf or NaN passed on as a value.

Activity per FTE above unit level: wards count DRG points and clinics count visits, so their sums
cannot be added. Departments and divisions get a *productivity index* by indirect standardisation:
each unit's activity is divided by the reference productivity of its care level (the peer median
of unit values in the same period), which turns it into "FTE needed at reference productivity";
the index is Σ FTE needed ÷ Σ FTE worked (1.0 = the peer median). Units whose care level has no
activity measure (support) are left out of both sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.catalogue.model import Catalogue, Criterion
from benchmark.dataset.model import Dataset
from benchmark.periods import Period, parse_period

VALUE_COLUMNS = ["period", "level", "entity_id", "entity_name", "division", "department", "care_level",
                 "peer_group", "criterion", "numerator", "denominator", "value", "volume", "n_months",
                 "scored", "not_scored_reason"]

REASONS = {
    "below_min_size": "below the minimum size",
    "zero_denominator": "the denominator is zero",
    "no_activity_measure": "the care level has no activity measure",
    "no_data_in_window": "no data in the period",
    "missing_values": "the data lack values for this period",
    "missing_column": "the dataset lacks a column the criterion needs",
}


def entity_table(ds: Dataset, level: str) -> pd.DataFrame:
    """Units with their entity id and name at ``level`` (department ids qualified only if names repeat)."""
    u = ds.units[["unit_id", "unit_name", "division", "department", "care_level"]].copy()
    peer = ds.units["peer_group"] if "peer_group" in ds.units else pd.Series("", index=ds.units.index)
    u["unit_peer_group"] = peer.fillna("").astype(str)
    for col in ds.units.columns:
        if col not in u.columns and col not in ("active_from", "active_to", "peer_group"):
            u[col] = ds.units[col]
    if level == "unit":
        u["entity_id"], u["entity_name"] = u["unit_id"], u["unit_name"]
    elif level == "department":
        repeated = u.groupby("department")["division"].transform("nunique") > 1
        qualified = u["division"] + " / " + u["department"]
        u["entity_id"] = u["department"].where(~repeated, qualified)
        u["entity_name"] = u["entity_id"]
    elif level == "division":
        u["entity_id"], u["entity_name"] = u["division"], u["division"]
    else:
        raise ValueError(f"unknown level {level!r}")
    return u


def _peer_values(units: pd.DataFrame, crit: Criterion) -> pd.Series:
    """Per unit, the peer-group value used at unit level (units.peer_group overrides)."""
    by = crit.peer_group
    base = pd.Series("all", index=units.index) if by == "all" else (
        units[by].astype(str) if by in units else pd.Series("all", index=units.index))
    return units["unit_peer_group"].where(units["unit_peer_group"] != "", base)


def _rows(ds: Dataset, units: pd.DataFrame, crit: Criterion, months: tuple[str, ...]) -> pd.DataFrame:
    """Per unit and month in ``months``: numerator, denominator and volume of ``crit``."""
    m = ds.monthly[ds.monthly["month"].isin(months)]
    care = m["unit_id"].map(units.set_index("unit_id")["care_level"])
    out = pd.DataFrame({"unit_id": m["unit_id"], "month": m["month"], "care_level": care})
    num = pd.Series(np.nan, index=m.index)
    measured = pd.Series(True, index=m.index)
    if crit.numerator_by_care_level:
        for level_name in care.dropna().unique():
            rows = care == level_name
            expr = crit.numerator_for(level_name)
            if expr is None:
                measured[rows] = False
            else:
                num[rows] = expr.evaluate(m[rows])
    else:
        num = crit.numerator.evaluate(m)
    out["numerator"] = num
    out["denominator"] = crit.denominator.evaluate(m)
    volume = crit.potential.volume or crit.denominator
    out["volume"] = volume.evaluate(m)
    out["measured"] = measured
    return out


def _summarise(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rows = rows.assign(has_data=rows["numerator"].notna() & rows["denominator"].notna())
    valid = rows[rows["has_data"] & rows["measured"]]
    sums = valid.groupby(keys, sort=False)[["numerator", "denominator", "volume"]].sum()
    counts = valid.groupby(keys, sort=False)["month"].nunique().rename("n_months")
    any_rows = rows.groupby(keys, sort=False).agg(n_rows=("month", "size"),
                                                  measured=("measured", "any"))
    return any_rows.join(sums).join(counts)


def _reasons(frame: pd.DataFrame, min_size: float) -> pd.Series:
    reason = pd.Series("", index=frame.index)
    reason[frame["denominator"].fillna(0) < min_size] = "below_min_size"
    reason[frame["denominator"].fillna(0) == 0] = "zero_denominator"
    reason[frame["n_months"].fillna(0) == 0] = "missing_values"
    reason[~frame["measured"].fillna(False).astype(bool)] = "no_activity_measure"
    reason[frame["n_rows"].fillna(0) == 0] = "no_data_in_window"
    return reason


def _criterion_frame(ds: Dataset, units: pd.DataFrame, crit: Criterion, period: Period,
                     level: str) -> pd.DataFrame:
    months = period.window(crit.window)
    entities = units.drop_duplicates("entity_id").set_index("entity_id")
    try:
        rows = _rows(ds, units, crit, months)
    except KeyError as exc:
        frame = pd.DataFrame(index=entities.index)
        frame["reason"] = "missing_column"
        frame["detail"] = str(exc).strip("'")
        return frame
    if crit.numerator_by_care_level and level != "unit":
        unit_sums = _summarise(rows, ["unit_id"])
        unit_sums["care_level"] = unit_sums.index.map(units.set_index("unit_id")["care_level"])
        ok = (unit_sums["denominator"] >= max(crit.min_denominator, 1e-12)) & unit_sums["measured"]
        unit_value = unit_sums["numerator"] / unit_sums["denominator"]
        reference = unit_value[ok].groupby(unit_sums.loc[ok, "care_level"]).median()
        rows["numerator"] = rows["numerator"] / rows["care_level"].map(reference)
    rows["entity_id"] = rows["unit_id"].map(units.set_index("unit_id")["entity_id"])
    frame = _summarise(rows, ["entity_id"]).reindex(entities.index)
    frame["reason"] = _reasons(frame, crit.min_denominator)
    return frame


def _measures_frame(units: pd.DataFrame, level: str, summary: pd.DataFrame | None) -> pd.DataFrame:
    entities = units.drop_duplicates("entity_id").set_index("entity_id")
    frame = pd.DataFrame(index=entities.index, columns=["numerator", "denominator", "volume", "n_months"],
                         dtype=float)
    frame["n_rows"], frame["measured"] = 0, True
    if summary is not None and not summary.empty:
        dept = summary["department"].fillna("").astype(str)
        rows = summary[dept == ""] if level == "division" else summary[dept != ""]
        key = rows["division"] if level == "division" else rows["department"]
        rows = rows.assign(entity_id=key.to_numpy()).drop_duplicates("entity_id").set_index("entity_id")
        common = frame.index.intersection(rows.index)
        frame.loc[common, "numerator"] = rows.loc[common, "effect_realised"].astype(float)
        frame.loc[common, "denominator"] = rows.loc[common, "effect_risk_adjusted_to_date"].astype(float)
        frame.loc[common, "volume"] = frame.loc[common, "denominator"]
        frame.loc[common, "n_months"], frame.loc[common, "n_rows"] = 1, 1
    return frame


def criterion_values(ds: Dataset, cat: Catalogue, period: Period | str, level: str = "unit",
                     measures_summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per entity × criterion scored at ``level`` (columns: :data:`VALUE_COLUMNS`)."""
    period = parse_period(period) if isinstance(period, str) else period
    units = entity_table(ds, level)
    frames = []
    for crit in cat.criteria:
        if level not in crit.levels:
            continue
        if crit.source == "measures":
            frame = _measures_frame(units, level, measures_summary)
            frame["reason"] = _reasons(frame, crit.min_denominator)
        else:
            frame = _criterion_frame(ds, units, crit, period, level)
        frames.append(_finish(frame, units, crit, period, level))
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[VALUE_COLUMNS]


def _finish(frame: pd.DataFrame, units: pd.DataFrame, crit: Criterion, period: Period, level: str) -> pd.DataFrame:
    ent = units.assign(peer=_peer_values(units, crit))
    first = ent.groupby("entity_id", sort=False).agg(
        entity_name=("entity_name", "first"), division=("division", "first"),
        n_div=("division", "nunique"), department=("department", "first"),
        n_dept=("department", "nunique"), care_level=("care_level", "first"),
        n_care=("care_level", "nunique"), peer_group=("peer", "first"), n_peer=("peer", "nunique"))
    # above unit level entities mix care levels: one peer group, compared on the productivity index
    if level != "unit":
        first["peer_group"] = "all"
    first.loc[first["n_care"] > 1, "care_level"] = "mixed"
    first.loc[first["n_dept"] > 1, "department"] = ""
    if level == "division":
        first["department"] = ""
    out = first.reindex(frame.index)
    for col in ("numerator", "denominator", "volume", "n_months"):
        out[col] = frame.get(col, np.nan)
    reason = frame["reason"].fillna("no_data_in_window")
    scored = reason == ""
    out["value"] = np.where(scored, out["numerator"] / out["denominator"].where(scored, 1.0), np.nan)
    out["scored"] = scored
    detail = frame.get("detail", "")
    out["not_scored_reason"] = np.where(
        scored, "", reason + ": " + reason.map(REASONS).fillna("") + (" (" + detail + ")" if isinstance(
            detail, pd.Series) else ""))
    out["n_months"] = out["n_months"].fillna(0).astype(int)
    out["criterion"], out["period"], out["level"] = crit.id, period.label, level
    out = out.reset_index().rename(columns={"index": "entity_id"})
    return out.sort_values("entity_id", kind="stable")


def monthly_values(ds: Dataset, cat: Catalogue, level: str, months: tuple[str, ...] | list[str],
                   only: set[str] | None = None) -> pd.DataFrame:
    """Per entity × criterion × month: numerator, denominator, value (for trends and sparklines)."""
    months = tuple(months)
    units = entity_table(ds, level)
    frames = []
    for crit in cat.criteria:
        if level not in crit.levels or crit.source != "monthly" or (only is not None and crit.id not in only):
            continue
        try:
            rows = _rows(ds, units, crit, months)
        except KeyError:
            continue
        rows = rows[rows["measured"]]
        if crit.numerator_by_care_level and level != "unit":
            pooled = rows.groupby("unit_id")[["numerator", "denominator"]].sum()
            value = pooled["numerator"] / pooled["denominator"].replace(0, np.nan)
            care = pooled.index.map(units.set_index("unit_id")["care_level"])
            reference = value.groupby(care).median()
            rows = rows.assign(numerator=rows["numerator"] / rows["care_level"].map(reference))
        rows = rows.assign(entity_id=rows["unit_id"].map(units.set_index("unit_id")["entity_id"]))
        sums = rows.groupby(["entity_id", "month"], sort=True)[["numerator", "denominator"]].sum(min_count=1)
        sums = sums.reset_index()
        sums["value"] = sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
        sums["criterion"] = crit.id
        frames.append(sums)
    if not frames:
        return pd.DataFrame(columns=["entity_id", "criterion", "month", "numerator", "denominator", "value"])
    out = pd.concat(frames, ignore_index=True)
    return out[["entity_id", "criterion", "month", "numerator", "denominator", "value"]]
