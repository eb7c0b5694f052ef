"""Vectorised parsing of numbers as Norwegian (and English) exports write them.

Accepted: ``14 000`` (space, no-break space U+00A0 or narrow no-break space U+202F as thousands
separator), ``0,8`` (decimal comma), ``1.234,5`` (dot thousands, comma decimal), ``1,234.5``
(comma thousands, dot decimal), ``-1 599``, ``−3`` (Unicode minus), ``1e3``. A single comma is
always a decimal comma (``1,234`` is 1.234), as Norwegian Excel writes it. Text that is not a
number is *reported*, never turned into NaN or 0 silently: the parser returns the values and a
mask of cells that failed, and the caller makes an issue of each.

One column, one convention. ``14.000`` is 14 where the dot is the decimal mark and 14 000 where it
separates thousands; alone it is read as 14 (a dot decimal), but in a column that also holds
``1.234,5`` (dots as thousands, a comma decimal) it is *ambiguous* and refused, as is ``1,234``
beside ``80.5``. :func:`ambiguous_cells` finds such cells and the cell that shows the other
convention, so the message can name both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_SPACES = r"[\s\u00a0\u202f\u2009']"
_DOT_THOUSANDS = r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$"
_COMMA_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+\.\d+$|^[+-]?\d{1,3}(?:,\d{3}){2,}$"
_PLAIN = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of numbers; return ``(values, bad)``.

    ``values`` is float64 with NaN for blank cells and for cells that failed; ``bad`` is a boolean
    mask of the cells that were not blank and not numbers. Numeric input passes through.

    >>> v, bad = parse_numbers(pd.Series(["14 000", "0,8", "-1\u00a0599", "", "abc"]))
    >>> v.tolist()[:3], bad.tolist()
    ([14000.0, 0.8, -1599.0], [False, False, False, False, True])
    """
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64")
        return values, pd.Series(False, index=raw.index)
    fast = _plain_column(raw)
    if fast is not None:
        return fast
    if raw.dtype == object and len(raw) < 50_000:  # mixed cells from a workbook: numbers among text
        obj = raw.astype(object)
        is_number = obj.map(lambda x: isinstance(x, (int, float, np.integer, np.floating))
                            and not isinstance(x, bool))
    else:
        obj, is_number = raw, pd.Series(False, index=raw.index)
    text = raw.astype("string").str.strip()
    blank = text.isna() | (text == "")
    # fast paths: a column of plain machine numbers (the usual export) in one Arrow cast, else
    # pandas' parser; what either leaves unparsed goes to the Norwegian forms below
    values = _arrow_floats(text.where(~blank))
    if values is None:
        values = pd.to_numeric(text.where(~blank), errors="coerce").astype("float64")
    todo = values.isna() & ~blank
    if is_number.any():
        values[is_number] = obj[is_number].astype(float)
        todo &= ~is_number
    if todo.any():
        values[todo] = _parse_slow(text[todo])
        ambiguous, _ = ambiguous_cells(raw.where(~is_number, ""))
        values[ambiguous] = np.nan  # refused: the caller reports it (see ambiguous_cells)
    bad = values.isna() & ~blank
    return values, bad


_AMBIGUOUS_DOT = r"^[+-]?\d{1,3}\.\d{3}$"  # 14.000: 14 or 14 000?
_AMBIGUOUS_COMMA = r"^[+-]?\d{1,3},\d{3}$"  # 1,234: 1.234 or 1 234?
_COMMA_DECIMAL = r",\d{1,2}$|,\d{4,}$|\.\d{3},\d+$|\s\d{3},\d+$|^[+-]?\d{4,},\d+$"
_DOT_DECIMAL = r"\.\d{1,2}$|\.\d{4,}$|,\d{3}\.\d+$|^[+-]?\d{4,}\.\d+$"


def ambiguous_cells(raw: pd.Series) -> tuple[pd.Series, object | None]:
    """Cells whose reading depends on the column's convention, and an index showing the other one.

    Returns ``(mask, evidence)``: ``mask`` marks ``14.000``-like cells in a column that elsewhere uses
    a decimal comma (``1.234,5``, ``0,8``), and ``1,234``-like cells in a column that elsewhere uses
    a decimal dot (``80.5``); ``evidence`` is the index of the first cell showing that convention.
    """
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        return pd.Series(False, index=raw.index), None
    text = raw.astype("string").str.strip().fillna("")
    text = text.str.replace(r"[\u00a0\u202f\u2009]", " ", regex=True)
    mask = pd.Series(False, index=raw.index)
    evidence = None
    for ambiguous, other in ((_AMBIGUOUS_DOT, _COMMA_DECIMAL), (_AMBIGUOUS_COMMA, _DOT_DECIMAL)):
        amb = text.str.match(ambiguous).fillna(False).astype(bool)
        if not amb.any():
            continue
        shows = text.str.contains(other, regex=True).fillna(False).astype(bool) & ~amb
        if shows.any():
            mask |= amb
            evidence = evidence if evidence is not None else shows[shows].index[0]
    return mask, evidence


def _plain_column(raw: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """``(values, bad)`` for a text column whose every non-blank cell is a plain machine number
    (the usual export), trimmed and cast by Arrow without leaving C++; None otherwise, and then
    :func:`parse_numbers` reads the column cell by cell where needed."""
    if not isinstance(raw.dtype, pd.StringDtype):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(raw, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    try:  # the usual export: no blank cell, no space, so one cast (trimming would change nothing)
        cast, blank = pc.cast(arr, pa.float64()), pc.is_null(arr)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        try:
            text = pc.utf8_trim_whitespace(arr)
            blank = pc.fill_null(pc.equal(text, ""), True)
            cast = pc.cast(pc.if_else(blank, pa.scalar(None, pa.string()), text), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
            return None
    values = cast.to_numpy(zero_copy_only=False)
    if (np.isnan(values) & ~blank.to_numpy(zero_copy_only=False)).any():  # "nan" typed in a cell: not a number
        return None
    return pd.Series(values, index=raw.index, dtype="float64"), pd.Series(False, index=raw.index)


def _arrow_floats(text: pd.Series) -> pd.Series | None:
    """The column cast to float64 by Arrow, or None if any cell is not a plain number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        cast = pc.cast(pa.array(text, from_pandas=True), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return None
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def _parse_slow(text: pd.Series) -> pd.Series:
    t = text.str.replace(_SPACES, "", regex=True).str.replace("\u2212", "-", regex=False)
    t = t.str.replace("\u2013", "-", regex=False)
    dot_thousands = t.str.match(_DOT_THOUSANDS)
    comma_thousands = t.str.match(_COMMA_THOUSANDS) & ~dot_thousands
    t = t.mask(dot_thousands, t.str.replace(".", "", regex=False))
    t = t.mask(comma_thousands, t.str.replace(",", "", regex=False))
    t = t.str.replace(",", ".", regex=False)
    plain = t.str.match(_PLAIN).fillna(False).astype(bool)
    out = pd.to_numeric(t.where(plain), errors="coerce")
    return out.astype("float64")


def format_norwegian(x: float, decimals: int = 2, nbsp: bool = False) -> str:
    """Format as Norwegian Excel would (used by tests and writers): ``-14 000,25``."""
    sep = "\u00a0" if nbsp else " "
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", sep)
