"""Trend per entity and criterion: change against the previous period and a year before, and SPC.

Previous-period and year-before values go through the same :func:`criterion_values` as the period
itself, so they too are sums over their windows divided. The monthly series of the last
``SPC_MONTHS`` months is charted (:func:`spc_signals`):

1. **The season is removed first**: each month's value is divided by the peer group's seasonal
   index for that calendar month (:func:`benchmark.stats.seasonal.peer_seasonal_index`, leave-one-
   out, by sums), so July dips and winter peaks that every peer shares are not special causes.
2. **Rare counts get a longer window and count limits**: a series with a zero numerator in at
   least ``SPARSE_SHARE`` of its months (few leavers a month) is summed into quarters (blocks of 3
   months ending at the period's last month), deseasonalised by calendar quarter, and charted on
   Laney's u′ chart (:func:`benchmark.stats.u_prime_signals`), where only the last quarter is
   current. Other series get the XmR chart (:func:`benchmark.stats.xmr_signals`) on the adjusted
   monthly values, the last 3 months current.

Columns of the trend table (SPEC §5 "Trend"; what the explanation may say):

- ``spc_signal``: a *current* special-cause signal (it involves the last 3 months);
- ``spc_rule``: the rule that fired (NHSRplotthedots' precedence), ``""`` without a signal;
- ``spc_direction``: ``up``/``down`` on the value scale, ``none`` without a signal;
- ``spc_chart``: ``xmr`` or ``u_prime_quarter`` (which chart the series got);
- ``trend``: ``improving``/``deteriorating`` only when there is a current signal **and** the value
  moved the same way against the previous period and against the same period a year before
  (``change_prev_period``, ``change_prev_year``; a missing comparison does not veto), judged by
  the criterion's direction; otherwise ``stable``. A signal against the direction of a change the
  text shows ("improving" beside a rising sick-leave rate) is no trend word. Trend words in
  leader-facing text must come from this column, never from ``spc_signal`` alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.periods import Period, month_from_index, month_index
from benchmark.scoring.aggregate import criterion_values, monthly_table
from benchmark.stats import u_prime_signals
from benchmark.stats.seasonal import MIN_PEERS, peer_seasonal_index
from benchmark.stats.spc import E2, xmr_arrays

SPC_MONTHS = 24
SPARSE_SHARE = 0.1  # share of months with a zero numerator from which a series counts as rare
COLUMNS = ["entity_id", "criterion", "value", "value_prev_period", "value_prev_year", "change_prev_period",
           "change_prev_year", "spc_signal", "spc_rule", "spc_direction", "spc_chart", "trend"]


def _values(ds, cat, period: Period, level: str) -> pd.Series:
    v = criterion_values(ds, cat, period, level)
    return v.set_index(["entity_id", "criterion"])["value"]


def series_months(ds, period: Period, n: int = SPC_MONTHS) -> tuple[str, ...]:
    last = month_index(period.last)
    wanted = tuple(month_from_index(i) for i in range(last - n + 1, last + 1))
    have = set(ds.months)
    return tuple(m for m in wanted if m in have)


def _pooled_dispersion(series, group, scope, num, den) -> np.ndarray:
    """φ = Var(z) of the u′ chart per row, pooled over the series of the peer group (of the
    criterion when the group has fewer than MIN_PEERS series): the mean of z² × n/(n − 1), with
    z = (u − ū)/√(ū/n) and ū each series' own rate."""
    n_s = int(series.max()) + 1
    ok = den > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        u_bar = (np.bincount(series, weights=np.where(ok, num, 0), minlength=n_s)
                 / np.bincount(series, weights=np.where(ok, den, 0), minlength=n_s))
        z2 = (num / den - u_bar[series]) ** 2 / (u_bar[series] / den)
    n_pts = np.bincount(series, weights=ok, minlength=n_s)
    use = ok & np.isfinite(z2) & (u_bar[series] > 0) & (n_pts[series] > 1)
    w = np.where(use, z2 * n_pts[series] / np.maximum(n_pts[series] - 1, 1), 0.0)

    def pooled(code):
        total = np.bincount(code, weights=w)
        count = np.bincount(code, weights=use)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total / count)[code]

    members = np.bincount(group[np.unique(series, return_index=True)[1]])
    enough = members[group] > MIN_PEERS
    return np.where(enough, pooled(group), pooled(scope))


