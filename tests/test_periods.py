import pytest

from benchmark.issues import UsageError
from benchmark.periods import latest_quarter, month_range, parse_period


def test_quarter_month_year_and_rolling_periods():
    assert parse_period("2025Q3").months == ("2025-07", "2025-08", "2025-09")
    assert parse_period("2025q1").label == "2025Q1"
    assert parse_period("2025-09").months == ("2025-09",)
    assert len(parse_period("2025").months) == 12
    r12 = parse_period("R12-2025-09")
    assert (r12.first, r12.last, r12.n_months) == ("2024-10", "2025-09", 12)


def test_windows_end_at_the_periods_last_month():
    q3 = parse_period("2025Q3")
    assert q3.window("period") == q3.months
    assert q3.window("month") == ("2025-09",)
    assert q3.window("year") == month_range("2025-01", "2025-09")
    assert q3.window("rolling_12") == month_range("2024-10", "2025-09")
    assert parse_period("2025-08").window("quarter") == ("2025-07", "2025-08")


def test_previous_and_year_before():
    assert parse_period("2025Q1").previous().label == "2024Q4"
    assert parse_period("2025Q1").year_before().label == "2024Q1"
    assert parse_period("2025-01").previous().label == "2024-12"
    assert parse_period("R12-2025-01").previous().label == "R12-2024-12"


@pytest.mark.parametrize("text", ["2025Q5", "2025-13", "25", "2025-9", "Q3 2025", ""])
def test_bad_periods_are_usage_errors(text):
    with pytest.raises(UsageError, match="is not a period"):
        parse_period(text)


def test_latest_whole_quarter():
    months = [f"2025-{m:02d}" for m in range(1, 9)]
    assert latest_quarter(months).label == "2025Q2"
    assert latest_quarter([*months, "2025-09"]).label == "2025Q3"
