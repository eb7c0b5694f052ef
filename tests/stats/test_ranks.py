"""Confidence sets for ranks: invariants, coverage with known true ranks, agreement with the direct method."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmark.stats.ranks import EXACT_MAX, rank_intervals, rank_intervals_grouped


def direct(est, se, alpha, simultaneous, seed, n_boot=1000):
    """The obvious O(N² · B) algorithm without stepdown: pairwise max-t from the full bootstrap matrix."""
    n = len(est)
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((n_boot, n)) * se
    sij = np.sqrt(se[:, None] ** 2 + se[None, :] ** 2)
    t = np.abs(draws[:, :, None] - draws[:, None, :]) / sij
    t[:, np.arange(n), np.arange(n)] = 0
    crit = np.full(n, np.quantile(t.max(axis=(1, 2)), 1 - alpha)) if simultaneous else \
        np.quantile(t.max(axis=2), 1 - alpha, axis=0)
    diff = (est[None, :] - est[:, None]) / sij  # (θ_k − θ_j)/σ_jk
    above = (diff > crit[:, None]).sum(axis=1)
    below = (diff < -crit[:, None]).sum(axis=1)
    return 1 + above, n - below


@pytest.mark.parametrize("simultaneous,coverage,ties,n", list(itertools.product(
    [False, True], [0.9, 0.95], [False, True], [1, 2, 7, 60, 400])))
def test_rank_low_le_rank_le_rank_high_for_every_option(simultaneous, coverage, ties, n):
    rng = np.random.default_rng(n)
    est = rng.normal(size=n)
    if ties:
        est = np.round(est, 0)
    se = rng.uniform(0.05, 0.5, size=n)
    r = rank_intervals(est, se, coverage=coverage, simultaneous=simultaneous, seed=3)
    assert ((r["rank_low"] <= r["rank"]) & (r["rank"] <= r["rank_high"])).all()
    assert (r["rank_low"] >= 1).all() and (r["rank_high"] <= n).all()


def test_rank_one_is_the_largest_and_nan_is_left_out():
    r = rank_intervals([1.0, np.nan, 5.0, 3.0], [0.01, 0.1, 0.01, 0.01])
    assert r["rank"].tolist()[0] == 3 and np.isnan(r["rank"].iloc[1]) and r["rank"].iloc[2] == 1
    assert r.loc[2, ["rank_low", "rank_high"]].tolist() == [1, 1]


def test_intervals_widen_as_standard_errors_grow():
    est = np.linspace(0, 10, 30)
    widths = []
    for s in (0.1, 0.5, 1.0, 3.0):
        r = rank_intervals(est, np.full(30, s), seed=1)
        widths.append((r["rank_high"] - r["rank_low"]).mean())
    assert widths == sorted(widths) and widths[0] < widths[-1]


def test_small_groups_agree_with_the_direct_method_up_to_the_stepdown():
    rng = np.random.default_rng(11)
    for simultaneous in (False, True):
        est, se = rng.normal(size=40), rng.uniform(0.1, 0.4, size=40)
        low, high = direct(est, se, 0.05, simultaneous, seed=5)
        r = rank_intervals(est, se, simultaneous=simultaneous, seed=5)
        # the stepdown can only narrow the sets of the first step
        assert (r["rank_low"].to_numpy() >= np.minimum(low, r["rank"].to_numpy())).all()
        assert (r["rank_high"].to_numpy() <= np.maximum(high, r["rank"].to_numpy())).all()


def test_large_groups_are_never_narrower_than_the_direct_method():
    """Above EXACT_MAX the binned bound is conservative: sets contain the direct method's (up to MC noise)."""
    rng = np.random.default_rng(12)
    n = EXACT_MAX + 50
    est, se = rng.normal(size=n) * 2, rng.uniform(0.1, 0.6, size=n)
    for simultaneous in (False, True):
        low, high = direct(est, se, 0.05, simultaneous, seed=7, n_boot=400)
        r = rank_intervals(est, se, simultaneous=simultaneous, seed=7)
        width_fast = (r["rank_high"] - r["rank_low"]).to_numpy()
        width_direct = high - low
        assert np.mean(width_fast >= width_direct - 3) > 0.95  # up to Monte Carlo noise of 400 draws
        assert np.mean(width_fast) <= np.mean(width_direct) * 1.15  # and not much wider


def test_simultaneous_sets_cover_all_true_ranks_in_95_percent_of_repetitions():
    rng = np.random.default_rng(2024)
    n, reps = 25, 200
    theta = np.linspace(0, 4, n)
    true_rank = n - np.argsort(np.argsort(theta))
    all_covered, marginal = 0, []
    for rep in range(reps):
        se = rng.uniform(0.2, 0.8, size=n)
        est = theta + rng.normal(size=n) * se
        sim = rank_intervals(est, se, simultaneous=True, seed=rep)
        mar = rank_intervals(est, se, simultaneous=False, seed=rep)
        all_covered += ((sim["rank_low"] <= true_rank) & (true_rank <= sim["rank_high"])).all()
        marginal.append(((mar["rank_low"] <= true_rank) & (true_rank <= mar["rank_high"])).mean())
    assert all_covered / reps >= 0.93  # ≥ 95 % up to Monte Carlo error of 200 repetitions
    assert np.mean(marginal) >= 0.95


def test_grouped_ranks_are_within_each_group():
    est = np.array([5.0, 4.0, 3.0, 50.0, 40.0])
    r = rank_intervals_grouped(est, np.full(5, 0.01), ["a", "a", "a", "b", "b"])
    assert r["rank"].tolist() == [1, 2, 3, 1, 2] and r["peer_n"].tolist() == [3, 3, 3, 2, 2]


def test_significant_pair_counts_agree_with_the_all_pairs_computation():
    """The sorted-band count equals the plain O(N²) count, with ties, zero and very unequal s.e."""
    from benchmark.stats.ranks import _counts

    for trial in range(25):
        rng = np.random.default_rng(trial)
        n = int(rng.integers(2, 1500))
        est = rng.normal(size=n).round(int(rng.integers(0, 3)))  # rounding makes ties
        se = np.abs(rng.standard_cauchy(n)) * rng.choice([0.0, 1.0, 1.0], size=n)
        crit = rng.uniform(1.5, 4.0, size=n)
        diff = est[None, :] - est[:, None]  # θ_k − θ_j, row j
        pair_se = np.sqrt(se[None, :] ** 2 + se[:, None] ** 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(pair_se > 0, diff / pair_se, np.sign(diff) * np.inf)
        above, below = _counts(est, se, crit)
        assert (above == (t > crit[:, None]).sum(axis=1)).all()
        assert (below == (t < -crit[:, None]).sum(axis=1)).all()


def test_cached_draws_give_the_same_intervals_as_fresh_ones():
    from benchmark.stats.ranks import _standard_draws

    rng = np.random.default_rng(5)
    est, se = rng.normal(size=400), rng.uniform(0.1, 1.0, size=400)
    first = rank_intervals(est, se, seed=3)
    _standard_draws.cache_clear()
    again = rank_intervals(est, se, seed=3)
    assert first.equals(again)
