"""Read a dataset's tables as the user's files hold them, before any parsing or checking.

A dataset is a folder of CSV files, an Excel workbook with one sheet per table, or a folder of
Parquet files (SPEC §3). CSV is read as Norwegian Excel exports it: the encoding is UTF-8 (with or
without BOM) or, failing that, Windows-1252; the delimiter (``;``, ``,`` or tab) is sniffed from
the header line; every cell is read as text so that the number parser, not pandas, decides what a
number is and can report the cells that are not.

Row numbers: a table's frame keeps a RangeIndex, and ``RawTable.row(i)`` gives the row as the
user sees it — the line number in a CSV file and the row number in Excel, both with the header on
line/row 1 (so the first data row is 2). Parquet files have no visible rows; there ``row`` is the
record number counted from 1.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark.dataset.contract import TABLES
from benchmark.issues import Issue

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True)
class RawTable:
    name: str  # table name (units, monthly, …)
    source: str  # what the user calls it: "monthly.csv", "sheet 'monthly' of data.xlsx"
    frame: pd.DataFrame
    row_offset: int  # row as the user sees it = index + row_offset

    def row(self, index: int) -> int:
        return int(index) + self.row_offset


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding that decoded it: UTF-8 (BOM or not), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def read_csv_table(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Issue(source, "unreadable_file", f"the file cannot be read ({exc.strerror})")]
    if b"\x00" in data[:4096]:
        return None, [Issue(source, "not_a_table", "this is not a text table (it looks like a binary "
                            "file); export the table as CSV", hint="Save as 'CSV (semikolonseparert)' in Excel")]
    text, _ = decode(data)
    if not text.strip():
        return None, [Issue(source, "not_a_table", "the file is empty")]
    sep = sniff_delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as exc:
        return None, [Issue(source, "not_a_table", f"the file cannot be read as a table ({str(exc).strip()})")]
    frame.columns = [str(c).strip() for c in frame.columns]
    return RawTable(name, source, frame.reset_index(drop=True), 2), []


def read_tables(path: str | Path) -> tuple[dict[str, RawTable], list[Issue]]:
    """All tables of the dataset at ``path`` (folder of CSV or Parquet files, or a workbook)."""
    p = Path(path)
    if not p.exists():
        return {}, [Issue(str(path), "missing_dataset", "there is no file or folder at this path")]
    if p.is_file() and p.suffix.lower() in EXCEL_SUFFIXES:
        return _read_workbook(p)
    if p.is_file():
        return {}, [Issue(p.name, "not_a_dataset", "a dataset is a folder of CSV or Parquet files or an "
                          "Excel workbook (.xlsx) with one sheet per table")]
    tables: dict[str, RawTable] = {}
    issues: list[Issue] = []
    for name in TABLES:
        csv, parquet = p / f"{name}.csv", p / f"{name}.parquet"
        if csv.exists():
            table, problems = read_csv_table(csv, name)
        elif parquet.exists():
            table, problems = _read_parquet(parquet, name)
        else:
            continue
        issues.extend(problems)
        if table is not None:
            tables[name] = table
    return tables, issues


def _read_parquet(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds
        return None, [Issue(path.name, "not_a_table", f"the file cannot be read as Parquet ({exc})")]
    return RawTable(name, path.name, frame.reset_index(drop=True), 1), []


def _read_workbook(path: Path) -> tuple[dict[str, RawTable], list[Issue]]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError on non-workbooks
        return {}, [Issue(path.name, "not_a_table", f"the file cannot be read as an Excel workbook ({exc})")]
    tables = {}
    by_lower = {str(k).strip().lower(): k for k in sheets}
    for name in TABLES:
        if name in by_lower:
            frame = sheets[by_lower[name]]
            frame.columns = [str(c).strip() for c in frame.columns]
            # drop blank rows but keep the index, so index + 2 stays the Excel row number
            frame = frame.dropna(how="all") if len(frame) else frame
            frame = frame.map(lambda x: "" if x is None or (isinstance(x, float) and x != x) else x)
            tables[name] = RawTable(name, f"sheet '{by_lower[name]}' of {path.name}", frame, 2)
    return tables, []
