"""Composite scores with hand-computed numbers (OECD/JRC Handbook conventions)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.stats import composite, normalise

# a: higher is better; b: lower is better. Entity z lacks a. Weights a = 2, b = 1.
VALUES = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan], "b": [10.0, 30.0, 25.0, 40.0]},
                      index=["w", "x", "y", "z"])
DIRS = {"a": 1, "b": -1}
W = {"a": 2.0, "b": 1.0}


def test_zscore_by_hand():
    # a: mean 2, sd (ddof 1) = √((1+0+1)/2) = 1 → −1, 0, 1
    # b aligned (−b): −10, −30, −25, −40; mean −26.25; deviations 16.25, −3.75, 1.25, −13.75;
    #   Σd² = 264.0625 + 14.0625 + 1.5625 + 189.0625 = 468.75; sd = √(468.75/3) = 12.5
    #   → 1.3, −0.3, 0.1, −1.1
    # composite = (2·z_a + 1·z_b)/(2 + 1): w (−2 + 1.3)/3 = −0.2333333; x −0.3/3 = −0.1;
    #   y (2 + 0.1)/3 = 0.7; z has only b: −1.1/1 = −1.1, coverage 1/3
    n = normalise(VALUES, DIRS, "zscore")
    assert n["b"].to_numpy() == pytest.approx([1.3, -0.3, 0.1, -1.1])
    c = composite(VALUES, DIRS, W, "zscore")
    assert c["composite"].to_numpy() == pytest.approx([-0.2333333, -0.1, 0.7, -1.1], abs=1e-7)
    assert c["rank"].tolist() == [3, 2, 1, 4]
    assert c["coverage"].to_numpy() == pytest.approx([1, 1, 1, 1 / 3])
    assert c["n_indicators"].tolist() == [2, 2, 2, 1]


def test_minmax_by_hand():
    # a: (x − 1)/(3 − 1)·100 → 0, 50, 100; b aligned: min −40, max −10, span 30:
    #   w (−10 + 40)/30 = 100, x 10/30 = 33.333, y 15/30 = 50, z 0
    # composite: w (0 + 100)/3 = 33.333; x (100 + 33.333)/3 = 44.444; y (200 + 50)/3 = 83.333; z 0
    c = composite(VALUES, DIRS, W, "minmax")
    assert c["composite"].to_numpy() == pytest.approx([100 / 3, 400 / 9, 250 / 3, 0.0])
    assert c["rank"].tolist() == [3, 2, 1, 4]


def test_rank_percentile_by_hand():
    # a ranks 1, 2, 3 of 3 → 100·(r − 1)/2 = 0, 50, 100; b aligned ranks: w 4, x 2, y 3, z 1
    #   → 100·(r − 1)/3 = 100, 33.333, 66.667, 0
    # composite: w 100/3 = 33.333; x (100 + 33.333)/3 = 44.444; y (200 + 66.667)/3 = 88.889; z 0
    c = composite(VALUES, DIRS, W, "rank")
    assert c["composite"].to_numpy() == pytest.approx([100 / 3, 400 / 9, 800 / 9, 0.0])


def test_equal_weights_ties_missing_and_constant():
    v = pd.DataFrame({"a": [1.0, 1.0, 3.0, np.nan], "c": [5.0, 5.0, 5.0, np.nan]},
                     index=list("pqrs"))
    c = composite(v, {"a": 1, "c": 1})
    # a: mean 5/3, sd √((4/9 + 4/9 + 16/9)/2) = √(4/3) = 1.1547005 → p, q −0.5773503, r 1.1547005
    # c constant → 0 for all who have it; equal weights: p = q = −0.2886751, r = 0.5773503
    assert c["composite"].iloc[:3].to_numpy() == pytest.approx([-0.2886751, -0.2886751,
                                                                0.5773503], abs=1e-7)
    assert c["rank"].iloc[:3].tolist() == [2, 2, 1]  # ties share the best rank ("min")
    assert np.isnan(c.loc["s", "composite"]) and np.isnan(c.loc["s", "rank"])
    assert c.loc["s", "coverage"] == 0
    assert normalise(v, {"a": 1, "c": 1}, "minmax")["c"].iloc[0] == 50.0


def test_zero_weight_and_bad_input():
    c = composite(VALUES, DIRS, {"a": 1.0, "b": 0.0})
    assert c["composite"].iloc[:3].to_numpy() == pytest.approx([-1, 0, 1])
    assert np.isnan(c.loc["z", "composite"]) and c.loc["z", "coverage"] == 0
    with pytest.raises(ValueError):
        composite(VALUES, {"a": 1})
    with pytest.raises(ValueError):
        composite(VALUES, DIRS, normalisation="logistic")
    with pytest.raises(ValueError):
        composite(VALUES, DIRS, {"a": -1.0, "b": 1.0})


def test_equal_values_are_degenerate_even_when_their_mean_is_not_exact():
    # seven units at exactly the same (fully shrunken) value: their mean is not that value to the
    # last bit, so the sd comes out ~1.5e-17, not 0; the z-scores must still be the neutral 0,
    # not the rounding error blown up to a constant ±1 for the whole group
    v = pd.DataFrame({"a": np.full(7, 0.09658299595141703), "b": np.arange(7.0)})
    assert np.nanmean(v["a"].to_numpy()) != v["a"].iloc[0]  # the premise: rounding leaves a spread
    n = normalise(v, {"a": 1, "b": 1}, "zscore")
    assert (n["a"] == 0.0).all()
    assert n["b"].std(ddof=1) == pytest.approx(1.0)
