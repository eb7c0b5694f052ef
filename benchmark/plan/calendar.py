"""The budget year's real calendar: Norwegian public holidays and the §10-10 holiday windows.

Public holidays come from the maintained ``holidays`` library (``country_holidays("NO")`` with
``include_sundays=False``, so an ordinary Sunday is not a holiday). The working-environment act
(arbeidsmiljøloven) §10-10 (1)–(2) gives the time off around them: *from 18:00 the day before a
Sunday or public holiday, and from 15:00 on Easter Eve, Whitsun Eve and Christmas Eve, until 22:00
the day before the next working day*. A working day (virkedag) is any day that is neither a Sunday
nor a public holiday — Saturday is one.

Holiday hours (helge- og høytidstillegg) are the hours inside the windows *around public
holidays and the three eves*; the windows around ordinary Sundays earn the weekend supplement only
(SPEC §11). Windows of the neighbouring years are included, so a window that opens on 31 December
before 1 January counts for the hours worked on that evening.

Weekend hours are the calendar Saturday and Sunday, 00:00–24:00.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache

import numpy as np
from dateutil.easter import easter

EVE_START_HOUR = 15  # påskeaften, pinseaften, julaften
DAY_BEFORE_HOUR = 18  # the day before a Sunday or public holiday
WINDOW_END_HOUR = 22  # the day before the next working day
EVENING_FROM, NIGHT_TO, NIGHT_EXTENDS_TO = 17 * 60, 6 * 60, 8 * 60  # minutes after midnight


@cache
def public_holidays(year: int) -> frozenset[date]:
    """Norwegian public holidays (helligdager and 1 and 17 May) of ``year``, without Sundays."""
    import holidays

    return frozenset(holidays.country_holidays("NO", years=[year], include_sundays=False).keys())


def eves(year: int) -> tuple[date, date, date]:
    """Easter Eve, Whitsun Eve and Christmas Eve of ``year``."""
    e = easter(year)
    return e - timedelta(days=1), e + timedelta(days=48), date(year, 12, 24)


def is_working_day(d: date) -> bool:
    return d.weekday() != 6 and d not in public_holidays(d.year)


def _next_working_day(d: date) -> date:
    n = d + timedelta(days=1)
    while not is_working_day(n):
        n += timedelta(days=1)
    return n


def holiday_windows(year: int) -> list[tuple[datetime, datetime]]:
    """The §10-10 windows around public holidays and eves touching ``year``, merged, in order."""
    spans = []
    for y in (year - 1, year, year + 1):
        for h in public_holidays(y):
            start = datetime.combine(h - timedelta(days=1), datetime.min.time()).replace(hour=DAY_BEFORE_HOUR)
            end = datetime.combine(_next_working_day(h) - timedelta(days=1), datetime.min.time()).replace(
                hour=WINDOW_END_HOUR)
            spans.append((start, end))
        for e in eves(y):
            start = datetime.combine(e, datetime.min.time()).replace(hour=EVE_START_HOUR)
            end = datetime.combine(_next_working_day(e) - timedelta(days=1), datetime.min.time()).replace(
                hour=WINDOW_END_HOUR)
            spans.append((start, end))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    lo, hi = datetime(year - 1, 12, 30), datetime(year + 1, 1, 3)
    return [(s, e) for s, e in merged if e > lo and s < hi]


@cache
def minute_grid(year: int, extra_days: int = 2) -> dict[str, np.ndarray]:
    """Cumulative minute counts from 1 January 00:00 of ``year`` over the year and ``extra_days``.

    ``cum[k][m]`` is the number of minutes before minute ``m`` that are in category ``k``
    (``holiday``: inside a holiday window; ``weekend``: Saturday/Sunday but not holiday;
    ``night``: clock time 17:00–06:00), so the minutes of a shift [s, e) are ``cum[e] - cum[s]``.
    """
    first = date(year, 1, 1)
    n_days = (date(year + 1, 1, 1) - first).days + extra_days
    n = n_days * 1440
    holiday = np.zeros(n, dtype=bool)
    origin = datetime.combine(first, datetime.min.time())
    for s, e in holiday_windows(year):
        a = int((s - origin).total_seconds() // 60)
        b = int((e - origin).total_seconds() // 60)
        holiday[max(a, 0):max(min(b, n), 0)] = True
    weekday = (np.arange(n_days) + first.weekday()) % 7  # 0 = Monday
    weekend = np.repeat(weekday >= 5, 1440) & ~holiday
    clock = np.tile(np.arange(1440), n_days)
    night = (clock >= EVENING_FROM) | (clock < NIGHT_TO)
    out = {}
    for name, flags in (("holiday", holiday), ("weekend", weekend), ("night", night)):
        out[name] = np.concatenate([[0], np.cumsum(flags, dtype=np.int32)])
    return out
