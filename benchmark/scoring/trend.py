"""Trend per entity and criterion: change against the previous period and a year before, and SPC.

Previous-period and year-before values go through the same :func:`criterion_values` as the period
itself, so they too are sums over their windows divided. The monthly series of the last
``SPC_MONTHS`` months gets an XmR chart (:func:`benchmark.stats.xmr_signals`); a special-cause
signal in the recent months becomes ``improving`` or ``deteriorating`` by the criterion's
direction, otherwise the trend is ``stable``. The rule that fired is kept in ``spc_rule``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.periods import Period, month_from_index, month_index
from benchmark.scoring.aggregate import criterion_values, monthly_table
from benchmark.stats import xmr_signals

SPC_MONTHS = 24
COLUMNS = ["entity_id", "criterion", "value", "value_prev_period", "value_prev_year", "change_prev_period",
           "change_prev_year", "spc_signal", "spc_rule", "spc_direction", "trend"]


def _values(ds, cat, period: Period, level: str) -> pd.Series:
    v = criterion_values(ds, cat, period, level)
    return v.set_index(["entity_id", "criterion"])["value"]


def series_months(ds, period: Period, n: int = SPC_MONTHS) -> tuple[str, ...]:
    last = month_index(period.last)
    wanted = tuple(month_from_index(i) for i in range(last - n + 1, last + 1))
    have = set(ds.months)
    return tuple(m for m in wanted if m in have)


def trend_table(ds, cat, period: Period, level: str, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trend table, monthly series) for the entities and criteria in ``values``."""
    now = values.set_index(["entity_id", "criterion"])["value"]
    monthly_cat = cat
    prev = _values(ds, monthly_cat, period.previous(), level)
    year = _values(ds, monthly_cat, period.year_before(), level)
    out = pd.DataFrame({"value": now})
    out["value_prev_period"] = prev.reindex(out.index)
    out["value_prev_year"] = year.reindex(out.index)
    out["change_prev_period"] = out["value"] - out["value_prev_period"]
    out["change_prev_year"] = out["value"] - out["value_prev_year"]
    monthly, coded, keys = monthly_table(ds, cat, level, series_months(ds, period))
    signals = xmr_signals(coded, value="value", by=("series",), time="t")
    signals.index = pd.MultiIndex.from_frame(keys.loc[signals["series"].to_numpy()].reset_index(drop=True))
    out["spc_signal"] = signals["signal"].reindex(out.index).fillna(False).astype(bool)
    out["spc_rule"] = signals["rule"].reindex(out.index).fillna("").astype(str)
    out["spc_direction"] = signals["direction"].reindex(out.index).fillna("none").astype(str)
    sign = pd.Series(out.index.get_level_values("criterion")).map(
        {c.id: c.sign for c in cat.criteria}).to_numpy()
    up = out["spc_direction"].eq("up").to_numpy()
    down = out["spc_direction"].eq("down").to_numpy()
    better = (up & (sign > 0)) | (down & (sign < 0))
    worse = (up & (sign < 0)) | (down & (sign > 0))
    out["trend"] = np.where(out["spc_signal"] & better, "improving",
                            np.where(out["spc_signal"] & worse, "deteriorating", "stable"))
    out.loc[~out["spc_signal"], "spc_rule"] = ""
    return out.reset_index()[COLUMNS], monthly
