"""Composite score within peer groups, its standard error, and rank intervals.

Each criterion's *shrunken* value is normalised within the entity's peer group
(:func:`benchmark.stats.normalise`, OECD/JRC conventions, higher = better), weighted by the
catalogue and averaged over the criteria the entity has (coverage reported). The contribution of
criterion k is w_k × normalised_k / Σ available w — the composite is the sum of contributions.

Composite standard error: each normalised score inherits the shrunken value's s.e. through the
normalisation's slope (1/sd for z-scores, 100/(max − min) for min–max; the min–max slope is also
used for the rank normalisation, whose slope is not defined pointwise), and criteria are taken as
independent: se = √Σ (w_k/W)² (slope_k × shrunk_se_k)². Independence is a simplification — sick
leave and variable pay move together — and makes the intervals somewhat narrow; it is stated here
and in docs/METHODS.md. Ranks with intervals within each peer group follow Mogstad et al. (2024).

Speed (SPEC §9: a weight change re-scores in ≤ 50 ms at national scale): everything works on
entities × criteria numpy arrays with the peer groups as integer codes — a loop over the peer
groups and over the criteria, never a frame per group. Sums over criteria are taken column by
column in catalogue order, which is exactly what pandas' row sums did, so the figures are the same
to the last bit. :func:`composite_arrays` and :func:`group_point_ranks` are the array forms the
sensitivity scenarios use (twenty composites and point ranks per run).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from benchmark.stats.composite import normalise_array
from benchmark.stats.ranks import rank_intervals_grouped


def group_rows(groups: pd.Series, index: pd.Index) -> tuple[np.ndarray, list[np.ndarray]]:
    """(group code per row of ``index``, −1 without a group; row positions of each group).

    Groups in sorted label order, rows within a group in ``index`` order (as a groupby would).
    """
    g = groups if groups.index.equals(index) else groups.reindex(index)
    codes, _ = pd.factorize(g, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(int(codes.max(initial=-1)) + 2))
    return codes, [order[bounds[k] : bounds[k + 1]] for k in range(len(bounds) - 1)]


def _slope(x: np.ndarray, normalisation: str) -> float:
    x = x[~np.isnan(x)]
    if len(x) < 2 or x.max() == x.min():  # a degenerate criterion normalises to a constant
        return 0.0
    if normalisation == "zscore":
        # pandas' two-pass sample variance (Series.std), step for step: the slope keeps its bits
        sd = np.sqrt(((x.sum() / len(x) - x) ** 2).sum() / (len(x) - 1))
        return 1 / sd if sd > 0 else 0.0
    span = x.max() - x.min()
    return 100 / span if span > 0 else 0.0


def normalised_arrays(
    shrunk: pd.DataFrame,
    se: pd.DataFrame,
    groups: pd.Series,
    directions: Mapping[str, int],
    normalisation: str,
    raw: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`normalised_scores` as two entities × criteria arrays (rows and columns of ``shrunk``).

    ``raw``: the criterion values before shrinking. When given, the unit of each criterion is the
    spread of its *raw* values in the peer group (the z-score's s.d., the min–max range), and the
    shrunken values are centred and placed on it. Why: shrinkage pulls a criterion whose
    between-unit variance τ² is small next to the units' own noise almost onto the peer centre,
    and normalising the shrunken values by their own s.d. stretches that remainder back to a
    spread of 1 — the criterion's noise re-enters the composite at full weight, and its s.e.
    (shrunken s.e. ÷ that tiny s.d.) with it: on a national run staffing against plan
    (τ = 0,004, s.e. 0,018) got a normalised s.e. of 4,6, every composite an s.e. above the
    spread of the composites, and every rank interval of a 3 000-unit group [1, 3 000]. On the
    raw spread a criterion weighs in by what the data show of it: fully for a reliable one,
    hardly at all for one that is mostly noise. Without ``raw`` (runs stored before), the
    shrunken values' own spread, as version 1 did.
    """
    x = shrunk.to_numpy(dtype=float, na_value=np.nan)
    r = None if raw is None else raw.reindex(index=shrunk.index, columns=shrunk.columns).to_numpy(
        dtype=float, na_value=np.nan)
    s = se.reindex(index=shrunk.index, columns=shrunk.columns).to_numpy(
        dtype=float, na_value=np.nan
    )
    sign = np.array([float(directions[c]) for c in shrunk.columns])
    norm, nse = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    _, members = group_rows(groups, shrunk.index)
    for rows in members:  # a loop over peer groups
        # a row-major block whatever the frame's memory layout: numpy's column sums then add in
        # one fixed order, so a stored run re-read from its tables normalises to the same bits
        block = np.ascontiguousarray(x[rows])
        unit = block if r is None else np.where(np.isnan(block), np.nan, np.ascontiguousarray(r[rows]))
        with warnings.catch_warnings():  # a criterion no entity of the group has: all NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            norm[rows] = normalise_array(block * sign, normalisation, None if r is None else unit * sign)
        slopes = np.array([_slope(unit[:, k], normalisation) for k in range(x.shape[1])])
        nse[rows] = s[rows] * slopes
    nse[np.isnan(norm)] = np.nan
    return norm, nse


