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


def peer_seasonal_index(series: np.ndarray, group: np.ndarray, scope: np.ndarray, season: np.ndarray,
                        numerator: np.ndarray, denominator: np.ndarray, n_seasons: int = 12) -> np.ndarray:
    """Seasonal index per row (see the module docstring); 1 where it cannot be estimated.

    ``series``, ``group`` (peer group × criterion), ``scope`` (criterion) and ``season`` are
    integer codes per row; each series lies in one group and one scope. Rows with a non-positive
    or missing denominator carry no weight.
    """
    series, group, scope, season = (np.asarray(a, dtype=np.int64) for a in (series, group, scope, season))
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


def _loo_matrix(own_n, own_d, group, present):
    """Leave-one-out index per series × season within ``group`` from the series' season sums, and
    the number of other series in the series' group."""
    n_groups = int(group.max()) + 1
    k = own_n.shape[1]
    cell = (group[:, None] * k + np.arange(k)[None, :]).ravel()
    n_gs = np.bincount(cell, weights=own_n.ravel(), minlength=n_groups * k).reshape(n_groups, k)
    d_gs = np.bincount(cell, weights=own_d.ravel(), minlength=n_groups * k).reshape(n_groups, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        season_ratio = (n_gs[group] - own_n) / (d_gs[group] - own_d)
        overall = ((n_gs.sum(axis=1)[group] - own_n.sum(axis=1))
                   / (d_gs.sum(axis=1)[group] - own_d.sum(axis=1)))
        index = season_ratio / overall[:, None]
    members = np.bincount(group[present], minlength=n_groups)
    return index, members[group] - 1


def peer_seasonal_matrix(numerator: np.ndarray, denominator: np.ndarray, season: np.ndarray,
                         group: np.ndarray, scope: np.ndarray, n_seasons: int = 12) -> np.ndarray:
    """:func:`peer_seasonal_index` for series as rows of S × T arrays (NaN or a non-positive
    denominator = no data), ``season`` per column, ``group``/``scope`` per row: the index per cell.

    The same sums, with each series' season totals taken by one matrix product with the columns'
    season indicator instead of per-row bincounts.
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    group, scope, season = (np.asarray(a, dtype=np.int64) for a in (group, scope, season))
    if not num.size:
        return np.ones(num.shape)
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    if not ok.all():
        num, den = np.where(ok, num, 0.0), np.where(ok, den, 0.0)
    own_n = np.zeros((num.shape[0], n_seasons))
    own_d = np.zeros((num.shape[0], n_seasons))
    for j, k in enumerate(season):  # a loop over the columns (months), each over all series
        own_n[:, k] += num[:, j]
        own_d[:, k] += den[:, j]
    present = ok.any(axis=1)
    index, peers = _loo_matrix(own_n, own_d, group, present)
    few = peers < MIN_PEERS
    if few.any():
        in_scope, _ = _loo_matrix(own_n, own_d, scope, present)
        index = np.where(few[:, None], in_scope, index)
    index = np.where(np.isfinite(index) & (index > 0), index, 1.0)
    return np.take(index, season, axis=1)
