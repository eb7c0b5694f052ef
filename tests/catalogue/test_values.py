"""Criterion values on a small hand-made trust, against numbers worked out by hand.

Three units, twelve months 2024-10 … 2025-09, constant monthly figures except U2's activity,
which drops from 8 to 6 DRG points a month in 2025Q3:

| unit | division/department | care | drg/visits | fte | fixed pay | variable pay* | agency | sick/possible | leavers/headcount | fte_planned | pay_budget |
|---|---|---|---|---|---|---|---|---|---|---|---|
| U1 | A / A1 | inpatient  | 10 drg     | 2 | 100 | 10 | 10 | 4/40 | 1 (only 2025-09) / 10 | 2 | 100 |
| U2 | A / A1 | inpatient  | 8 → 6 drg  | 2 | 100 | 20 |  0 | 2/40 | 0 / 10               | 1.6 | 120 |
| U3 | A / A2 | outpatient | 100 visits | 1 |  50 |  0 |  5 | 1/20 | 0 / 5                | 1 | 60 |

*variable pay = overtime 6 + extra shifts 4 (U1) and overtime 12 + extra shifts 8 (U2).
"""

from __future__ import annotations

import pandas as pd
import pytest

from benchmark.catalogue import load_criteria
from benchmark.dataset import dataset_from_frames
from benchmark.periods import month_range, parse_period
from benchmark.scoring.aggregate import criterion_values

MONTHS = month_range("2024-10", "2025-09")
Q3 = ("2025-07", "2025-08", "2025-09")


def _monthly() -> pd.DataFrame:
    rows = []
    for m in MONTHS:
        base = dict(month=m, pay_call_out=0.0, pay_shift_displacement=0.0, pay_other_variable=0.0)
        rows.append({**base, "unit_id": "U1", "drg_points": 10.0, "outpatient_visits": 0.0, "fte_worked": 2.0,
                     "fte_contracted": 2.0, "fte_planned": 2.0, "pay_fixed": 100.0, "pay_overtime": 6.0,
                     "pay_extra_shifts": 4.0, "agency_cost": 10.0, "sick_leave_days": 4.0, "possible_days": 40.0,
                     "leavers": 1.0 if m == "2025-09" else 0.0, "headcount": 10.0, "pay_budget": 100.0})
        rows.append({**base, "unit_id": "U2", "drg_points": 6.0 if m in Q3 else 8.0, "outpatient_visits": 0.0,
                     "fte_worked": 2.0, "fte_contracted": 2.0, "fte_planned": 1.6, "pay_fixed": 100.0,
                     "pay_overtime": 12.0, "pay_extra_shifts": 8.0, "agency_cost": 0.0, "sick_leave_days": 2.0,
                     "possible_days": 40.0, "leavers": 0.0, "headcount": 10.0, "pay_budget": 120.0})
        rows.append({**base, "unit_id": "U3", "drg_points": 0.0, "outpatient_visits": 100.0, "fte_worked": 1.0,
                     "fte_contracted": 1.0, "fte_planned": 1.0, "pay_fixed": 50.0, "pay_overtime": 0.0,
                     "pay_extra_shifts": 0.0, "agency_cost": 5.0, "sick_leave_days": 1.0, "possible_days": 20.0,
                     "leavers": 0.0, "headcount": 5.0, "pay_budget": 60.0})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def ds():
    units = pd.DataFrame({"unit_id": ["U1", "U2", "U3"], "unit_name": ["Ward 1", "Ward 2", "Clinic 3"],
                          "division": ["A", "A", "A"], "department": ["A1", "A1", "A2"],
                          "care_level": ["inpatient", "inpatient", "outpatient"]})
    return dataset_from_frames(units, _monthly())


@pytest.fixture(scope="module")
def cat():
    # minimum sizes to 0 so that the tiny units are scored
    base = load_criteria()
    return base.with_min_denominators({c.id: 0.0 for c in base.criteria})


