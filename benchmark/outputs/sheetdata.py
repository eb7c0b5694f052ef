"""Bulk rows for the table sheets of ``benchmark.xlsx`` (SpreadsheetML ``<sheetData>``).

:func:`benchmark.outputs.xlsx.write_xlsx` lets xlsxwriter lay out each table sheet with its
header row and one *sample row* of blank cells carrying the column formats. Here the sample row
is read back for each column's style index and replaced by the table's rows, built column by
column from numpy arrays instead of cell by cell (ECMA-376 Part 1, §18.3.1.73 row, §18.3.1.4 c):

- numbers as ``<v>`` in shortest round-trip form; NaN and ±inf as blank cells;
- booleans as ``t="b"``; text as inline strings (``t="inlineStr"``) with ``&``, ``<``, ``>``
  escaped, control characters as ``_xHHHH_`` (§22.9.2.19) and ``xml:space="preserve"`` where
  spaces lead or trail; empty text as a blank cell;
- every cell keeps its ``r`` reference and the column's style, and ``<dimension>`` is set to the
  full table.

Everything else in the package (styles, widths, frozen panes, autofilter, conditional formats,
print titles, the small sheets) is copied unchanged from xlsxwriter's file.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

ROWS_PER_CHUNK = 20_000
_SAMPLE = re.compile(r'<row r="2"[^>]*>(.*?)</row>|<row r="2"[^>]*/>', re.S)
_HEADER_END = re.compile(r'<row r="1"[^>]*>.*?</row>', re.S)
_STYLE = re.compile(r'<c r="([A-Z]+)2"(?: s="(\d+)")?')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _text(values: pd.Series) -> pd.Series:
    """XML-escaped text; control characters as _xHHHH_ as Excel writes them."""
    out = values.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False)
    out = out.str.replace(">", "&gt;", regex=False)
    if out.str.contains(_CONTROL.pattern, regex=True).any():
        out = out.str.replace(_CONTROL.pattern, lambda m: f"_x{ord(m.group(0)):04X}_", regex=True)
    return out


def _column_cells(col: pd.Series, letter: str, rows: np.ndarray, style: str) -> list[str]:
    """The ``<c>`` elements of one column for the given 1-based sheet rows."""
    ref = [f'<c r="{letter}{r}"{style}' for r in rows.tolist()]
    blank = [f"{x}/>" for x in ref]
    if pd.api.types.is_bool_dtype(col.dtype):
        v = col.to_numpy(dtype=bool)
        return [f'{x} t="b"><v>{int(b)}</v></c>' for x, b in zip(ref, v.tolist(), strict=True)]
    if pd.api.types.is_numeric_dtype(col.dtype):
        v = col.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(v)
        text = np.where(ok, v, 0.0).astype(str)
        if pd.api.types.is_integer_dtype(col.dtype):
            text = col.to_numpy().astype(str)
        return [f"{x}><v>{t}</v></c>" if k else b
                for x, t, k, b in zip(ref, text.tolist(), ok.tolist(), blank, strict=True)]
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        col = col.dt.strftime("%Y-%m-%d")
    present = col.notna().to_numpy() & (col.astype(str).to_numpy() != "")
    text = _text(col.astype(str).where(present, ""))
    space = (text.str.startswith(" ") | text.str.endswith(" ")).to_numpy()
    opening = np.where(space, '<t xml:space="preserve">', "<t>").tolist()
    return [(f'{x} t="inlineStr"><is>{o}{t}</t></is></c>' if p else b)
            for x, o, t, p, b in zip(ref, opening, text.tolist(), present.tolist(), blank, strict=True)]


def _styles(sample_row: str, n_columns: int) -> list[str]:
    """`` s="N"`` per column from the sample row ("" where the column has no format)."""
    found = {m.group(1): m.group(2) for m in _STYLE.finditer(sample_row)}
    return [f' s="{found[xl_col_to_name(j)]}"' if found.get(xl_col_to_name(j)) else ""
            for j in range(n_columns)]


def _rows_xml(frame: pd.DataFrame, styles: list[str]):
    """``<row>`` elements for the frame's rows (sheet rows 2…), in chunks of ROWS_PER_CHUNK."""
    letters = [xl_col_to_name(j) for j in range(len(frame.columns))]
    for start in range(0, len(frame), ROWS_PER_CHUNK):
        part = frame.iloc[start:start + ROWS_PER_CHUNK]
        rows = np.arange(start + 2, start + 2 + len(part))
        columns = [_column_cells(part[c], letters[j], rows, styles[j]) for j, c in enumerate(part.columns)]
        yield "".join(f'<row r="{r}">{"".join(cells)}</row>'
                      for r, cells in zip(rows.tolist(), zip(*columns, strict=True), strict=True))


def _sheet_xml(xml: str, frame: pd.DataFrame):
    """The sheet's XML with the sample row replaced by every row of ``frame`` (a generator)."""
    match = _SAMPLE.search(xml)
    if match is not None:
        cut, resume, sample = match.start(), match.end(), match.group(1) or ""
    else:  # no column has a format, so xlsxwriter wrote no sample row: rows go after the header
        header_end = _HEADER_END.search(xml)
        if header_end is None:
            raise ValueError("the sheet has no header row to put the table's rows after")
        cut = resume = header_end.end()
        sample = ""
    styles = _styles(sample, len(frame.columns))
    last = f"{xl_col_to_name(len(frame.columns) - 1)}{len(frame) + 1}"
    yield re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', xml[:cut], count=1)
    yield from _rows_xml(frame, styles)
    yield xml[resume:]


def fill_sheets(skeleton: str | Path, path: str | Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Copy the workbook ``skeleton`` to ``path`` with each sheet in ``tables`` filled with its rows."""
    with zipfile.ZipFile(skeleton) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename not in tables:
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
                continue
            target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            target.compress_type = zipfile.ZIP_DEFLATED
            with out.open(target, "w", force_zip64=True) as stream:
                for piece in _sheet_xml(data.decode("utf-8"), tables[info.filename]):
                    stream.write(piece.encode("utf-8"))
    return Path(path)
