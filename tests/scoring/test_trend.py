"""The trend table's SPC: the season of the peers removed, rare counts to quarters on a u′ chart,
and trend words only with a current signal in the direction of the change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import benchmark as bm
from benchmark.scoring.trend import spc_signals
from benchmark.stats import xmr_signals

MONTHS = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(24)]  # 2023-01 … 2024-12


def _tables(values: dict[str, tuple[np.ndarray, np.ndarray]], criterion: str = "c"):
    """monthly_table's three frames for series {entity: (numerators, denominators)}."""
    monthly, coded, keys = [], [], []
    for code, (entity, (num, den)) in enumerate(values.items()):
        monthly.append(pd.DataFrame({"entity_id": entity, "criterion": criterion, "month": MONTHS,
                                     "numerator": num, "denominator": den, "value": num / den}))
        coded.append(pd.DataFrame({"series": code, "t": np.arange(24), "value": num / den}))
        keys.append(pd.DataFrame({"entity_id": [entity], "criterion": criterion}, index=[code]))
    return pd.concat(coded, ignore_index=True), pd.concat(monthly, ignore_index=True), pd.concat(keys)


def _seasonal_group(rng, n=40, shift_unit=None):
    """n stable units with a summer dip and a winter peak shared by all (2 % noise); optionally
    one unit drops 25 % in its last 6 months."""
    f = np.array([1.25, 1.25, 1.0, 1.0, 1.0, 0.8, 0.8, 0.8, 1.0, 1.0, 1.25, 1.25] * 2)
    out = {}
    for e in range(n):
        den = np.full(24, 100.0)
        num = (5 + e % 8) * f * den * (1 + 0.02 * rng.standard_normal(24))
        if e == shift_unit:
            num[18:] *= 0.75
        out[f"u{e}"] = (num, den)
    return out


def test_the_peer_groups_season_is_not_a_signal():
    rng = np.random.default_rng(3)
    coded, monthly, keys = _tables(_seasonal_group(rng))
    peer = pd.Series("ward", index=pd.MultiIndex.from_frame(keys))
    out = spc_signals(coded, monthly, keys, peer, "2024-12")
    raw = xmr_signals(monthly)  # the winter peak in the last 3 months: raw ratios fire
    assert raw["signal"].mean() >= 0.9
    assert out["spc_signal"].mean() <= 0.1  # XmR's own rate on 24 points with 4 rules: a few %
    assert (out["spc_chart"] == "xmr").all()


def test_a_units_own_shift_is_still_found_after_the_season_is_removed():
    rng = np.random.default_rng(4)
    coded, monthly, keys = _tables(_seasonal_group(rng, shift_unit=0))
    peer = pd.Series("ward", index=pd.MultiIndex.from_frame(keys))
    out = spc_signals(coded, monthly, keys, peer, "2024-12")
    assert out.loc[("u0", "c"), "spc_signal"] and out.loc[("u0", "c"), "spc_direction"] == "down"
    assert out["spc_signal"].mean() <= 0.1


def test_rare_counts_go_to_quarters_on_a_u_prime_chart():
    rng = np.random.default_rng(5)
    series = {}
    for e in range(10):
        head = np.full(24, 20.0 + e)
        series[f"u{e}"] = (12.0 * rng.poisson(head * 0.11 / 12), head)  # leavers × 12 / headcount
    coded, monthly, keys = _tables(series, "turnover")
    peer = pd.Series("ward", index=pd.MultiIndex.from_frame(keys))
    out = spc_signals(coded, monthly, keys, peer, "2024-12")
    assert (out["spc_chart"] == "u_prime_quarter").all()
    assert not out["spc_signal"].any()
    # raw monthly XmR on the same series calls single leavers special
    assert xmr_signals(monthly)["signal"].mean() > 0.2


@pytest.fixture(scope="module")
def demo():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    return bm.score(bm.load_dataset(root / "fixtures" / "demo"), bm.load_criteria(), period="2025Q3")


def test_trend_words_follow_a_current_signal_in_the_direction_of_the_change(demo):
    t = demo.trend
    assert {"spc_signal", "spc_rule", "spc_direction", "spc_chart", "trend"} <= set(t.columns)
    worded = t[t["trend"] != "stable"]
    assert len(worded) > 0 and worded["spc_signal"].all() and (worded["spc_rule"] != "").all()
    up = worded["spc_direction"] == "up"
    for change in (worded["change_prev_year"], worded["change_prev_period"]):
        assert ((up & ~(change <= 0)) | (~up & ~(change >= 0))).all()
    sign = worded["criterion"].map({c.id: c.sign for c in demo.catalogue.criteria})
    better = np.where(up, sign > 0, sign < 0)
    assert (worded["trend"] == np.where(better, "improving", "deteriorating")).all()
    assert (t.loc[~t["spc_signal"], "spc_rule"] == "").all()
    assert set(t["spc_chart"]) <= {"xmr", "u_prime_quarter", ""}


@pytest.mark.parametrize("level", ["unit", "department"])
def test_trend_table_equals_its_reference_parts(demo, level):
    """The dense path of trend_table against the functions it replaces: previous-period and
    year-before values = criterion_values of those periods (at unit level from the dense monthly
    sums, above it by criterion_values itself), the monthly table = monthly_table's, and the SPC
    columns = spc_signals on monthly_table's long frames."""
    from benchmark.periods import parse_period
    from benchmark.scoring.aggregate import criterion_values, monthly_table
    from benchmark.scoring.trend import series_months, trend_table

    ds = bm.load_dataset(Path(__file__).resolve().parents[2] / "fixtures" / "demo")
    cat = demo.catalogue
    period = parse_period("2025Q3")
    values = criterion_values(ds, cat, period, level)
    values = values.assign(peer_group=values["peer_group"].astype(str))
    trend, monthly = trend_table(ds, cat, period, level, values)
    key = pd.MultiIndex.from_frame(trend[["entity_id", "criterion"]])
    for col, p in (("value_prev_period", period.previous()), ("value_prev_year", period.year_before())):
        want = criterion_values(ds, cat, p, level).set_index(["entity_id", "criterion"])["value"].reindex(key)
        assert np.allclose(trend[col].to_numpy(float), want.to_numpy(float), rtol=1e-13, atol=0, equal_nan=True)
    long, coded, keys = monthly_table(ds, cat, level, series_months(ds, period))
    pd.testing.assert_frame_equal(monthly.reset_index(drop=True), long.reset_index(drop=True))
    peer = values.set_index(["entity_id", "criterion"])["peer_group"]
    ref = spc_signals(coded, long, keys, peer, period.last).reindex(key)
    for col in ("spc_signal", "spc_direction", "spc_chart"):
        got = trend[col].to_numpy()
        exp = ref[col].fillna({"spc_signal": False, "spc_direction": "none", "spc_chart": ""}[col]).to_numpy()
        assert (got.astype(str) == exp.astype(str)).all(), col
    assert (trend["spc_rule"].to_numpy() == np.where(ref["spc_signal"].fillna(False).to_numpy(bool),
                                                     ref["spc_rule"].fillna("").to_numpy(), "")).all()
