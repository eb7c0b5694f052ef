"""Confidence sets for ranks: invariants, coverage with known true ranks, agreement with the direct
method, a brute-force oracle of the stepdown, and csranks' Monte Carlo band on a 30-unit case."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from benchmark.stats.ranks import EXACT_MAX, _standard_draws, rank_intervals, rank_intervals_grouped


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


# --- the published method, written out -------------------------------------------------------------

def csranks_transcription(x, s, simul, rng, R=1000, coverage=0.95):
    """csranks 1.2.3 (``csranks_simul``/``csranks_marg`` → ``csdiffmeans``, two-sided, stepdown) step by
    step, for independent estimates: the family I of ordered hypotheses "θ_j ≤ θ_k" is the rows and
    columns of ``indices``; each step draws R fresh Z ~ N(0, diag(s²)), takes the ``coverage``
    quantile (type 7) of max over I of (Z_j − Z_k)/σ_jk, sets L_jk = θ̂_j − θ̂_k − σ_jk·q on I and
    drops from I every pair with L_jk > 0; it stops when I no longer shrinks (or is empty).
    Bounds: L = 1 + #{k: L_kj > 0}, U = p − #{k: L_jk > 0}. On csranks' PISA 2018 example
    (38 countries) this reproduces the vignette's printed marginal set of the United Kingdom,
    [8, 23] (the vignette's text, from another run, says [7, 23]; seeds here give 7 or 8, and 23).
    """
    x, s = np.asarray(x, float), np.asarray(s, float)
    p = len(x)
    diff, sd = x[:, None] - x[None, :], np.sqrt(s[:, None] ** 2 + s[None, :] ** 2)

    def family(indices):
        active = np.zeros((p, p), bool)
        active[indices, :] = True
        active[:, indices] = True
        np.fill_diagonal(active, False)
        lower = np.zeros((p, p))
        while True:
            before = active.sum()
            rows, cols = np.nonzero(active)
            z = rng.standard_normal((R, p)) * s
            q = np.quantile(((z[:, rows] - z[:, cols]) / sd[rows, cols]).max(axis=1), coverage)
            lower[rows, cols] = diff[rows, cols] - sd[rows, cols] * q
            active &= ~(lower > 0)
            if active.sum() in (before, 0):
                break
        return 1 + (lower[:, indices] > 0).sum(axis=0), p - (lower[indices, :] > 0).sum(axis=1)

    if simul:
        return family(np.arange(p))
    bounds = [family(np.array([i])) for i in range(p)]
    return np.array([b[0][0] for b in bounds]), np.array([b[1][0] for b in bounds])


def oracle(est, se, draws, alpha, simultaneous):
    """Every ordered hypothesis tested on its own, in plain loops, on the same draws: H_jk: θ_j ≤ θ_k
    is rejected when (θ̂_j − θ̂_k)/σ_jk exceeds the (1 − α) quantile of the max of (ε_a − ε_b)/σ_ab
    over the hypotheses (a, b) of the family still standing; repeated until nothing changes."""
    n = len(est)

    def stat(a, b, e):
        sd = np.sqrt(se[a] ** 2 + se[b] ** 2)
        if sd == 0:
            return np.sign(e[a] - e[b]) * np.inf if e is est else -np.inf
        return (e[a] - e[b]) / sd

    def stepdown(family):
        standing = set(family)
        while True:
            maxima = [max(stat(a, b, d) for a, b in standing) for d in draws]
            c = -np.inf if np.isneginf(maxima).all() else np.quantile(maxima, 1 - alpha)
            gone = {h for h in standing if stat(*h, est) > c}
            if not gone:
                return set(family) - standing
            standing -= gone

    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    low, high = np.zeros(n, int), np.zeros(n, int)
    if simultaneous:
        rejected = stepdown(pairs)
    for j in range(n):
        if not simultaneous:
            rejected = stepdown([h for h in pairs if j in h])
        low[j] = 1 + sum((k, j) in rejected for k in range(n))
        high[j] = n - sum((j, k) in rejected for k in range(n))
    return low, high


@pytest.mark.parametrize("n,ties,simultaneous", list(itertools.product([2, 3, 5, 8, 12], [False, True],
                                                                          [False, True])))
def test_stepdown_agrees_exactly_with_an_oracle_of_every_ordered_hypothesis(n, ties, simultaneous):
    rng = np.random.default_rng(100 + n)
    est = rng.normal(size=n) * 1.5
    se = rng.uniform(0.1, 0.6, size=n)
    if ties:
        est = est.round(0)
        se[:2] = 0.0  # two known values: ordered with certainty unless equal
    n_boot = 300
    draws = _standard_draws(9, n_boot, n)[0] * se[None, :]
    for coverage in (0.8, 0.95):
        low, high = oracle(est, se, list(draws), 1 - coverage, simultaneous)
        r = rank_intervals(est, se, coverage=coverage, simultaneous=simultaneous, seed=9, n_boot=n_boot)
        rank = r["rank"].to_numpy()
        assert r["rank_low"].tolist() == np.minimum(low, rank).tolist()
        assert r["rank_high"].tolist() == np.maximum(high, rank).tolist()


def test_a_rejected_pair_keeps_its_mirror_hypothesis():
    """Three units: 0 far above 1 and 2, which are 2.2 σ apart. The first step (max over three
    two-sided pairs, c ≈ 2.39) separates only 0. Dropping both directions of the decided pairs (the
    old code) would leave the pair (1, 2) alone, c = z_0.975 = 1.96 < 2.2, and order 1 and 2; with the
    mirrors H_10 and H_20 kept, as published, the maximum still runs over four hypotheses (c ≈ 2.3),
    and 1 and 2 stay tied. At 2.6 σ they are ordered."""
    se = np.ones(3) / np.sqrt(2)  # σ_jk = 1
    tied = rank_intervals(np.array([20.0, 2.2, 0.0]), se, simultaneous=True, seed=1)
    assert tied[["rank_low", "rank_high"]].to_numpy().tolist() == [[1, 1], [2, 3], [2, 3]]
    apart = rank_intervals(np.array([20.0, 2.6, 0.0]), se, simultaneous=True, seed=1)
    assert apart[["rank_low", "rank_high"]].to_numpy().tolist() == [[1, 1], [2, 2], [3, 3]]


# csranks' band on a 30-unit case shaped like its PISA example (scores ≈ 490 ± 30, s.e. 1.1–3.5):
# the smallest and largest bound over 100 seeds of csranks_transcription (R = 1 000, coverage 0.95).
CASE = np.random.default_rng(2018)
CASE_EST = CASE.normal(490, 30, 30).round(1)
CASE_SE = CASE.uniform(1.1, 3.5, 30).round(2)
BAND = {
    False: {"L": ([3, 4, 11, 23, 10, 11, 14, 27, 8, 14, 1, 19, 2, 11, 3, 8, 9, 26, 30, 5, 3, 26, 17, 9, 9, 9, 3, 20, 6, 14],
                  [3, 4, 11, 24, 10, 11, 14, 27, 8, 14, 1, 19, 2, 11, 3, 8, 9, 26, 30, 6, 3, 27, 19, 9, 10, 9, 3, 21, 7, 17]),
            "U": ([6, 11, 23, 27, 22, 24, 25, 29, 17, 24, 1, 25, 2, 23, 7, 19, 21, 29, 30, 9, 9, 29, 26, 14, 22, 19, 7, 26, 15, 25],
                  [6, 11, 23, 28, 22, 24, 25, 29, 19, 25, 1, 26, 2, 23, 8, 19, 22, 29, 30, 11, 9, 29, 26, 15, 22, 19, 7, 26, 16, 25])},
    True: {"L": ([3, 3, 10, 22, 9, 9, 11, 27, 6, 12, 1, 17, 2, 10, 3, 6, 9, 24, 30, 5, 3, 26, 14, 9, 9, 8, 3, 19, 6, 13],
                 [3, 3, 10, 22, 10, 9, 11, 27, 6, 14, 1, 18, 2, 10, 3, 6, 9, 25, 30, 5, 3, 26, 17, 9, 9, 8, 3, 19, 6, 14]),
           "U": ([7, 12, 24, 28, 22, 25, 25, 29, 20, 25, 1, 26, 2, 23, 8, 20, 22, 29, 30, 11, 11, 29, 27, 16, 22, 20, 7, 26, 19, 26],
                 [7, 12, 24, 28, 23, 25, 25, 29, 20, 25, 1, 26, 2, 24, 8, 21, 23, 29, 30, 11, 11, 29, 27, 17, 23, 22, 7, 27, 19, 26])},
}


@pytest.mark.parametrize("simultaneous", [False, True])
def test_the_reference_case_lies_within_csranks_seed_band_for_every_unit(simultaneous):
    band = BAND[simultaneous]
    for seed in (1, 2, 3):
        r = rank_intervals(CASE_EST, CASE_SE, simultaneous=simultaneous, seed=seed)
        for col, key in (("rank_low", "L"), ("rank_high", "U")):
            lo, hi = np.array(band[key][0]), np.array(band[key][1])
            got = r[col].to_numpy()
            assert ((lo <= got) & (got <= hi)).all(), (seed, col, np.flatnonzero((got < lo) | (got > hi)))


@pytest.mark.parametrize("simultaneous", [False, True])
def test_the_recorded_band_is_what_the_transcription_gives(simultaneous):
    """A few fresh seeds of the transcription fall in the recorded band (it is no invented table)."""
    band = BAND[simultaneous]
    for seed in (20_001, 20_002):
        low, high = csranks_transcription(CASE_EST, CASE_SE, simultaneous, np.random.default_rng(seed))
        assert ((np.array(band["L"][0]) <= low) & (low <= np.array(band["L"][1]))).mean() >= 0.95
        assert ((np.array(band["U"][0]) <= high) & (high <= np.array(band["U"][1]))).mean() >= 0.95


def test_large_groups_contain_the_exact_stepdown_sets():
    """Above EXACT_MAX (single step, bounded critical value) the sets contain the exact stepdown's,
    computed here by forcing the exact path, up to Monte Carlo noise."""
    import benchmark.stats.ranks as ranks

    rng = np.random.default_rng(21)
    n = EXACT_MAX + 20
    est, se = rng.normal(size=n) * 2, rng.uniform(0.1, 0.6, size=n)
    for simultaneous in (False, True):
        fast = rank_intervals(est, se, simultaneous=simultaneous, seed=4)
        draws = _standard_draws(4, ranks.B_LARGE, n)[0] * se
        above, below = ranks._exact_stepdown(est, se, draws, 0.05, simultaneous)
        exact_low, exact_high = 1 + above, n - below
        low, high = fast["rank_low"].to_numpy(), fast["rank_high"].to_numpy()
        # the bound's grid draws are not the exact path's draws: a few borderline pairs may differ
        assert ((low <= exact_low + 2) & (high >= exact_high - 2)).mean() >= 0.97
        assert ((low <= exact_low + 3) & (high >= exact_high - 3)).all()
        assert (high - low).mean() >= (exact_high - exact_low).mean()


def test_marginal_sets_of_a_large_group_cover_the_true_rank():
    rng = np.random.default_rng(7)
    n, reps = EXACT_MAX + 60, 40
    theta = np.sort(rng.normal(size=n) * 2)
    true_rank = n - np.argsort(np.argsort(theta))
    covered = []
    for rep in range(reps):
        se = rng.uniform(0.2, 0.8, size=n)
        r = rank_intervals(theta + rng.normal(size=n) * se, se, seed=rep)
        covered.append(((r["rank_low"] <= true_rank) & (true_rank <= r["rank_high"])).mean())
    assert np.mean(covered) >= 0.95
