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

Speed (SPEC §9; bm.score asks for the period, the previous period, the year before and 24 monthly
series): the formulas are evaluated once per dataset over the whole monthly table, each window's
rows are selected once (cached positions and integer codes), sums are ``np.bincount`` over
integer codes, and the long tables are assembled once from per-criterion arrays (text columns by
one Arrow take) — a loop over criteria, never a frame per criterion or per entity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.catalogue.model import Catalogue, Criterion, Peers
from benchmark.dataset.model import Dataset
from benchmark.periods import Period, month_index, parse_period
from benchmark.scoring.peergroups import derive_service_area, peer_groups

VALUE_COLUMNS = [
    "period",
    "level",
    "entity_id",
    "entity_name",
    "division",
    "department",
    "care_level",
    "peer_group",
    "peer_note",
    "criterion",
    "numerator",
    "denominator",
    "value",
    "volume",
    "n_months",
    "scored",
    "not_scored_reason",
]

REASONS = {
    "below_min_size": "below the minimum size",
    "zero_denominator": "the denominator is zero",
    "no_activity_measure": "the care level has no activity measure",
    "no_data_in_window": "no data in the period",
    "missing_values": "the data lack values for this period",
    "missing_column": "the dataset lacks a column the criterion needs",
}


def entity_table(ds: Dataset, level: str) -> pd.DataFrame:
    """Units with their entity id and name at ``level`` (names qualified only where they repeat).

    A unit whose name another unit also has gets its id after the name ("Sengepost 1 (D2-014)"):
    a leader reading a ranking must be able to tell two rows apart, and the id is what the export,
    ``benchmark explain`` and the unit app use. Department ids repeated across divisions get their
    division in front, as before.
    """
    u = ds.units[["unit_id", "unit_name", "division", "department", "care_level"]].copy()
    peer = (
        ds.units["peer_group"] if "peer_group" in ds.units else pd.Series("", index=ds.units.index)
    )
    u["unit_peer_group"] = peer.fillna("").astype(str)
    for col in ds.units.columns:
        if col not in u.columns and col not in ("active_from", "active_to", "peer_group"):
            u[col] = ds.units[col]
    if level == "unit":
        name = u["unit_name"].astype("string").fillna("").str.strip()
        uid = u["unit_id"].astype("string")
        twin = name.duplicated(keep=False) & name.ne("")
        u["entity_id"] = u["unit_id"]
        u["entity_name"] = name.where(~twin, name + " (" + uid + ")").where(name.ne(""), uid).astype(object)
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


def _peer_values(units: pd.DataFrame, by: str, peers: Peers | None = None) -> pd.DataFrame:
    """Per unit the peer group at unit level and its note (units.peer_group overrides).

    ``by`` (a criterion's ``peer_group``) ``== "peers"``: the catalogue's ``[peers]`` (care level ×
    service area with the minimum-size fallback, :mod:`benchmark.scoring.peergroups`); otherwise a
    units column or "all".
    """
    if by == "peers":
        p = peers or Peers()
        return peer_groups(units, p.by, p.min_size)
    base = (
        pd.Series("all", index=units.index)
        if by == "all"
        else (units[by].astype(str) if by in units else pd.Series("all", index=units.index))
    )
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
        self.numerator, self.denominator, self.volume, self.measured = (
            numerator,
            denominator,
            volume,
            measured,
        )

    def take(self, mask: np.ndarray) -> _Rows:
        return _Rows(*(getattr(self, k)[mask] for k in self.__slots__))


