"""The peer group's seasonal pattern, to be removed from a unit's monthly series before SPC.

Why: wards have July dips (holidays) and winter peaks (sick leave, admissions). An XmR chart of raw
monthly ratios reads those as special causes: a stable unit gets "7 months below the mean" every
summer. Removing the pattern of the unit's *peers* (not its own) keeps what is special about the
unit and drops what every comparable unit does in that month.

The index is multiplicative and by sums, like every ratio in the product (SPEC §5): for the rows
of season s (calendar month, or calendar quarter for aggregated series) of peer group g,

    index_{e,s} = [(N_gs − n_es) / (D_gs − d_es)] / [(N_g − n_e) / (D_g − d_e)],

the peers' ratio in season s over their ratio in the whole window, leaving out entity e's own
numerator n and denominator d (leave-one-out: a unit's own shift is not explained away as season).
The adjusted value is value / index. With fewer than ``MIN_PEERS`` other series in the peer group
the index is taken over all other series of the criterion (the scope) instead; where neither gives
a positive finite index it is 1 (no adjustment). This is the ratio-to-moving-average idea of
classical decomposition (Persons 1919; Makridakis, Wheelwright & Hyndman 1998 §3.4) with the
window's mean in place of a moving average, since an SPC window holds only two cycles.
"""

from __future__ import annotations

import numpy as np

MIN_PEERS = 4


def _loo_index(group, season, series, num, den, n_seasons):
    """Leave-one-out seasonal index per row within ``group`` (integer codes), and the number of
    other series in the row's group."""
    n_groups = int(group.max()) + 1
    gs = group * n_seasons + season
    size = n_groups * n_seasons
    n_gs = np.bincount(gs, weights=num, minlength=size)
    d_gs = np.bincount(gs, weights=den, minlength=size)
    n_g = np.bincount(group, weights=num, minlength=n_groups)
    d_g = np.bincount(group, weights=den, minlength=n_groups)
    # the entity's own sums: per series and season, and per series
    n_series = int(series.max()) + 1
    es = series * n_seasons + season
    own_n_s = np.bincount(es, weights=num, minlength=n_series * n_seasons)[es]
    own_d_s = np.bincount(es, weights=den, minlength=n_series * n_seasons)[es]
    own_n = np.bincount(series, weights=num, minlength=n_series)[series]
    own_d = np.bincount(series, weights=den, minlength=n_series)[series]
    with np.errstate(invalid="ignore", divide="ignore"):
        season_ratio = (n_gs[gs] - own_n_s) / (d_gs[gs] - own_d_s)
        overall = (n_g[group] - own_n) / (d_g[group] - own_d)
        index = season_ratio / overall
    first = np.zeros(n_series, dtype=np.int64)
    first[series] = group  # each series belongs to one group
    present = np.zeros(n_series, dtype=bool)
    present[series] = True
    members = np.bincount(first[present], minlength=n_groups)
    return index, members[group] - 1


def peer_seasonal_index(
    series: np.ndarray,
    group: np.ndarray,
    scope: np.ndarray,
    season: np.ndarray,
    numerator: np.ndarray,
    denominator: np.ndarray,
    n_seasons: int = 12,
) -> np.ndarray:
    """Seasonal index per row (see the module docstring); 1 where it cannot be estimated.

    ``series``, ``group`` (peer group × criterion), ``scope`` (criterion) and ``season`` are
    integer codes per row; each series lies in one group and one scope. Rows with a non-positive
    or missing denominator carry no weight.
    """
    series, group, scope, season = (
        np.asarray(a, dtype=np.int64) for a in (series, group, scope, season)
    )
    if not len(series):
        return np.ones(0)
    num = np.asarray(numerator, float)
    den = np.asarray(denominator, float)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    num, den = np.where(ok, num, 0.0), np.where(ok, den, 0.0)
    index, peers = _loo_index(group, season, series, num, den, n_seasons)
    few = peers < MIN_PEERS
    if few.any():  # only then is the criterion-wide index needed
        in_scope, _ = _loo_index(scope, season, series, num, den, n_seasons)
        index = np.where(few, in_scope, index)
    return np.where(np.isfinite(index) & (index > 0), index, 1.0)


BLOCK_ROWS = 8192  # series handled at a time by the matrix form (its temporaries stay in cache)


