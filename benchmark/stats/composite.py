"""Composite score over criteria (SPEC §6; OECD/JRC Handbook on Constructing Composite
Indicators, 2008, §5 normalisation and §6 weighting and aggregation).

Why these conventions: the Handbook's standardisation (z-scores with the sample standard
deviation, ddof = 1), min–max rescaling to 0–100 and ranking are the three normalisations it
discusses for linear aggregation; each indicator is first aligned so that higher is better
(multiplied by its direction), then combined by a weighted arithmetic mean. An entity missing an
indicator is scored on the indicators it has, with the weights renormalised over them, and
``coverage`` (the share of the total weight available) is reported so a composite built on one
criterion out of nine is never mistaken for a full one.

Degenerate indicators (all available values equal) carry no information: they normalise to
the neutral value (z 0, min–max 50, percentile 50) for every entity that has them. "Equal" is
decided on the values (largest = smallest), not on the standard deviation: the mean of n equal
values is not always that value to the last bit, so their sd comes out ~1e−17 instead of 0 and
the z-scores would be those of the rounding error (found on fully shrunken criteria, where every
unit of a peer group sits exactly at the peer centre).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

NORMALISATIONS = ("zscore", "minmax", "rank")


def normalise(
    values: pd.DataFrame, directions: Mapping[str, int], normalisation: str = "zscore"
) -> pd.DataFrame:
    """Normalise each column (indicator) with higher = better; NaN stays NaN.

    zscore: (x − mean)/sd (ddof = 1); minmax: 100·(x − min)/(max − min); rank: percentile
    100·(rank − 1)/(n − 1) with average ranks for ties (0 = worst, 100 = best).
    """
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    missing = [c for c in values.columns if c not in directions]
    if missing:
        raise ValueError(f"no direction for indicators {missing}")
    sign = np.array([float(directions[c]) for c in values.columns])
    if not np.all(np.isin(sign, (1.0, -1.0))):
        raise ValueError("directions must be +1 or -1")
    out = normalise_array(values.to_numpy(dtype=float, na_value=np.nan) * sign, normalisation)
    return pd.DataFrame(out, index=values.index, columns=values.columns)


def normalise_array(x: np.ndarray, normalisation: str, scale: np.ndarray | None = None) -> np.ndarray:
    """:func:`normalise` on an entities × indicators array already aligned so higher = better.

    The numpy core, shared with the per-peer-group pass of :mod:`benchmark.scoring.ranking`
    (which calls it once per group on a block of rows instead of building a frame per group).

    ``scale`` (same shape and alignment): the values whose spread sets the unit — the z-score's
    s.d. and the min–max range — while ``x`` is centred on its own mean (z) or placed on that
    range (min–max). The scoring passes the raw values here for the shrunken ones: see
    :func:`benchmark.scoring.ranking.normalised_arrays` for why.
    """
    s = x if scale is None else np.where(np.isfinite(x), scale, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalisation == "zscore":
            mean = np.nanmean(x, axis=0) if x.size else np.zeros(x.shape[1])
            s_mean = mean if scale is None else (np.nanmean(s, axis=0) if s.size else np.zeros(s.shape[1]))
            n = np.sum(np.isfinite(s), axis=0)
            sd = np.sqrt(np.nansum((s - s_mean) ** 2, axis=0) / np.maximum(n - 1, 1))
            if s.size:  # all values equal: sd is 0 in exact arithmetic, whatever rounding left
                sd = np.where(np.nanmax(s, axis=0) > np.nanmin(s, axis=0), sd, 0.0)
            out = np.where(sd > 0, (x - mean) / np.where(sd > 0, sd, 1.0), 0.0)
        elif normalisation == "minmax":
            lo, hi = np.nanmin(s, axis=0), np.nanmax(s, axis=0)
            span = hi - lo
            out = np.where(span > 0, 100.0 * (x - lo) / np.where(span > 0, span, 1.0), 50.0)
        elif normalisation == "rank":
            ranks = pd.DataFrame(x).rank(method="average").to_numpy(dtype=float)
            n = np.sum(np.isfinite(x), axis=0)
            out = np.where(n > 1, 100.0 * (ranks - 1) / np.maximum(n - 1, 1), 50.0)
        else:
            raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    return np.where(np.isfinite(x), out, np.nan)


def composite(
    values: pd.DataFrame,
    directions: Mapping[str, int],
    weights: Mapping[str, float] | None = None,
    normalisation: str = "zscore",
) -> pd.DataFrame:
    """Weighted arithmetic mean of normalised indicators per entity (SPEC §6).

    ``values``: entities × indicators; ``directions``: {indicator: +1 | −1}; ``weights``:
    {indicator: w ≥ 0} (default equal). Returns per entity: composite, rank (1 = best; ties
    share the best rank, method "min"; NaN when no indicator is available), coverage (share of
    the total weight the entity has values for) and n_indicators.
    """
    cols = list(values.columns)
    w = np.array([1.0 if weights is None else float(weights.get(c, 0.0)) for c in cols])
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    z = normalise(values, directions, normalisation).to_numpy()
    have = np.isfinite(z)
    wz = np.where(have, z * w, 0.0)
    wsum = (have * w).sum(axis=1)
    total = w.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        comp = np.where(wsum > 0, wz.sum(axis=1) / wsum, np.nan)  # Σ w z / Σ_available w
        coverage = wsum / total if total > 0 else np.zeros(len(values))
    out = pd.DataFrame(
        {"composite": comp, "coverage": coverage, "n_indicators": (have & (w > 0)).sum(axis=1)},
        index=values.index,
    )
    out.insert(1, "rank", out["composite"].rank(ascending=False, method="min"))
    return out
