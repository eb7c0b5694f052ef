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

import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from benchmark.scoring.ranking import (
    composite_arrays,
    group_point_ranks,
    group_rows,
    normalised_arrays,
    weight_vector,
)


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
    """(long table entity_id/scenario/rank/shift, per-entity summary median_shift/max_shift).

    Each scenario is one composite and one point ranking on the entities × criteria arrays (no
    intervals: the table reports rank shifts, not their uncertainty).
    """
    codes, _ = group_rows(groups, shrunk.index)
    names, ranks = [], []
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, w, norm_kind in scenarios(weights):
        if norm_kind not in cache:
            cache[norm_kind] = normalised_arrays(shrunk, se, groups, directions, norm_kind)
        norm, nse = cache[norm_kind]
        comp = composite_arrays(norm, nse, weight_vector(shrunk.columns, w))["composite"]
        names.append(name)
        ranks.append(group_point_ranks(comp, codes))
    if shrunk_alt_target is not None:
        alt = shrunk_alt_target().reindex(index=shrunk.index, columns=shrunk.columns)
        norm, nse = normalised_arrays(alt, se, groups, directions, "zscore")
        names.append("target_upper_quartile")
        ranks.append(group_point_ranks(composite_arrays(norm, nse, weight_vector(shrunk.columns, weights))["composite"],
                                       codes))
    if not names:
        empty = pd.DataFrame(columns=["entity_id", "scenario", "rank", "shift"])
        return empty, pd.DataFrame({"sensitivity_median_shift": pd.Series(dtype=float),
                                    "sensitivity_max_shift": pd.Series(dtype=float)})
    rank = np.column_stack(ranks)  # entities × scenarios
    base = base_rank.reindex(shrunk.index).to_numpy(dtype=float, na_value=np.nan)
    shift = rank - base[:, None]
    n, k = rank.shape
    long = pd.DataFrame({"entity_id": np.tile(shrunk.index.to_numpy(), k),
                         "scenario": pd.Series(np.repeat(np.array(names, dtype=object), n), dtype="str"),
                         "rank": rank.T.ravel(), "shift": shift.T.ravel()})
    size = np.abs(shift)
    with warnings.catch_warnings():  # an entity without a rank in any scenario: all NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        summary = pd.DataFrame({"sensitivity_median_shift": np.nanmedian(size, axis=1),
                                "sensitivity_max_shift": np.nanmax(size, axis=1)},
                               index=pd.Index(shrunk.index, name="entity_id"))
    return long, summary.sort_index()