def normalised_scores(
    shrunk: pd.DataFrame,
    se: pd.DataFrame,
    groups: pd.Series,
    directions: Mapping[str, int],
    normalisation: str,
    raw: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(normalised, normalised s.e.) entities × criteria, normalised within each peer group on the
    spread of the raw values (``raw``; see :func:`normalised_arrays`)."""
    norm, nse = normalised_arrays(shrunk, se, groups, directions, normalisation, raw)
    return (
        pd.DataFrame(norm, index=shrunk.index, columns=shrunk.columns),
        pd.DataFrame(nse, index=shrunk.index, columns=shrunk.columns),
    )


def _zero_nan(x: np.ndarray) -> np.ndarray:
    """NaN → 0 and nothing else (``fillna(0)``; ``np.nan_to_num`` would also clip infinities)."""
    return np.where(np.isnan(x), 0.0, x)


def composite_arrays(norm: np.ndarray, nse: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """composite, composite_se, coverage, n_criteria and contributions from arrays (``w`` per column)."""
    have = ~np.isnan(norm) & (w > 0)
    w_avail = have * w
    n, k = norm.shape
    total, comp, var, any_have = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n, dtype=bool)
    for j in range(k):  # column by column: the summation order of a row sum over criteria
        total = total + w_avail[:, j]
    ok = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = w_avail / np.where(ok, total, np.nan)[:, None]
        contributions = np.where(have, _zero_nan(norm) * share, np.nan)
    terms = _zero_nan(share) ** 2 * _zero_nan(nse) ** 2
    for j in range(k):
        comp = comp + _zero_nan(contributions[:, j])
        var = var + terms[:, j]
        any_have |= ~np.isnan(contributions[:, j])
    w_sum = w.sum()
    return {
        "composite": np.where(ok & any_have, comp, np.nan),
        "composite_se": np.where(ok, np.sqrt(var), np.nan),
        "coverage": total / w_sum if w_sum > 0 else np.zeros(n),
        "n_criteria": have.sum(axis=1),
        "contributions": contributions,
    }


def composites(norm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``composite_arrays(norm, ·, w)["composite"]`` for several weight vectors at once.

    ``weights``: scenarios × criteria; returns scenarios × entities. The same operations in the same
    order as :func:`composite_arrays`, on one (scenarios × entities × criteria) block.
    """
    w = weights[:, None, :]
    have = ~np.isnan(norm)[None] & (w > 0)
    w_avail = have * w
    shape = w_avail.shape[:2]
    total, comp, any_have = np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=bool)
    for j in range(norm.shape[1]):  # column by column, as a row sum over criteria
        total = total + w_avail[:, :, j]
    ok = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = w_avail / np.where(ok, total, np.nan)[:, :, None]
        contributions = np.where(have, _zero_nan(norm)[None] * share, np.nan)
    for j in range(norm.shape[1]):
        comp = comp + _zero_nan(contributions[:, :, j])
        any_have |= ~np.isnan(contributions[:, :, j])
    return np.where(ok & any_have, comp, np.nan)


