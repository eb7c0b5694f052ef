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

import pandas as pd

from benchmark.catalogue.model import Catalogue
from benchmark.periods import Period
from benchmark.scoring.ranking import composite_with_se, normalised_scores, rank_composite

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
    groups: pd.Series = field(default=None, repr=False)  # ranking peer group per entity
    run_id: str | None = None

    def rescore(self, *, weights: Mapping[str, float] | None = None, normalisation: str | None = None,
                simultaneous: bool | None = None) -> Result:
        """A new result with other weights / normalisation: composite, intervals and ranks only."""
        weights = {**self.catalogue.weights(), **{k: float(v) for k, v in (weights or {}).items()}}
        normalisation = normalisation or str(self.options.get("normalisation", "zscore"))
        simultaneous = bool(self.options.get("simultaneous", False)) if simultaneous is None else simultaneous
        directions = {c.id: c.sign for c in self.catalogue.criteria}
        norm, nse = normalised_scores(self.shrunk, self.shrunk_se, self.groups, directions, normalisation)
        comp, contributions = composite_with_se(norm, nse, weights)
        ranks = rank_composite(comp, self.groups, simultaneous, self.seed)
        ranking = self.ranking.set_index("entity_id")
        for col in RANK_COLUMNS:
            source = comp if col in comp else ranks
            ranking[col] = source[col].reindex(ranking.index)
        scores = self.scores.copy()
        key = pd.MultiIndex.from_arrays([scores["entity_id"], scores["criterion"]])
        scores["weight"] = scores["criterion"].map(weights)
        scores["normalised"] = norm.stack().reindex(key).to_numpy()
        scores["contribution"] = contributions.stack().reindex(key).to_numpy()
        catalogue = self.catalogue.with_weights({k: v for k, v in weights.items() if k in self.catalogue.ids})
        options = {**self.options, "normalisation": normalisation, "simultaneous": simultaneous}
        return dataclasses.replace(self, ranking=ranking.reset_index(), scores=scores, catalogue=catalogue,
                                   options=options)
