"""One nurse's year of shifts, split into hours per category and priced by hand (SPEC §11)."""

from __future__ import annotations

import pandas as pd
import pytest

import benchmark as bm
from benchmark.plan.codes import typed_codes
from benchmark.plan.hours import split_hours

from .helpers import SHIFT_CODES, dataset, day_rota

# Shift codes: D 07:30–15:30 with a 30-minute break (7,5 paid hours), A 15:00–23:00, N 22:00–07:30 (runs
# past midnight), T 05:00–13:00, F off.  The nurse (sykepleier, 100 %) works 13 shifts in 2026:
#
#  date        code  paid  evening/night                weekend                 holiday (§10-10 window)
#  05.01 Mon   D     7,5   0                            0                       0
#  06.01 Tue   T     8     05–06 + 06–08 (runs on) = 3  0                       0
#  10.01 Sat   D     7,5   0                            7,5                     0
#  11.01 Sun   N     9,5   22–06 + 06–07:30 = 9,5       22–24 Sunday = 2        0 (an ordinary Sunday)
#  18.01 Sun   D     7,5   0                            7,5                     0
#  04.04 Sat   A     8     17–23 = 6                    0 (holiday instead)     Easter Eve from 15:00 = 8
#  05.04 Sun   N     9,5   9,5                          0                       Easter Sunday night = 9,5
#  06.04 Mon   N     9,5   9,5                          0                       0 (the window ends 22:00 Easter Monday)
#  16.05 Sat   A     8     6                            15–18 = 3               18–23 = 5 (day before 17 May)
#  17.05 Sun   D     7,5   0                            0                       7,5
#  24.12 Thu   A     8     6                            0                       Christmas Eve from 15:00 = 8
#  27.12 Sun   D     7,5   0                            0                       7,5 (window to 22:00, 28.12 next working day)
#  31.12 Thu   A     8     6                            0                       18–23 = 5 (window before 1 Jan 2027)
#  sum              106    55,5                         20                      50,5
SHIFTS = {"2026-01-05": "D", "2026-01-06": "T", "2026-01-10": "D", "2026-01-11": "N", "2026-01-18": "D",
          "2026-04-04": "A", "2026-04-05": "N", "2026-04-06": "N", "2026-05-16": "A", "2026-05-17": "D",
          "2026-12-24": "A", "2026-12-27": "D", "2026-12-31": "A"}


@pytest.fixture(scope="module")
def nurse_plan():
    tariff = bm.load_tariff().with_cover(vacation_weeks=5, absence=0.05)
    return bm.plan(dataset(day_rota("U1", "P1", 2026, SHIFTS)), 2026, tariff)


def test_hours_per_category(nurse_plan):
    h = nurse_plan.hours[["fte_days", "hours", "evening_night", "weekend", "holiday"]].sum()
    assert h["fte_days"] == 365.0  # the position exists every day (F rows)
    assert h["hours"] == pytest.approx(106.0)
    assert h["evening_night"] == pytest.approx(55.5)
    assert h["weekend"] == pytest.approx(20.0)
    assert h["holiday"] == pytest.approx(50.5)
    jan = nurse_plan.staffing_budget.set_index("month").loc["2026-01"]
    assert jan["hours_plan"] == pytest.approx(7.5 + 8 + 7.5 + 9.5 + 7.5)