def _row_codes(ds: Dataset) -> dict:
    """Per monthly row: position of its unit in ``ds.units``, month index and care-level code.

    Computed once per dataset: string keys (unit ids, months) are what makes pandas slow at
    national scale, so every later aggregation works on these integers with ``np.bincount``.
    """
    if "row_codes" not in _cache(ds):
        # distinct unit ids first (a hash pass over the column), then only those looked up
        row_unit, unit_labels = pd.factorize(ds.monthly["unit_id"])
        unit_pos = (
            pd.Index(ds.units["unit_id"]).get_indexer(unit_labels)[row_unit]
            if len(row_unit)
            else row_unit
        )
        unit_pos = np.where(row_unit >= 0, unit_pos, -1)
        month_codes, month_labels = pd.factorize(ds.monthly["month"])
        label_index = np.array([month_index(str(m)) for m in month_labels], dtype=np.int64)
        # care level and service area together: a numerator may differ per both (SPEC §4)
        care_key = (
            ds.units["care_level"].astype(str) + "." + derive_service_area(ds.units).to_numpy()
        )
        care_codes, care_labels = pd.factorize(care_key)
        unit_pos = unit_pos.astype(np.int64)
        care_of_unit = care_codes.astype(np.int64)
        _cache(ds)["row_codes"] = {
            "unit": unit_pos,
            "care_of_row": np.where(unit_pos >= 0, care_of_unit[np.maximum(unit_pos, 0)], -1)
            if len(unit_pos)
            else np.zeros(0, np.int64),
            "month": label_index[month_codes] if len(month_codes) else np.zeros(0, np.int64),
            "care_of_unit": care_of_unit,
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
    by_care = tuple(
        sorted(
            (k, v.text if v is not None else None) for k, v in crit.numerator_by_care_level.items()
        )
    )
    key = ("evaluated", crit.numerator.text, by_care, crit.denominator.text, volume.text)
    if key not in _cache(ds):
        codes = _row_codes(ds)
        m = ds.monthly
        care_of_row = codes["care_of_row"]
        measured = np.ones(len(m), dtype=bool)
        if crit.numerator_by_care_level:
            num = np.full(len(m), np.nan)
            for code, care_area in enumerate(codes["care_labels"]):
                rows = care_of_row == code
                care, _, area = str(care_area).partition(".")
                expr = crit.numerator_for(care, area)
                if expr is None:
                    measured[rows] = False
                    continue
                num[rows] = _formula(ds, expr)[rows]
        else:
            num = _formula(ds, crit.numerator)
        den = _formula(ds, crit.denominator)
        vol = _formula(ds, volume)
        _cache(ds)[key] = _Rows(codes["unit"], codes["month"], care_of_row, num, den, vol, measured)
    return _cache(ds)[key]


def _formula(ds: Dataset, expr) -> np.ndarray:
    """A catalogue formula on every monthly row, evaluated once per dataset and text (criteria
    share denominators and volumes: fte_worked, the pay sum). Read-only, since it is shared."""
    key = ("formula", expr.text)
    if key not in _cache(ds):
        values = np.array(
            expr.evaluate(ds.monthly).to_numpy(dtype=float), dtype=float
        )  # its own copy
        values.setflags(write=False)
        _cache(ds)[key] = values
    return _cache(ds)[key]


def _window_rows(ds: Dataset, months: tuple[str, ...]) -> _Rows:
    """The monthly rows of ``months`` whose unit is known (table order): positions and codes, cached.

    The same for every criterion, so the period, the previous period, the year before and the
    monthly series each select their rows once per dataset; a run of consecutive months (every
    window the catalogue has) is two comparisons instead of a set lookup. ``numerator`` holds the
    row positions (the evaluated columns are taken per criterion by :func:`_window`).
    """
    wanted = np.array(sorted({month_index(m) for m in months}), dtype=np.int64)
    key = ("window", wanted.tobytes())
    if key not in _cache(ds):
        codes = _row_codes(ds)
        if len(wanted) and wanted[-1] - wanted[0] + 1 == len(wanted):
            mask = (codes["month"] >= wanted[0]) & (codes["month"] <= wanted[-1])
        else:
            mask = np.isin(codes["month"], wanted)
        pos = np.flatnonzero(mask & (codes["unit"] >= 0))
        unit = codes["unit"][pos]
        care = codes["care_of_unit"][unit]
        _cache(ds)[key] = _Rows(unit, codes["month"][pos], care, pos, None, None, None)
    return _cache(ds)[key]


def _window(
    ds: Dataset, crit: Criterion, months: tuple[str, ...], measured_only: bool = False
) -> _Rows:
    """The rows of ``months`` with ``crit``'s evaluated columns (only measured rows if asked)."""
    rows = _evaluated(ds, crit)
    w = _window_rows(ds, months)
    pos = w.numerator
    measured = rows.measured[pos]
    unit, month, care = w.unit, w.month, w.care
    if measured_only and not measured.all():
        keep = measured
        pos, unit, month, care, measured = (
            pos[keep],
            unit[keep],
            month[keep],
            care[keep],
            measured[keep],
        )
    return _Rows(
        unit, month, care, rows.numerator[pos], rows.denominator[pos], rows.volume[pos], measured
    )


def _entities(ds: Dataset, level: str) -> tuple[pd.DataFrame, np.ndarray, pd.Index]:
    """(entity table, entity code of each unit position, entity ids in order of first appearance)."""
    key = ("entities", level)
    if key not in _cache(ds):
        units = entity_table(ds, level)
        codes, ids = pd.factorize(units["entity_id"])
        _cache(ds)[key] = (units, codes.astype(np.int64), pd.Index(ids, name="entity_id"))
    return _cache(ds)[key]


def window_entities(
    ds: Dataset, level: str, months: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(positions of the monthly rows of ``months`` with a known unit, in table order; each such
    row's entity code; the entity ids the codes index) — for sums over a window outside this module."""
    w = _window_rows(ds, months)
    _, unit_entity, ids = _entities(ds, level)
    return w.numerator, unit_entity[w.unit], ids


def _id_order(ds: Dataset, level: str) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the entity ids in sorted order, each entity's place in that order), cached."""
    key = ("id_order", level)
    if key not in _cache(ds):
        _, _, ids = _entities(ds, level)
        order = np.asarray(ids.argsort(), dtype=np.int64)
        rank = np.empty(len(ids), dtype=np.int64)
        rank[order] = np.arange(len(ids))
        _cache(ds)[key] = (order, rank)
    return _cache(ds)[key]


def _summarise(rows: _Rows, group: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Sums of numerator, denominator and volume over rows with data, per group code (bincount).

    The contract of :func:`_reasons`: ``n_rows`` and ``measured`` over all rows of the window,
    sums and ``n_months`` (distinct months) over rows that are measured and have both values; the
    sums are NaN where a group has no such row. Distinct months are counted on a dense group ×
    month grid (the window's months are few), not by sorting pairs.
    """
    n_rows = np.bincount(group, minlength=n_groups)
    measured = np.bincount(group, weights=rows.measured, minlength=n_groups) > 0
    valid = rows.measured & ~np.isnan(rows.numerator) & ~np.isnan(rows.denominator)
    g = group[valid]
    none = np.bincount(g, minlength=n_groups) == 0

    def total(x: np.ndarray) -> np.ndarray:
        out = np.bincount(g, weights=np.nan_to_num(x[valid]), minlength=n_groups).astype(float)
        out[none] = np.nan
        return out

    month = rows.month[valid]
    first = int(month.min()) if len(month) else 0
    span = int(month.max()) - first + 1 if len(month) else 1
    seen = (
        np.bincount(g * span + (month - first), minlength=n_groups * span).reshape(n_groups, span)
        > 0
    )
    return {
        "n_rows": n_rows,
        "measured": measured,
        "numerator": total(rows.numerator),
        "denominator": total(rows.denominator),
        "volume": total(rows.volume),
        "n_months": seen.sum(axis=1),
    }


def _productivity_reference(rows: _Rows, ds: Dataset, min_denominator: float | None) -> np.ndarray:
    """Reference productivity per care-level code: the median of unit values (indirect standardisation).

    With ``min_denominator`` (period values) only units of at least that size and with data count;
    without it (monthly series) every unit with a non-zero denominator counts.
    """
    codes = _row_codes(ds)
    n_units = len(codes["care_of_unit"])
    if min_denominator is not None:
        sums = _summarise(rows, rows.unit, n_units)
        ok = (
            np.nan_to_num(sums["denominator"], nan=-np.inf) >= max(min_denominator, 1e-12)
        ) & sums["measured"]
        with np.errstate(invalid="ignore", divide="ignore"):
            value = pd.Series(np.where(ok, sums["numerator"] / sums["denominator"], np.nan))
    else:
        num = np.bincount(rows.unit, weights=np.nan_to_num(rows.numerator), minlength=n_units)
        den = np.bincount(rows.unit, weights=np.nan_to_num(rows.denominator), minlength=n_units)
        value = pd.Series(num / np.where(den != 0, den, np.nan))
    median = value.groupby(codes["care_of_unit"]).median()
    return median.reindex(range(len(codes["care_labels"]))).to_numpy(dtype=float)


def _criterion_frame(
    ds: Dataset, units: pd.DataFrame, crit: Criterion, period: Period, level: str
) -> dict:
    """The window sums of ``crit`` per entity (in first-appearance order) and the reason codes."""
    months = period.window(crit.window)
    _, unit_entity, ids = _entities(ds, level)
    try:
        rows = _window(ds, crit, months)
    except KeyError as exc:
        nan = np.full(len(ids), np.nan)
        return {
            "numerator": nan,
            "denominator": nan,
            "volume": nan,
            "n_months": np.zeros(len(ids), np.int64),
            "reason": np.full(len(ids), MISSING_COLUMN, dtype=np.int64),
            "detail": str(exc).strip("'"),
        }
    if crit.numerator_by_care_level and level != "unit":
        reference = _productivity_reference(rows, ds, crit.min_denominator)
        rows.numerator = rows.numerator / np.where(
            rows.care >= 0, reference[np.maximum(rows.care, 0)], np.nan
        )
    frame = _summarise(rows, unit_entity[rows.unit], len(ids))
    frame["reason"] = _reasons(frame, crit.min_denominator)
    return frame


REASON_ORDER = (
    "",
    "no_data_in_window",
    "no_activity_measure",
    "missing_values",
    "zero_denominator",
    "below_min_size",
    "missing_column",
)
MISSING_COLUMN = REASON_ORDER.index("missing_column")


def _reasons(frame: dict, min_size: float) -> np.ndarray:
    """Why an entity is not scored, the first that applies in this order (code 0: scored).

    Codes index :data:`REASON_ORDER`.
    """
    den = np.nan_to_num(np.asarray(frame["denominator"], dtype=float), nan=0.0)
    return np.select(
        [
            np.asarray(frame["n_rows"]) == 0,
            ~np.asarray(frame["measured"], dtype=bool),
            np.asarray(frame["n_months"]) == 0,
            den == 0,
            den < min_size,
        ],
        [1, 2, 3, 4, 5],
        default=0,
    ).astype(np.int64)


def _measures_frame(
    units: pd.DataFrame, level: str, summary: pd.DataFrame | None, ids: pd.Index
) -> dict:
    """Realised ÷ promised effect of the measures per entity (``ids`` order), as window sums."""
    n = len(ids)
    frame = {
        "numerator": np.full(n, np.nan),
        "denominator": np.full(n, np.nan),
        "volume": np.full(n, np.nan),
        "n_months": np.zeros(n, np.int64),
        "n_rows": np.zeros(n, np.int64),
        "measured": np.ones(n, bool),
    }
    if summary is not None and not summary.empty:
        dept = summary["department"].fillna("").astype(str)
        rows = summary[dept == ""] if level == "division" else summary[dept != ""]
        key = rows["division"] if level == "division" else rows["department"]
        rows = (
            rows.assign(entity_id=key.to_numpy())
            .drop_duplicates("entity_id")
            .set_index("entity_id")
        )
        pos = rows.index.get_indexer(ids)
        have = pos >= 0
        at = pos[have]
        frame["numerator"][have] = rows["effect_realised"].to_numpy(dtype=float)[at]
        frame["denominator"][have] = rows["effect_risk_adjusted_to_date"].to_numpy(dtype=float)[at]
        frame["volume"][have] = frame["denominator"][have]
        frame["n_months"][have], frame["n_rows"][have] = 1, 1
    return frame


def _str_column(labels, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A text column of ``labels[codes]``: one Arrow take instead of a Python string per row."""
    return pd.array(np.asarray(labels, dtype=object), dtype="str").take(
        np.asarray(codes, dtype=np.int64)
    )


def criterion_values(
    ds: Dataset,
    cat: Catalogue,
    period: Period | str,
    level: str = "unit",
    measures_summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per entity × criterion scored at ``level`` (columns: :data:`VALUE_COLUMNS`).

    Rows by criterion (catalogue order), then entity id. Every criterion has a row for every
    entity, so the table is built once from per-criterion arrays, not frame by frame.
    """
    period = parse_period(period) if isinstance(period, str) else period
    units, _, ids = _entities(ds, level)
    order, _ = _id_order(ds, level)
    crits = [c for c in cat.criteria if level in c.levels]
    if not crits:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    base = _base_facts(ds, level)
    n, k = len(ids), len(crits)
    numeric = {c: [] for c in ("numerator", "denominator", "volume", "n_months", "value")}
    scored, messages, message_codes, peer_codes, peer_labels = [], [], [], [], {}
    for i, crit in enumerate(crits):  # a loop over criteria
        if crit.source == "measures":
            frame = _measures_frame(units, level, measures_summary, ids)
            frame["reason"] = _reasons(frame, crit.min_denominator)
        else:
            frame = _criterion_frame(ds, units, crit, period, level)
        reason = frame["reason"][order]
        ok = reason == 0
        for col in ("numerator", "denominator", "volume"):
            numeric[col].append(np.asarray(frame[col], dtype=float)[order])
        numeric["n_months"].append(np.asarray(frame["n_months"], dtype=np.int64)[order])
        with np.errstate(invalid="ignore", divide="ignore"):
            numeric["value"].append(
                np.where(
                    ok,
                    numeric["numerator"][-1] / np.where(ok, numeric["denominator"][-1], 1.0),
                    np.nan,
                )
            )
        scored.append(ok)
        detail = f" ({frame['detail']})" if "detail" in frame else ""
        messages.extend(
            "" if r == "" else f"{r}: {REASONS.get(r, '')}{detail}" for r in REASON_ORDER
        )
        message_codes.append(i * len(REASON_ORDER) + reason)
        spec = _peer_spec(level, crit, cat.peers)
        if spec not in peer_labels:
            peer_labels[spec] = len(peer_labels)
        peer_codes.append(peer_labels[spec] * n + order)  # row of the stacked peer facts below
    rows = np.tile(order, k)
    columns = {col: base[col].array.take(rows) for col in base.columns}
    peer = pd.concat([_peer_facts(ds, level, spec) for spec in peer_labels], ignore_index=True)
    at = np.concatenate(peer_codes)
    for col in ("peer_group", "peer_note"):
        columns[col] = peer[col].array.take(at)
    columns["criterion"] = _str_column([c.id for c in crits], np.repeat(np.arange(k), n))
    columns["period"] = _str_column([period.label], np.zeros(n * k, np.int64))
    columns["level"] = _str_column([level], np.zeros(n * k, np.int64))
    for col, parts in numeric.items():
        columns[col] = np.concatenate(parts)
    columns["scored"] = np.concatenate(scored)
    columns["not_scored_reason"] = _str_column(messages, np.concatenate(message_codes))
    return pd.DataFrame(
        {c: columns[c] for c in VALUE_COLUMNS}, copy=False
    )  # all new arrays: no second copy


def _base_facts(ds: Dataset, level: str) -> pd.DataFrame:
    """Per entity (first-appearance order, column ``entity_id``): name, division, department and
    care level ("mixed" if its units differ; department blank if several or at division level)."""
    key = ("facts", level)
    units, codes, ids = _entities(ds, level)
    if key not in _cache(ds):
        first = units.groupby("entity_id", sort=False).agg(
            entity_name=("entity_name", "first"),
            division=("division", "first"),
            department=("department", "first"),
            n_dept=("department", "nunique"),
            care_level=("care_level", "first"),
            n_care=("care_level", "nunique"),
        )
        first.loc[first["n_care"] > 1, "care_level"] = "mixed"
        first.loc[first["n_dept"] > 1, "department"] = ""
        if level == "division":
            first["department"] = ""
        facts = first.drop(columns=["n_dept", "n_care"]).reindex(ids)
        facts.index.name = "entity_id"
        _cache(ds)[key] = facts.reset_index()
    return _cache(ds)[key]


def _peer_spec(level: str, crit: Criterion, peers: Peers | None) -> tuple:
    """What an entity's peer group depends on: above unit level nothing (one group, "all")."""
    return ("all",) if level != "unit" else ("unit", crit.peer_group, peers)


def _peer_facts(ds: Dataset, level: str, spec: tuple) -> pd.DataFrame:
    """Per entity (first-appearance order): peer_group and peer_note for a :func:`_peer_spec`."""
    key = ("peer_facts", level, spec)
    if key not in _cache(ds):
        units, codes, ids = _entities(ds, level)
        if spec == ("all",):
            # above unit level entities mix care levels: one peer group, compared on the productivity index
            frame = pd.DataFrame(
                {
                    "peer_group": _str_column(["all"], np.zeros(len(ids), np.int64)),
                    "peer_note": _str_column([""], np.zeros(len(ids), np.int64)),
                }
            )
        else:
            _, by, peers = spec
            first_unit = pd.Series(np.arange(len(units))).groupby(codes).first().to_numpy()
            pv = _peer_values(units, by, peers)
            frame = pd.DataFrame(
                {
                    "peer_group": pv["peer_group"].astype("str").array.take(first_unit),
                    "peer_note": pv["peer_note"].astype("str").array.take(first_unit),
                }
            )
        _cache(ds)[key] = frame
    return _cache(ds)[key]


def monthly_arrays(
    ds: Dataset, crit: Criterion, level: str, months: tuple[str, ...]
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Dense monthly sums of ``crit``: (entity ids sorted, numerator, denominator, row count).

    Arrays are entities × ``months`` (sorted); a cell whose entity has no measured row that month
    has count 0, and a sum of only missing values is NaN (as ``sum(min_count=1)``).
    Raises ``KeyError`` for a column the dataset lacks.
    """
    months = tuple(sorted(months))
    _, unit_entity, ids = _entities(ds, level)
    order, rank = _id_order(ds, level)
    rows = _window(ds, crit, months, measured_only=True)
    if crit.numerator_by_care_level and level != "unit":
        reference = _productivity_reference(rows, ds, None)
        rows.numerator = rows.numerator / np.where(
            rows.care >= 0, reference[np.maximum(rows.care, 0)], np.nan
        )
    month_codes = np.array([month_index(m) for m in months], dtype=np.int64)
    if len(months) and month_codes[-1] - month_codes[0] + 1 == len(months):
        local = rows.month - month_codes[0]
    else:
        local = np.searchsorted(month_codes, rows.month)
    cell = rank[unit_entity[rows.unit]] * len(months) + local
    shape = (len(ids), len(months))
    size = shape[0] * shape[1]
    count = np.bincount(cell, minlength=size).reshape(shape)

    single = count.max(initial=0) <= 1  # one row per cell (units by month): a scatter, no sums

    def total(x: np.ndarray) -> np.ndarray:
        if single:
            out = np.full(size, np.nan)
            out[cell] = x + 0.0  # + 0.0 as the sum 0.0 + x would: −0.0 becomes 0.0
            return out.reshape(shape)
        ok = ~np.isnan(x)
        # NaN rows add 0.0 (a sum plus 0.0 is the same sum); cells with no known value are NaN
        out = np.bincount(cell, weights=np.where(ok, x, 0.0), minlength=size).reshape(shape)
        out[np.bincount(cell, weights=ok, minlength=size).reshape(shape) == 0] = np.nan
        return out

    return ids[order], total(rows.numerator), total(rows.denominator), count


MONTHLY_COLUMNS = ["entity_id", "criterion", "month", "numerator", "denominator", "value"]


def monthly_table(
    ds: Dataset,
    cat: Catalogue,
    level: str,
    months: tuple[str, ...] | list[str],
    only: set[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(long table of :func:`monthly_values`, the same rows as integer codes ``series``/``t``,
    the entity_id and criterion of each series code).

    The coded twin lets the SPC step group and sort 10⁶ rows by integers instead of strings. The
    text columns are built once for all criteria (one Arrow take each), not per criterion.
    """
    months = tuple(sorted(months))
    crits = [
        c
        for c in cat.criteria
        if level in c.levels and c.source == "monthly" and (only is None or c.id in only)
    ]
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("e", "t", "code", "num", "den", "key_e", "key_code")
    }
    ids = None
    for code, crit in enumerate(crits):
        try:
            ids, num, den, count = monthly_arrays(ds, crit, level, months)
        except KeyError:
            continue
        flat = np.flatnonzero(count)
        e, t = np.divmod(flat, len(months))
        parts["e"].append(e.astype(np.int32))  # 32-bit while collecting: half the peak memory
        parts["t"].append(t.astype(np.int32))
        parts["code"].append(np.full(len(e), code, dtype=np.int32))
        parts["num"].append(num.ravel()[flat])
        parts["den"].append(den.ravel()[flat])
        present = np.flatnonzero(count.any(axis=1))
        parts["key_e"].append(present)
        parts["key_code"].append(np.full(len(present), code, dtype=np.int64))
        del num, den, count, flat, e, t
    if ids is None:
        return (
            pd.DataFrame(columns=MONTHLY_COLUMNS),
            pd.DataFrame(columns=["series", "t", "value"]),
            pd.DataFrame(columns=["entity_id", "criterion"]),
        )
    joined = {}
    for k in list(parts):  # each list freed as soon as it is joined
        joined[k] = np.concatenate(parts.pop(k))
        if joined[k].dtype == np.int32:
            joined[k] = joined[k].astype(np.int64)
    e, t, code, numerator, denominator, key_e, key_code = (joined.pop(k) for k in list(joined))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = numerator / np.where(denominator > 0, denominator, np.nan)
    crit_ids = [c.id for c in crits]
    ids_text = pd.array(np.asarray(ids, dtype=object), dtype="str")
    # copy=False: the arrays are new and each frame gets its own (no second copy of 10⁶ rows)
    monthly = pd.DataFrame(
        {
            "entity_id": ids_text.take(e),
            "criterion": _str_column(crit_ids, code),
            "month": _str_column(months, t),
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
        },
        copy=False,
    )
    coded = pd.DataFrame(
        {"series": e * len(crits) + code, "t": t, "value": value.copy()}, copy=False
    )
    keys = pd.DataFrame(
        {"entity_id": ids_text.take(key_e), "criterion": _str_column(crit_ids, key_code)},
        index=key_e * len(crits) + key_code,
    )
    return monthly, coded, keys


def monthly_values(
    ds: Dataset,
    cat: Catalogue,
    level: str,
    months: tuple[str, ...] | list[str],
    only: set[str] | None = None,
) -> pd.DataFrame:
    """Per entity × criterion × month: numerator, denominator, value (for trends and sparklines)."""
    return monthly_table(ds, cat, level, months, only)[0]


def monthly_cube(
    ds: Dataset, crits: list[Criterion], level: str, months: tuple[str, ...]
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
    if len(wanted) and wanted[-1] - wanted[0] + 1 == len(wanted):  # consecutive: two comparisons
        in_window = (codes["month"] >= wanted[0]) & (codes["month"] <= wanted[-1])
    else:
        in_window = np.isin(codes["month"], wanted)
    in_window = np.flatnonzero(in_window & (codes["unit"] >= 0))
    unit, month = codes["unit"][in_window], codes["month"][in_window]
    cell = rank[unit_entity[unit]] * len(months) + np.searchsorted(wanted, month)
    shape = (len(ids), len(months))
    size = shape[0] * shape[1]
    all_count = np.bincount(cell, minlength=size)
    # one row per cell (units by month): each sum is its one value, a scatter instead of bincounts
    single = all_count.max(initial=0) <= 1
    empty_cells = np.flatnonzero(
        all_count == 0
    )  # cells no row reaches (NaN unless a scatter fills them)
    # filled criterion by criterion (no stack of per-criterion copies at the end)
    nums, dens = np.empty((len(crits), *shape)), np.empty((len(crits), *shape))
    counts = np.empty((len(crits), *shape), dtype=np.int64)
    kept = []
    for crit in crits:  # a loop over criteria, each one bincount (or scatter) per sum over all rows
        k = len(kept)
        if crit.numerator_by_care_level and level != "unit":
            try:
                _, nums[k], dens[k], counts[k] = monthly_arrays(ds, crit, level, months)
            except KeyError:
                continue
        else:
            try:
                rows = _evaluated(ds, crit)
            except KeyError:
                continue
            measured = rows.measured[in_window]
            every = bool(measured.all())
            pos = in_window if every else in_window[measured]
            c = cell if every else cell[measured]
            counts[k] = (all_count if every else np.bincount(c, minlength=size)).reshape(shape)
            for x, out in (
                (rows.numerator[pos], nums[k].reshape(size)),
                (rows.denominator[pos], dens[k].reshape(size)),
            ):
                if (
                    single
                ):  # the sum 0.0 + x of a cell's one row: x, with −0.0 made 0.0; NaN stays NaN
                    if every:  # the rows reach every cell but the empty ones: only those to fill
                        out[empty_cells] = np.nan
                    else:
                        out.fill(np.nan)
                    out[c] = x + 0.0
                    continue
                ok = ~np.isnan(x)
                out[:] = np.bincount(c[ok], weights=x[ok], minlength=size)
                out[np.bincount(c[ok], minlength=size) == 0] = np.nan
        kept.append(crit)
    n = len(kept)  # criteria without a column leave unused rows at the end: cut off (a view)
    return ids[order], kept, nums[:n], dens[:n], counts[:n]
