"""Peer targets and percentiles, computed within each peer group (vectorised groupby).

Targets (catalogue ``target``): the peer ``median``; ``upper_quartile``, meaning the *better*
quartile boundary — the 75th percentile when higher is better, the 25th when lower is better;
the peer ``mean``; or a fixed number. Only scored entities enter a target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def peer_target(values: pd.Series, groups: pd.Series, direction: int, target: str | float) -> pd.Series:
    """The target of each entity's peer group, aligned with ``values``."""
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        return pd.Series(float(target), index=values.index)
    g = values.groupby(groups)
    match target:
        case "median":
            return g.transform("median")
        case "mean":
            return g.transform("mean")
        case "upper_quartile":
            q = 0.75 if direction > 0 else 0.25
            return g.transform(lambda s: s.quantile(q))
        case _:
            raise ValueError(f"unknown target {target!r}")


def percentile(values: pd.Series, groups: pd.Series, direction: int) -> pd.Series:
    """Percentile within the peer group, 100 = best (direction-aware), ties averaged."""
    aligned = values * direction
    ranks = aligned.groupby(groups).rank(method="average")
    n = aligned.groupby(groups).transform("count")
    return pd.Series(np.where(n > 1, 100 * (ranks - 1) / (n - 1).where(n > 1, 1), 50.0),
                     index=values.index).where(values.notna())