def test_priced_by_hand(nurse_plan):
    # hourly pay = 589 kNOK / 1 850 h = 0,318378 kNOK (318,38 kr)
    hourly = 589.0 / 1850
    en = max(0.28 * hourly, 0.070)     # 89,15 kr > 70 kr minimum
    we = max(0.26 * hourly, 0.075)     # 82,78 kr > 75 kr minimum
    ho = 1.3333 * hourly               # 424,49 kr
    base = 589.0                       # 100 % all 365 days
    supplements = 55.5 * en + 20 * we + 50.5 * ho  # 4,948 + 1,656 + 21,437 = 28,040 kNOK
    social = 0.321 * (base + supplements)           # 14,1 % employer tax + 18 % pension: 0,321 × 617,04 = 198,07
    cover = (5 / 52 + 0.05) * (base + supplements + social)  # (9,615 % + 5 %) × 815,11 = 119,13
    b = nurse_plan.staffing_budget[["cost_base", "cost_evening_night", "cost_weekend", "cost_holiday",
                                    "cost_social", "cost_cover", "cost_total"]].sum()
    assert b["cost_base"] == pytest.approx(base)
    assert b["cost_evening_night"] == pytest.approx(55.5 * 0.28 * hourly)
    assert b["cost_weekend"] == pytest.approx(20 * 0.26 * hourly)
    assert b["cost_holiday"] == pytest.approx(50.5 * 1.3333 * hourly)
    assert b["cost_social"] == pytest.approx(social)
    assert b["cost_cover"] == pytest.approx(cover)
    assert b["cost_total"] == pytest.approx(base + supplements + social + cover)
    assert b["cost_total"] == pytest.approx(934.24, abs=0.01)  # 589 + 28,04 + 198,07 + 119,13


def test_minimum_per_hour_rule():
    # a helsefagarbeider at 250 kNOK: hourly 250/1 850 = 135,14 kr; 28 % = 37,84 kr < 70 kr, so 70 kr is paid;
    # 26 % = 35,14 kr < 75 kr, so 75 kr; the holiday supplement (no minimum) stays 133,33 % = 180,18 kr
    tariff = bm.load_tariff()
    low = tariff.__class__(**{**tariff.__dict__, "roles": tuple(
        r if r.id != "helsefagarbeider" else r.__class__("helsefagarbeider", 250.0, True) for r in tariff.roles)})
    shifts = {"2026-01-10": "A", "2026-05-17": "D"}  # Sat 15–23: 6 h evening, 8 h weekend; 17 May: 7,5 h holiday
    pl = bm.plan(dataset(day_rota("U1", "P1", 2026, shifts, role="helsefagarbeider")), 2026, low)
    b = pl.staffing_budget.sum(numeric_only=True)
    assert b["cost_evening_night"] == pytest.approx(6 * 0.070)
    assert b["cost_weekend"] == pytest.approx(8 * 0.075)
    assert b["cost_holiday"] == pytest.approx(7.5 * 1.3333 * 250 / 1850)
    # raising the rate above the minimum makes the rate count: 40 % of 135,14 kr = 54,05 kr < 70 kr still
    assert pl.reprice(low.with_supplement("evening_night", rate=0.40)).staffing_budget[
        "cost_evening_night"].sum() == pytest.approx(6 * 0.070)
    # … and 60 % = 81,08 kr > 70 kr
    assert pl.reprice(low.with_supplement("evening_night", rate=0.60)).staffing_budget[
        "cost_evening_night"].sum() == pytest.approx(6 * 0.60 * 250 / 1850)


def test_split_table_day_shift_break_pro_rata():
    codes = typed_codes(SHIFT_CODES)
    t = split_hours(2026, codes)
    d = list(t.codes).index("D")
    sat = (pd.Timestamp("2026-01-10") - pd.Timestamp("2026-01-01")).days
    assert t.hours["hours"][sat, d] == 7.5 and t.hours["weekend"][sat, d] == 7.5  # 8 h less a 30-minute break
    easter_eve = (pd.Timestamp("2026-04-04") - pd.Timestamp("2026-01-01")).days
    # D on Easter Eve: 15:00–15:30 is holiday, 07:30–15:00 weekend; the break taken pro rata (7,5/8)
    assert t.hours["holiday"][easter_eve, d] == pytest.approx(0.5 * 7.5 / 8)
    assert t.hours["weekend"][easter_eve, d] == pytest.approx(7.5 * 7.5 / 8)
