"""The composite's unit per criterion is the spread of the raw values, not of the shrunken ones
(benchmark.scoring.ranking.normalised_arrays): a criterion whose between-unit variance is tiny
next to the units' noise is shrunk almost onto the peer centre, and must then weigh almost
nothing — not be stretched back to a spread of 1 with its noise and a huge s.e."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.scoring.ranking import normalised_arrays

N = 40


def _frames(reliability: float, seed: int = 3):
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"U{i:02d}" for i in range(N)])
    raw = 1.0 + rng.normal(0, 0.02, N)  # noise s = 0,02 around the peer centre 1,00
    shrunk = 1.0 + reliability * (raw - raw.mean())  # empirical Bayes: B = 1 − R toward the centre
    post_sd = 0.02 * np.sqrt(reliability)  # posterior s.d. √(R)·s
    frame = lambda v: pd.DataFrame({"c": v}, index=ids)  # noqa: E731
    return frame(raw), frame(shrunk), frame(np.full(N, post_sd)), pd.Series("g", index=ids)


def test_a_criterion_shrunk_onto_its_centre_weighs_almost_nothing():
    raw, shrunk, se, groups = _frames(reliability=0.01)
    norm, nse = normalised_arrays(shrunk, se, groups, {"c": 1}, "zscore", raw)
    assert abs(np.std(norm, ddof=1) - 0.01) < 1e-9  # R times the raw z-scores
    assert abs(np.mean(norm)) < 1e-12
    assert np.allclose(nse, 0.1 * 0.02 / np.std(raw["c"], ddof=1))  # √R·s / sd(raw) ≈ 0,1
    old_norm, old_nse = normalised_arrays(shrunk, se, groups, {"c": 1}, "zscore")  # the shrunken spread
    assert abs(np.std(old_norm, ddof=1) - 1.0) < 1e-9 and np.all(old_nse > 5)  # noise at full weight, s.e. ≈ 10


def test_a_reliable_criterion_normalises_as_before():
    raw, shrunk, se, groups = _frames(reliability=1.0)
    new, new_se = normalised_arrays(shrunk, se, groups, {"c": -1}, "zscore", raw)
    old, old_se = normalised_arrays(shrunk, se, groups, {"c": -1}, "zscore")
    assert np.allclose(new, old) and np.allclose(new_se, old_se)
    assert np.corrcoef(new[:, 0], raw["c"])[0, 1] < -0.999  # lower is better: the sign is applied


def test_minmax_places_the_shrunken_values_on_the_raw_range():
    raw, shrunk, se, groups = _frames(reliability=0.25)
    norm, _ = normalised_arrays(shrunk, se, groups, {"c": 1}, "minmax", raw)
    assert norm.min() >= 0 and norm.max() <= 100
    assert 20 < norm.max() - norm.min() < 30  # a quarter of the raw range


def test_a_unit_without_a_shrunken_value_does_not_set_the_unit():
    raw, shrunk, se, groups = _frames(reliability=1.0)
    raw.iloc[0, 0] = 50.0  # an extreme raw value of a unit that is not scored (no shrunken value)
    shrunk.iloc[0, 0] = np.nan
    norm, nse = normalised_arrays(shrunk, se, groups, {"c": 1}, "zscore", raw)
    assert np.isnan(norm[0, 0]) and np.isnan(nse[0, 0])
    assert abs(np.nanstd(norm, ddof=1) - 1.0) < 1e-9


def _simulate(use_raw: bool, reps: int = 60, seed: int = 11) -> tuple[float, float]:
    """Composite rank intervals of 30 units on three criteria with known truth — reliable
    (τ 1, s 0,3), middling (τ 0,5, s 0,5), nearly pure noise (τ 0,05, s 1) — shrunk with the true
    τ and s. Returns (coverage of the true ranks, mean interval width); the truth is the true
    values put through the same centre and unit the estimate used."""
    from benchmark.scoring.ranking import composite_arrays
    from benchmark.stats.ranks import rank_intervals

    rng = np.random.default_rng(seed)
    n, tau, s = 30, np.array([1.0, 0.5, 0.05]), np.array([0.3, 0.5, 1.0])
    ids, cols = pd.Index([f"U{i}" for i in range(n)]), ["a", "b", "c"]
    frame = lambda a: pd.DataFrame(a, index=ids, columns=cols)  # noqa: E731
    reliability = tau**2 / (tau**2 + s**2)
    cover, width = [], []
    for _ in range(reps):
        theta = rng.normal(0, 1, (n, 3)) * tau
        y = theta + rng.normal(0, 1, (n, 3)) * s
        shrunk = y.mean(axis=0) + reliability * (y - y.mean(axis=0))
        post = np.sqrt(reliability) * s * np.ones((n, 1))
        norm, nse = normalised_arrays(frame(shrunk), frame(post), pd.Series("g", index=ids), dict.fromkeys(cols, 1),
                                      "zscore", frame(y) if use_raw else None)
        comp = composite_arrays(norm, nse, np.ones(3))
        unit = (y if use_raw else shrunk).std(axis=0, ddof=1)
        truth = ((theta - theta.mean(axis=0)) / unit).mean(axis=1)
        ri = rank_intervals(comp["composite"], comp["composite_se"], seed=int(rng.integers(1 << 30)))
        true_rank = pd.Series(truth).rank(ascending=False, method="first").to_numpy()
        cover.append(np.mean((ri["rank_low"].to_numpy() <= true_rank) & (true_rank <= ri["rank_high"].to_numpy())))
        width.append(float(np.mean(ri["rank_high"] - ri["rank_low"])))
    return float(np.mean(cover)), float(np.mean(width))


def test_rank_intervals_cover_and_a_noise_criterion_no_longer_widens_them():
    """Seeded simulation: on the raw unit the composite's rank intervals still cover the true
    ranks (≥ 95 %) and are narrower than on the shrunken unit, where the nearly pure-noise
    criterion's s.e. (÷ its tiny shrunken spread) makes nearly every interval [1, 30]."""
    cover_new, width_new = _simulate(use_raw=True)
    cover_old, width_old = _simulate(use_raw=False)
    assert cover_new >= 0.95 and cover_old >= 0.95
    assert width_old > 28 and width_new < width_old - 2
