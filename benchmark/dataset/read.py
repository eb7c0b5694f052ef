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

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.dataset.contract import TABLES
from benchmark.dataset.sniff import OLE2, ZIP, decode_text, looks_binary, workbook_problem
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
    """Text and the encoding that decoded it: UTF-16 (by BOM or zero bytes), UTF-8 (BOM or not),
    else Windows-1252."""
    return decode_text(data)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently (``;``, ``,`` or tab).

    Looking past the first line matters when a title row ("Enheter 2025") sits above the header.
    For each candidate, the most common non-zero count per line and how many lines have it; the
    candidate with most such lines wins (then the larger count, then ``;`` before ``,``).
    """
    lines = [line for line in text[:1 << 16].splitlines()[:30] if line.strip()]
    best, best_key = ",", (0, 0, 0)
    for rank, d in enumerate((";", ",", "\t")):
        counts = [line.count(d) for line in lines if line.count(d) > 0]
        if not counts:
            continue
        mode = max(set(counts), key=lambda c: (counts.count(c), c))
        key = (counts.count(mode), mode, -rank)
        if key > best_key:
            best, best_key = d, key
    return best


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is blank (blank lines, ``;;;;`` rows, cells of spaces only), column
    by column on the cell lengths: no Python per row. Only rows still in question are measured
    in the next column: a table whose first column is never short is settled after one column."""
    if frame.empty or not len(frame.columns):
        return pd.Series(False, index=frame.index)
    rows = np.arange(len(frame))  # positions whose every cell so far has at most 3 characters
    empty = np.ones(len(frame), dtype=bool)  # … and, among them, whether every cell so far is empty
    for j in range(len(frame.columns)):
        col = frame.iloc[:, j]
        lengths = _lengths(col if len(rows) == len(frame) else col.iloc[rows])
        keep = lengths <= 3
        rows, empty = rows[keep], empty[keep] & (lengths[keep] == 0)
        if not len(rows):
            break
    out = np.zeros(len(frame), dtype=bool)
    out[rows[empty]] = True
    empty = pd.Series(out, index=frame.index)
    maybe = np.zeros(len(frame), dtype=bool)
    maybe[rows[~empty.to_numpy()[rows]]] = True  # "  ;  ;" rows, rarely
    maybe = pd.Series(maybe, index=frame.index)
    if maybe.any():
        part = frame[maybe].apply(lambda c: c.astype("string").str.strip().fillna(""))
        empty[maybe] = (part == "").all(axis=1)
    return empty


def _lengths(col: pd.Series) -> np.ndarray:
    """Characters per cell (0 for a missing one), by Arrow's kernel where the column allows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(col, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return col.astype("string").str.len().fillna(0).to_numpy(dtype="int64")
    return pc.fill_null(pc.utf8_length(arr), 0).to_numpy(zero_copy_only=False).astype("int64")


def _header_issues(source: str, names: list[str]) -> list[Issue]:
    """Duplicate column headers are an error (pandas would silently rename the second to 'x.1')."""
    issues, seen = [], {}
    for pos, name in enumerate(names, start=1):
        key = name.strip()
        if key and key in seen:
            issues.append(Issue(source, "duplicate_column", f"the column header appears twice (columns {seen[key]} "
                                f"and {pos}); only one column may have this name", row=1, column=key,
                                hint="Rename or remove one of the two columns"))
        seen.setdefault(key, pos)
    return issues


def _first_of_duplicates(frame: pd.DataFrame, header: list[str]) -> pd.DataFrame:
    """Columns named as written, a duplicated header's later columns left out (reported instead)."""
    names = [str(c).strip() for c in header] if len(header) == len(frame.columns) else \
        [str(c).strip() for c in frame.columns]
    keep = [j for j, n in enumerate(names) if n not in names[:j]]
    out = frame.iloc[:, keep]
    out.columns = [names[j] for j in keep]
    return out


def _ragged(text: str, sep: str) -> tuple[pd.DataFrame, list[str]]:
    """Rows of unequal length, read by the csv module and padded to the widest row."""
    csv.field_size_limit(1 << 30)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep)) or [[]]
    width = max(len(r) for r in rows)
    header = rows[0] + [f"column {j + 1}" for j in range(len(rows[0]), width)]
    body = [r + [""] * (width - len(r)) for r in rows[1:]]
    return pd.DataFrame(body, columns=range(width), dtype=object).astype(str), header


