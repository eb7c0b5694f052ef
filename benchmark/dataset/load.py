"""Load and validate a dataset: read → parse cells → pandera schemas → cross-table rules.

Every stage collects issues instead of stopping, so :func:`load_dataset` raises one
:class:`~benchmark.issues.DataError` listing every problem in every file. Warnings (such as a blank
measure progress, read as ``unknown``) never fail a load; they travel with the dataset.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.dataset import rules
from benchmark.dataset.contract import REQUIRED_TABLES, TABLES
from benchmark.dataset.model import TABLE_NAMES, Dataset
from benchmark.dataset.parse import parse_table
from benchmark.dataset.read import RawTable, read_tables
from benchmark.dataset.schemas import check_table
from benchmark.issues import DataError, Issue, errors, warnings


def _validate(raw: dict[str, RawTable], source: str, pre_issues: list[Issue]) -> tuple[Dataset | None, list[Issue]]:
    issues = list(pre_issues)
    whole_file_unreadable = any(i.row is None and i.source == Path(source).name for i in issues)
    for name in REQUIRED_TABLES:
        if whole_file_unreadable:  # a workbook that cannot be opened: its tables are not "missing"
            break
        if name not in raw and not any(i.rule == "not_a_table" and i.source.startswith(name) for i in issues):
            issues.append(Issue(source, "missing_table", f"the required table '{name}' is missing",
                                hint=f"Add {name}.csv to the folder (or a sheet named '{name}' to the workbook)"))
    typed: dict[str, pd.DataFrame] = {}
    for name, table in raw.items():
        frame, problems = parse_table(table)
        issues += problems
        bad_columns = {i.column for i in problems if i.level == "error" and i.column}
        issues += check_table(table, frame, skip_columns=bad_columns)
        typed[name] = frame
    units = typed.get("units")
    if units is not None and len(units) and {"unit_id", "division"} <= set(units.columns):
        for name in ("monthly", "measures", "staffing_plans", "rota", "activity_plans", "frames", "daily"):
            if name in typed:
                issues += rules.known_units(units, raw[name], typed[name], optional=name in ("measures", "frames"))
        for name in ("measures", "division_results"):
            if name in typed:
                issues += rules.known_divisions(units, raw[name], typed[name])
        if "frames" in typed:
            issues += rules.known_divisions(units, raw["frames"], typed["frames"])
        if "monthly" in typed:
            issues += rules.active_span(raw["units"], units, raw["monthly"], typed["monthly"])
    if "monthly" in typed:
        issues += rules.fte_zero_with_activity(raw["monthly"], typed["monthly"])
    if {"rota", "shift_codes"} & set(typed):
        from benchmark.plan.rules import check_plan_tables  # GAT rules (SPEC §11)
        issues += check_plan_tables(raw, typed)
    issues = one_error_per_cell(issues)
    if errors(issues):
        return None, issues
    frames = {name: typed[name].reset_index(drop=True) if name in typed else None for name in TABLE_NAMES}
    return Dataset(**frames, source=source, warnings=tuple(warnings(issues))), issues


def one_error_per_cell(issues: list[Issue]) -> list[Issue]:
    """Keep the first error per (file, row, column): a bad month is reported once, not by the
    parser and again by the schema; an Excel error cell is not also called blank."""
    seen: set[tuple] = set()
    out = []
    for issue in issues:
        if issue.level == "error" and issue.row is not None and issue.column is not None:
            key = (issue.source, issue.row, issue.column)
            if key in seen:
                continue
            seen.add(key)
        out.append(issue)
    return out


def validate_dataset(path: str | Path) -> tuple[Dataset | None, list[Issue]]:
    """Read and check the dataset at ``path``; never raises for data problems."""
    raw, issues = read_tables(path)
    return _validate(raw, str(path), issues)


def load_dataset(path: str | Path) -> Dataset:
    """The validated dataset at ``path``; raises :class:`DataError` listing every problem.

    >>> import benchmark as bm
    >>> ds = bm.load_dataset("fixtures/demo")  # doctest: +SKIP
    """
    dataset, issues = validate_dataset(path)
    if dataset is None:
        raise DataError(issues=issues)
    return dataset


def dataset_from_frames(units: pd.DataFrame, monthly: pd.DataFrame, measures: pd.DataFrame | None = None,
                        division_results: pd.DataFrame | None = None,
                        staffing_plans: pd.DataFrame | None = None, source: str = "<frames>",
                        daily: pd.DataFrame | None = None,
                        **plan_tables: pd.DataFrame | None) -> Dataset:
    """Validate frames built in Python (tests, generators) with the same rules as files.

    ``plan_tables``: rota, shift_codes, frames, activity_plans (SPEC §3, §11).
    """
    given = {"units": units, "monthly": monthly, "measures": measures,
             "division_results": division_results, "staffing_plans": staffing_plans, "daily": daily,
             **plan_tables}
    raw = {name: RawTable(name, name, frame.reset_index(drop=True), 2)
           for name, frame in given.items() if frame is not None}
    dataset, issues = _validate(raw, source, [])
    if dataset is None:
        raise DataError(issues=issues)
    return dataset


def write_dataset(ds: Dataset, path: str | Path, format: str = "csv") -> Path:
    """Write the dataset in canonical form as a CSV folder, an Excel workbook or a Parquet folder."""
    path = Path(path)
    tables = {name: _for_writing(frame) for name, frame in ds.tables().items()}
    match format:
        case "csv":
            path.mkdir(parents=True, exist_ok=True)
            for name, frame in tables.items():
                frame.to_csv(path / f"{name}.csv", index=False, lineterminator="\n")
        case "parquet":
            path.mkdir(parents=True, exist_ok=True)
            for name, frame in tables.items():
                frame.to_parquet(path / f"{name}.parquet", index=False)
        case "xlsx":
            path.parent.mkdir(parents=True, exist_ok=True)
            with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
                for name, frame in tables.items():
                    frame.to_excel(writer, sheet_name=name, index=False)
        case _:
            raise ValueError(f"unknown format {format!r}; use csv, xlsx or parquet")
    return path


def _for_writing(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
    return out


def known_columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]
