"""The tables of a package, held once and rendered twice (HTML and workbook), so both show the same
numbers: a :class:`Table` keeps raw values and each :class:`Column` a *kind* that fixes both the
text the HTML prints (through the one number formatter, :mod:`benchmark.explanation.numbers`) and
the Excel number format with the same number of decimals.

A cell that disclosure control suppresses holds the mask text itself (a ``str``), never the number,
so neither renderer can leak it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from benchmark.explanation import numbers as fmt

# kind → (decimals or None for text, percent?, Excel number format)
KINDS: dict[str, tuple[int | None, bool, str]] = {
    "text": (None, False, "@"),
    "int": (0, False, "#,##0"),
    "num1": (1, False, "#,##0.0"),
    "num2": (2, False, "#,##0.00"),
    "pct": (1, True, "0.0 %"),  # a literal space: 7,2 %, as Norwegian writes it
    "pct0": (0, True, "0 %"),
}


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """One table of the package: ``rows`` has a column per :attr:`columns` key, raw values."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: pd.DataFrame
    note: str = ""
    total_last: bool = False  # the last row is a total (bold)

    @property
    def empty(self) -> bool:
        return self.rows.empty


def cell_text(value: object, kind: str, lang: str) -> str:
    """The text of one cell as the HTML prints it (and as the workbook's number format shows it)."""
    if isinstance(value, str):
        return value
    decimals, is_pct, _ = KINDS[kind]
    if decimals is None:
        return fmt.DASH if value is None or (isinstance(value, float) and value != value) else str(value)
    if is_pct:
        return fmt.percent(value, decimals, lang)  # type: ignore[arg-type]
    return fmt.number(value, decimals, lang)  # type: ignore[arg-type]


def excel_format(kind: str) -> str:
    return KINDS[kind][2]


def table(key: str, title: str, frame: pd.DataFrame, columns: list[tuple[str, str, str]], note: str = "",
          total_last: bool = False) -> Table:
    """A :class:`Table` of ``frame``'s columns named in ``columns`` (key, heading, kind), in that order."""
    cols = tuple(Column(k, h, kind) for k, h, kind in columns if k in frame.columns)
    rows = frame[[c.key for c in cols]].reset_index(drop=True)
    return Table(key, title, cols, rows, note, total_last)
