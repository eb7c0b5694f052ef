"""How much each entity's rank depends on the analyst's choices (OECD/JRC Handbook, step 7).

Scenarios, each re-using the already computed criterion scores (nothing is re-aggregated):

- ``weight_<id>_+50`` / ``weight_<id>_-50``: one criterion's weight up or down by half;
- ``norm_minmax`` / ``norm_rank``: another normalisation;
- ``target_upper_quartile``: shrinkage and normalisation towards the better quartile instead of
  the median (the shrunken values are recomputed with the new target).

For each entity: the rank in every scenario, the shift against the baseline rank, and in the
ranking table the median and the largest absolute shift — a rank that moves little is robust.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from benchmark.scoring.ranking import composite_with_se, normalised_scores, point_ranks


def scenarios(weights: Mapping[str, float]) -> list[tuple[str, dict, str]]:
    out = []
    for cid, w in weights.items():
        if w <= 0:
            continue
        for sign, factor in (("+50", 1.5), ("-50", 0.5)):
            out.append((f"weight_{cid}_{sign}", {**weights, cid: w * factor}, "zscore"))
    out.append(("norm_minmax", dict(weights), "minmax"))
    out.append(("norm_rank", dict(weights), "rank"))
    return out


def sensitivity(shrunk: pd.DataFrame, se: pd.DataFrame, groups: pd.Series, directions: Mapping[str, int],
                weights: Mapping[str, float], base_rank: pd.Series,
                shrunk_alt_target: Callable[[], pd.DataFrame] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(long table entity_id/scenario/rank/shift, per-entity summary median_shift/max_shift)."""
    rows = []
    cache: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    for name, w, norm_kind in scenarios(weights):
        if norm_kind not in cache:
            cache[norm_kind] = normalised_scores(shrunk, se, groups, directions, norm_kind)
        norm, nse = cache[norm_kind]
        comp, _ = composite_with_se(norm, nse, w)
        rows.append((name, point_ranks(comp["composite"], groups)))
    if shrunk_alt_target is not None:
        norm, nse = normalised_scores(shrunk_alt_target(), se, groups, directions, "zscore")
        comp, _ = composite_with_se(norm, nse, weights)
        rows.append(("target_upper_quartile", point_ranks(comp["composite"], groups)))
    frames = []
    for name, ranks in rows:
        frames.append(pd.DataFrame({"entity_id": ranks.index, "scenario": name, "rank": ranks.to_numpy(),
                                    "shift": (ranks - base_rank.reindex(ranks.index)).to_numpy()}))
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["entity_id", "scenario", "rank", "shift"])
    wide = long.pivot(index="entity_id", columns="scenario", values="shift").abs()
    summary = pd.DataFrame({"sensitivity_median_shift": wide.median(axis=1),
                            "sensitivity_max_shift": wide.max(axis=1)})
    summary[np.isnan(summary)] = np.nan
    return long, summary
