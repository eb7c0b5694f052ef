"""Rules that need more than one column or table, each returning a list of issues.

- every ``monthly.unit_id`` and ``measures.unit_id`` is a known unit;
- every ``measures.division`` (and ``division_results.division``) is a known division;
- ``fte_worked == 0`` with activity > 0 is an error, not a silent division by zero;
- ``active_from <= active_to``; no monthly rows outside a unit's active span.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from benchmark.dataset.contract import ACTIVITY
from benchmark.dataset.read import RawTable
from benchmark.explanation.numbers import number
from benchmark.issues import Issue

MAX = 500


def _many(table: RawTable, mask: pd.Series, make) -> list[Issue]:
    idx = mask[mask.fillna(False).astype(bool)].index
    issues = [make(i) for i in idx[:MAX]]
    if len(idx) > MAX:
        first = make(idx[0])
        issues.append(Issue(table.source, first.rule, f"{len(idx) - MAX} more rows break the same rule",
                            column=first.column))
    return issues


def known_units(units: pd.DataFrame, table: RawTable, frame: pd.DataFrame, optional: bool) -> list[Issue]:
    if "unit_id" not in frame:
        return []
    ids = frame["unit_id"]
    unknown = pd.Series(_positions(ids, units["unit_id"].drop_duplicates()) < 0, index=ids.index)
    if optional:
        unknown &= ids != ""
    return _many(table, unknown, lambda i: Issue(
        table.source, "unknown_unit", "this unit_id is not in the units table", row=table.row(i),
        column="unit_id", value=ids.at[i], hint="Add the unit to units or correct the id"))


def known_divisions(units: pd.DataFrame, table: RawTable, frame: pd.DataFrame) -> list[Issue]:
    if "division" not in frame:
        return []
    divisions = set(units["division"])
    unknown = ~frame["division"].isin(divisions)
    return _many(table, unknown, lambda i: Issue(
        table.source, "unknown_division", "this division is not a division of any unit",
        row=table.row(i), column="division", value=frame.at[i, "division"],
        hint=f"Known divisions: {', '.join(sorted(divisions))}"))


def fte_zero_with_activity(table: RawTable, monthly: pd.DataFrame) -> list[Issue]:
    if "fte_worked" not in monthly:
        return []
    present = [c for c in ACTIVITY if c in monthly]
    if not present:
        return []
    activity = monthly[present].fillna(0)
    zero = (monthly["fte_worked"] == 0) & (activity > 0).any(axis=1)

    def make(i) -> Issue:
        col = next(c for c in present if activity.at[i, c] > 0)
        return Issue(table.source, "fte_zero_with_activity",
                     f"activity needs worked FTE ({col} = {number(activity.at[i, col], 1)})",
                     row=table.row(i), column="fte_worked", value=0,
                     hint="Check the HR export for this month")
    return _many(table, zero, make)


def _text_array(col: pd.Series) -> pa.Array:
    return pa.array(col.astype("string"), type=pa.string(), from_pandas=True)


def _positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """The position of each of ``values`` among the distinct ``keys`` (−1 where absent, a missing
    value matching a missing key as in ``isin``): one hash join in Arrow, no Python strings."""
    try:
        found = pc.index_in(_text_array(values), value_set=_text_array(keys), skip_nulls=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return pd.Index(keys).get_indexer(values)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _span_words(first: object, last: object) -> str:
    """``active 2025-02 to 2025-06`` / ``active from 2025-02`` / ``active until 2025-06`` (never 'nan')."""
    has_first, has_last = isinstance(first, str) and bool(first), isinstance(last, str) and bool(last)
    if has_first and has_last:
        return f"active {first} to {last}"
    return f"active from {first}" if has_first else f"active until {last}"


def active_span(units_table: RawTable, units: pd.DataFrame, table: RawTable,
                monthly: pd.DataFrame) -> list[Issue]:
    issues: list[Issue] = []
    if "active_from" not in units or "active_to" not in units:
        spans = units.reindex(columns=["unit_id", "active_from", "active_to"])
        for col in ("active_from", "active_to"):
            spans[col] = pd.to_datetime(spans[col])
    else:
        spans = units[["unit_id", "active_from", "active_to"]]
        reversed_ = spans["active_from"].notna() & spans["active_to"].notna() & (
            spans["active_from"] > spans["active_to"])
        issues += _many(units_table, reversed_, lambda i: Issue(
            units_table.source, "active_span_reversed", "active_from is after active_to",
            row=units_table.row(i), column="active_from",
            value=f"{spans.at[i, 'active_from']:%Y-%m-%d} > {spans.at[i, 'active_to']:%Y-%m-%d}"))
    if "month" not in monthly or "unit_id" not in monthly:
        return issues
    spans = spans.drop_duplicates("unit_id")  # a duplicate unit_id is reported as duplicate_key
    # each monthly row's unit found once (one hash join in Arrow), both ends taken by position and
    # compared in Arrow: 360 000 rows never become Python strings
    at = pa.array(_positions(monthly["unit_id"], spans["unit_id"]))
    at = pc.if_else(pc.greater_equal(at, 0), at, pa.scalar(None, at.type))
    starts, ends = (pa.array(spans[col].dt.strftime("%Y-%m").to_numpy(dtype=object, na_value=None),
                             type=pa.string()).take(at) for col in ("active_from", "active_to"))
    month = _text_array(monthly["month"])
    outside = pc.or_(pc.fill_null(pc.less(month, starts), False), pc.fill_null(pc.greater(month, ends), False))
    outside = pd.Series(outside.to_numpy(zero_copy_only=False), index=monthly.index)

    def make(i) -> Issue:
        pos = monthly.index.get_loc(i)
        return Issue(table.source, "outside_active_span",
                     f"the unit is not active this month ({_span_words(starts[pos].as_py(), ends[pos].as_py())})",
                     row=table.row(i), column="month", value=monthly.at[i, "month"],
                     hint="Correct active_from/active_to in units, or remove the row")
    issues += _many(table, outside, make)
    return issues