def spc_signals(coded: pd.DataFrame, monthly: pd.DataFrame, keys: pd.DataFrame, peer_group: pd.Series,
                last_month: str) -> pd.DataFrame:
    """SPC per series: spc_signal, spc_rule, spc_direction, spc_chart, indexed by (entity_id, criterion).

    ``coded``/``monthly``/``keys`` are :func:`monthly_table`'s three frames (rows aligned);
    ``peer_group`` maps (entity_id, criterion) to the peer group the entity is scored in.
    """
    cols = ["spc_signal", "spc_rule", "spc_direction", "spc_chart"]
    if coded.empty:
        return pd.DataFrame(columns=cols, index=pd.MultiIndex.from_tuples([], names=["entity_id", "criterion"]))
    series = coded["series"].to_numpy(np.int64)
    num = monthly["numerator"].to_numpy(float)
    den = monthly["denominator"].to_numpy(float)
    codes, labels = pd.factorize(monthly["month"])
    m_idx = np.array([month_index(str(m)) for m in labels], dtype=np.int64)[codes]
    # codes per series: criterion (scope) and criterion × peer group (group)
    key_index = pd.MultiIndex.from_frame(keys[["entity_id", "criterion"]])
    peer = peer_group.reindex(key_index).fillna("").astype(str).to_numpy()
    scope_of = pd.factorize(keys["criterion"].to_numpy())[0]
    group_of = pd.factorize(pd.Series(keys["criterion"].to_numpy()) + "\x1f" + peer)[0]
    pos_of = np.full(int(max(keys.index.max(), series.max())) + 1, -1, dtype=np.int64)
    pos_of[keys.index.to_numpy(np.int64)] = np.arange(len(keys))
    s_pos = pos_of[series]  # row → position in keys
    scope, group = scope_of[s_pos], group_of[s_pos]
    compact = s_pos  # series codes 0..len(keys)−1

    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    zero_share = (np.bincount(compact, weights=ok & (num == 0), minlength=len(keys))
                  / np.maximum(np.bincount(compact, weights=ok, minlength=len(keys)), 1))
    # the peer group's calendar-month pattern, removed from every monthly value
    idx = np.ones(len(num))
    idx[ok] = peer_seasonal_index(compact[ok], group[ok], scope[ok], m_idx[ok] % 12, num[ok], den[ok], 12)
    v = np.where(ok, num / np.where(ok, den, 1.0) / idx, np.nan)
    # skewed: a non-negative series whose XmR lower limit would fall below zero (σ̂ > mean/3)
    # cannot be near-normal within its limits; like rare counts it goes to quarters
    in_order = bool(np.all(np.diff(compact) >= 0)) and bool(
        np.all((np.diff(m_idx) > 0) | (np.diff(compact) > 0)))  # monthly_table's rows usually are
    order = np.arange(len(v)) if in_order else np.lexsort((m_idx, compact))
    vs, cs = v[order], compact[order]
    prev = np.r_[np.nan, vs[:-1]]
    same = np.r_[False, cs[1:] == cs[:-1]]
    mr = np.where(same & np.isfinite(vs) & np.isfinite(prev), np.abs(vs - prev), np.nan)
    has = np.isfinite(mr)
    n_keys = len(keys)
    mr_bar = np.bincount(cs[has], weights=mr[has], minlength=n_keys) / np.maximum(
        np.bincount(cs[has], minlength=n_keys), 1)
    fin = np.isfinite(v)
    mean_v = np.bincount(compact[fin], weights=v[fin], minlength=n_keys) / np.maximum(
        np.bincount(compact[fin], minlength=n_keys), 1)
    nonneg = np.bincount(compact[fin], weights=v[fin] < 0, minlength=n_keys) == 0
    skewed = nonneg & (mean_v - E2 * mr_bar < 0)
    sparse = (zero_share >= SPARSE_SHARE) | skewed
    out = pd.DataFrame({"spc_signal": False, "spc_rule": "", "spc_direction": "none",
                        "spc_chart": np.where(sparse, "u_prime_quarter", "xmr")}, index=key_index)

    # monthly XmR on deseasonalised values
    rows = ok & ~sparse[compact]
    if rows.any():
        sel = order[rows[order]]  # rows sorted by series, then month
        s_sel = compact[sel]
        new_series = np.r_[True, s_sel[1:] != s_sel[:-1]]
        sig = xmr_arrays(np.cumsum(new_series) - 1, v[sel], recent=3)
        at = s_sel[new_series]
        out.iloc[at, 0] = sig["signal"].to_numpy()
        out.iloc[at, 1] = sig["rule"].to_numpy()
        out.iloc[at, 2] = sig["direction"].to_numpy()

    # rare counts: quarters ending at the last month, deseasonalised by calendar quarter, u′ chart
    rows = ok & sparse[compact]
    if rows.any():
        last = month_index(last_month)
        block = (last - m_idx[rows]) // 3
        code = compact[rows] * (int(block.max()) + 1) + block
        uniq, inv = np.unique(code, return_inverse=True)
        q_num = np.bincount(inv, weights=num[rows])
        q_den = np.bincount(inv, weights=den[rows])
        n_blocks = int(block.max()) + 1
        q_series, q_block = uniq // n_blocks, uniq % n_blocks
        q_season = (last - 3 * q_block) % 12
        idx = peer_seasonal_index(q_series, group_of[q_series], scope_of[q_series], q_season, q_num, q_den, 12)
        adj = q_num / idx
        phi = _pooled_dispersion(q_series, group_of[q_series], scope_of[q_series], adj, q_den)
        frame = pd.DataFrame({"series": q_series, "t": -q_block, "numerator": adj, "denominator": q_den,
                              "phi": phi})
        sig = u_prime_signals(frame, by=("series",), time="t", recent=1, dispersion="phi")
        at = sig["series"].to_numpy()
        out.iloc[at, 0] = sig["signal"].to_numpy()
        out.iloc[at, 1] = sig["rule"].to_numpy()
        out.iloc[at, 2] = sig["direction"].to_numpy()
    out["spc_signal"] = out["spc_signal"].astype(bool)
    return out


