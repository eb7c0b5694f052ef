"""Turn a raw table (text cells) into typed columns, reporting every cell that cannot be read.

Numbers go through the Norwegian number parser; categories through the nb/en vocabularies
(stored in English); months must be ``YYYY-MM``; dates may be ``2024-01-31``, ``31.01.2024`` or an
Excel date. A missing required column, a blank required cell, or an unreadable value is an Issue
naming the table's file, the row as the user sees it, the column and the value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from benchmark.dataset.contract import OPTIONAL_BLANK, REQUIRED_TABLES, TABLES, Column
from benchmark.dataset.numbers import ambiguous_cells, parse_numbers
from benchmark.dataset.read import RawTable
from benchmark.dataset.sniff import MAX_CELL_CHARS
from benchmark.issues import Issue
from benchmark.vocabulary import allowed_values, normalise

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_CELL_ISSUES = 500  # per table and column; the rest are counted in one issue


def _cell_issues(table: RawTable, column: str, mask: pd.Series, raw: pd.Series, rule: str,
                 message: str, hint: str | None = None, level: str = "error") -> list[Issue]:
    idx = mask[mask].index
    issues = [Issue(table.source, rule, message, row=table.row(i), column=column, value=raw.loc[i],
                    hint=hint, level=level) for i in idx[:MAX_CELL_ISSUES]]  # type: ignore[arg-type]
    if len(idx) > MAX_CELL_ISSUES:
        issues.append(Issue(table.source, rule, f"{len(idx) - MAX_CELL_ISSUES} more rows break the same rule",
                            column=column, level=level))  # type: ignore[arg-type]
    return issues


def _text(raw: pd.Series) -> pd.Series:
    return raw.astype("string").str.strip().fillna("")


def _datetime_cells(raw: pd.Series) -> pd.Series:
    """Cells holding a date or datetime (from a workbook); a text column (CSV) holds none, and
    is not looked at cell by cell."""
    if isinstance(raw.dtype, pd.StringDtype) or pd.api.types.is_numeric_dtype(raw.dtype):
        return pd.Series(False, index=raw.index)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        return raw.notna()
    return raw.map(lambda x: isinstance(x, (pd.Timestamp, np.datetime64)) or (hasattr(x, "year")
                                                                             and hasattr(x, "month"))).astype(bool)


def _long_text(table: RawTable, column: str, raw: pd.Series, issues: list[Issue]) -> pd.Series:
    """Text, with cells longer than Excel's 32 767 characters cut there (and a warning each)."""
    text = _text(raw)
    long = text.str.len() > MAX_CELL_CHARS
    if long.any():
        issues += _cell_issues(table, column, long, text.str[:40] + "…", "text_too_long",
                               f"the text is longer than {MAX_CELL_CHARS:,} characters (Excel's limit for a cell); "
                               "only the first ones are kept".replace(",", " "), level="warning")
        text = text.where(~long, text.str[:MAX_CELL_CHARS])
    return text


DATE_LIKE = r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$"


