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
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from benchmark.stats import normalise
from benchmark.stats.ranks import rank_intervals_grouped


def _slope(x: pd.Series, normalisation: str) -> float:
    x = x.dropna()
    if len(x) < 2:
        return 0.0
    if normalisation == "zscore":
        sd = x.std(ddof=1)
        return 1 / sd if sd > 0 else 0.0
    span = x.max() - x.min()
    return 100 / span if span > 0 else 0.0


def normalised_scores(shrunk: pd.DataFrame, se: pd.DataFrame, groups: pd.Series, directions: Mapping[str, int],
                      normalisation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(normalised, normalised s.e.) entities × criteria, normalised within each peer group."""
    norm_parts, se_parts = [], []
    for _, idx in groups.groupby(groups, sort=True).groups.items():  # a loop over peer groups
        block = shrunk.loc[idx]
        with warnings.catch_warnings():  # a criterion no entity of the group has: all NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            norm_parts.append(normalise(block, directions, normalisation))
        slopes = {c: _slope(block[c], normalisation) for c in block.columns}
        se_parts.append(se.loc[idx].mul(pd.Series(slopes), axis=1))
    norm = pd.concat(norm_parts).reindex(shrunk.index)
    nse = pd.concat(se_parts).reindex(shrunk.index).where(norm.notna())
    return norm, nse


def composite_with_se(norm: pd.DataFrame, nse: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """composite, composite_se, coverage, n_criteria and contributions (entities × criteria)."""
    w = pd.Series({c: float(weights.get(c, 0.0)) for c in norm.columns})
    have = norm.notna() & (w > 0)
    w_avail = have.mul(w, axis=1)
    total = w_avail.sum(axis=1)
    share = w_avail.div(total.where(total > 0), axis=0)
    contributions = norm.fillna(0).mul(share).where(have)
    out = pd.DataFrame(index=norm.index)
    out["composite"] = contributions.sum(axis=1, min_count=1).where(total > 0)
    out["composite_se"] = np.sqrt((share.fillna(0) ** 2 * nse.fillna(0) ** 2).sum(axis=1)).where(total > 0)
    out["coverage"] = total / w.sum() if w.sum() > 0 else 0.0
    out["n_criteria"] = have.sum(axis=1)
    return out, contributions


def rank_composite(comp: pd.DataFrame, groups: pd.Series, simultaneous: bool, seed: int) -> pd.DataFrame:
    """rank, rank_low, rank_high and peer_n within peer groups (rank 1 = best composite).

    The bootstrap draws are handed out by position, so the entities are put in id order first:
    the intervals then depend on the data and the seed only, not on the order the rows arrived
    in — a stored run re-ranked from its tables (other row order) gives its own intervals back.
    """
    order = comp.index.sort_values()
    ranks = rank_intervals_grouped(comp["composite"].reindex(order), comp["composite_se"].reindex(order),
                                   groups.reindex(order), coverage=0.95, simultaneous=simultaneous, seed=seed)
    return ranks.reindex(comp.index)


def point_ranks(composite: pd.Series, groups: pd.Series) -> pd.Series:
    """Ranks only (no intervals), for sensitivity scenarios."""
    return composite.groupby(groups.reindex(composite.index)).rank(ascending=False, method="min")
