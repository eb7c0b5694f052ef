"""The census forecast: the batched fit is statsmodels' fit; it recovers planted weekday, season and
holiday effects; the draft is deterministic; the monthly-mean draft is marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.beds.calendar import TERM_NAMES, budget_days, design, holiday_flags, iso_week_label
from benchmark.beds.forecast import forecast_wards


def test_batched_engine_equals_statsmodels(slice_dataset):
    daily = slice_dataset.daily[["unit_id", "date", "census"]].sort_values(["unit_id", "date"])
    a, fa = forecast_wards(daily, budget_days(2026), engine="batched")
    b, fb = forecast_wards(daily, budget_days(2026), engine="statsmodels")
    np.testing.assert_allclose(a["mean"], b["mean"], rtol=1e-6)
    np.testing.assert_allclose(a["var"], b["var"], rtol=1e-6)
    np.testing.assert_allclose(fa["phi"], fb["phi"], rtol=1e-6)


def test_planted_effects_are_recovered():
    # one ward, 3 years, Poisson with a known log-linear calendar: the fit finds the coefficients
    rng = np.random.default_rng(3)
    dates = pd.date_range("2023-01-02", "2025-12-28", freq="D")
    X = design(dates, dates[len(dates) // 2])
    beta = np.zeros(len(TERM_NAMES))
    beta[TERM_NAMES.index("intercept")] = np.log(30)
    beta[TERM_NAMES.index("weekday_5")] = -0.15  # Saturday
    beta[TERM_NAMES.index("christmas")] = -0.3
    beta[TERM_NAMES.index("fellesferie")] = -0.25
    beta[TERM_NAMES.index("trend")] = 0.03
    y = rng.poisson(np.exp(X @ beta))
    daily = pd.DataFrame({"unit_id": "W", "date": dates, "census": y.astype(float)})
    days = budget_days(2026)
    fc, fits = forecast_wards(daily, days)
    truth = np.exp(design(days, dates[len(dates) // 2]) @ beta)
    assert np.median(np.abs(fc["mean"] / truth - 1)) < 0.03
    assert fits["trend_per_year"].iloc[0] == pytest.approx(0.03, abs=0.015)
    saturday = fc[pd.DatetimeIndex(fc["date"]).day_of_week == 5]["mean"].mean()
    friday = fc[pd.DatetimeIndex(fc["date"]).day_of_week == 4]["mean"].mean()
    assert saturday / friday == pytest.approx(np.exp(-0.15), abs=0.04)
    assert fits["phi"].iloc[0] == pytest.approx(1.0, abs=0.1)  # Poisson data: no overdispersion


def test_overdispersion_widens_the_band():
    rng = np.random.default_rng(4)
    dates = pd.date_range("2023-01-02", "2025-12-28", freq="D")
    poisson = rng.poisson(20, len(dates)).astype(float)
    overdispersed = rng.negative_binomial(20 / 2, 1 / 3, len(dates)).astype(float)  # mean 20, var 60
    daily = pd.concat([pd.DataFrame({"unit_id": u, "date": dates, "census": y})
                       for u, y in (("P", poisson), ("N", overdispersed))])
    fc, fits = forecast_wards(daily, budget_days(2026))
    phi = fits.set_index("unit_id")["phi"]
    assert phi["N"] == pytest.approx(3.0, rel=0.15) and phi["P"] < 1.15
    var = fc.groupby("unit_id")["var"].mean()
    assert var["N"] > 2.5 * var["P"]


def test_holiday_flags_2027():
    dates = pd.DatetimeIndex(["2027-03-25", "2027-03-29", "2027-03-30", "2027-05-17", "2027-12-23", "2027-12-22"])
    f = holiday_flags(dates)
    # Easter Sunday 2027 is 28 March: Maundy Thursday 25 March … Easter Monday 29 March
    assert list(f["easter"]) == [True, True, False, False, False, False]
    assert list(f["public_holiday"]) == [False, False, False, True, False, False]
    assert list(f["christmas"]) == [False, False, False, False, True, False]


def test_budget_year_is_whole_iso_weeks():
    days = budget_days(2027)
    assert days[0] == pd.Timestamp("2027-01-04") and days[-1] == pd.Timestamp("2028-01-02")
    assert len(days) == 52 * 7
    assert iso_week_label(days[:1])[0] == "2027-W01"
    assert len(budget_days(2026)) == 53 * 7  # 2026 has an ISO week 53


def test_same_inputs_same_draft(slice_dataset, slice_beds):
    import benchmark as bm

    again = bm.beds(slice_dataset, year=2026, seed=1)
    pd.testing.assert_frame_equal(again.bed_plan, slice_beds.bed_plan)
    pd.testing.assert_frame_equal(again.forecast, slice_beds.forecast)
    pd.testing.assert_frame_equal(again.backtest, slice_beds.backtest)


def test_bed_plan_has_the_spec_columns_first(slice_beds):
    spec = ["unit_id", "week", "census_mean", "census_p50", "census_p90", "census_p95", "beds_recommended",
            "beds_current", "occupancy_expected", "overflow_days_expected", "service_level_expected"]
    assert list(slice_beds.bed_plan.columns[:len(spec)]) == spec
    assert list(slice_beds.backtest.columns[:5]) == ["unit_id", "method", "share_days_covered",
                                                      "bed_days_planned", "pinball_loss"]
    assert set(slice_beds.backtest["method"]) == {"model", "seasonal_naive", "occupancy_85"}
    assert slice_beds.bed_plan.groupby("unit_id").size().eq(53).all()
    assert slice_beds.forecast.groupby("unit_id").size().eq(53 * 7).all()


def test_with_options_recomputes_without_refit(slice_beds):
    lower = slice_beds.with_options(service_level=0.8)
    assert lower.forecast is slice_beds.forecast
    assert (lower.bed_plan["beds_recommended"] <= slice_beds.bed_plan["beds_recommended"]).all()
    assert (lower.bed_plan["beds_recommended"] < slice_beds.bed_plan["beds_recommended"]).any()
    closed = slice_beds.with_options(closed_weeks=(29,), closed_units=[slice_beds.units["unit_id"].iloc[0]])
    row = closed.bed_plan[(closed.bed_plan["unit_id"] == slice_beds.units["unit_id"].iloc[0])
                          & (closed.bed_plan["week"] == "2026-W29")].iloc[0]
    assert row["beds_recommended"] == 0 and row["closed"]


def test_staffing_follows_the_census(slice_beds):
    p = slice_beds.bed_plan
    expected = p["census_mean"] * 7 * p["care_hours_per_patient_day"] / 37.5
    np.testing.assert_allclose(p["fte_expected"], expected, rtol=1e-9)
