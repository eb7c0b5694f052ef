"""How much each entity's rank depends on the analyst's choices (OECD/JRC Handbook, step 7).

Scenarios, each re-using the already computed criterion scores (nothing is re-aggregated):

- ``weight_<id>_+50`` / ``weight_<id>_-50``: one criterion's weight up or down by half;
- ``norm_minmax`` / ``norm_rank``: another normalisation;
- ``target_upper_quartile``: the assessment re-run with the better quartile as target. The
  shrunken values are about the peer centre, not the target (SPEC §5), so this scenario gives the
  baseline's values and every shift 0; it stays in the table so a catalogue whose shrinkage did
  depend on the target would show it.

For each entity: the rank in every scenario, the shift against the baseline rank, and in the
ranking table the median and the largest absolute shift — a rank that moves little is robust.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from benchmark.scoring.ranking import (
    composites,
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


def sensitivity(
    shrunk: pd.DataFrame,
    se: pd.DataFrame,
    groups: pd.Series,
    directions: Mapping[str, int],
    weights: Mapping[str, float],
    base_rank: pd.Series,
    shrunk_alt_target: Callable[[], pd.DataFrame] | None = None,
    normalised: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
    raw: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(long table entity_id/scenario/rank/shift, per-entity summary median_shift/max_shift).

    Each scenario is a composite and a point ranking on the entities × criteria arrays (no
    intervals: the table reports rank shifts, not their uncertainty); the scenarios of one
    normalisation are computed together. ``normalised``: arrays of :func:`normalised_arrays` the
    caller has already (by normalisation), reused instead of recomputed. ``raw``: the values
    before shrinking, whose spread is each criterion's unit (as in the composite itself).
    """
    codes, _ = group_rows(groups, shrunk.index)
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = dict(normalised or {})

    def arrays(kind: str) -> tuple[np.ndarray, np.ndarray]:
        if kind not in cache:
            cache[kind] = normalised_arrays(shrunk, se, groups, directions, kind, raw)
        return cache[kind]

    listed = scenarios(weights)
    names = [name for name, _, _ in listed]
    comp_of: dict[str, np.ndarray] = {}
    for kind in dict.fromkeys(
        k for _, _, k in listed
    ):  # the scenarios of one normalisation at once
        mine = [(name, w) for name, w, k in listed if k == kind]
        block = composites(
            arrays(kind)[0], np.array([weight_vector(shrunk.columns, w) for _, w in mine])
        )
        comp_of.update({name: block[i] for i, (name, _) in enumerate(mine)})
    ranks = [group_point_ranks(comp_of[name], codes) for name in names]
    if shrunk_alt_target is not None:
        alt = shrunk_alt_target().reindex(index=shrunk.index, columns=shrunk.columns)
        if alt.equals(
            shrunk
        ):  # the same shrunken values (they are about the peer centre): same arrays
            norm = arrays("zscore")[0]
        else:
            norm = normalised_arrays(alt, se, groups, directions, "zscore", raw)[0]
        names.append("target_upper_quartile")
        ranks.append(
            group_point_ranks(
                composites(norm, weight_vector(shrunk.columns, weights)[None])[0], codes
            )
        )
    if not names:
        empty = pd.DataFrame(columns=["entity_id", "scenario", "rank", "shift"])
        return empty, pd.DataFrame(
            {
                "sensitivity_median_shift": pd.Series(dtype=float),
                "sensitivity_max_shift": pd.Series(dtype=float),
            }
        )
    rank = np.column_stack(ranks)  # entities × scenarios
    base = base_rank.reindex(shrunk.index).to_numpy(dtype=float, na_value=np.nan)
    shift = rank - base[:, None]
    n, k = rank.shape
    # text columns by one take each (no Python string per row)
    entity = pd.Series(shrunk.index).array.take(np.tile(np.arange(n), k))
    long = pd.DataFrame(
        {
            "entity_id": entity,
            "scenario": pd.array(np.array(names, dtype=object), dtype="str").take(
                np.repeat(np.arange(k), n)
            ),
            "rank": rank.T.ravel(),
            "shift": shift.T.ravel(),
        }
    )
    size = np.abs(shift)
    with warnings.catch_warnings():  # an entity without a rank in any scenario: all NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        summary = pd.DataFrame(
            {
                "sensitivity_median_shift": np.nanmedian(size, axis=1),
                "sensitivity_max_shift": np.nanmax(size, axis=1),
            },
            index=pd.Index(shrunk.index, name="entity_id"),
        )
    return long, summary.sort_index()