def read_csv_table(path: Path, name: str) -> tuple[RawTable | None, list[Issue]]:
    source = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Issue(source, "unreadable_file", f"the file cannot be read ({exc.strerror})")]
    if data[:8] == OLE2 or data[:4] == ZIP:
        return None, [Issue(source, "not_a_table", "this is an Excel file saved with the .csv extension, not a text "
                            "table", hint="Save it as 'CSV (semikolonseparert)' in Excel, or give the workbook itself")]
    text, encoding = decode(data)
    if looks_binary(text):
        return None, [Issue(source, "not_a_table", "this is not a text table (it looks like a binary "
                            "file); export the table as CSV", hint="Save as 'CSV (semikolonseparert)' in Excel")]
    if not text or text.isspace():
        return None, [Issue(source, "not_a_table", "the file is empty")]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # Windows and old Mac line ends
    sep = sniff_delimiter(text)
    try:
        end = text.find("\n")
        header = next(csv.reader(io.StringIO(text if end < 0 else text[:end], newline=""), delimiter=sep), [])
    except csv.Error:
        header = []
    try:
        frame = _arrow_frame(data, text, encoding, sep, len(header))
        if frame is None:  # not the plain case: pandas' parser, then the ragged reader below
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                skip_blank_lines=False)
        if not isinstance(frame.index, pd.RangeIndex):  # more fields than header cells: pandas made an index
            raise pd.errors.ParserError("ragged")
    except pd.errors.ParserError:  # ragged rows (a title row above the header, a stray delimiter)
        try:
            frame, header = _ragged(text, sep)
        except csv.Error as exc:
            return None, [Issue(source, "not_a_table", f"the file cannot be read as a table ({exc})")]
    except (ValueError, csv.Error, MemoryError, OverflowError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        return None, [Issue(source, "not_a_table", f"the file cannot be read as a table ({str(exc).strip()})",
                            row=int(line.group(1)) if line else None)]
    issues = _header_issues(source, header)
    frame = _first_of_duplicates(frame, header)
    # blank lines and delimiter-only lines (";;;;") are skipped, but the index keeps counting them,
    # so index + 2 stays the line number the analyst sees
    frame = frame[~_blank_rows(frame)]
    return RawTable(name, source, frame, 2), issues


def _arrow_frame(data: bytes, text: str, encoding: str, sep: str, width: int) -> pd.DataFrame | None:
    """The table read by Arrow's multithreaded CSV reader, every cell as text, or None when the
    file is not the plain case (rows of unequal length, invalid UTF-8 …): then the caller's
    pandas and ragged readers decide, so what is reported stays the same.

    UTF-8 without carriage returns (the usual export) is parsed from the file's bytes as they
    are; other encodings and line ends from the decoded, normalised text. Blank lines are kept as
    rows (and removed by :func:`_blank_rows`), so a row's index + 2 stays its line number."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if width < 1:
        return None
    if encoding == "utf-8" and b"\r" not in data:
        body = data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    else:
        body = text.encode("utf-8")
    names = [f"c{j}" for j in range(width)]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(body),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pcsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, pa.ArrowCapacityError):
        return None
    frame = table.to_pandas()
    return frame if isinstance(frame.index, pd.RangeIndex) else None


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


def _cell(cell) -> object:
    value = cell.value
    return "" if value is None else value


def _read_workbook(path: Path) -> tuple[dict[str, RawTable], list[Issue]]:
    """Read every sheet named as a table, cell by cell, so Excel error cells are seen (pandas reads
    ``#REF!`` as blank) and row numbers are Excel's own."""
    problem = workbook_problem(path)
    if problem is not None:
        return {}, [problem]
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError on damaged files
        return {}, [Issue(path.name, "not_a_workbook", f"the workbook is damaged and cannot be read ({exc})",
                          hint="Open it in Excel and save it again")]
    tables: dict[str, RawTable] = {}
    issues: list[Issue] = []
    try:
        by_lower = {str(k).strip().lower(): k for k in wb.sheetnames}
        for name in TABLES:
            if name not in by_lower:
                continue
            sheet_name = by_lower[name]
            source = f"sheet '{sheet_name}' of {path.name}"
            table, problems = _read_sheet(wb[sheet_name], name, source)
            issues += problems
            tables[name] = table
    finally:
        wb.close()
    return tables, issues


def _read_sheet(sheet, name: str, source: str) -> tuple[RawTable, list[Issue]]:
    rows = sheet.iter_rows()
    header_cells = next(rows, ())
    header = [str(_cell(c)).strip() for c in header_cells]
    issues = _header_issues(source, header)
    width = len(header)
    records, index, errors_ = [], [], []
    for excel_row, cells in enumerate(rows, start=2):
        values = [_cell(c) for c in cells[:width]]
        values += [""] * (width - len(values))
        for j, c in enumerate(cells[:width]):
            if c.data_type == "e":
                errors_.append(Issue(source, "excel_error", f"the cell holds the Excel error {c.value} instead of a "
                                     "value", row=excel_row, column=header[j] or f"column {j + 1}", value=c.value,
                                     hint="Correct the formula in Excel (a reference or a division may be broken)"))
                values[j] = ""
        if all(v == "" or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        records.append(values)
        index.append(excel_row - 2)
    names = [h or f"column {j + 1}" for j, h in enumerate(header)]
    frame = pd.DataFrame.from_records(records, columns=names, index=pd.Index(index, dtype="int64")) \
        if records else pd.DataFrame(columns=names)
    frame = _first_of_duplicates(frame.astype(object), names)
    return RawTable(name, source, frame, 2), issues + errors_
