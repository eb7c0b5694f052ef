"""assess (the pipeline's per-peer-group entry point) and empirical-Bayes shrinkage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.stats import assess, funnel, shrink
from benchmark.stats.assess import COLUMNS


def test_shrink_by_hand():
    # centre 8, τ² = 4, y = 10 for both; s = 1: B = 4/(4+1) = 0.8 → 8 + 0.8·2 = 9.6, s* = √0.8
    # s = 3: B = 4/(4+9) = 0.3076923 → 8 + 0.6153846 = 8.6153846, s* = 3·√0.3076923 = 1.6641006
    y, s = shrink([10.0, 10.0], [1.0, 3.0], 8.0, 4.0)
    assert y == pytest.approx([9.6, 8.6153846], abs=1e-7)
    assert s == pytest.approx([0.8944272, 1.6641006], abs=1e-7)
    # τ² = 0: no evidence of real differences → everything collapses to the centre
    y0, s0 = shrink([10.0, 3.0], [1.0, 3.0], 8.0, 0.0)
    assert list(y0) == [8.0, 8.0] and list(s0) == [0.0, 0.0]
    with pytest.raises(ValueError):
        shrink([1.0], [1.0], 0.0, -1.0)


def _peer_group(rng, n=200):
    den = rng.integers(20, 3000, n).astype(float)
    th = rng.normal(np.arcsin(np.sqrt(0.2)), 0.08, n)
    num = rng.binomial(den.astype(int), np.sin(th) ** 2).astype(float)
    return num, den


def test_small_unit_moves_more_than_large_one_with_same_raw_value():
    rng = np.random.default_rng(5)
    num, den = _peer_group(rng)
    num = np.append(num, [9.0, 900.0])  # both 0.45, far above the ≈ 0.2 target
    den = np.append(den, [20.0, 2000.0])
    for model in ("proportion", "ratio"):
        a = assess(num, den, model=model)
        small, large = a.iloc[-2], a.iloc[-1]
        assert small["value"] == large["value"]
        assert abs(small["shrunk"] - small["value"]) > abs(large["shrunk"] - large["value"])
        assert small["target"] < small["shrunk"] < small["value"]
        assert small["shrunk_se"] < small["se"] * 1.5
        assert a["tau2"].iloc[0] > 0


def test_scaled_small_unit_moves_more():
    rng = np.random.default_rng(6)
    den = rng.uniform(10, 2000, 300)
    value = 3.0 + rng.normal(0, 0.2, 300) + rng.normal(0, 1, 300) * 6 / np.sqrt(den)
    den = np.append(den, [10.0, 2000.0])
    value = np.append(value, [4.0, 4.0])
    a = assess(value * den, den, model="scaled")
    small, large = a.iloc[-2], a.iloc[-1]
    assert abs(small["shrunk"] - 4.0) > abs(large["shrunk"] - 4.0)
    assert small["target"] < small["shrunk"] < 4.0 and large["shrunk"] < 4.0


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), model=st.sampled_from(["proportion", "ratio", "indirect",
                                                          "scaled"]))
def test_shrunk_lies_between_value_and_target(seed, model):
    rng = np.random.default_rng(seed)
    num, den = _peer_group(rng, n=int(rng.integers(5, 60)))
    if model == "indirect":
        den = den * 0.2
    a = assess(num, den, model=model)
    lo = np.minimum(a["value"], a["target"]) - 1e-12
    hi = np.maximum(a["value"], a["target"]) + 1e-12
    ok = a["value"] > 0  # O = 0 under SHMI is shrunk on the ½-corrected scale
    assert ((a["shrunk"] >= lo) & (a["shrunk"] <= hi))[ok].all()
    assert (a["shrunk_se"] >= 0).all()
    assert list(a.columns) == COLUMNS


def test_consistent_false_reproduces_funnel():
    rng = np.random.default_rng(8)
    num, den = _peer_group(rng)
    for od in (None, "multiplicative", "additive"):
        a = assess(num, den, model="proportion", overdispersion=od, consistent=False)
        f = funnel(num, den, kind="proportion", overdispersion=od)
        for col in ("value", "target", "z", "z_adjusted", "lower95", "upper998", "phi", "tau2"):
            np.testing.assert_allclose(a[col], f[col], rtol=1e-12, err_msg=col)
        assert (a["flag"] == f["flag"]).all()
        assert (a["overdispersion_applied"] == f["overdispersion_applied"]).all()


def test_target_override_and_se_by_hand():
    # target 0.25 instead of the pooled Σnum/Σden: centre = asin(√0.25) = asin(0.5) = π/6
    # entity (30, 100): y = asin(√0.3) = 0.57963974; s = 0.05;
    #   z = (0.57963974 − 0.52359878)/0.05 = 0.05604096/0.05 = 1.1208193
    # se (no overdispersion applied; p = 0.3 corrected to (30+½)/(100+1) = 0.3019802):
    #   √(0.3019802·0.6980198/100) = √0.002107882 = 0.0459117
    num = pd.Series([30.0, 20.0, 25.0], index=["x", "y", "z"])
    den = pd.Series([100.0, 100.0, 100.0], index=["x", "y", "z"])
    a = assess(num, den, model="proportion", target=0.25, overdispersion=None)
    assert list(a.index) == ["x", "y", "z"]
    assert (a["target"] == 0.25).all()
    assert a.loc["x", "z"] == pytest.approx(1.1208193, abs=1e-7)
    assert a.loc["x", "se"] == pytest.approx(0.0459117, abs=1e-7)
    assert (a["overdispersion_applied"] == "none").all()


def test_indirect_and_missing_rows():
    a = assess(pd.Series([5.0, 0.0, 7.0, np.nan]), pd.Series([4.0, 3.0, 0.0, 2.0]),
               model="indirect")
    assert a["value"].iloc[0] == 1.25 and a["value"].iloc[1] == 0.0
    assert np.isfinite(a["z"].iloc[1]) and a["se"].iloc[1] > 0
    assert a.iloc[2:][["value", "shrunk", "lower95"]].isna().all().all()
    with pytest.raises(ValueError):
        assess([1.0], [2.0], model="poisson")
