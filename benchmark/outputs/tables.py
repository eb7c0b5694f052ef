"""CSV (byte-stable) and Parquet versions of the result tables, built column by column in Arrow.

CSV files are UTF-8 with ``,`` and ``.``, rows in a fixed order and floats rounded to ten
significant digits, so the same inputs and seed give byte-identical files even when a sum's last
bit depends on summation order. Quoting is minimal (as Python's ``csv`` module and pandas write
it: only a cell holding ``,``, ``"`` or a line break is quoted), blanks and NaN are empty cells,
booleans ``True``/``False``.

Why not ``DataFrame.to_csv``: it formats every float in Python (``%.10g``), 3–8 s for the 4
million cells of a national ``scores.csv``. Here each column becomes an Arrow string array —
floats rounded in numpy (:func:`round_significant`) and printed by Arrow's shortest round-trip
formatter, text escaped with vectorised string kernels — and the rows are joined in C++
(``binary_join_element_wise``); about 0,2 s for the same file. Numbers print in the shortest form
that reads back as the rounded value (``0.000032``, ``1.5e+22``): every CSV reader parses them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SIGNIFICANT = 10  # digits kept in CSV floats: hides last-bit differences, keeps every real one
_EXACT_POWERS = 22  # 10**k is an exact double for k <= 22, so n / 10**k is correctly rounded


def round_significant(values: np.ndarray, digits: int = SIGNIFICANT) -> tuple[np.ndarray, np.ndarray]:
    """``values`` rounded to ``digits`` significant digits, and a mask of the cells not rounded here.

    Rounding is ``round(x·10^k) / 10^k`` with ``k = digits − 1 − floor(log10|x|)``; as long as
    ``|k| ≤ 22`` the power of ten is exact and the division (or multiplication) correctly rounded,
    so the result is the double nearest the ten-digit decimal and its shortest printed form has at
    most ten digits. The rare cells outside that range (|x| < 1e-13 or ≥ 1e32) are flagged for
    Python's ``%.10g`` (:func:`_format_floats`)."""
    v = np.asarray(values, dtype="float64")
    out = v.copy()
    ok = np.isfinite(v) & (v != 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        e = np.floor(np.log10(np.abs(np.where(ok, v, 1.0)))).astype(np.int64)
        k = digits - 1 - e
        fine = ok & (np.abs(k) <= _EXACT_POWERS)
        p = 10.0 ** np.abs(np.where(fine, k, 0))
        up = np.round(v * p) / p
        down = np.round(v / p) * p
    out[fine] = np.where(k[fine] >= 0, up[fine], down[fine])
    return out, ok & ~fine


def _format_floats(values: np.ndarray):
    """Float column → Arrow strings: ten significant digits, NaN blank, inf as ``inf``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rounded, rest = round_significant(values)
    finite = np.isfinite(rounded)
    text = pc.cast(pa.array(np.where(finite, rounded, 0.0)), pa.string())
    if rest.any():  # the few cells whose power of ten is not exact: Python's formatter
        py = text.to_numpy(zero_copy_only=False).astype(object)
        py[rest] = [f"{x:.{SIGNIFICANT}g}" for x in values[rest].tolist()]
        text = pa.array(py, type=pa.string())
    inf = np.isinf(values)
    if inf.any():
        text = pc.if_else(pa.array(inf), pa.array(np.where(values > 0, "inf", "-inf")), text)
    return pc.if_else(pa.array(np.isnan(values)), "", text)


def _quote(text):
    """Minimal quoting: a cell holding a comma, a quote or a line break is quoted, quotes doubled."""
    import pyarrow.compute as pc

    needs = pc.match_substring_regex(text, r'[,"\r\n]')
    if not pc.any(needs).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, text)


def _column_text(col: pd.Series):
    """One column as an Arrow string array of its CSV cells (unquoted)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        words = pc.if_else(pa.array(col.fillna(False).to_numpy(dtype=bool)), "True", "False")
        return pc.if_else(pa.array(col.isna().to_numpy()), "", words) if col.hasnans else words
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.api.extensions.ExtensionDtype):
        return pc.cast(pa.array(col.to_numpy()), pa.string())
    if pd.api.types.is_numeric_dtype(dtype):
        return _format_floats(col.to_numpy(dtype="float64", na_value=np.nan))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        col = col.dt.strftime("%Y-%m-%d")
    elif pd.api.types.is_object_dtype(dtype):
        col = col.astype(str).where(col.notna(), "")
    arr = pa.array(col.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string()) \
        if not isinstance(dtype, pd.StringDtype) else pa.array(col, type=pa.string(), from_pandas=True)
    return _quote(pc.fill_null(arr, ""))


def _csv_parts(frame: pd.DataFrame) -> tuple[bytes, memoryview]:
    """(header, body) of the frame's CSV: the body a view of the Arrow buffer the rows were joined
    into, so that writing it copies nothing (the 37 MiB of a national ``scores.csv`` were copied
    three times: into Python bytes, sliced, and put behind the header)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    header = (",".join(_quote(pa.array([str(c) for c in frame.columns])).to_pylist()) + "\n").encode("utf-8")
    if frame.empty:
        return header, memoryview(b"")
    columns = [_column_text(frame[c]) for c in frame.columns]
    # every row ends with a line break: put it on the last column's cells (a pass over one column),
    # not on the joined rows (a pass over the whole file)
    columns[-1] = pc.binary_join_element_wise(columns[-1], "\n", "")
    lines = pc.binary_join_element_wise(*columns, ",") if len(columns) > 1 else columns[0]
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    body = memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]
    return header, body


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV (header, ``\\n`` line ends, no index), built in Arrow."""
    header, body = _csv_parts(frame)
    return header + bytes(body)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    header, body = _csv_parts(frame)
    with open(path, "wb") as f:
        f.write(header)
        f.write(body)


def stable(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as text (blank for missing), so Parquet gets one type per column."""
    objects = [c for c in frame.columns if frame[c].dtype == object]
    if not objects:
        return frame
    out = frame.copy()
    for col in objects:
        out[col] = out[col].astype(str).where(out[col].notna(), "")
    return out


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    stable(frame).to_parquet(path, index=False)


def result_tables(res) -> dict[str, pd.DataFrame]:
    tables = {"scores": res.scores, "ranking": res.ranking, "trend": res.trend, "sensitivity": res.sensitivity}
    if res.measures is not None and not res.measures.empty:
        tables["measures"] = res.measures
    return tables


def write_tables(res, folder: Path, timings: dict[str, float] | None = None) -> list[Path]:
    """scores/ranking/measures as CSV, every result table as Parquet; seconds per file in ``timings``."""
    import time

    written = []
    parquet = folder / "parquet"
    parquet.mkdir(exist_ok=True)
    timings = {} if timings is None else timings
    for name, frame in result_tables(res).items():
        if name in ("scores", "ranking", "measures"):
            path = folder / f"{name}.csv"
            start = time.perf_counter()
            write_csv(frame, path)
            timings[path.name] = time.perf_counter() - start
            written.append(path)
        start = time.perf_counter()
        write_parquet(frame, parquet / f"{name}.parquet")
        timings[f"parquet/{name}.parquet"] = time.perf_counter() - start
    return written
