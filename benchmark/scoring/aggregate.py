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

from benchmark.catalogue.model import Catalogue, Criterion, Peers
from benchmark.dataset.model import Dataset
from benchmark.periods import Period, month_index, parse_period
from benchmark.scoring.peergroups import derive_service_area, peer_groups

VALUE_COLUMNS = ["period", "level", "entity_id", "entity_name", "division", "department", "care_level",
                 "peer_group", "peer_note", "criterion", "numerator", "denominator", "value", "volume", "n_months",
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


def _peer_values(units: pd.DataFrame, crit: Criterion, peers: Peers | None = None) -> pd.DataFrame:
    """Per unit the peer group at unit level and its note (units.peer_group overrides).

    ``crit.peer_group == "peers"``: the catalogue's ``[peers]`` (care level × service area with the
    minimum-size fallback, :mod:`benchmark.scoring.peergroups`); otherwise a units column or "all".
    """
    by = crit.peer_group
    if by == "peers":
        p = peers or Peers()
        return peer_groups(units, p.by, p.min_size)
    base = pd.Series("all", index=units.index) if by == "all" else (
        units[by].astype(str) if by in units else pd.Series("all", index=units.index))
    label = units["unit_peer_group"].where(units["unit_peer_group"] != "", base)
    return pd.DataFrame({"peer_group": label, "peer_note": ""})


def _cache(ds: Dataset) -> dict:
    """The dataset's derived-array cache (a Dataset unpickled from an older version has none)."""
    if "cache" not in ds.__dict__:
        object.__setattr__(ds, "cache", {})
    return ds.cache


class _Rows:
    """Every monthly row as integer codes plus one criterion's evaluated columns (numpy arrays)."""

    __slots__ = ("unit", "month", "care", "numerator", "denominator", "volume", "measured")

    def __init__(self, unit, month, care, numerator, denominator, volume, measured) -> None:
        self.unit, self.month, self.care = unit, month, care
        self.numerator, self.denominator, self.volume, self.measured = numerator, denominator, volume, measured

    def take(self, mask: np.ndarray) -> _Rows:
        return _Rows(*(getattr(self, k)[mask] for k in self.__slots__))


def _row_codes(ds: Dataset) -> dict:
    """Per monthly row: position of its unit in ``ds.units``, month index and care-level code.

    Computed once per dataset: string keys (unit ids, months) are what makes pandas slow at
    national scale, so every later aggregation works on these integers with ``np.bincount``.
    """
    if "row_codes" not in _cache(ds):
        unit_pos = pd.Index(ds.units["unit_id"]).get_indexer(ds.monthly["unit_id"])
        month_codes, month_labels = pd.factorize(ds.monthly["month"])
        label_index = np.array([month_index(str(m)) for m in month_labels], dtype=np.int64)
        # care level and service area together: a numerator may differ per both (SPEC §4)
        care_key = ds.units["care_level"].astype(str) + "." + derive_service_area(ds.units).to_numpy()
        care_codes, care_labels = pd.factorize(care_key)
        _cache(ds)["row_codes"] = {
            "unit": unit_pos.astype(np.int64),
            "month": label_index[month_codes] if len(month_codes) else np.zeros(0, np.int64),
            "care_of_unit": care_codes.astype(np.int64),
            "care_labels": np.asarray(care_labels, dtype=object),
        }
    return _cache(ds)["row_codes"]


def _evaluated(ds: Dataset, crit: Criterion) -> _Rows:
    """Numerator, denominator, volume and "measured" of ``crit`` on every monthly row, cached.

    The formulas are evaluated once over the whole table and windows are then selected by month
    code, so the previous period, the year before and the monthly series cost no re-evaluation.
    Raises ``KeyError`` naming a column the dataset lacks.
    """
    volume = crit.potential.volume or crit.denominator
    by_care = tuple(sorted((k, v.text if v is not None else None) for k, v in crit.numerator_by_care_level.items()))
    key = ("evaluated", crit.numerator.text, by_care, crit.denominator.text, volume.text)
    if key not in _cache(ds):
        codes = _row_codes(ds)
        m = ds.monthly
        care_of_row = np.where(codes["unit"] >= 0, codes["care_of_unit"][np.maximum(codes["unit"], 0)], -1)
        measured = np.ones(len(m), dtype=bool)
        if crit.numerator_by_care_level:
            num = np.full(len(m), np.nan)
            evaluated: dict[str, np.ndarray] = {}
            for code, care_area in enumerate(codes["care_labels"]):
                rows = care_of_row == code
                care, _, area = str(care_area).partition(".")
                expr = crit.numerator_for(care, area)
                if expr is None:
                    measured[rows] = False
                    continue
                if expr.text not in evaluated:
                    evaluated[expr.text] = expr.evaluate(m).to_numpy(dtype=float)
                num[rows] = evaluated[expr.text][rows]
        else:
            num = crit.numerator.evaluate(m).to_numpy(dtype=float)
        den = crit.denominator.evaluate(m).to_numpy(dtype=float)
        vol = volume.evaluate(m).to_numpy(dtype=float)
        _cache(ds)[key] = _Rows(codes["unit"], codes["month"], care_of_row, num, den, vol, measured)
    return _cache(ds)[key]


def _window(ds: Dataset, crit: Criterion, months: tuple[str, ...]) -> _Rows:
    rows = _evaluated(ds, crit)
    wanted = np.array(sorted(month_index(m) for m in months), dtype=np.int64)
    return rows.take(np.isin(rows.month, wanted) & (rows.unit >= 0))


def _entities(ds: Dataset, level: str) -> tuple[pd.DataFrame, np.ndarray, pd.Index]:
    """(entity table, entity code of each unit position, entity ids in order of first appearance)."""
    key = ("entities", level)
    if key not in _cache(ds):
        units = entity_table(ds, level)
        codes, ids = pd.factorize(units["entity_id"])
        _cache(ds)[key] = (units, codes.astype(np.int64), pd.Index(ids, name="entity_id"))
    return _cache(ds)[key]


def _summarise(rows: _Rows, group: np.ndarray, n_groups: int) -> pd.DataFrame:
    """Sums of numerator, denominator and volume over rows with data, per group code (bincount).

    Columns as the contract of :func:`_reasons`: n_rows and measured over all rows of the window,
    sums and n_months (distinct months) over rows that are measured and have both values; NaN where
    a group has no such row.
    """
    n_rows = np.bincount(group, minlength=n_groups).astype(float)
    measured = np.bincount(group, weights=rows.measured, minlength=n_groups) > 0
    valid = rows.measured & ~np.isnan(rows.numerator) & ~np.isnan(rows.denominator)
    g = group[valid]
    n_valid = np.bincount(g, minlength=n_groups)
    none = n_valid == 0

    def total(x: np.ndarray) -> np.ndarray:
        out = np.bincount(g, weights=np.nan_to_num(x[valid]), minlength=n_groups).astype(float)
        out[none] = np.nan
        return out

    pairs = np.unique(g * np.int64(1 << 20) + (rows.month[valid] - rows.month.min(initial=0)))
    n_months = np.bincount(pairs // (1 << 20), minlength=n_groups).astype(float)
    n_months[none] = np.nan
    absent = n_rows == 0
    frame = pd.DataFrame({"n_rows": np.where(absent, np.nan, n_rows),
                          "measured": pd.Series(measured, dtype=object).where(~absent, np.nan), "numerator": total(rows.numerator),
                          "denominator": total(rows.denominator), "volume": total(rows.volume),
                          "n_months": n_months})
    return frame


def _productivity_reference(rows: _Rows, ds: Dataset, min_denominator: float | None) -> np.ndarray:
    """Reference productivity per care-level code: the median of unit values (indirect standardisation).

    With ``min_denominator`` (period values) only units of at least that size and with data count;
    without it (monthly series) every unit with a non-zero denominator counts.
    """
    codes = _row_codes(ds)
    n_units = len(codes["care_of_unit"])
    if min_denominator is not None:
        sums = _summarise(rows, rows.unit, n_units)
        ok = (sums["denominator"] >= max(min_denominator, 1e-12)) & sums["measured"].fillna(False).astype(bool)
        value = (sums["numerator"] / sums["denominator"]).where(ok)
    else:
        num = np.bincount(rows.unit, weights=np.nan_to_num(rows.numerator), minlength=n_units)
        den = np.bincount(rows.unit, weights=np.nan_to_num(rows.denominator), minlength=n_units)
        value = pd.Series(num / np.where(den != 0, den, np.nan))
    median = value.groupby(codes["care_of_unit"]).median()
    return median.reindex(range(len(codes["care_labels"]))).to_numpy(dtype=float)


def _criterion_frame(ds: Dataset, units: pd.DataFrame, crit: Criterion, period: Period,
                     level: str) -> pd.DataFrame:
    months = period.window(crit.window)
    _, unit_entity, ids = _entities(ds, level)
    try:
        rows = _window(ds, crit, months)
    except KeyError as exc:
        frame = pd.DataFrame(index=ids)
        frame["reason"] = "missing_column"
        frame["detail"] = str(exc).strip("'")
        return frame
    if crit.numerator_by_care_level and level != "unit":
        reference = _productivity_reference(rows, ds, crit.min_denominator)
        rows.numerator = rows.numerator / np.where(rows.care >= 0, reference[np.maximum(rows.care, 0)], np.nan)
    frame = _summarise(rows, unit_entity[rows.unit], len(ids))
    frame.index = ids
    frame["reason"] = _reasons(frame, crit.min_denominator)
    return frame


def _reasons(frame: pd.DataFrame, min_size: float) -> pd.Series:
    """Why an entity is not scored, the first that applies in this order (empty: scored)."""
    den = frame["denominator"].fillna(0).to_numpy(dtype=float)
    measured = frame["measured"].fillna(False).to_numpy(dtype=bool)
    reason = np.select(
        [frame["n_rows"].fillna(0).to_numpy() == 0, ~measured, frame["n_months"].fillna(0).to_numpy() == 0,
         den == 0, den < min_size],
        ["no_data_in_window", "no_activity_measure", "missing_values", "zero_denominator", "below_min_size"],
        default="")
    return pd.Series(reason, index=frame.index, dtype=object)


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
    units, _, _ = _entities(ds, level)
    frames = []
    for crit in cat.criteria:
        if level not in crit.levels:
            continue
        if crit.source == "measures":
            frame = _measures_frame(units, level, measures_summary)
            frame["reason"] = _reasons(frame, crit.min_denominator)
        else:
            frame = _criterion_frame(ds, units, crit, period, level)
        frames.append(_finish(frame, _entity_facts(ds, level, crit, cat.peers), crit, period, level))
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[VALUE_COLUMNS]


def _entity_facts(ds: Dataset, level: str, crit: Criterion, peers: Peers | None = None) -> pd.DataFrame:
    """Per entity: name, division, department, care level ("mixed" if its units differ), peer group."""
    key = ("facts", level)
    units, codes, ids = _entities(ds, level)
    if key not in _cache(ds):
        first = units.groupby("entity_id", sort=False).agg(
            entity_name=("entity_name", "first"), division=("division", "first"),
            department=("department", "first"), n_dept=("department", "nunique"),
            care_level=("care_level", "first"), n_care=("care_level", "nunique"))
        first.loc[first["n_care"] > 1, "care_level"] = "mixed"
        first.loc[first["n_dept"] > 1, "department"] = ""
        if level == "division":
            first["department"] = ""
        first_unit = pd.Series(np.arange(len(units))).groupby(codes).first().to_numpy()
        _cache(ds)[key] = (first.drop(columns=["n_dept", "n_care"]).reindex(ids), first_unit)
    facts, first_unit = _cache(ds)[key]
    facts = facts.copy()
    # above unit level entities mix care levels: one peer group, compared on the productivity index
    if level != "unit":
        facts["peer_group"], facts["peer_note"] = "all", ""
    else:
        pkey = ("peer_values", crit.peer_group, peers)
        if pkey not in _cache(ds):
            _cache(ds)[pkey] = _peer_values(units, crit, peers)
        pv = _cache(ds)[pkey]
        facts["peer_group"] = pv["peer_group"].to_numpy()[first_unit]
        facts["peer_note"] = pv["peer_note"].to_numpy()[first_unit]
    return facts


def _finish(frame: pd.DataFrame, facts: pd.DataFrame, crit: Criterion, period: Period, level: str) -> pd.DataFrame:
    out = facts.reindex(frame.index)
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


def monthly_arrays(ds: Dataset, crit: Criterion, level: str, months: tuple[str, ...]
                   ) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Dense monthly sums of ``crit``: (entity ids sorted, numerator, denominator, row count).

    Arrays are entities × ``months`` (sorted); a cell whose entity has no measured row that month
    has count 0, and a sum of only missing values is NaN (as ``sum(min_count=1)``).
    Raises ``KeyError`` for a column the dataset lacks.
    """
    months = tuple(sorted(months))
    _, unit_entity, ids = _entities(ds, level)
    rows = _window(ds, crit, months)
    rows = rows.take(rows.measured)
    if crit.numerator_by_care_level and level != "unit":
        reference = _productivity_reference(rows, ds, None)
        rows.numerator = rows.numerator / np.where(rows.care >= 0, reference[np.maximum(rows.care, 0)], np.nan)
    order = np.argsort(np.asarray(ids, dtype=object), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    local = np.searchsorted(np.array([month_index(m) for m in months], dtype=np.int64), rows.month)
    cell = rank[unit_entity[rows.unit]] * len(months) + local
    shape = (len(ids), len(months))
    size = shape[0] * shape[1]
    count = np.bincount(cell, minlength=size).reshape(shape)

    def total(x: np.ndarray) -> np.ndarray:
        ok = ~np.isnan(x)
        out = np.bincount(cell[ok], weights=x[ok], minlength=size).astype(float).reshape(shape)
        out[np.bincount(cell[ok], minlength=size).reshape(shape) == 0] = np.nan
        return out

    return ids[order], total(rows.numerator), total(rows.denominator), count


MONTHLY_COLUMNS = ["entity_id", "criterion", "month", "numerator", "denominator", "value"]


def monthly_table(ds: Dataset, cat: Catalogue, level: str, months: tuple[str, ...] | list[str],
                  only: set[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(long table of :func:`monthly_values`, the same rows as integer codes ``series``/``t``,
    the entity_id and criterion of each series code).

    The coded twin lets the SPC step group and sort 10⁶ rows by integers instead of strings.
    """
    months = tuple(sorted(months))
    frames, coded, keys = [], [], []
    crits = [c for c in cat.criteria if level in c.levels and c.source == "monthly"
             and (only is None or c.id in only)]
    for code, crit in enumerate(crits):
        try:
            ids, num, den, count = monthly_arrays(ds, crit, level, months)
        except KeyError:
            continue
        e, t = np.nonzero(count)
        numerator, denominator = num[e, t], den[e, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            value = numerator / np.where(denominator > 0, denominator, np.nan)
        frames.append(pd.DataFrame({"entity_id": ids.take(e), "criterion": crit.id,
                                    "month": pd.Index(months).take(t), "numerator": numerator,
                                    "denominator": denominator, "value": value}))
        coded.append(pd.DataFrame({"series": e * len(crits) + code, "t": t, "value": value}))
        present = np.unique(e)
        keys.append(pd.DataFrame({"entity_id": ids.take(present), "criterion": crit.id},
                                 index=present * len(crits) + code))
    if not frames:
        return (pd.DataFrame(columns=MONTHLY_COLUMNS), pd.DataFrame(columns=["series", "t", "value"]),
                pd.DataFrame(columns=["entity_id", "criterion"]))
    return pd.concat(frames, ignore_index=True), pd.concat(coded, ignore_index=True), pd.concat(keys)


def monthly_values(ds: Dataset, cat: Catalogue, level: str, months: tuple[str, ...] | list[str],
                   only: set[str] | None = None) -> pd.DataFrame:
    """Per entity × criterion × month: numerator, denominator, value (for trends and sparklines)."""
    return monthly_table(ds, cat, level, months, only)[0]


def monthly_cube(ds: Dataset, crits: list[Criterion], level: str, months: tuple[str, ...]
                 ) -> tuple[pd.Index, list[Criterion], np.ndarray, np.ndarray, np.ndarray]:
    """:func:`monthly_arrays` of several criteria at once, stacked: (entity ids sorted, the criteria
    that have arrays, numerator, denominator, row count as criteria × entities × months).

    The same sums in the same order as :func:`monthly_arrays` (which it calls for a productivity
    index above unit level); the window's rows and their cells are found once for all criteria,
    since every criterion's rows are the same monthly rows. A criterion whose column is missing
    is left out.
    """
    months = tuple(sorted(months))
    _, unit_entity, ids = _entities(ds, level)
    order = np.argsort(np.asarray(ids, dtype=object), kind="stable")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    codes = _row_codes(ds)
    wanted = np.array([month_index(m) for m in months], dtype=np.int64)
    in_window = np.isin(codes["month"], wanted) & (codes["unit"] >= 0)
    unit, month = codes["unit"][in_window], codes["month"][in_window]
    cell = rank[unit_entity[unit]] * len(months) + np.searchsorted(wanted, month)
    shape = (len(ids), len(months))
    size = shape[0] * shape[1]
    kept, nums, dens, counts = [], [], [], []
    for crit in crits:  # a loop over criteria, each one bincount per sum over all rows
        if crit.numerator_by_care_level and level != "unit":
            try:
                _, num, den, count = monthly_arrays(ds, crit, level, months)
            except KeyError:
                continue
        else:
            try:
                rows = _evaluated(ds, crit)
            except KeyError:
                continue
            measured = rows.measured[in_window]
            c = cell[measured]
            count = np.bincount(c, minlength=size).reshape(shape)

            def total(x: np.ndarray, c=c, measured=measured) -> np.ndarray:
                x = x[in_window][measured]
                ok = ~np.isnan(x)
                out = np.bincount(c[ok], weights=x[ok], minlength=size).astype(float).reshape(shape)
                out[np.bincount(c[ok], minlength=size).reshape(shape) == 0] = np.nan
                return out

            num, den = total(rows.numerator), total(rows.denominator)
        kept.append(crit)
        nums.append(num)
        dens.append(den)
        counts.append(count)
    if not kept:
        empty = np.zeros((0, *shape))
        return ids[order], [], empty, empty, empty.astype(np.int64)
    return ids[order], kept, np.stack(nums), np.stack(dens), np.stack(counts)