def weight_vector(columns, weights: Mapping[str, float]) -> np.ndarray:
    return np.array([float(weights.get(c, 0.0)) for c in columns], dtype=float)


def composite_with_se(
    norm: pd.DataFrame, nse: pd.DataFrame, weights: Mapping[str, float]
) -> pd.DataFrame:
    """composite, composite_se, coverage, n_criteria and contributions (entities × criteria)."""
    arrays = composite_arrays(
        norm.to_numpy(dtype=float, na_value=np.nan),
        nse.reindex(index=norm.index, columns=norm.columns).to_numpy(dtype=float, na_value=np.nan),
        weight_vector(norm.columns, weights),
    )
    contributions = pd.DataFrame(
        arrays.pop("contributions"), index=norm.index, columns=norm.columns
    )
    return pd.DataFrame(arrays, index=norm.index), contributions


def rank_composite(
    comp: pd.DataFrame,
    groups: pd.Series,
    simultaneous: bool,
    seed: int,
    order: np.ndarray | None = None,
) -> pd.DataFrame:
    """rank, rank_low, rank_high and peer_n within peer groups (rank 1 = best composite).

    The bootstrap draws are handed out by position, so the entities are put in id order first:
    the intervals then depend on the data and the seed only, not on the order the rows arrived
    in — a stored run re-ranked from its tables (other row order) gives its own intervals back.
    ``order``: ``comp.index.argsort()`` when the caller has it already (a re-score keeps it).
    """
    order = comp.index.argsort() if order is None else order
    g = groups if groups.index.equals(comp.index) else groups.reindex(comp.index)
    ranks = rank_intervals_grouped(
        comp["composite"].to_numpy(float)[order],
        comp["composite_se"].to_numpy(float)[order],
        np.asarray(g, dtype=object)[order],
        coverage=0.95,
        simultaneous=simultaneous,
        seed=seed,
    )
    out = np.empty((len(order), ranks.shape[1]))
    out[order] = ranks.to_numpy()
    return pd.DataFrame(out, index=comp.index, columns=ranks.columns)


def group_point_ranks(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rank within each group code (1 = largest, ties share the best rank; NaN or code −1: NaN)."""
    out = np.full(len(values), np.nan)
    ok = ~np.isnan(values) & (codes >= 0)
    pos = np.flatnonzero(ok)
    v, c = -values[pos], codes[pos]
    # by group, then value: a sort of the values, then a stable sort of their groups (a radix sort
    # for small codes; five times a lexsort's speed). Tied values may come in another order than
    # a lexsort's, which no rank depends on.
    by_value = np.argsort(v)
    group_of = c[by_value]
    if len(group_of) and int(group_of.max()) < np.iinfo(np.int16).max:
        group_of = group_of.astype(np.int16)
    order = by_value[np.argsort(group_of, kind="stable")]
    vs, cs = v[order], c[order]
    idx = np.arange(len(vs))
    new_group = np.r_[True, cs[1:] != cs[:-1]]
    new_value = new_group | np.r_[True, vs[1:] != vs[:-1]]
    first_of_group = np.maximum.accumulate(np.where(new_group, idx, 0))
    first_of_value = np.maximum.accumulate(np.where(new_value, idx, 0))
    out[pos[order]] = (first_of_value - first_of_group + 1).astype(float)
    return out


def point_ranks(composite: pd.Series, groups: pd.Series) -> pd.Series:
    """Ranks only (no intervals), for sensitivity scenarios."""
    codes, _ = group_rows(groups, composite.index)
    return pd.Series(
        group_point_ranks(composite.to_numpy(dtype=float, na_value=np.nan), codes),
        index=composite.index,
        name=composite.name,
    )