def start_problems(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Masks of measure starts that look like a date but are none (``31.13.2024``), and of text
    starts that are not a known phrase (read as January, so they must be reported)."""
    from benchmark.measures.realisation import TEXT_STARTS

    is_dt = _datetime_cells(raw)
    text = _text(raw.where(~is_dt, "")) if is_dt.any() else _text(raw)
    date_like = text.str.match(DATE_LIKE).fillna(False).astype(bool)
    _, bad = parse_dates(text.where(date_like, ""))
    iso_month = text.str.match(r"^\d{4}-(0[1-9]|1[0-2])$").fillna(False).astype(bool)  # 2024-03: a month
    unknown = ~date_like & ~is_dt & ~iso_month & (text != "") & ~text.str.lower().isin(set(TEXT_STARTS))
    return (bad & date_like), unknown


def _start_issues(table: RawTable, column: str, raw: pd.Series, text: pd.Series) -> list[Issue]:
    """A start that looks like a date must be one (31.13.2024 is not); text must be a known phrase."""
    from benchmark.measures.realisation import TEXT_STARTS

    bad, unknown = start_problems(raw)
    issues = _cell_issues(table, column, bad, raw, "bad_date",
                          "not a date: write 31.01.2024 or 2024-01-31 (day 1–31, month 1–12)")
    known = ", ".join(sorted(TEXT_STARTS))
    issues += _cell_issues(table, column, unknown, raw, "unknown_start",
                           "the start is neither a date nor a known phrase; it is read as January (the earliest "
                           "start, which expects the most effect)", level="warning",
                           hint=f"Write a date, or one of: {known}")
    return issues


def parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates as ``YYYY-MM-DD``, ``DD.MM.YYYY`` or Excel datetimes; returns (datetime64, bad)."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    is_dt = _datetime_cells(raw)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(raw[is_dt].astype(object))
    text = _text(raw.where(~is_dt, "")) if is_dt.any() else _text(raw)
    blank = (text == "") & ~is_dt
    iso = text.str.match(r"^\d{4}-\d{2}-\d{2}")
    nor = text.str.match(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
    out[iso] = pd.to_datetime(text[iso].str[:10], format="%Y-%m-%d", errors="coerce")
    out[nor] = pd.to_datetime(text[nor], format="%d.%m.%Y", errors="coerce")
    bad = out.isna() & ~blank
    return out, bad


def _header_elsewhere(table: RawTable, names: list[str]) -> int | None:
    """The row (as the user sees it) of the first of the top ten rows that holds most of the
    contract's column names — a title row above the header pushes the header down."""
    wanted = {n.lower() for n in names}
    for i in table.frame.index[:10]:
        cells = {str(v).strip().lower() for v in table.frame.loc[i].tolist()}
        if len(cells & wanted) >= max(2, len(wanted) // 2):
            return table.row(i)
    return None


def parse_table(table: RawTable) -> tuple[pd.DataFrame, list[Issue]]:
    """Typed frame (same index as the raw one) and the issues found while reading cells."""
    spec = TABLES[table.name]
    raw = table.frame
    issues: list[Issue] = []
    present = set(raw.columns)
    missing = [c.name for c in spec if c.required and c.name not in present]
    header_row = _header_elsewhere(table, [c.name for c in spec]) if missing else None
    if header_row:  # one issue, not one per column: the columns are there, one row down
        issues.append(Issue(table.source, "header_not_on_first_row", f"the first row is not the header; the "
                            f"header seems to be on row {header_row}", row=1,
                            hint=f"Remove the rows above row {header_row} (titles, blank rows)"))
        return pd.DataFrame(index=raw.index), issues
    for name in missing:
        issues.append(Issue(table.source, "missing_column", "a required column is missing",
                            column=name, hint=f"The columns found are: {', '.join(map(str, raw.columns))}"))
    if raw.empty and table.name in REQUIRED_TABLES:
        issues.append(Issue(table.source, "empty_table", "the table has a header but no rows",
                            hint=f"Export the {table.name} rows, not only the header"))
    out = pd.DataFrame(index=raw.index)
    for col in spec:
        if col.name not in present:
            continue
        values, problems = _parse_column(table, col, raw[col.name])
        out[col.name] = values
        issues.extend(problems)
    for extra in (c for c in raw.columns if c not in out.columns):
        values, bad = parse_numbers(raw[extra])
        text_blank = _text(raw[extra]) == ""
        out[extra] = values if not (bad & ~text_blank).any() else _text(raw[extra])
    return out, issues


def _parse_column(table: RawTable, col: Column, raw: pd.Series) -> tuple[pd.Series, list[Issue]]:
    issues: list[Issue] = []
    where = f"{table.name}.{col.name}"
    match col.kind:
        case "number":
            values, bad = parse_numbers(raw)
            ambiguous, evidence = ambiguous_cells(raw) if bad.any() else (bad & False, None)
            ambiguous &= bad
            if ambiguous.any():
                other = raw.loc[evidence]
                issues += _cell_issues(
                    table, col.name, ambiguous, raw, "ambiguous_number",
                    f"this number can be read two ways, because the column writes numbers in two ways: row "
                    f"{table.row(evidence)} has '{other}', where the dot and the comma mean the opposite",
                    hint="Write every number of the column one way (Norwegian: 14 000 and 1 234,5)")
            issues += _cell_issues(table, col.name, bad & ~ambiguous, raw, "not_a_number",
                                   "expected a number (like 14 000 or 0,8)")
            if col.required:
                blank = values.isna() & ~bad
                issues += _cell_issues(table, col.name, blank, raw, "blank_required",
                                       "a number is required here; the cell is blank")
            return values, issues
        case "str":
            if raw.dtype == object:  # Excel: an id typed as 101 arrives as the float 101.0
                raw = raw.map(lambda x: str(int(x)) if isinstance(x, float) and x.is_integer() else x)
            text = _long_text(table, col.name, raw, issues)
            if col.required and (table.name, col.name) not in OPTIONAL_BLANK:
                issues += _cell_issues(table, col.name, text == "", raw, "blank_required",
                                       "this cell must not be blank")
            return text.astype("str"), issues
        case "month":
            text = _text(raw)
            is_dt = _datetime_cells(raw)
            if is_dt.any():  # an Excel date in a month column: take its year and month
                text = text.where(~is_dt, raw[is_dt].map(lambda d: f"{d.year:04d}-{d.month:02d}"))
            bad = ~text.str.match(MONTH.pattern)
            issues += _cell_issues(table, col.name, bad, raw, "bad_month",
                                   "a month must be written YYYY-MM with a month 01–12 (like 2025-09)")
            return text.astype("str"), issues
        case "date":
            values, bad = parse_dates(raw)
            issues += _cell_issues(table, col.name, bad, raw, "bad_date",
                                   "a date must be written 2024-01-31 or 31.01.2024")
            if col.required:
                issues += _cell_issues(table, col.name, values.isna() & ~bad, raw, "blank_required",
                                       "a date is required here; the cell is blank")
            return values, issues
        case "text_or_date":
            text = _long_text(table, col.name, raw, issues)
            issues += _start_issues(table, col.name, raw, text)
            return text.astype("str"), issues
        case "category":
            assert col.vocabulary is not None, where
            text = _text(raw)
            uniques = pd.unique(text)
            mapping = {u: normalise(col.vocabulary, u) for u in uniques}
            values = text.map(mapping).astype(object)
            values = values.where(values.map(lambda v: isinstance(v, str)), None)
            blank = text == ""
            if table.name == "measures" and col.name == "progress":
                values = values.where(~blank, "unknown")
                issues += _cell_issues(table, col.name, blank, raw, "blank_progress",
                                       "progress is blank; it is read as 'unknown'", level="warning",
                                       hint="Ask the division for the measure's progress")
            elif col.required:
                issues += _cell_issues(table, col.name, blank, raw, "blank_required",
                                       "a value is required here; the cell is blank")
            unknown = values.isna() & ~blank
            allowed = ", ".join(allowed_values(col.vocabulary))
            issues += _cell_issues(table, col.name, unknown, raw, "unknown_category",
                                   f"not a known value; use one of {allowed} (or the Norwegian word)")
            return pd.Series(np.where(values.isna(), "", values.astype(object)), index=raw.index,
                             dtype="str"), issues
        case _:  # pragma: no cover
            raise AssertionError(col.kind)
