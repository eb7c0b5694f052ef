"""What ``summary.html`` draws, taken from a result (:class:`SummaryInput`), without the charts.

Kept apart from :mod:`benchmark.outputs.summary` so the run's own process can hand the page's data
to the chart process (:mod:`benchmark.outputs.render_worker`) without importing altair and the
chart builders (0,4 s of the writing step at national scale); only the process that draws
imports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class SummaryInput:
    """What the page draws, taken from a result: small enough to hand to the chart process
    (:mod:`benchmark.outputs.render_worker`) — the whole ranking, but only the scores of the
    funnels' criteria — and the same page whichever process renders it."""

    ranking: pd.DataFrame
    scores: pd.DataFrame  # the rows of the main criteria only
    main: list[str]  # the funnels' criteria, the most weighted first
    n_flags: int
    catalogue: object
    catalogue_hash: str
    period: str
    level: str
    measures: pd.DataFrame | None


FUNNEL_CRITERIA = 3  # the page's funnels: the most weighted criteria present


def summary_input(res) -> SummaryInput:
    """The page's data from ``res`` (a :class:`benchmark.scoring.result.Result`)."""
    s = res.scores
    present = set(s["criterion"].unique())
    main = [c.id for c in sorted(res.catalogue.criteria, key=lambda c: -c.weight) if c.id in present]
    main = main[:FUNNEL_CRITERIA]
    flags = int(s["flag"].isin(["above_95", "above_99.8", "below_95", "below_99.8"]).sum())
    return SummaryInput(res.ranking, s[s["criterion"].isin(main)], main, flags, res.catalogue,
                        res.catalogue.hash(), res.period.label, res.level, res.measures)
