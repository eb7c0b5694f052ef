"""Bulk rows for the table sheets of ``benchmark.xlsx`` (SpreadsheetML ``<sheetData>``).

:func:`benchmark.outputs.xlsx.write_xlsx` lets xlsxwriter lay out each table sheet with its
header row and one *sample row* of blank cells carrying the column formats. Here the sample row
is read back for each column's style index and replaced by the table's rows, built column by
column with Arrow's string kernels instead of cell by cell in Python (ECMA-376 Part 1, §18.3.1.73
row, §18.3.1.4 c):

- numbers as ``<v>`` in Arrow's shortest round-trip form (``0.00002``, ``1.5e+22``); NaN and ±inf as blank cells;
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
SHEET_COMPRESSION = 1  # deflate level of the big sheets: 5× faster than the default 6, ~20 % larger
_SAMPLE = re.compile(r'<row r="2"[^>]*>(.*?)</row>|<row r="2"[^>]*/>', re.S)
_HEADER_END = re.compile(r'<row r="1"[^>]*>.*?</row>', re.S)
_STYLE = re.compile(r'<c r="([A-Z]+)2"(?: s="(\d+)")?')
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _arrow_text(col: pd.Series):
    """Text cells as an Arrow string array (null where missing)."""
    import pyarrow as pa

    if isinstance(col.dtype, pd.StringDtype):
        return pa.array(col, type=pa.string(), from_pandas=True)
    return pa.array(col.astype(object).where(col.notna(), None).map(
        lambda x: x if x is None or isinstance(x, str) else str(x)).to_numpy(dtype=object), type=pa.string())


def _escaped(text):
    """XML-escaped text; control characters as _xHHHH_ as Excel writes them (those few in Python)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = pc.replace_substring(text, "&", "&amp;")
    out = pc.replace_substring(pc.replace_substring(out, "<", "&lt;"), ">", "&gt;")
    control = pc.fill_null(pc.match_substring_regex(out, _CONTROL.pattern), False)
    if pc.any(control).as_py():
        values = out.to_pylist()
        for i in np.flatnonzero(control.to_numpy(zero_copy_only=False)).tolist():
            values[i] = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", values[i])
        out = pa.array(values, type=pa.string())
    return out


def _column_cells(col: pd.Series, letter: str, rows, style: str):
    """The ``<c>`` elements of one column (an Arrow string array), for the sheet rows ``rows``
    (an Arrow string array of 1-based row numbers)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ref = pc.binary_join_element_wise(f'<c r="{letter}', rows, f'"{style}', "")
    blank = pc.binary_join_element_wise(ref, "/>", "")
    if pd.api.types.is_bool_dtype(col.dtype):
        v = pa.array(col.fillna(False).to_numpy(dtype=bool))
        return pc.binary_join_element_wise(ref, pc.if_else(v, ' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>'), "")
    if pd.api.types.is_numeric_dtype(col.dtype):
        if pd.api.types.is_integer_dtype(col.dtype) and not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            text, ok = pc.cast(pa.array(col.to_numpy()), pa.string()), pa.array(np.ones(len(col), bool))
        else:
            v = col.to_numpy(dtype=float, na_value=np.nan)
            finite = np.isfinite(v)
            text, ok = pc.cast(pa.array(np.where(finite, v, 0.0)), pa.string()), pa.array(finite)
        return pc.if_else(ok, pc.binary_join_element_wise(ref, "><v>", text, "</v></c>", ""), blank)
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        col = col.dt.strftime("%Y-%m-%d")
    text = pc.fill_null(_arrow_text(col), "")
    present = pc.not_equal(text, "")
    text = _escaped(text)
    space = pc.or_(pc.starts_with(text, " "), pc.ends_with(text, " "))
    opening = pc.if_else(space, ' t="inlineStr"><is><t xml:space="preserve">', ' t="inlineStr"><is><t>')
    return pc.if_else(present, pc.binary_join_element_wise(ref, opening, text, "</t></is></c>", ""), blank)


def _styles(sample_row: str, n_columns: int) -> list[str]:
    """`` s="N"`` per column from the sample row ("" where the column has no format)."""
    found = {m.group(1): m.group(2) for m in _STYLE.finditer(sample_row)}
    return [f' s="{found[xl_col_to_name(j)]}"' if found.get(xl_col_to_name(j)) else ""
            for j in range(n_columns)]


def _bytes_of(strings) -> bytes:
    """The concatenated UTF-8 bytes of an Arrow string array (no copy per element)."""
    import pyarrow as pa

    strings = strings.combine_chunks() if isinstance(strings, pa.ChunkedArray) else strings
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32, count=len(strings) + 1,
                            offset=strings.offset * 4)
    return strings.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]


def _rows_xml(frame: pd.DataFrame, styles: list[str]):
    """``<row>`` elements (UTF-8 bytes) for the frame's rows (sheet rows 2…), in chunks of
    ROWS_PER_CHUNK, each built column by column in Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    letters = [xl_col_to_name(j) for j in range(len(frame.columns))]
    for start in range(0, len(frame), ROWS_PER_CHUNK):
        part = frame.iloc[start:start + ROWS_PER_CHUNK]
        rows = pc.cast(pa.array(np.arange(start + 2, start + 2 + len(part), dtype=np.int64)), pa.string())
        cells = [_column_cells(part[c], letters[j], rows, styles[j]) for j, c in enumerate(part.columns)]
        yield _bytes_of(pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", ""))


def _sheet_xml(xml: str, frame: pd.DataFrame):
    """The sheet's XML (UTF-8 pieces) with the sample row replaced by every row of ``frame``."""
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
    yield re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', xml[:cut], count=1).encode("utf-8")
    yield from _rows_xml(frame, styles)
    yield xml[resume:].encode("utf-8")


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
            # ZipFile.open takes the level from the ZipInfo, not the archive (private before 3.13)
            setattr(target, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel",
                    SHEET_COMPRESSION)
            with out.open(target, "w", force_zip64=True) as stream:
                for piece in _sheet_xml(data.decode("utf-8"), tables[info.filename]):
                    stream.write(piece)
    return Path(path)
