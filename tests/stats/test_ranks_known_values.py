"""Large groups (above EXACT_MAX) with some known values (s.e. 0) among many distinct s.e.: the
binned path used to fail on them (a geometric grid cannot start at 0); now the known values get a
bin of their own and the sets still contain the exact stepdown's for the same draws."""

from __future__ import annotations

import numpy as np

import benchmark.stats.ranks as ranks
from benchmark.stats.ranks import EXACT_MAX, _standard_draws, point_ranks, rank_intervals


def test_known_values_in_a_large_group_are_ranked_and_contain_the_exact_sets():
    rng = np.random.default_rng(5)
    n = EXACT_MAX + 30
    est, se = rng.normal(size=n) * 2, rng.uniform(0.1, 0.6, size=n)
    se[:4] = 0.0  # four known values
    for simultaneous in (False, True):
        fast = rank_intervals(est, se, simultaneous=simultaneous, seed=4)
        assert fast.notna().all().all()
        draws = _standard_draws(4, ranks.B_LARGE, n)[0] * se
        above, below = ranks._exact_stepdown(est, se, draws, 0.05, simultaneous)
        low, high = fast["rank_low"].to_numpy(), fast["rank_high"].to_numpy()
        assert ((low <= 1 + above + 3) & (high >= n - below - 3)).all()
        assert (high - low).mean() >= (n - below - (1 + above)).mean()


def test_point_ranks_share_the_best_rank_on_ties():
    x = np.array([3.0, 1.0, 3.0, -2.0, 1.0, 0.0, -0.0])
    assert point_ranks(x).tolist() == [1.0, 3.0, 1.0, 7.0, 3.0, 5.0, 5.0]
