"""pandera schemas, one per table, derived from the contract; failures become analyst issues.

The schemas check what can be checked on one typed table: ranges (``≥ 0`` where the contract
says so), unique keys, the month format. They run with ``lazy=True`` so pandera collects *every*
failure; :func:`check_table` translates pandera's ``failure_cases`` (column, check, failure_case,
index) into :class:`~benchmark.issues.Issue` with the row as the user sees it and a message in
plain words — the analyst never sees pandera's developer message.

Speed: the same three checks are first run vectorised on the whole table (:func:`may_fail`: one
comparison per number column, one regular-expression kernel per month column, one hash of the
key). A table that passes all of them passes the schema, so pandera (and its import, about
0,5 s with hypothesis) runs only for a table that has something to report — and then exactly as
before, so every failure is still listed with its row, column and value.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from benchmark.dataset.contract import KEYS, TABLES
from benchmark.dataset.parse import MONTH
from benchmark.dataset.read import RawTable
from benchmark.issues import Issue

MAX_ISSUES_PER_CHECK = 500


@cache
def schema(table: str, with_key: bool = True):
    """The pandera schema of ``table``: nullable columns, range and format checks, unique key."""
    import pandera.pandas as pa

    cols = {}
    for c in TABLES[table]:
        checks = []
        if c.kind == "number" and c.min is not None:
            checks.append(pa.Check.ge(c.min, name=f"at_least_{c.min:g}", error="negative"))
        if c.kind == "month":
            checks.append(pa.Check.str_matches(MONTH.pattern, name="month_format", error="bad_month"))
        cols[c.name] = pa.Column(nullable=True, required=False, checks=checks or None)
    key = list(KEYS.get(table, ())) if with_key else []
    return pa.DataFrameSchema(cols, unique=key or None, strict=False, coerce=False,
                              name=table, report_duplicates="all")


MESSAGES = {
    "negative": "must be 0 or more",
    "bad_month": "a month must be written YYYY-MM with a month 01–12 (like 2025-09)",
    "duplicate_key": "appears more than once; {key} must be unique",
}


def may_fail(table: str, frame: pd.DataFrame, columns: list[str], with_key: bool) -> bool:
    """Could the schema of ``table`` find a failure in ``frame[columns]``? The schema's checks,
    vectorised: False means pandera would pass the table. Anything unusual (a column of
    unexpected type) answers True, so pandera decides."""
    spec = {c.name: c for c in TABLES[table]}
    for name in columns:
        c = spec.get(name)
        if c is None:
            continue
        col = frame[name]
        if c.kind == "number" and c.min is not None:
            if not pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
                return True
            with np.errstate(invalid="ignore"):
                if (col.to_numpy(dtype="float64", na_value=np.nan) < c.min).any():  # NaN passes, as nullable
                    return True
        elif c.kind == "month":
            text = col.dropna()
            if not isinstance(text.dtype, pd.StringDtype) and not text.map(lambda x: isinstance(x, str)).all():
                return True
            if not text.astype("string").str.match(MONTH.pattern).fillna(False).all():
                return True
    key = list(KEYS.get(table, ()))
    return bool(with_key and key and frame.duplicated(key, keep=False).any())


def check_table(table: RawTable, frame: pd.DataFrame, skip_columns: set[str]) -> list[Issue]:
    """Validate a typed table; return issues (never raises for data problems)."""
    columns = [c for c in frame.columns if c not in skip_columns or c in KEYS.get(table.name, ())]
    # a key column that is missing (reported as missing_column) cannot be checked for duplicates
    with_key = all(k in frame.columns for k in KEYS.get(table.name, ()))
    if not may_fail(table.name, frame, columns, with_key):
        return []
    from pandera.errors import SchemaError, SchemaErrors

    try:
        schema(table.name, with_key).validate(frame[columns], lazy=True)
        return []
    except (SchemaErrors, SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        if cases is None:  # pragma: no cover - SchemaError without lazy
            return [Issue(table.source, "schema", str(exc))]
    return _issues_from_cases(table, frame, cases)


def _issues_from_cases(table: RawTable, frame: pd.DataFrame, cases: pd.DataFrame) -> list[Issue]:
    issues: list[Issue] = []
    key = KEYS.get(table.name, ())
    cases = cases.dropna(subset=["index"])
    is_unique = cases["check"].astype(str).str.contains("unique|duplicate")
    for i in sorted(set(int(i) for i in cases.loc[is_unique, "index"]))[:MAX_ISSUES_PER_CHECK]:
        value = " / ".join(str(frame.at[i, k]) for k in key)
        issues.append(Issue(table.source, "duplicate_key", MESSAGES["duplicate_key"].format(
            key=" + ".join(key)), row=table.row(i), column=" + ".join(key), value=value))
    for (column, check), group in cases[~is_unique].groupby(["column", "check"], sort=False, dropna=False):
        check = str(check)
        rule = "negative" if check.startswith("at_least") or "greater_than" in check else (
            "bad_month" if "month" in check or "str_matches" in check else check)
        message = MESSAGES.get(rule, f"breaks the check {check}")
        for _, case in group.head(MAX_ISSUES_PER_CHECK).iterrows():
            issues.append(Issue(table.source, rule, message, row=table.row(int(case["index"])),
                                column=str(column), value=case["failure_case"]))
        if len(group) > MAX_ISSUES_PER_CHECK:
            issues.append(Issue(table.source, rule, f"{len(group) - MAX_ISSUES_PER_CHECK} more rows break "
                                "the same rule", column=str(column)))
    return issues
