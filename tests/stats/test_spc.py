"""SPC on hand-made series: NHSRplotthedots' rules one by one (all evaluated in one vectorised
call), moving-range screening, Laney's u′ chart with Poisson limits, and the peer seasonal index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson

from benchmark.stats import u_prime_signals, xmr_signals
from benchmark.stats.seasonal import peer_seasonal_index

ALT = [10.0, 11.0] * 6  # 12 points alternating: centre 10.5, every moving range 1
SIGMA1 = 1 / 1.128  # σ̂ when mR̄ = 1
SERIES = {
    # centre 10.5; mR̄ = 1; limits 10.5 ± 3/1.128 = 10.5 ± 2.6595745 → 7.8404255, 13.1595745;
    # runs of length 1, no trend, 2σ = 1.7730496 → close band beyond 12.27: nothing fires
    "flat": ALT,
    # last point 20 (after a 10): centre (126 − 11 + 20)/12 = 11.25. Moving ranges: ten of 1 and
    # one of 10; mR̄ = 20/11 = 1.818, and 10 ≥ 3.267·1.818 = 5.94 is screened out, so mR̄ = 1:
    # upper = 11.25 + 2.6595745 = 13.9095745 < 20 → beyond_limits, up. The first 11 points are
    # all below 11.25, a run that reaches the last 3 points → run_of_7 (down) fires as well; the
    # reported rule is the stronger one (NHSRplotthedots' precedence), ``rules`` lists both.
    "beyond": ALT[:-1] + [20.0],
    # 6 alternating, then 7 points around 11.6: centre 144.3/13 = 11.1; the last 7 points
    # (11.5 … 11.7) are all above it, the 11 before them is not → run_of_7, up.
    # mR̄ = (5·1 + 0.5 + 0.1 + 0.1 + 0.15 + 0.1 + 0.05 + 0.1)/12 = 6.1/12 → limits 11.1 ± 1.352
    "run": ALT[:6] + [11.5, 11.6, 11.7, 11.55, 11.65, 11.6, 11.7],
    # 10 → 10.1 → … → 10.6: six rising steps = seven rising points → trend_of_7, up.
    # centre 135.1/13 = 10.3923; below it only 10, 10.1, 10.2, 10.3 in a row: no run
    "trend": ALT[:7] + [10.1, 10.2, 10.3, 10.4, 10.5, 10.6],
    # the same with six rising points: NHSRplotthedots asks for seven → nothing
    "trend6": ALT[:7] + [10.1, 10.2, 10.3, 10.4, 10.5],
    # 12 alternating then 13.2, 11, 13.2: centre 163.4/15 = 10.8933333;
    #   mR̄ = (11·1 + 3·2.2)/14 = 1.2571429 (2.2 < 3.267·mR̄: kept); σ = mR̄/1.128 = 1.1144883;
    #   +2σ = 13.1223099 < 13.2 ≤ upper limit 10.8933 + 3.3435 = 14.2368: two points close to the
    #   limit, all three above the centre → two_of_three, up
    "two3": ALT + [13.2, 11.0, 13.2],
    # NHSRplotthedots counts only points *between* 2σ and the limit: 24 alternating, then 12.9,
    # 11.5, 20. Centre 296.4/27 = 10.9777778; moving ranges 23·1, 1.9, 1.4, 8.5, mR̄ = 34.8/26 =
    # 1.3385, 8.5 ≥ 3.267·1.3385 = 4.373 is screened: mR̄ = 26.3/25 = 1.052, σ = 0.9326241;
    # 2σ band (12.8430, 13.7757]: 12.9 is close, 20 is beyond the limit, not close → only
    # beyond_limits (the old rule, "beyond 2σ", would also have called it two_of_three)
    "beyond_not_close": ALT * 2 + [12.9, 11.5, 20.0],
    # the mirror image of "beyond": a low point → beyond_limits, down
    "low": [21.0 - x for x in ALT[:-1] + [20.0]],
    # far out on both sides in the last 3 months: moving ranges 14, 14.5, 14.5 are screened
    # (≥ 3.267 · 66/26), mR̄ = 1, limits 10.5 ± 2.66: 25 up, −4 down; the rule is named once and
    # the direction is that of the latest marked point
    "both": ALT * 2 + [25.0, 10.5, -4.0],
    # a rising trend long ago, then flat: the pattern does not touch the last 3 points
    "old_trend": [10.0, 10.2, 10.4, 10.6, 10.8, 11.0, 11.2] + [10.5, 10.6] * 6,
    # a constant series (its mean differs from 0.1 in the last bit): no side, no signal
    "constant": [0.1] * 24,
}


def _month(i: int) -> str:
    return f"{2023 + i // 12}-{i % 12 + 1:02d}"


def _frame():
    rows = [{"entity_id": e, "criterion": "sick_leave", "month": _month(i), "value": v}
            for e, vals in SERIES.items() for i, v in enumerate(vals)]
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1)  # order must not matter


@pytest.fixture(scope="module")
def out():
    return xmr_signals(_frame()).set_index("entity_id")


@pytest.mark.parametrize("entity,rule,rules,direction", [
    ("flat", "", "", "none"),
    ("beyond", "beyond_limits", "beyond_limits,run_of_7", "up"),
    ("run", "run_of_7", "run_of_7", "up"),
    ("trend", "trend_of_7", "trend_of_7", "up"),
    ("trend6", "", "", "none"),
    ("two3", "two_of_three", "two_of_three", "up"),
    ("beyond_not_close", "beyond_limits", "beyond_limits", "up"),
    ("low", "beyond_limits", "beyond_limits,run_of_7", "down"),
    ("both", "beyond_limits", "beyond_limits", "down"),
    ("old_trend", "", "", "none"),
    ("constant", "", "", "none"),
])
def test_each_rule(out, entity, rule, rules, direction):
    row = out.loc[entity]
    assert row["signal"] == (rule != "")
    assert (row["rule"], row["rules"], row["direction"]) == (rule, rules, direction)


def test_limits_by_hand(out):
    flat = out.loc["flat"]
    assert flat["centre"] == pytest.approx(10.5)
    assert (flat["lower"], flat["upper"]) == (pytest.approx(7.8404255), pytest.approx(13.1595745))
    # the jump of 10 is screened out of mR̄: 11.25 + 3/1.128, not 11.25 + 3·(20/11)/1.128
    assert out.loc["beyond", "upper"] == pytest.approx(11.25 + 3 * SIGMA1)
    assert out.loc["two3", "centre"] == pytest.approx(163.4 / 15)
    assert out.loc["two3", "upper"] == pytest.approx(163.4 / 15 + 3 * (17.6 / 14) / 1.128)
    assert out.loc["beyond_not_close", "upper"] == pytest.approx(296.4 / 27 + 3 * (26.3 / 25) / 1.128)
    assert out.loc["flat", "n"] == 12 and out.loc["two3", "n"] == 15


def test_screening_can_be_turned_off():
    f = _frame()
    row = xmr_signals(f[f["entity_id"] == "beyond"], screen=False).iloc[0]
    assert row["upper"] == pytest.approx(11.25 + 3 * (20 / 11) / 1.128)


def test_only_recent_patterns_count():
    f = _frame()
    f = f[(f["entity_id"] == "old_trend")].sort_values("month").head(9)  # the trend is now recent
    assert xmr_signals(f).iloc[0]["rule"] == "trend_of_7"


def test_short_and_missing_series():
    f = pd.DataFrame({"entity_id": ["a", "b", "b"], "criterion": "c",
                      "month": ["2024-01", "2024-01", "2024-02"], "value": [1.0, np.nan, 2.0]})
    out = xmr_signals(f).set_index("entity_id")
    assert not out["signal"].any()
    assert np.isnan(out.loc["a", "upper"]) and out.loc["b", "n"] == 1


def test_two_of_three_needs_all_three_on_one_side():
    # two high points with a point below the centre between them: not a 2-of-3 signal
    # (NHSRplotthedots: abs(sum(relative_to_mean)) == 3). centre (126 + 37.4)/15 = 10.8933333;
    # mR̄ = (11 + 3 + 4.6 + 4.6)/14 = 1.6571429 (4.6 < 3.267·1.657: kept); +2σ = 13.8315;
    # upper limit 10.8933 + 2.6595745·1.6571429 = 15.2997: 14 is close, the middle 9.4 is below.
    vals = ALT + [14.0, 9.4, 14.0]
    f = pd.DataFrame({"entity_id": "e", "criterion": "c", "month": [_month(i) for i in range(15)],
                      "value": vals})
    row = xmr_signals(f).iloc[0]
    assert row["centre"] == pytest.approx(163.4 / 15)
    assert row["centre"] + 2 * (23.2 / 14) / 1.128 < 14.0 < row["upper"]
    assert not row["signal"]


# --- Laney's u′ chart with Poisson limits ---------------------------------------------------------

def _counts(numerators, denominator=100.0, phi=1.0):
    return pd.DataFrame({"entity_id": "e", "criterion": "c", "t": range(len(numerators)),
                         "numerator": numerators, "denominator": denominator, "phi": phi})


def test_u_prime_beyond_the_limit_is_a_poisson_tail():
    # ū = 29/800; the last quarter expects λ = 3.625 events and has 12:
    # P(X ≥ 12 | 3.625) = 0.00039 < 0.00135 → beyond_limits, up
    assert poisson.sf(11, 3.625) == pytest.approx(0.00039343, rel=1e-4)
    row = u_prime_signals(_counts([2, 3, 2, 3, 2, 3, 2, 12.0]), time="t", dispersion="phi").iloc[0]
    assert (row["signal"], row["rule"], row["direction"]) == (True, "beyond_limits", "up")
    assert row["centre"] == pytest.approx(29 / 800)
    assert row["upper"] == pytest.approx(29 / 800 + 3 * np.sqrt(29 / 800 / 100))
    # 8 events against λ = 25/8: P(X ≥ 8) = 0.0148 — close to the limit (< 2.275 %), not beyond,
    # and alone: no signal
    assert 0.00135 < poisson.sf(7, 25 / 8) < 0.02275
    assert not u_prime_signals(_counts([2, 3, 2, 3, 2, 3, 2, 8.0]), time="t", dispersion="phi").iloc[0]["signal"]


def test_u_prime_does_not_depend_on_the_numerators_scale():
    """leavers × 12 with φ = 12 is the same chart as leavers with φ = 1."""
    base = _counts([2, 3, 2, 3, 2, 3, 2, 12.0])
    scaled = base.assign(numerator=base["numerator"] * 12, phi=12.0)
    a = u_prime_signals(base, time="t", dispersion="phi").iloc[0]
    b = u_prime_signals(scaled, time="t", dispersion="phi").iloc[0]
    assert (a["rule"], a["direction"]) == (b["rule"], b["direction"])
    assert b["upper"] == pytest.approx(12 * a["upper"])


def test_u_prime_pools_the_dispersion_and_keeps_false_alarms_low_for_rare_counts():
    """2 000 stable series of 8 quarters, 0.3 to 5 expected events each, numerator × 12 (as
    turnover): the pooled φ comes out ≈ 12 and at most a few per cent of series signal on the last
    quarter — where a per-series moving range would collapse on the many zero quarters."""
    rng = np.random.default_rng(8)
    n_series, n_q = 2000, 8
    lam = rng.uniform(0.3, 5.0, n_series)
    den = rng.uniform(10, 200, (n_series, n_q))
    counts = rng.poisson(lam[:, None] * den / den.mean(axis=1, keepdims=True))
    frame = pd.DataFrame({"entity_id": np.repeat(np.arange(n_series), n_q), "criterion": "turnover",
                          "t": np.tile(np.arange(n_q), n_series), "numerator": (12 * counts).ravel(),
                          "denominator": den.ravel()})
    num, u_bar = 12 * counts, (12 * counts).sum(axis=1, keepdims=True) / den.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = ((num / den - u_bar) ** 2 / (u_bar / den)).sum(axis=1) / (n_q - 1)
    assert z[np.isfinite(z)].mean() == pytest.approx(12, rel=0.06)  # the φ it pools
    out = u_prime_signals(frame, time="t")
    assert out["signal"].mean() <= 0.05


def test_u_prime_series_without_events_has_no_signal():
    row = u_prime_signals(_counts([0.0] * 8), time="t", dispersion="phi").iloc[0]
    assert not row["signal"] and np.isnan(row["upper"])


# --- the peer group's seasonal index ---------------------------------------------------------------

def test_seasonal_index_recovers_a_shared_pattern_and_leaves_out_the_unit_itself():
    """Six units share f_m (July 0.7, December 1.2); unit 0 has its own jump in its last 3 months.
    Unit 0's index is exactly f_m / f̄ (f̄ the denominator-weighted mean of f over the window): its
    own jump is not taken for season (leave-one-out). The others see unit 0 among their peers, so
    theirs move a little in those months only."""
    months = np.arange(24)
    f = np.where(months % 12 == 6, 0.7, np.where(months % 12 == 11, 1.2, 1.0))
    rows = []
    for e in range(6):
        level = 1 + 0.1 * e
        num = level * f * 50.0 * np.where((e == 0) & (months >= 21), 1.5, 1.0)
        rows.append(pd.DataFrame({"series": e, "month": months, "num": num, "den": 50.0}))
    d = pd.concat(rows, ignore_index=True)
    idx = peer_seasonal_index(d["series"], np.zeros(len(d), int), np.zeros(len(d), int), d["month"] % 12,
                              d["num"], d["den"])
    expected = np.tile(f / f.mean(), 6)
    own = d["series"].to_numpy() == 0
    assert np.allclose(idx[own], expected[own])
    late = d["month"].to_numpy() >= 21
    assert not np.allclose(idx[~own & late], expected[~own & late])
    assert np.allclose(idx[~own], expected[~own], rtol=0.05)


def test_seasonal_index_falls_back_to_the_criterion_and_to_one():
    """A peer group of two has too few peers: the index comes from the other groups of the
    criterion. A criterion with no positive values gets index 1."""
    months = np.arange(24)
    f = np.where(months % 12 == 6, 0.5, 1.0)
    series, group, num = [], [], []
    for e in range(7):
        series.append(np.full(24, e))
        group.append(np.full(24, 0 if e < 2 else 1))
        num.append((1 + e) * f * 10)
    series, group, num = map(np.concatenate, (series, group, num))
    season = np.tile(months % 12, 7)
    idx = peer_seasonal_index(series, group, np.zeros_like(series), season, num, np.full(len(num), 10.0))
    assert np.allclose(idx[:48], np.tile(f / f.mean(), 2))
    zero = peer_seasonal_index(series, group, np.zeros_like(series), season, num * 0, np.full(len(num), 10.0))
    assert (zero == 1).all()
