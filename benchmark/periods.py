"""Reporting periods and criterion windows, as lists of ``YYYY-MM`` months.

A *period* is what the user asks for (``2025Q3``, ``2025-09``, ``2025``, or ``R12-2025-09`` for
the rolling 12 months ending September 2025). A criterion's *window* says which months are summed
for that criterion when the benchmark is run for a period; every window ends at the period's last
month:

- ``period``      exactly the months of the requested period (the default);
- ``month``       the period's last month;
- ``quarter``     the calendar quarter containing the last month, up to that month;
- ``year``        the calendar year to date (hittil i år), up to the last month;
- ``rolling_12``  the 12 months ending with the last month.

Ratios are formed only after numerator and denominator are summed over these months (SPEC §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from benchmark.issues import UsageError

PeriodKind = Literal["month", "quarter", "year", "rolling_12"]
WINDOWS = ("period", "month", "quarter", "year", "rolling_12")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_ROLLING = re.compile(r"^[Rr]12[-_ ]?(\d{4})-(0[1-9]|1[0-2])$")


def month_index(month: str) -> int:
    """``2025-09`` → 2025*12 + 8; months become consecutive integers."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> tuple[str, ...]:
    a, b = month_index(first), month_index(last)
    return tuple(month_from_index(i) for i in range(a, b + 1))


def is_month(text: str) -> bool:
    return bool(_MONTH.match(str(text)))


@dataclass(frozen=True)
class Period:
    """A reporting period: its label, kind and the months it covers (oldest first)."""

    label: str
    kind: PeriodKind
    months: tuple[str, ...]

    @property
    def first(self) -> str:
        return self.months[0]

    @property
    def last(self) -> str:
        return self.months[-1]

    @property
    def n_months(self) -> int:
        return len(self.months)

    def window(self, window: str) -> tuple[str, ...]:
        """The months a criterion with this ``window`` sums over when run for this period."""
        last = month_index(self.last)
        year = last // 12
        match window:
            case "period":
                return self.months
            case "month":
                return (self.last,)
            case "quarter":
                start = year * 12 + ((last % 12) // 3) * 3
                return tuple(month_from_index(i) for i in range(start, last + 1))
            case "year":
                return tuple(month_from_index(i) for i in range(year * 12, last + 1))
            case "rolling_12":
                return tuple(month_from_index(i) for i in range(last - 11, last + 1))
            case _:
                raise ValueError(f"unknown window {window!r}; expected one of {', '.join(WINDOWS)}")

    def previous(self) -> Period:
        """The period of the same kind just before (quarter before a quarter, etc.)."""
        return self.shifted(self.n_months if self.kind != "rolling_12" else 1)

    def year_before(self) -> Period:
        return self.shifted(12)

    def shifted(self, months_back: int) -> Period:
        last = month_from_index(month_index(self.last) - months_back)
        match self.kind:
            case "month":
                return parse_period(last)
            case "quarter":
                q = (int(last[5:7]) - 1) // 3 + 1
                return parse_period(f"{last[:4]}Q{q}")
            case "year":
                return parse_period(last[:4])
            case "rolling_12":
                return parse_period(f"R12-{last}")
            case _:  # pragma: no cover
                raise AssertionError(self.kind)


def parse_period(text: str) -> Period:
    """Parse ``2025Q3``, ``2025-09``, ``2025`` or ``R12-2025-09``.

    >>> parse_period("2025Q3").months
    ('2025-07', '2025-08', '2025-09')
    >>> parse_period("R12-2025-09").first
    '2024-10'
    """
    raw = str(text).strip()
    if m := _MONTH.match(raw):
        return Period(raw, "month", (raw,))
    if m := _QUARTER.match(raw):
        year, q = int(m.group(1)), int(m.group(2))
        first = year * 12 + (q - 1) * 3
        label = f"{year}Q{q}"
        return Period(label, "quarter", tuple(month_from_index(first + i) for i in range(3)))
    if m := _YEAR.match(raw):
        year = int(m.group(1))
        return Period(raw, "year", tuple(month_from_index(year * 12 + i) for i in range(12)))
    if m := _ROLLING.match(raw):
        last = month_index(f"{m.group(1)}-{m.group(2)}")
        label = f"R12-{m.group(1)}-{m.group(2)}"
        return Period(label, "rolling_12", tuple(month_from_index(i) for i in range(last - 11, last + 1)))
    raise UsageError(
        f"'{raw}' is not a period. Use a quarter (2025Q3), a month (2025-09), a year (2025) "
        "or the rolling 12 months ending a month (R12-2025-09)."
    )


def latest_quarter(months: list[str] | tuple[str, ...]) -> Period:
    """The latest calendar quarter fully covered by ``months`` (used by ``benchmark demo``)."""
    have = set(months)
    last = max(month_index(m) for m in months)
    while True:
        end_q = last - (last % 3) + 2
        if end_q == last or end_q > last:
            q_first = last - (last % 3)
            q = tuple(month_from_index(i) for i in range(q_first, q_first + 3))
            if all(m in have for m in q):
                return parse_period(f"{q[0][:4]}Q{(q_first % 12) // 3 + 1}")
        last = last - (last % 3) - 1
        if last < min(month_index(m) for m in months):
            raise UsageError("the data do not cover a whole quarter")