def _group_season_sums(group: np.ndarray, *own: np.ndarray) -> list[np.ndarray]:
    """Σ over the series of each group of their season sums (groups × seasons), per array."""
    n_groups = int(group.max()) + 1
    k = own[0].shape[1]
    cell = (group[:, None] * k + np.arange(k)[None, :]).ravel()
    return [
        np.bincount(cell, weights=o.ravel(), minlength=n_groups * k).reshape(n_groups, k)
        for o in own
    ]


def _runs(season: list[int]) -> list[tuple[int, int, int]]:
    """(first column, first season, length) of the maximal runs of columns whose seasons rise by
    one with them, in column order: 24 consecutive months are three runs, so the season sums and
    the index per column are a few slices instead of a pass per column."""
    runs: list[tuple[int, int, int]] = []
    for j, k in enumerate(season):
        if runs and runs[-1][1] + runs[-1][2] == k and runs[-1][0] + runs[-1][2] == j:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((j, k, 1))
    return runs


def _loo_rows(n_gs, d_gs, own_n, own_d, group):
    """Leave-one-out index per series × season of some series (rows of ``own_n``/``own_d``, their
    ``group``) from the groups' season sums."""
    with np.errstate(invalid="ignore", divide="ignore"):
        season_ratio = (n_gs[group] - own_n) / (d_gs[group] - own_d)
        overall = (n_gs.sum(axis=1)[group] - own_n.sum(axis=1)) / (
            d_gs.sum(axis=1)[group] - own_d.sum(axis=1)
        )
        return season_ratio / overall[:, None]


def peer_seasonal_matrix(
    numerator: np.ndarray,
    denominator: np.ndarray,
    season: np.ndarray,
    group: np.ndarray,
    scope: np.ndarray,
    n_seasons: int = 12,
) -> np.ndarray:
    """:func:`peer_seasonal_index` for series as rows of S × T arrays (NaN or a non-positive
    denominator = no data), ``season`` per column, ``group``/``scope`` per row: the index per cell.

    The same sums: each series' season totals column by column in column order (as the rows'
    bincounts add them; runs of columns with consecutive seasons as one slice), the groups'
    totals by bincounts over those. Row-wise work is done in
    blocks of ``BLOCK_ROWS`` series, so 24 column passes read a block in cache, not the whole
    matrix 24 times.
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    group, scope, season = (np.asarray(a, dtype=np.int64) for a in (group, scope, season))
    if not num.size:
        return np.ones(num.shape)
    n_rows = num.shape[0]
    blocks = [slice(lo, lo + BLOCK_ROWS) for lo in range(0, n_rows, BLOCK_ROWS)]
    own_n = np.zeros((n_rows, n_seasons))
    own_d = np.zeros((n_rows, n_seasons))
    present = np.zeros(n_rows, dtype=bool)
    runs = _runs(season.tolist())
    for b in blocks:  # a loop over blocks of rows
        x, d = num[b], den[b]
        ok = np.isfinite(x) & np.isfinite(d) & (d > 0)
        if not ok.all():
            x, d = np.where(ok, x, 0.0), np.where(ok, d, 0.0)
        present[b] = ok.any(axis=1)
        on, od = own_n[b], own_d[b]
        # each cell gets its columns added in column order (the runs are in column order)
        for j, k, length in runs:
            on[:, k : k + length] += x[:, j : j + length]
            od[:, k : k + length] += d[:, j : j + length]
    n_gs, d_gs = _group_season_sums(group, own_n, own_d)
    peers = np.bincount(group[present], minlength=len(n_gs))[group] - 1
    few = peers < MIN_PEERS
    if few.any():  # only then is the criterion-wide index needed
        n_ss, d_ss = _group_season_sums(scope, own_n, own_d)
    out = np.empty(num.shape)
    for b in blocks:
        index = _loo_rows(n_gs, d_gs, own_n[b], own_d[b], group[b])
        if few[b].any():
            in_scope = _loo_rows(n_ss, d_ss, own_n[b], own_d[b], scope[b])
            index = np.where(few[b][:, None], in_scope, index)
        index = np.where(np.isfinite(index) & (index > 0), index, 1.0)
        for j, k, length in runs:  # np.take(index, season, axis=1), by slices
            out[b, j : j + length] = index[:, k : k + length]
    return out
