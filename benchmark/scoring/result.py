"""The result of a benchmark: tables plus everything needed to rerun or perturb it.

A :class:`Result` holds the resolved catalogue, period, level, seed and options that made it
(COINr's habit: every step is recorded so the index can be rebuilt and perturbed).
:meth:`Result.rescore` is the fast path behind weight sliders: it recomputes only the composite,
its intervals and ranks from the stored shrunken criterion values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark.catalogue.model import Catalogue
from benchmark.periods import Period
from benchmark.scoring.ranking import (
    composite_arrays,
    normalised_scores,
    rank_composite,
    weight_vector,
)

RANK_COLUMNS = ["composite", "composite_se", "coverage", "n_criteria", "rank", "rank_low", "rank_high", "peer_n"]


@dataclass(frozen=True)
class Result:
    scores: pd.DataFrame
    ranking: pd.DataFrame
    measures: pd.DataFrame | None
    trend: pd.DataFrame
    sensitivity: pd.DataFrame
    monthly: pd.DataFrame
    catalogue: Catalogue
    period: Period
    level: str
    seed: int
    dataset_fingerprint: str
    options: Mapping[str, object] = field(default_factory=dict)
    shrunk: pd.DataFrame = field(default=None, repr=False)  # entities × criteria (for rescore)
    shrunk_se: pd.DataFrame = field(default=None, repr=False)
    raw: pd.DataFrame = field(default=None, repr=False)  # values before shrinking: the normalisation's unit
    groups: pd.Series = field(default=None, repr=False)  # ranking peer group per entity
    run_id: str | None = None
    # derived, weight-independent arrays for rescore (normalised values per normalisation, row
    # positions); shared by the results rescore derives from this one
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def _normalised(self, normalisation: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Normalised shrunken values and their s.e.: they do not depend on the weights."""
        key = ("normalised", normalisation)
        if key not in self.memo:
            directions = {c.id: c.sign for c in self.catalogue.criteria}
            self.memo[key] = normalised_scores(self.shrunk, self.shrunk_se, self.groups, directions, normalisation,
                                               self.raw)
        return self.memo[key]

    def _normalised_arrays(self, normalisation: str) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_normalised` as entities × criteria arrays (what the composite is computed on)."""
        key = ("normalised_arrays", normalisation)
        if key not in self.memo:
            norm, nse = self._normalised(normalisation)
            self.memo[key] = (norm.to_numpy(dtype=float, na_value=np.nan),
                              nse.reindex(index=norm.index, columns=norm.columns).to_numpy(dtype=float, na_value=np.nan))
        return self.memo[key]

    def _layout(self) -> dict[str, np.ndarray]:
        """Where each ranking row and each score row sits in the entities × criteria arrays."""
        if "layout" not in self.memo:
            entities, criteria = self.shrunk.index, self.shrunk.columns
            self.memo["layout"] = {
                "ranking": entities.get_indexer(self.ranking["entity_id"]),
                "score_entity": entities.get_indexer(self.scores["entity_id"]),
                "score_criterion": criteria.get_indexer(self.scores["criterion"]),
                "score_catalogue": pd.Index(self.catalogue.ids).get_indexer(self.scores["criterion"]),
                "id_order": entities.argsort(),  # the rank bootstrap's entity order
            }
        return self.memo["layout"]

    def rescore(self, *, weights: Mapping[str, float] | None = None, normalisation: str | None = None,
                simultaneous: bool | None = None) -> Result:
        """A new result with other weights / normalisation: composite, intervals and ranks only.

        The weight-slider path: normalised values are reused between calls and every table is
        updated by position, so a national-scale re-rank costs tens of milliseconds.
        """
        weights = {**self.catalogue.weights(), **{k: float(v) for k, v in (weights or {}).items()}}
        normalisation = normalisation or str(self.options.get("normalisation", "zscore"))
        simultaneous = bool(self.options.get("simultaneous", False)) if simultaneous is None else simultaneous
        norm, nse = self._normalised_arrays(normalisation)
        arrays = composite_arrays(norm, nse, weight_vector(self.shrunk.columns, weights))
        contributions = arrays.pop("contributions")
        comp = pd.DataFrame(arrays, index=self.shrunk.index)
        layout = self._layout()
        ranks = rank_composite(comp, self.groups, simultaneous, self.seed, order=layout["id_order"])
        # shallow copies (copy-on-write): only the re-scored columns are new
        ranking = self.ranking.copy(deep=False)
        at = layout["ranking"]
        for col in RANK_COLUMNS:
            source = comp if col in comp else ranks
            values = source[col].to_numpy()
            ranking[col] = np.where(at >= 0, values[np.maximum(at, 0)], np.nan)
        scores = self.scores.copy(deep=False)
        e, c = layout["score_entity"], layout["score_criterion"]
        inside = (e >= 0) & (c >= 0)
        e, c = np.maximum(e, 0), np.maximum(c, 0)
        w = np.array([weights[k] for k in self.catalogue.ids] + [np.nan], dtype=float)
        scores["weight"] = w[layout["score_catalogue"]]  # −1 (not in the catalogue) reads the NaN
        scores["normalised"] = np.where(inside, norm[e, c], np.nan) if norm.size else np.nan
        scores["contribution"] = np.where(inside, contributions[e, c], np.nan) if contributions.size else np.nan
        catalogue = self.catalogue.with_weights({k: v for k, v in weights.items() if k in self.catalogue.ids})
        options = {**self.options, "normalisation": normalisation, "simultaneous": simultaneous}
        return dataclasses.replace(self, ranking=ranking, scores=scores, catalogue=catalogue, options=options)
