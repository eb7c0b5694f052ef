"""The §10-10 holiday windows of the working-environment act, checked against the calendar by hand."""

from __future__ import annotations

from datetime import date, datetime

from benchmark.plan.calendar import holiday_windows, is_working_day, public_holidays


def test_public_holidays_2026_without_ordinary_sundays():
    h = public_holidays(2026)
    # 1 Jan, Maundy Thu 2 Apr, Good Fri 3 Apr, Easter Sun 5 Apr, Easter Mon 6 Apr, 1 May, Ascension 14 May,
    # 17 May, Whit Sun 24 May, Whit Mon 25 May, 25 and 26 Dec
    assert len(h) == 12
    assert date(2026, 5, 17) in h and date(2026, 4, 6) in h
    assert date(2026, 1, 11) not in h  # an ordinary Sunday
    assert not is_working_day(date(2026, 1, 11)) and is_working_day(date(2026, 4, 4))  # Saturday is a virkedag


def test_windows_2026_by_hand():
    w = holiday_windows(2026)
    assert w == [
        (datetime(2025, 12, 31, 18), datetime(2026, 1, 1, 22)),   # 18:00 the day before 1 Jan (opens on 31 Dec)
        (datetime(2026, 4, 1, 18), datetime(2026, 4, 3, 22)),     # Maundy Thursday–Good Friday; Saturday is a working day
        (datetime(2026, 4, 4, 15), datetime(2026, 4, 6, 22)),     # Easter Eve 15:00 until 22:00 Easter Monday
        (datetime(2026, 4, 30, 18), datetime(2026, 5, 1, 22)),    # 1 May (Friday)
        (datetime(2026, 5, 13, 18), datetime(2026, 5, 14, 22)),   # Ascension Day
        (datetime(2026, 5, 16, 18), datetime(2026, 5, 17, 22)),   # 17 May on a Sunday
        (datetime(2026, 5, 23, 15), datetime(2026, 5, 25, 22)),   # Whitsun Eve 15:00 until Whit Monday 22:00
        (datetime(2026, 12, 24, 15), datetime(2026, 12, 27, 22)),  # Christmas Eve; 27 Dec is a Sunday, 28 the next working day
        (datetime(2026, 12, 31, 18), datetime(2027, 1, 1, 22)),   # opens on 31 December before next year's 1 January
    ]


def test_holiday_on_saturday_runs_through_sunday():
    # 17 May 2025 is a Saturday: the next working day is Monday 19 May, so the window runs to 22:00 Sunday
    assert (datetime(2025, 5, 16, 18), datetime(2025, 5, 18, 22)) in holiday_windows(2025)
