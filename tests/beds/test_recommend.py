"""The quantile rule on hand-made distributions, closures, the trade-off and the Erlang check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from benchmark.beds.erlang import beds_for_blocking, erlang_b
from benchmark.beds.recommend import recommend


def forecast(means: dict[str, list[float]], var_factor: float = 1.0, start: str = "2027-01-04") -> pd.DataFrame:
    """Forecast rows for whole ISO weeks from per-day means (variance = factor × mean)."""
    rows = []
    for unit, m in means.items():
        dates = pd.date_range(start, periods=len(m), freq="D")
        iso = dates.isocalendar()
        week = (iso.year.astype(str) + "-W" + iso.week.astype(str).str.zfill(2)).to_numpy()
        rows.append(pd.DataFrame({"unit_id": unit, "date": dates, "week": week, "mean": m,
                                  "var": np.asarray(m, float) * var_factor}))
    return pd.concat(rows, ignore_index=True)


def units(ids, department="A", division="D") -> pd.DataFrame:
    return pd.DataFrame({"unit_id": ids, "unit_name": ids, "department": department, "division": division})


def oracle_beds(dists, s):
    """Brute force: the smallest b with mean over days of P(X_d > b) ≤ 1 − s."""
    for b in range(0, 1000):
        if np.mean([d.sf(b) for d in dists]) <= 1 - s + 1e-12:
            return b
    raise AssertionError


def test_seven_poisson_10_days_need_15_beds_at_95_percent():
    # Poisson(10): P(X ≤ 14) = 0,9165 < 0,95 ≤ P(X ≤ 15) = 0,9513, so 15 beds; full on 4,9 % of days
    plan, _, _ = recommend(forecast({"W": [10.0] * 7}), units(["W"]), 0.95)
    row = plan.iloc[0]
    assert row["beds_recommended"] == 15
    assert row["service_level_expected"] == pytest.approx(stats.poisson.cdf(15, 10), abs=1e-9)
    assert row["overflow_days_expected"] == pytest.approx(7 * stats.poisson.sf(15, 10), abs=1e-9)
    assert row["occupancy_expected"] == pytest.approx(10 / 15)
    assert row["census_p50"] == 10 and row["census_p90"] == 14 and row["census_p95"] == 15


@pytest.mark.parametrize("s", [0.8, 0.9, 0.95, 0.99])
def test_uneven_week_matches_brute_force_mixture(s):
    means = [2.0, 2.0, 2.0, 2.0, 2.0, 20.0, 20.0]  # a weekday ward that fills at the weekend
    plan, _, _ = recommend(forecast({"W": means}), units(["W"]), s)
    assert plan.iloc[0]["beds_recommended"] == oracle_beds([stats.poisson(m) for m in means], s)


def test_negative_binomial_days_match_scipy():
    means, factor = [8.0, 9.0, 10.0, 12.0, 11.0, 7.0, 6.0], 2.5
    plan, _, _ = recommend(forecast({"W": means}, var_factor=factor), units(["W"]), 0.95)
    # NB with mean m and variance 2,5 m: n = m / 1,5, p = 1 / 2,5
    dists = [stats.nbinom(m / (factor - 1), 1 / factor) for m in means]
    assert plan.iloc[0]["beds_recommended"] == oracle_beds(dists, 0.95)
    assert plan.iloc[0]["service_level_expected"] == pytest.approx(
        np.mean([d.cdf(plan.iloc[0]["beds_recommended"]) for d in dists]), abs=1e-7)


def test_large_ward_does_not_underflow():
    plan, _, _ = recommend(forecast({"W": [900.0] * 7}, var_factor=1.3), units(["W"]), 0.95)
    expected = oracle_beds([stats.nbinom(900 / 0.3, 1 / 1.3)], 0.95)
    assert plan.iloc[0]["beds_recommended"] == expected


def test_a_higher_service_level_never_gives_fewer_beds():
    f = forecast({"W": list(np.linspace(5, 30, 28))}, var_factor=1.8)
    beds = [recommend(f, units(["W"]), s)[0]["beds_recommended"].to_numpy() for s in (0.8, 0.9, 0.95, 0.99)]
    assert all((a <= b).all() for a, b in zip(beds, beds[1:], strict=False))


def test_closed_ward_moves_its_patients_to_the_open_sister_ward():
    f = forecast({"A": [10.0] * 14, "B": [5.0] * 14})
    plan, _, unplaced = recommend(f, units(["A", "B"]), 0.95, closed_weeks=(2,), closed_units=["B"])
    p = plan.set_index(["unit_id", "week"])
    assert p.loc[("B", "2027-W02"), "beds_recommended"] == 0 and bool(p.loc[("B", "2027-W02"), "closed"])
    assert p.loc[("B", "2027-W02"), "census_mean"] == pytest.approx(5.0)  # its own demand, shown
    assert p.loc[("A", "2027-W02"), "census_moved_in"] == pytest.approx(5.0)
    assert p.loc[("A", "2027-W02"), "census_mean"] == pytest.approx(15.0)
    # all of B's patients go to A (share 1): Poisson(10) + Poisson(5) = Poisson(15) → its 95 % quantile
    assert p.loc[("A", "2027-W02"), "beds_recommended"] == stats.poisson.ppf(0.95, 15)
    assert p.loc[("A", "2027-W01"), "beds_recommended"] == stats.poisson.ppf(0.95, 10)
    assert unplaced.empty


def test_closing_every_ward_of_a_division_leaves_patients_without_a_bed():
    f = forecast({"A": [10.0] * 7})
    plan, _, unplaced = recommend(f, units(["A"]), 0.95, closed_weeks=(1,))
    assert list(unplaced["unit_id"]) == ["A"]
    assert plan.iloc[0]["overflow_days_expected"] == 7  # every day has patients and no bed


def test_closed_weeks_per_ward_mapping():
    f = forecast({"A": [10.0] * 14, "B": [10.0] * 14})
    plan, _, _ = recommend(f, units(["A", "B"]), 0.95, closed_weeks={"A": [1], "B": [2]})
    closed = plan.set_index(["unit_id", "week"])["closed"]
    assert closed[("A", "2027-W01")] and not closed[("A", "2027-W02")]
    assert closed[("B", "2027-W02")] and not closed[("B", "2027-W01")]


def test_tradeoff_rows_add_beds_and_remove_overflow_days():
    _, trade, _ = recommend(forecast({"W": [10.0] * 7}), units(["W"]), 0.95, extra_beds=2)
    t = trade.set_index("beds_offset")
    assert list(t.index) == [-2, -1, 0, 1, 2]
    assert t.loc[0, "bed_days_planned"] == 15 * 7 and t.loc[2, "bed_days_planned"] == 17 * 7
    assert t.loc[1, "overflow_days_expected"] == pytest.approx(7 * stats.poisson.sf(16, 10))
    assert t["overflow_days_expected"].is_monotonic_decreasing


def test_erlang_b_by_hand():
    # B(1, a) = a / (1 + a); B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0,2
    assert erlang_b(np.array([1]), np.array([3.0]))[0] == pytest.approx(0.75)
    assert erlang_b(np.array([2]), np.array([1.0]))[0] == pytest.approx(0.2)
    # 5 patients' load: B(10, 5) = 0,01838 (tables: Erlang B, 10 servers, 5 Erlang)
    assert erlang_b(np.array([10]), np.array([5.0]))[0] == pytest.approx(0.018385, abs=1e-5)
    assert beds_for_blocking(np.array([5.0]), 0.02)[0] == 10


def test_service_level_outside_range_is_a_usage_error():
    from benchmark.issues import UsageError

    with pytest.raises(UsageError, match="service level"):
        recommend(forecast({"W": [10.0] * 7}), units(["W"]), 1.0)
