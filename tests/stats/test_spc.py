"""XmR signals on hand-made series, one per rule, all evaluated in one vectorised call."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.stats import xmr_signals

ALT = [10.0, 11.0] * 6  # 12 points alternating: centre 10.5, every moving range 1
SERIES = {
    # centre 10.5; mR̄ = 1; limits 10.5 ± 2.66·1 (3/1.128 = 2.6595745) → 7.8404255, 13.1595745;
    # runs of length 1, no trend, 2σ = 1.7730496 → 8.73, 12.27: nothing fires
    "flat": ALT,
    # last point 20 (after a 10): centre (126 − 11 + 20)/12 = 11.25; mR̄ = (10·1 + 10)/11 = 1.8181818;
    #   upper = 11.25 + 2.6595745·1.8181818 = 16.0855899 < 20 → beyond_limits, up
    "beyond": ALT[:-1] + [20.0],
    # 6 alternating, then 7 points around 11.6: centre 147.3/13 = 11.3307692; the last 8
    # points (12 at index 5, then 11.5 … 11.7) are all above it → run_of_7, up;
    # mR̄ = (5·2 + 0.5 + 0.1 + 0.1 + 0.15 + 0.1 + 0.05 + 0.1)/12 = 0.925 → limits 11.33 ± 2.46
    "run": ALT[:6] + [11.5, 11.6, 11.7, 11.55, 11.65, 11.6, 11.7],
    # 10 → 10.1 → … → 10.5: five rising steps = six rising points; the run below the centre
    # (10.625) is only 6 long → trend_of_6, up
    "trend": ALT[:7] + [10.1, 10.2, 10.3, 10.4, 10.5],
    # 12 alternating then 13.2, 11, 13.2: centre 163.4/15 = 10.8933333;
    #   mR̄ = (11·1 + 3·2.2)/14 = 1.2571429; σ = mR̄/1.128 = 1.1144883;
    #   +2σ = 13.1223099 < 13.2 < upper limit 10.8933 + 3.3434 = 14.2367 → two_of_three, up
    "two3": ALT + [13.2, 11.0, 13.2],
    # the mirror image of "beyond": a low point → beyond_limits, down
    "low": [21.0 - x for x in ALT[:-1] + [20.0]],
    # a rising trend long ago, then flat: the pattern does not touch the last 3 points
    "old_trend": [10.0, 10.2, 10.4, 10.6, 10.8, 11.0] + [10.5, 10.6] * 6,
}


def _frame():
    rows = [
        {"entity_id": e, "criterion": "sick_leave", "month": f"{2023 + i // 12}-{i % 12 + 1:02d}",
         "value": v}
        for e, vals in SERIES.items() for i, v in enumerate(vals)
    ]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1)  # order must not matter


@pytest.fixture(scope="module")
def out():
    return xmr_signals(_frame()).set_index("entity_id")


@pytest.mark.parametrize("entity,rule,direction", [
    ("flat", "", "none"), ("beyond", "beyond_limits", "up"), ("run", "run_of_7", "up"),
    ("trend", "trend_of_6", "up"), ("two3", "two_of_three", "up"),
    ("low", "beyond_limits", "down"),
])
def test_each_rule(out, entity, rule, direction):
    row = out.loc[entity]
    assert row["signal"] == (rule != "")
    assert row["rule"] == rule and row["direction"] == direction


def test_limits_by_hand(out):
    flat = out.loc["flat"]
    assert flat["centre"] == pytest.approx(10.5)
    assert (flat["lower"], flat["upper"]) == (pytest.approx(7.8404255), pytest.approx(13.1595745))
    assert out.loc["beyond", "upper"] == pytest.approx(16.0855899)
    assert out.loc["two3", "centre"] == pytest.approx(163.4 / 15)
    assert out.loc["flat", "n"] == 12 and out.loc["two3", "n"] == 15


def test_only_recent_patterns_count(out):
    assert "trend_of_6" not in out.loc["old_trend", "rules"]
    # the same series evaluated on its first 8 points: the trend is now recent
    f = _frame()
    f = f[(f["entity_id"] == "old_trend")].sort_values("month").head(8)
    assert xmr_signals(f).iloc[0]["rule"] == "trend_of_6"


def test_short_and_missing_series():
    f = pd.DataFrame({"entity_id": ["a", "b", "b"], "criterion": "c",
                      "month": ["2024-01", "2024-01", "2024-02"], "value": [1.0, np.nan, 2.0]})
    out = xmr_signals(f).set_index("entity_id")
    assert not out["signal"].any()
    assert np.isnan(out.loc["a", "upper"]) and out.loc["b", "n"] == 1


def test_two_of_three_needs_all_three_on_one_side():
    # two high points with a point below the centre between them: not a 2-of-3 signal
    # (NHSRplotthedots' opposite-side fix). centre (126 + 37.4)/15 = 10.8933333;
    # mR̄ = (11 + 3 + 4.6 + 4.6)/14 = 1.6571429; +2σ = 10.8933 + 2·1.6571429/1.128 = 13.8315;
    # upper limit 10.8933 + 2.6595745·1.6571429 = 15.2997: 14 is beyond 2σ, inside the limit,
    # and the middle 9.4 lies below the centre.
    vals = ALT + [14.0, 9.4, 14.0]
    f = pd.DataFrame({"entity_id": "e", "criterion": "c",
                      "month": [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(15)],
                      "value": vals})
    row = xmr_signals(f).iloc[0]
    assert row["centre"] == pytest.approx(163.4 / 15)
    assert row["centre"] + 2 * (23.2 / 14) / 1.128 < 14.0 < row["upper"]
    assert not row["signal"]
