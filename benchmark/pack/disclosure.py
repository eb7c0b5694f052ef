"""Disclosure control for the package: which unit values it may print (SPEC §10).

The decision is :mod:`benchmark.privacy`'s (the one place that decides what is masked); this module
only applies it to what the package shows:

- a unit's value of a sensitive criterion is printed as the mask text when privacy masks that cell
  (primary or complementary, the same cells as in every other leader-facing output);
- the package also prints *care-level totals* (the clinic's wards together, month by month), a
  grouping the privacy hierarchy does not know. Such a total of a sensitive criterion is printed
  only when none of its units is masked: a total over shown units tells nothing new, while a total
  with a masked unit inside could give it away by subtraction. So no masked value can be derived
  from the package, whatever other outputs show.

``analyst=True`` shows everything (the analysis department's own copy, marked as such).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Disclosure:
    analyst: bool
    min_headcount: int
    sensitive: frozenset[str]
    masked: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (entity_id, criterion)
    res: object = None  # the result as the package may show it (masked scores and ranking)

    def is_masked(self, entity_id: str, criterion: str) -> bool:
        return (str(entity_id), criterion) in self.masked

    def total_allowed(self, entity_ids, criterion: str) -> bool:
        """May a total over ``entity_ids`` of ``criterion`` be printed? (no masked unit inside)"""
        if self.analyst or criterion not in self.sensitive:
            return True
        return not any((str(e), criterion) in self.masked for e in entity_ids)

    def text(self, lang: str) -> str:
        from benchmark.privacy import mask_text

        return mask_text(self.min_headcount, lang)


def disclosure(res, dataset, analyst: bool) -> Disclosure:
    """Apply :func:`benchmark.privacy.mask_result` to the run (unless ``analyst``).

    Without the run's dataset the headcount may be unknown; privacy then masks every sensitive cell
    (it fails closed), and so does the package.
    """
    cat = res.catalogue
    sensitive = frozenset(getattr(cat, "sensitive", ()) or ())
    n = int(getattr(cat, "min_headcount", None) or 5)
    if analyst:
        return Disclosure(True, n, sensitive, frozenset(), res)
    from benchmark import privacy

    shown = privacy.mask_result(res, dataset)
    scores = shown.scores
    cells: frozenset[tuple[str, str]] = frozenset()
    if "masked" in scores:
        hit = scores[scores["masked"].fillna(False).astype(bool)]
        cells = frozenset(zip(hit["entity_id"].astype(str), hit["criterion"].astype(str), strict=True))
    return Disclosure(False, n, sensitive, cells, shown)


def masked_frame(values: pd.Series, entity_ids: pd.Series, criterion: str, d: Disclosure, lang: str) -> pd.Series:
    """``values`` with the masked units' cells replaced by the mask text (object dtype)."""
    out = values.astype(object).copy()
    if d.analyst or criterion not in d.sensitive:
        return out
    hide = entity_ids.astype(str).map(lambda e: (e, criterion) in d.masked).to_numpy(dtype=bool)
    if hide.any():
        out[hide] = d.text(lang)
    return out