def value(ds, cat, period, level, criterion, entity):
    v = criterion_values(ds, cat, parse_period(period), level)
    row = v[(v["criterion"] == criterion) & (v["entity_id"] == entity)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize("period,entity,expected", [
    ("2025Q3", "U1", 30 / 6),                 # 3 × 10 DRG / 3 × 2 FTE
    ("2025Q3", "U2", 18 / 6),                 # 3 × 6 / 6
    ("2025", "U2", (6 * 8 + 3 * 6) / 18),     # Jan–Sep: 66 / 18
    ("R12-2025-09", "U2", (9 * 8 + 3 * 6) / 24),  # 90 / 24
    ("2025Q3", "U3", 300 / 3),                # outpatient: visits per FTE-month
])
def test_activity_per_fte_at_unit_level(ds, cat, period, entity, expected):
    assert value(ds, cat, period, "unit", "activity_per_fte", entity)["value"] == pytest.approx(expected)


def test_activity_per_fte_above_unit_level_is_a_productivity_index(ds, cat):
    # Q3 reference productivity: inpatient median(5, 3) = 4; outpatient 100.
    # Department A1: (30/4 + 18/4) / (6 + 6) = 12/12 = 1.0
    assert value(ds, cat, "2025Q3", "department", "activity_per_fte", "A1")["value"] == pytest.approx(1.0)
    # Year 2025: U1 = 90/18 = 5, U2 = 66/18; reference median = (5 + 66/18)/2 = 4.3333…
    ref = (5 + 66 / 18) / 2
    expected = (90 / ref + 66 / ref) / (18 + 18)
    assert value(ds, cat, "2025", "department", "activity_per_fte", "A1")["value"] == pytest.approx(expected)
    # Division A in Q3: (7.5 + 4.5 + 300/100) / (6 + 6 + 3) = 15/15
    assert value(ds, cat, "2025Q3", "division", "activity_per_fte", "A")["value"] == pytest.approx(1.0)


@pytest.mark.parametrize("level,entity,expected", [
    ("unit", "U1", 30 / 330),                   # variable 3×10 over (100+10)×3
    ("unit", "U2", 60 / 360),                   # 3×20 over 3×120
    ("department", "A1", 90 / 690),             # sums, not the mean of 0.0909 and 0.1667
    ("division", "A", 90 / (690 + 150)),        # U3 adds 0 variable and 3×50 fixed
])
def test_variable_pay_share_rolls_up_by_sums(ds, cat, level, entity, expected):
    assert value(ds, cat, "2025Q3", level, "variable_pay_share", entity)["value"] == pytest.approx(expected)


@pytest.mark.parametrize("criterion,level,entity,period,expected", [
    ("agency_share", "unit", "U1", "2025Q3", 30 / (330 + 30)),
    ("agency_share", "division", "A", "2025Q3", (30 + 15) / (330 + 360 + 150 + 45)),
    ("overtime_per_fte", "unit", "U2", "2025Q3", 36 / 6),
    ("overtime_per_fte", "department", "A1", "2025", (9 * 6 + 9 * 12) / 36),
    ("sick_leave_rate", "unit", "U1", "2025Q3", 12 / 120),
    ("sick_leave_rate", "division", "A", "R12-2025-09", (48 + 24 + 12) / (480 + 480 + 240)),
    # turnover: rolling 12 months by definition of the criterion; leavers × 12 / headcount-months
    ("turnover_rate", "unit", "U1", "2025Q3", 1 * 12 / 120),
    ("turnover_rate", "department", "A1", "2025Q3", 1 * 12 / 240),
    ("staffing_vs_plan", "unit", "U2", "2025Q3", 6 / 4.8),
    ("staffing_vs_plan", "division", "A", "2025", (18 + 18 + 9) / (18 + 14.4 + 9)),
    ("pay_vs_budget", "unit", "U2", "2025Q3", 360 / 360),
    ("pay_vs_budget", "department", "A1", "R12-2025-09", (12 * 120 + 12 * 120) / (12 * 100 + 12 * 120)),
])
def test_default_criteria_by_hand(ds, cat, criterion, level, entity, period, expected):
    assert value(ds, cat, period, level, criterion, entity)["value"] == pytest.approx(expected)


def test_below_minimum_size_is_not_scored_with_a_reason(ds):
    cat = load_criteria()  # activity needs 12 FTE-months; U3 has 3 in a quarter
    row = value(ds, cat, "2025Q3", "unit", "activity_per_fte", "U3")
    assert not row["scored"] and pd.isna(row["value"])
    assert row["not_scored_reason"].startswith("below_min_size")


def test_zero_denominator_is_not_scored_never_inf(ds, cat):
    monthly = _monthly()
    monthly.loc[monthly["unit_id"] == "U3", "fte_planned"] = 0.0
    units = ds.units
    ds2 = dataset_from_frames(units, monthly)
    row = value(ds2, cat, "2025Q3", "unit", "staffing_vs_plan", "U3")
    assert not row["scored"] and row["not_scored_reason"].startswith("zero_denominator")
    values = criterion_values(ds2, cat, parse_period("2025Q3"), "unit")["value"]
    assert not values.isin([float("inf"), float("-inf")]).any()


def test_support_units_are_not_scored_on_activity(cat):
    units = pd.DataFrame({"unit_id": ["S"], "unit_name": ["Stab"], "division": ["A"], "department": ["A9"],
                          "care_level": ["support"]})
    monthly = _monthly()
    monthly = monthly[monthly["unit_id"] == "U3"].assign(unit_id="S", outpatient_visits=0.0)
    ds = dataset_from_frames(units, monthly)
    row = value(ds, cat, "2025Q3", "unit", "activity_per_fte", "S")
    assert not row["scored"] and row["not_scored_reason"].startswith("no_activity_measure")


def test_derived_arrays_follow_the_data_not_an_earlier_dataset(ds, cat):
    """Formulas are evaluated once per dataset and kept; a dataset with other data (as
    dataclasses.replace or a new load makes) must not reuse them."""
    import dataclasses

    # U1, 2025Q3: overtime 3 × 6 + extra shifts 3 × 4 = 30 over all pay 300 + 30
    assert value(ds, cat, "2025Q3", "unit", "variable_pay_share", "U1")["value"] == pytest.approx(30 / 330)
    assert ds.cache  # something was kept
    doubled = ds.monthly.assign(pay_overtime=ds.monthly["pay_overtime"] * 2)
    other = dataclasses.replace(ds, monthly=doubled)
    assert not other.cache
    # doubled overtime: 3 × 12 + 3 × 4 = 48 over 300 + 48
    assert value(other, cat, "2025Q3", "unit", "variable_pay_share", "U1")["value"] == pytest.approx(48 / 348)
    assert value(ds, cat, "2025Q3", "unit", "variable_pay_share", "U1")["value"] == pytest.approx(30 / 330)
