"""The demo's daily census has the planted shape; charts carry the Norwegian locale; English works."""

from __future__ import annotations

import pandas as pd

from .conftest import DEMO


def test_demo_daily_census_has_the_planted_shape():
    daily = pd.read_csv(DEMO / "daily.csv", parse_dates=["date"])
    units = pd.read_csv(DEMO / "units.csv")
    wards = set(units.loc[units["care_level"] == "inpatient", "unit_id"])
    assert set(daily["unit_id"]) == wards
    days = daily.groupby("unit_id")["date"].nunique()
    assert (days == 1096).sum() == len(wards) - 1 and (days == 365).sum() == 1  # one ward opened a year ago
    total = daily.groupby("date")["census"].sum()
    weekday = total.groupby(total.index.day_of_week).mean()
    assert weekday[[5, 6]].mean() < 0.93 * weekday[[1, 2]].mean()  # emptier at the weekend
    iso = total.index.isocalendar()
    summer = total[(iso.year == 2025) & iso.week.isin([29, 30])].mean()
    june = total[(total.index.year == 2025) & (total.index.month == 6)].mean()
    assert summer < 0.85 * june
    christmas = total["2024-12-24":"2024-12-31"].mean()
    assert christmas < 0.85 * total["2024-11-01":"2024-11-30"].mean()
    # overdispersion: within a ward's month, census varies more than Poisson after the weekday pattern
    d = daily[daily["unit_id"].isin(days.index[days == 1096])].copy()
    d["ratio"] = d["census"] / d.groupby(["unit_id", d["date"].dt.to_period("M")])["census"].transform("mean")
    big = d.groupby("unit_id")["census"].mean() > 8
    ward = big.index[big][0]
    one = d[d["unit_id"] == ward]
    assert one["census"].var() > one["census"].mean()
    # census and flows agree: today = yesterday + admissions − discharges
    one = one.sort_values("date")
    assert (one["census"].diff().iloc[1:] == (one["admissions"] - one["discharges"]).iloc[1:]).all()


def test_chart_spec_carries_the_norwegian_locale(slice_beds):
    from benchmark.beds.chart import ward_chart

    spec = ward_chart(slice_beds, slice_beds.units["unit_id"].iloc[0], lang="nb").to_dict()
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == "\u00a0"
    assert "januar" in spec["config"]["locale"]["time"]["months"]


def test_english_report_and_numbers(slice_beds):
    from benchmark.beds.report import render_report

    text = render_report(slice_beds, "en")
    assert "Bed-capacity draft 2026" in text and "the ward will be full about 1 in" in text
    assert "Trade-off" in text and "Backtest on the last full year" in text