def trend_table(ds, cat, period: Period, level: str, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trend table, monthly series) for the entities and criteria in ``values``."""
    now = values.set_index(["entity_id", "criterion"])["value"]
    prev = _values(ds, cat, period.previous(), level)
    year = _values(ds, cat, period.year_before(), level)
    out = pd.DataFrame({"value": now})
    out["value_prev_period"] = prev.reindex(out.index)
    out["value_prev_year"] = year.reindex(out.index)
    out["change_prev_period"] = out["value"] - out["value_prev_period"]
    out["change_prev_year"] = out["value"] - out["value_prev_year"]
    monthly, coded, keys = monthly_table(ds, cat, level, series_months(ds, period))
    if "peer_group" in values:
        peer = values.set_index(["entity_id", "criterion"])["peer_group"]
    else:
        peer = pd.Series(dtype=str)
    signals = spc_signals(coded, monthly, keys, peer, period.last)
    out["spc_signal"] = signals["spc_signal"].reindex(out.index).fillna(False).astype(bool)
    out["spc_rule"] = signals["spc_rule"].reindex(out.index).fillna("").astype(str)
    out["spc_direction"] = signals["spc_direction"].reindex(out.index).fillna("none").astype(str)
    out["spc_chart"] = signals["spc_chart"].reindex(out.index).fillna("").astype(str)
    sign = pd.Series(out.index.get_level_values("criterion")).map(
        {c.id: c.sign for c in cat.criteria}).to_numpy()
    # the value must have moved the signal's way against every comparison the reader may be shown
    # (a NaN comparison does not veto)
    year, prev = out["change_prev_year"].to_numpy(float), out["change_prev_period"].to_numpy(float)
    up = out["spc_direction"].eq("up").to_numpy() & ~(year <= 0) & ~(prev <= 0)
    down = out["spc_direction"].eq("down").to_numpy() & ~(year >= 0) & ~(prev >= 0)
    better = (up & (sign > 0)) | (down & (sign < 0))
    worse = (up & (sign < 0)) | (down & (sign > 0))
    out["trend"] = np.where(out["spc_signal"] & better, "improving",
                            np.where(out["spc_signal"] & worse, "deteriorating", "stable"))
    out.loc[~out["spc_signal"], "spc_rule"] = ""
    return out.reset_index()[COLUMNS], monthly
