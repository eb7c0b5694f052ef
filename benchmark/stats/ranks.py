"""Confidence sets for ranks (Mogstad, Romano, Shaikh & Wilhelm 2024).

Mogstad M, Romano JP, Shaikh AM, Wilhelm D (2024). Inference for ranks with applications to
mobility across neighbourhoods and academic achievement across countries. Review of Economic
Studies 91(1):476–518; R package ``csranks`` (``csranks_marg``, ``csranks_simul``, ``csdiffmeans``).

Rank 1 is the largest estimate. With independent estimates θ̂ ~ N(θ, diag(s²)) and σ_jk =
√(s_j² + s_k²), the method tests the *ordered one-sided* hypotheses H_jk: θ_j ≤ θ_k (j ≠ k) with
the statistic (θ̂_j − θ̂_k)/σ_jk. Rejecting H_jk shows θ_j > θ_k. The rank set of j is
[1 + #{k: H_kj rejected}, N − #{k: H_jk rejected}]. The critical value is a parametric-bootstrap
max statistic: with ε ~ N(0, diag(s²)), the (1 − α) quantile of max (ε_j − ε_k)/σ_jk over the
hypotheses in the family that are not yet rejected —

- marginal sets (one entity at a time, as ``csranks_marg``): the family of j is the 2(N − 1)
  hypotheses H_jk and H_kj, k ≠ j, with its own critical value;
- simultaneous sets (all entities at once, as ``csranks_simul``): one family of all N(N − 1)
  ordered pairs and one critical value.

Before anything is rejected the maximum over both directions of a pair is |ε_j − ε_k|/σ_jk, the
familiar two-sided max-t. The **stepdown** (Romano & Wolf 2005) then removes the rejected ordered
hypotheses — only those: when H_jk is rejected its mirror H_kj stays in the family and in the
maximum (one-sided now) — and recomputes the critical value, until nothing new is rejected.

Groups up to ``EXACT_MAX`` entities get exactly that (:func:`_exact_stepdown`, vectorised over
draws and pairs; an oracle testing every ordered hypothesis one by one agrees in the tests).

Larger groups. The exact family needs the (draws × N × N) array: ~15 s and ~72 GB at 3 000
entities. Above ``EXACT_MAX`` the sets are the **single-step** sets (the first step of the
stepdown, no further steps) with a critical value that bounds the exact one from above:

1. **Binning the standard errors.** For k in a bin of standard errors [a, b],
   max_k |ε_j − ε_k|/√(s_j² + s_k²) ≤ max(|ε_j − max_bin ε|, |ε_j − min_bin ε|)/√(s_j² + a²).
   Per bootstrap draw only the bin maxima and minima are needed. The marginal c_j depends on j
   only through s_j, so it is computed on a grid of 33 standard errors (O(B · grid · bins));
   the simultaneous c bounds the maximum over pairs of bins (O(B · bins²)). When the standard
   errors take at most ``MAX_BINS`` distinct values the bins are exact (a = b); otherwise the
   statistic is an upper bound (bins are geometric, a and b a few per cent apart).
2. **Only ambiguous pairs depend on the critical value.** c_j ≥ z_{1−α/2} (the maximum is at least
   one |Z|) and c_j ≤ z_{1−α/(2(N−1))} (Bonferroni); the critical value is clipped to that band.
3. **Counting the significant pairs without all N² of them.** With the estimates sorted, two
   binary searches per entity settle the pairs that are significant (or not) whatever the other
   entity's s.e.; only a narrow band needs the pair's own s.e. (:func:`_counts`).
4. **Draws are kept.** The N(0, 1) draws for a seed and group size are cached, so re-ranking after
   a weight change only rescales them by the new standard errors.

What "never narrower" means. A larger critical value rejects less, so the large-group sets
**contain** the exact single-step sets; and the stepdown only ever rejects more than its first
step, so those contain the exact stepdown sets (csranks' with ``stepdown = TRUE``). Hence above
``EXACT_MAX`` the sets are never narrower than the published method's for the same draws; with
other draws this holds up to Monte Carlo error (the tests check it with a tolerance). The price is
small: the stepdown drops at most one direction of each decided pair, so for thousands of
entities its critical value is only a few per cent lower than the first step's.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from benchmark.stats.distributions import norm_ppf

B_DEFAULT = 1000
B_LARGE = 400  # large groups: the 95 % quantile of a maximum over thousands of pairs is stable at 400 draws
MAX_BINS = 48
EXACT_MAX = 100
BAND_CHUNK = 2_000_000  # pairs per chunk when counting the ambiguous band
SE_BINS = 4  # bins of standard errors in the pair counts (each bin's own bounds narrow the band;
# the counts are exact for any number, four were the fastest at national scale)


def _as_series(x) -> pd.Series:
    return x.astype("float64") if isinstance(x, pd.Series) else pd.Series(np.asarray(x, float))


def point_ranks(estimates: np.ndarray) -> np.ndarray:
    """Rank 1 = largest; ties share the best (smallest) rank: 1 + the number of larger estimates
    (``rankdata(−x, method="min")``, by one sort and a binary search)."""
    neg = -np.asarray(estimates, dtype=float)
    return (np.searchsorted(np.sort(neg), neg, side="left") + 1).astype(float)


@functools.lru_cache(maxsize=16)
def _standard_draws(seed: int, n_boot: int, n: int) -> tuple[np.ndarray, dict]:
    """The N(0, 1) bootstrap draws for ``seed`` and the generator's state after them.

    Kept between calls: a weight slider re-ranks the same peer groups with new standard errors,
    and the draws (not the errors) are the costly part. Read-only, so a caller cannot spoil them.
    """
    rng = np.random.default_rng(seed)
    draws = rng.standard_normal((n_boot, n), dtype=np.float32).astype(float)
    draws.setflags(write=False)
    return draws, rng.bit_generator.state


@functools.lru_cache(maxsize=16)
def _standard_draws_by_entity(seed: int, n_boot: int, n: int) -> tuple[np.ndarray, dict]:
    """The draws of :func:`_standard_draws` (the same numbers), stored entities × draws.

    The large-group path gathers whole entities (rows) by standard-error bin and reduces over
    them; with the entity axis outermost that is one contiguous copy and a row-wise reduction,
    not a strided gather of every column. Kept in single precision, as drawn (the same numbers as
    :func:`_standard_draws`' float64 copy), so the gather reads half the bytes. Read-only, like
    the draws it transposes.
    """
    rng = np.random.default_rng(seed)
    draws = np.ascontiguousarray(rng.standard_normal((n_boot, n), dtype=np.float32).T)
    draws.setflags(write=False)
    return draws, rng.bit_generator.state


@functools.lru_cache(maxsize=64)
def _grid_draws(seed: int, n_boot: int, n: int, n_grid: int) -> np.ndarray:
    """The N(0, 1) draws (draws × grid values) of the marginal critical values' grid: the next
    numbers of the generator after :func:`_standard_draws_by_entity`'s. Kept, like those: a weight
    change re-ranks the same group sizes and usually the same grid size. Read-only."""
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = _standard_draws_by_entity(seed, n_boot, n)[1]
    draws = rng.standard_normal((n_boot, n_grid))
    draws.setflags(write=False)
    return draws


def _bins(s: np.ndarray) -> np.ndarray:
    """Bin index per entity (exact bins when few distinct values, else geometric ones)."""
    uniq = np.unique(s)
    if len(uniq) <= MAX_BINS:
        return np.searchsorted(uniq, s)
    if uniq[0] == 0:  # known values (s = 0) get a bin of their own, the others geometric bins
        positive = s > 0
        out = np.zeros(len(s), dtype=np.int64)
        edges = np.geomspace(uniq[1], s.max() * (1 + 1e-12), MAX_BINS)
        out[positive] = 1 + np.clip(
            np.searchsorted(edges, s[positive], side="right") - 1, 0, MAX_BINS - 2
        )
        return out
    edges = np.geomspace(s.min(), s.max() * (1 + 1e-12), MAX_BINS + 1)
    return np.clip(np.searchsorted(edges, s, side="right") - 1, 0, MAX_BINS - 1)


def _bin_extremes(s: np.ndarray, standard_t: np.ndarray):
    """Per non-empty bin of standard errors and draw: the largest and smallest draw (bins × draws),
    and the bin's smallest s. ``standard_t`` are the N(0, 1) draws entities × draws; entity k's
    draws are ``s_k`` times its row.

    The draws are gathered once in bin order and scaled in single precision, as they were drawn
    (the extremes feed only a 95 % quantile of maxima, which needs no more digits; against a float64
    product they differ by about 1e-7 relative), then each bin's contiguous block of rows is
    reduced: a block small enough to stay in cache (one strided ``ufunc.reduceat`` over all rows is
    slower)."""
    idx = _bins(s)
    order = np.argsort(idx, kind="stable")
    _, starts = np.unique(idx[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    scaled = np.take(standard_t, order, axis=0)  # ε_k = s_k z_k, rows in bin order
    scaled *= s.astype(np.float32)[order, None]
    n_boot = standard_t.shape[1]
    bmax = np.empty((len(starts), n_boot), dtype=np.float32)
    bmin = np.empty((len(starts), n_boot), dtype=np.float32)
    for b, (lo, hi) in enumerate(zip(starts, ends, strict=True)):  # a loop over ≤ MAX_BINS bins
        scaled[lo:hi].max(axis=0, out=bmax[b])
        scaled[lo:hi].min(axis=0, out=bmin[b])
    return bmax, bmin, np.minimum.reduceat(s[order], starts)


def _type7_quantile(m: np.ndarray, q: float) -> np.ndarray:
    """Per row of ``m``: its q quantile of type 7 (numpy's and R's default), as
    ``np.quantile(m, q, axis=1)`` in float64 to a rounding of the interpolation, from the two
    order statistics around it found by one ``np.partition`` (a full quantile sorts and
    interpolates every row: four times slower here)."""
    n = m.shape[1]
    h = (n - 1) * q
    k = int(np.floor(h))
    k1 = min(k + 1, n - 1)
    part = np.partition(m, (k, k1), axis=1)
    low, high = part[:, k].astype(float), part[:, k1].astype(float)
    return low + (h - k) * (high - low)


def _marginal_critical(
    s: np.ndarray, standard_t: np.ndarray, alpha: float, grid_draws
) -> np.ndarray:
    """c_j for every entity from a grid of standard errors (c depends on j only through s_j).

    For each grid value g, a fresh ε_g ~ N(0, g²) per draw is compared with every entity through
    the bin extremes: max_k |ε_g − ε_k|/√(g² + s_k²) is bounded by the bin maxima/minima over
    √(g² + a_bin²) (for ε_k in [min, max], |ε_g − ε_k| ≤ max(max − ε_g, ε_g − min)). Including the
    entity itself among the k adds one more term to the maximum, so the value is conservative.
    c_j is read from the grid at the nearest grid values around s_j, taking the larger
    (conservative).
    """
    hi, lo, lows = _bin_extremes(s, standard_t)  # (bins, B), single precision
    grid = np.unique(np.quantile(s, np.linspace(0, 1, 33)))
    x = grid_draws(len(grid)) * grid[None, :]  # (B, G); grid_draws(G): N(0, 1) draws × G
    # single precision (a quantile of maxima needs no more digits), one grid value at a time so the
    # (bins, B) block stays in cache
    with np.errstate(
        divide="ignore"
    ):  # a known value against a known bin: 1/0, its 0/0 skipped below
        inv = (1.0 / np.sqrt(grid[:, None] ** 2 + lows[None, :] ** 2)).astype(
            np.float32
        )  # (G, bins)
    # max(hi − x, x − lo) = |mid − x| + half, with the bin's midpoint and half-width: two passes
    # over the block per grid value instead of three
    mid, half = (hi + lo) / 2, (hi - lo) / 2
    x32 = np.ascontiguousarray(x.T, dtype=np.float32)
    m = np.empty(x32.shape, dtype=np.float32)  # (G, B)
    up = np.empty_like(hi)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for g in range(len(grid)):  # a loop over the 33 grid values
            np.subtract(mid, x32[g], out=up)
            np.abs(up, out=up)
            up += half
            up *= inv[g][:, None]
            np.fmax.reduce(up, axis=0, out=m[g])  # fmax skips the 0/0 of two known values
    c_grid = _type7_quantile(m, 1 - alpha)  # per grid value, over the B draws
    pos = np.clip(np.searchsorted(grid, s), 0, len(grid) - 1)
    below = np.clip(pos - 1, 0, len(grid) - 1)
    return np.maximum(c_grid[pos], c_grid[below])


def _simultaneous_critical(s: np.ndarray, standard_t: np.ndarray, alpha: float) -> float:
    """c = (1−α) quantile of max over pairs, bounded per draw through pairs of s-bins: O(bins²)."""
    bmax, bmin, lows = _bin_extremes(s, standard_t)
    bmax, bmin = bmax.T, bmin.T  # (B, bins)
    spread = np.maximum(
        np.abs(bmax[:, :, None] - bmin[:, None, :]), np.abs(bmax[:, None, :] - bmin[:, :, None])
    )
    denom = np.sqrt(lows[:, None] ** 2 + lows[None, :] ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.nanmax(spread / denom[None], axis=(1, 2))  # 0/0 (two known values) is no evidence
    return float(np.quantile(m, 1 - alpha))


def _counts(est: np.ndarray, s: np.ndarray, crit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per j: #{k significantly above j} and #{k significantly below j}.

    k is above j when (θ̂_k − θ̂_j)/√(s_k² + s_j²) > c_j. The k are split into :data:`SE_BINS`
    bins by their standard error; within a bin, with its estimates sorted, two binary searches per
    j settle every k with θ̂_k − θ̂_j beyond c_j·√(s_max² + s_j²) (surely above) or within
    c_j·√(s_min² + s_j²) (surely not), s_min and s_max the bin's own; only the band between needs
    the pair's own s.e. The bins keep that band narrow when the standard errors vary (a
    composite's s.e. does, from unit to unit), so the pass is O(B·N log N + band) instead of
    O(N²); the band is walked in chunks so memory stays bounded.
    """
    n = len(est)
    # the j in the order of their estimates: the binary searches' queries then come nearly sorted
    # and stay in cache (unsorted, they were half of the pass's time)
    perm = np.argsort(est, kind="stable")
    est_p, s_p, crit_p = est[perm], s[perm], crit[perm]
    above, below = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    by_se = np.argsort(s_p, kind="stable")
    for members in np.array_split(by_se, min(SE_BINS, max(n, 1))):
        if len(members):
            a, b = _counts_among(est_p, s_p, crit_p, members)
            above += a
            below += b
    out_above, out_below = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    out_above[perm], out_below[perm] = above, below
    return out_above, out_below


def _counts_among(est: np.ndarray, s: np.ndarray, crit: np.ndarray, members: np.ndarray):
    """:func:`_counts` over the k in ``members`` only (one bin of standard errors).

    The band's pairs are read from the bin's arrays sorted by estimate, at consecutive positions
    per j, and the j's own values are repeated beside them: contiguous reads, no gather by entity.
    The squares of the standard errors are taken once per entity, not once per pair; the same
    floats, so every pair's t is the one of the plain formula. A pair of known values (s.e. 0)
    divides to ±∞ (or NaN, which no critical value is below), as it should.
    """
    n = len(est)
    order = members[np.argsort(est[members], kind="stable")]
    e = est[order]
    s2 = s * s
    s2_sorted = s2[order]
    m = len(order)
    s_lo, s_hi = s[members].min(), s[members].max()
    near, far = crit * np.sqrt(s_lo**2 + s2), crit * np.sqrt(s_hi**2 + s2)
    counts = []
    for sign in (1, -1):  # above (k larger), then below (k smaller)
        if sign > 0:
            start, stop = (
                np.searchsorted(e, est + near, "right"),
                np.searchsorted(e, est + far, "right"),
            )
            sure = m - stop
        else:
            start, stop = (
                np.searchsorted(e, est - far, "left"),
                np.searchsorted(e, est - near, "left"),
            )
            sure = start.copy()
        length = stop - start
        extra = np.zeros(n, dtype=np.int64)
        ends = np.cumsum(length)
        j0 = 0
        while j0 < n:  # chunks of about BAND_CHUNK pairs (a loop over chunks, not entities)
            j1 = max(
                j0 + 1,
                int(np.searchsorted(ends, (ends[j0 - 1] if j0 else 0) + BAND_CHUNK, "right")),
            )
            j1 = min(j1, n)
            lens = length[j0:j1]
            block_ends = np.cumsum(lens)
            total = int(block_ends[-1])
            if total:
                # position of each pair's k in the sorted bin: j's block start, then consecutive
                pos = np.arange(total) + np.repeat(start[j0:j1] - (block_ends - lens), lens)
                diff = e[pos] - np.repeat(est[j0:j1], lens)
                if sign < 0:
                    np.negative(diff, out=diff)
                se = np.sqrt(s2_sorted[pos] + np.repeat(s2[j0:j1], lens))
                with np.errstate(divide="ignore", invalid="ignore"):
                    diff /= se
                # per j (its pairs are consecutive): a difference of running counts, not a bincount
                hits = np.concatenate(([0], np.cumsum(diff > np.repeat(crit[j0:j1], lens))))
                extra[j0:j1] = hits[block_ends] - hits[block_ends - lens]
            j0 = j1
        counts.append(sure + extra)
    return counts[0], counts[1]


def _pair_statistics(est: np.ndarray, s: np.ndarray, draws: np.ndarray):
    """Observed and bootstrap statistics of the ordered hypotheses H_jk: θ_j ≤ θ_k.

    ``obs[j, k]`` = (θ̂_j − θ̂_k)/σ_jk and ``boot[j, k, b]`` = (ε_j − ε_k)/σ_jk for draw b of
    ``draws`` (draws × entities; single precision: a quantile of maxima needs no more digits).
    H_jk is rejected when obs[j, k] exceeds the critical value: θ_j > θ_k is shown. Two known
    values (σ_jk = 0) are ordered with certainty and carry no bootstrap variation (−∞ in every
    maximum); the diagonal is no hypothesis.

    The draws are the last axis: a maximum over hypotheses (over j or k) is then an elementwise
    maximum of contiguous rows of draws, not a reduction over a short inner axis.
    """
    n = len(est)
    se = np.sqrt(s[:, None] ** 2 + s[None, :] ** 2)
    diff = est[:, None] - est[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        obs = np.where(se > 0, diff / se, np.sign(diff) * np.inf)
        inv = np.where(se > 0, 1.0 / se, np.nan).astype(np.float32)
    d32 = np.ascontiguousarray(draws.T, dtype=np.float32)  # entities × draws
    # the same single-precision steps as (d_j − d_k)·inv_jk, the product in place (one N × N × B
    # array, not two)
    boot = np.subtract(d32[:, None, :], d32[None, :, :])
    np.multiply(boot, inv[:, :, None], out=boot)
    boot[np.isnan(inv)] = -np.inf  # finite draws: a statistic is NaN exactly where σ_jk = 0
    boot[np.arange(n), np.arange(n)] = -np.inf
    np.fill_diagonal(obs, -np.inf)
    return obs, boot


def _quantile(m: np.ndarray, q: float, axis: int = 0) -> np.ndarray:
    """q quantile (type 7, R's and numpy's default) of bootstrap maxima. A maximum is −∞ in every
    draw or in none (only pairs of known values are left); then the quantile is −∞ too."""
    m = m.astype(float)
    none_left = np.isneginf(m).all(axis=axis)
    out = np.quantile(np.where(np.isneginf(m), 0.0, m), q, axis=axis)
    return np.where(none_left, -np.inf, out)


def _exact_stepdown(est, s, draws, alpha, simultaneous):
    """Mogstad et al.'s stepdown over ordered one-sided hypotheses, exactly (small groups).

    The family of ordered hypotheses H_jk: θ_j ≤ θ_k (j ≠ k) is tested with the max statistic over
    the hypotheses not yet rejected; a rejected H_jk leaves the family, its mirror H_kj stays (it is
    never rejected, since its statistic is the negative one, but it still counts in the maximum —
    that is what keeps the family-wise error at α). Repeat until nothing new is rejected
    (Romano & Wolf 2005; Mogstad et al. 2024 Algorithm 3.1/3.2; csranks' ``csdiffmeans`` with
    ``stepdown = TRUE``, which turns the two-sided problem into one-sided "lower" hypotheses).

    - simultaneous: one family, all N(N − 1) ordered pairs, one critical value;
    - marginal: one family per entity j, the 2(N − 1) hypotheses H_jk and H_kj (k ≠ j), each with
      its own stepdown (csranks_marg calls csranks_simul per index).

    The same bootstrap draws serve every step (csranks draws afresh at each step; both are valid
    and agree within Monte Carlo error). Returns, per j, the number of k shown above j and below j.
    """
    n = len(est)
    obs, boot = _pair_statistics(est, s, draws)  # boot[j, k, b]
    q = 1 - alpha
    rejected = np.zeros((n, n), bool)  # rejected[j, k]: H_jk rejected, θ_j > θ_k shown
    if simultaneous:
        while True:
            # the maximum over the hypotheses not yet rejected, without a masked copy; + 0.0 as
            # adding a mask of 0.0 and −∞ would (a maximum of −0.0 reads +0.0)
            keep = ~rejected[:, :, None]
            c = _quantile(
                np.max(boot, axis=(0, 1), where=keep, initial=-np.inf) + np.float32(0.0), q
            )
            new = (obs > c) & ~rejected
            if not new.any():
                break
            rejected |= new
        return rejected.sum(axis=0), rejected.sum(axis=1)
    # marginal: family j holds row j (H_jk, statistic boot[j, k]) and column j (H_kj, statistic
    # boot[k, j] = −boot[j, k]); row_rej[j, k] = H_jk rejected, col_rej[j, k] = H_kj rejected.
    # Only families with a new rejection get a new critical value, so later steps are cheap.
    # The first step needs no masks (the diagonal and known pairs are −∞ already): the row
    # maxima are a maximum over the middle axis, the column maxima over the first.
    row_rej = np.zeros((n, n), bool)
    col_rej = np.zeros((n, n), bool)
    c = _quantile(np.maximum(boot.max(axis=1), boot.max(axis=0)), q, axis=1)
    todo = np.arange(n)
    while True:
        new_row = (obs[todo] > c[todo, None]) & ~row_rej[todo]
        new_col = (obs.T[todo] > c[todo, None]) & ~col_rej[todo]
        row_rej[todo] |= new_row
        col_rej[todo] |= new_col
        todo = todo[new_row.any(axis=1) | new_col.any(axis=1)]
        if not len(todo):
            break
        # the maxima over the hypotheses still in each family (rejected ones skipped, not copied)
        if 2 * len(todo) > n:  # most families: every family's maxima, without gathering rows
            up = np.max(boot, axis=1, where=~row_rej[:, :, None], initial=-np.inf)[todo]
            down = np.max(boot, axis=0, where=~col_rej.T[:, :, None], initial=-np.inf)[todo]
        else:
            up = np.max(boot[todo], axis=1, where=~row_rej[todo][:, :, None], initial=-np.inf)
            down = np.max(
                boot[:, todo], axis=0, where=~col_rej[todo].T[:, :, None], initial=-np.inf
            )
        c[todo] = _quantile(np.maximum(up, down), q, axis=1)
    return col_rej.sum(axis=1), row_rej.sum(axis=1)


@functools.lru_cache(maxsize=256)
def _critical_band(alpha: float, n: int, simultaneous: bool) -> tuple[float, float]:
    """[z_{1−α/2}, Bonferroni z] that a large group's critical value is clipped to (kept: a
    re-score asks for the same few group sizes, and scipy's ppf costs ~0,1 ms a call)."""
    bonferroni = norm_ppf(1 - alpha / (2 * (n - 1) * (n if simultaneous else 1)))
    return float(norm_ppf(1 - alpha / 2)), float(max(bonferroni, norm_ppf(1 - alpha / 2)))


def _rank_arrays(
    est: np.ndarray, s: np.ndarray, coverage: float, simultaneous: bool, seed: int, n_boot: int
) -> np.ndarray:
    """(rank, rank_low, rank_high) columns for finite estimates ``est`` with s.e. ``s`` ≥ 0."""
    n = len(est)
    out = np.ones((n, 3))
    if n <= 1:
        return out
    alpha = 1 - coverage
    ranks = point_ranks(est)
    if n <= EXACT_MAX:
        standard, _ = _standard_draws(seed, n_boot, n)
        above, below = _exact_stepdown(est, s, standard * s[None, :], alpha, simultaneous)
    else:
        standard_t, _ = _standard_draws_by_entity(seed, min(n_boot, B_LARGE), n)
        if simultaneous:
            crit = np.full(n, _simultaneous_critical(s, standard_t, alpha))
        else:
            crit = _marginal_critical(
                s, standard_t, alpha, functools.partial(_grid_draws, seed, min(n_boot, B_LARGE), n)
            )
        low, high = _critical_band(alpha, n, simultaneous)
        crit = np.clip(crit, low, high)
        above, below = _counts(est, s, crit)
    out[:, 0] = ranks
    out[:, 1] = np.minimum(1 + above, ranks)
    out[:, 2] = np.maximum(n - below, ranks)
    return out


def rank_intervals(
    estimates,
    std_errors,
    coverage: float = 0.95,
    simultaneous: bool = False,
    seed: int = 1,
    n_boot: int = B_DEFAULT,
) -> pd.DataFrame:
    """Rank (1 = largest) and its confidence set [rank_low, rank_high] per entity.

    NaN estimates or standard errors get NaN ranks and do not count for the others. A zero
    standard error is allowed (a known value); two entities both with zero s.e. and different
    estimates are ordered with certainty.

    >>> r = rank_intervals([10.0, 0.0, -10.0], [0.1, 0.1, 0.1])
    >>> r[["rank", "rank_low", "rank_high"]].to_numpy().tolist()
    [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]]
    """
    est_s = _as_series(estimates)
    values, s_all = est_s.to_numpy(dtype=float, na_value=np.nan), np.asarray(std_errors, float)
    ok = ~np.isnan(values) & np.isfinite(s_all)
    out = np.full((len(values), 3), np.nan)
    out[ok] = _rank_arrays(values[ok], np.abs(s_all[ok]), coverage, simultaneous, seed, n_boot)
    return pd.DataFrame(out, index=est_s.index, columns=["rank", "rank_low", "rank_high"])


def rank_intervals_grouped(
    estimates,
    std_errors,
    groups,
    coverage: float = 0.95,
    simultaneous: bool = False,
    seed: int = 1,
    n_boot: int = B_DEFAULT,
) -> pd.DataFrame:
    """:func:`rank_intervals` within each group (a loop over groups, on arrays), plus ``peer_n``."""
    index = estimates.index if isinstance(estimates, pd.Series) else None
    values = (
        estimates.to_numpy(dtype=float, na_value=np.nan)
        if index is not None
        else np.asarray(estimates, dtype=float)
    )
    s = np.asarray(std_errors, float)
    codes, labels = pd.factorize(np.asarray(groups, dtype=object), sort=True)
    ok = ~np.isnan(values) & np.isfinite(s)
    out = np.full((len(values), 4), np.nan)
    order = np.argsort(codes, kind="stable")  # rows of each group, in their original order
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    for code in range(len(labels)):  # a loop over groups
        at = order[bounds[code] : bounds[code + 1]]
        use = at[ok[at]]
        out[use, :3] = _rank_arrays(
            values[use], np.abs(s[use]), coverage, simultaneous, seed, n_boot
        )
        out[at, 3] = float(np.isfinite(values[at]).sum())
    return pd.DataFrame(
        out,
        index=index if index is not None else pd.RangeIndex(len(values)),
        columns=["rank", "rank_low", "rank_high", "peer_n"],
    )
