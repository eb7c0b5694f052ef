"""Trend per entity and criterion: change against the previous period and a year before, and SPC.

Everything is computed from one set of dense arrays, criteria × entities × months, of the last
``SPC_MONTHS`` months' sums (:class:`Dense`, from :func:`monthly_cube`): the long monthly table
the result carries, the previous-period and year-before values (at unit level their window sums
divided, which is exactly :func:`criterion_values`' value; above unit level, where a productivity
index has a reference per window, :func:`criterion_values` itself), and the SPC of every series at
once (:func:`spc_matrix`, series as rows of a matrix):

1. **The season is removed first**: each month's value is divided by the peer group's seasonal
   index for that calendar month (:func:`benchmark.stats.seasonal.peer_seasonal_matrix`, leave-
   one-out, by sums), so July dips and winter peaks that every peer shares are not special causes.
2. **Rare counts get a longer window and count limits**: a series with a zero numerator in at
   least ``SPARSE_SHARE`` of its months (few leavers a month), or too skewed for the XmR chart, is
   summed into quarters (blocks of 3 months ending at the period's last month), deseasonalised by
   calendar quarter, and charted on Laney's u′ chart (:func:`benchmark.stats.spc.u_prime_matrix`),
   where only the last quarter is current. Other series get the XmR chart
   (:func:`benchmark.stats.spc.xmr_matrix`) on the adjusted monthly values, the last 3 months
   current.
3. **Autocorrelated months are allowed for**: real monthly series are positively autocorrelated
   (a busy month is followed by a busy month), which makes XmR limits from the moving range too
   narrow and runs too long. Per peer group the median bias-corrected lag-1 autocorrelation ρ of
   the adjusted series (:func:`pooled_autocorrelation`) widens the limits to mR̄/(d₂√(1 − ρ)) and
   the run and trend rules read the AR(1) residuals; with ρ = 0 this is the plain chart.

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

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from benchmark.periods import Period, month_from_index, month_index
from benchmark.scoring.aggregate import criterion_values, monthly_cube
from benchmark.stats.seasonal import MIN_PEERS, peer_seasonal_matrix
from benchmark.stats.spc import (
    CHUNK_ROWS,
    DIRECTIONS,
    E2,
    RULE_NAMES,
    lag1_autocorrelation,
    pack,
    u_prime_matrix,
    xmr_matrix,
)

SPC_MONTHS = 24
SPARSE_SHARE = 0.1  # share of months with a zero numerator from which a series counts as rare
RHO_MAX = 0.8  # the pooled lag-1 autocorrelation is capped here (beyond it no AR(1) chart is sound)
AUTOCORRELATION = True  # chart AR(1) residuals with the peer group's pooled ρ (False: plain XmR)
COLUMNS = [
    "entity_id",
    "criterion",
    "value",
    "value_prev_period",
    "value_prev_year",
    "change_prev_period",
    "change_prev_year",
    "spc_signal",
    "spc_rule",
    "spc_direction",
    "spc_chart",
    "trend",
]
SPC_COLUMNS = ["spc_signal", "spc_rule", "spc_direction", "spc_chart"]
CHARTS = ("xmr", "u_prime_quarter")  # chart_code → spc_chart


def series_months(
    ds, period: Period, n: int = SPC_MONTHS, have: set[str] | None = None
) -> tuple[str, ...]:
    """The last ``n`` months up to the period's last that the data hold (``have``: ``set(ds.months)``
    when the caller has it)."""
    last = month_index(period.last)
    wanted = tuple(month_from_index(i) for i in range(last - n + 1, last + 1))
    have = set(ds.months) if have is None else have
    return tuple(m for m in wanted if m in have)


# --- the monthly sums, dense: criteria × entities × months ----------------------------------------


@dataclass
class Dense:
    """Monthly sums of every monthly-sourced criterion of a level (``monthly_arrays``, stacked)."""

    criteria: list  # the criteria with arrays (a criterion whose column is missing has none)
    ids: pd.Index  # entity ids, sorted (the order of ``monthly_arrays``)
    months: tuple[str, ...]
    numerator: np.ndarray  # C × E × M, NaN where no row
    denominator: np.ndarray
    count: np.ndarray  # rows summed per cell
    held: set[str] | None = None  # every month of the dataset (``set(ds.months)``), when known

    @classmethod
    def build(
        cls, ds, cat, level: str, months: tuple[str, ...], held: set[str] | None = None
    ) -> Dense:
        months = tuple(sorted(months))
        crits = [c for c in cat.criteria if level in c.levels and c.source == "monthly"]
        ids, kept, num, den, count = monthly_cube(ds, crits, level, months)
        return cls(kept, ids, months, num, den, count, held)

    @functools.cached_property
    def single(self) -> bool:
        """At most one row per cell (units by month)."""
        return bool((self.count <= 1).all())

    @functools.cached_property
    def valid(self) -> np.ndarray:
        """Cells with exactly one row and both sums known (what a window sum adds)."""
        return (self.count == 1) & np.isfinite(self.numerator) & np.isfinite(self.denominator)

    def long(self) -> pd.DataFrame:
        """The long monthly table of :func:`benchmark.scoring.aggregate.monthly_table` (rows by
        criterion, entity, month; cells with at least one row).

        Built criterion by criterion as Arrow chunks: a criterion with every cell (every entity
        has every month) reuses one entity chunk and one month chunk taken once for all of them,
        the others get their own take; the criterion column is one constant chunk per criterion.
        That is the same table as one 2-million-row take per text column, at a fraction of the work.
        """
        n_c, n_e, n_m = self.count.shape
        present = (self.count > 0).reshape(n_c, n_e * n_m)
        months = pd.Index(self.months, dtype=str)
        full: dict[str, object] = {}
        entity, month, numerator, denominator, sizes = [], [], [], [], []
        for c in range(n_c):  # a loop over criteria
            num, den = self.numerator[c].reshape(n_e * n_m), self.denominator[c].reshape(n_e * n_m)
            if present[c].all():
                if not full:
                    e, m = np.divmod(np.arange(n_e * n_m), n_m)
                    full = {
                        "e": pa.array(self.ids.take(e).array),
                        "m": pa.array(months.take(m).array),
                    }
                entity.append(full["e"])
                month.append(full["m"])
            else:
                cell = np.flatnonzero(present[c])
                e, m = np.divmod(cell, n_m)
                entity.append(pa.array(self.ids.take(e).array))
                month.append(pa.array(months.take(m).array))
                num, den = num[cell], den[cell]
            numerator.append(num)
            denominator.append(den)
            sizes.append(len(num))
        numerator = np.concatenate(numerator) if n_c else np.zeros(0)
        denominator = np.concatenate(denominator) if n_c else np.zeros(0)
        with np.errstate(invalid="ignore", divide="ignore"):
            value = numerator / np.where(denominator > 0, denominator, np.nan)
        return pd.DataFrame(
            {
                "entity_id": _chunked(entity),
                "criterion": _constant_chunks([k.id for k in self.criteria], sizes),
                "month": _chunked(month),
                "numerator": numerator,
                "denominator": denominator,
                "value": value,
            },
            copy=False,
        )

    def window_values(self, ds, period: Period) -> np.ndarray | None:
        """C × E values of ``period`` by the sums of its months (= :func:`criterion_values`' value),
        or None where that would not be exact: above unit level (a productivity index whose
        reference is per window; cells summing several units whose missing values may differ),
        or a window reaching before the months held."""
        if not self.single:
            return None
        held = {m: i for i, m in enumerate(self.months)}
        have = set(ds.months) if self.held is None else self.held
        out = np.full(self.count.shape[:2], np.nan)
        valid = self.valid
        for c, crit in enumerate(
            self.criteria
        ):  # a loop over criteria, each vectorised over entities
            window = [m for m in period.window(crit.window) if m in have]
            if any(m not in held for m in window):
                return None
            cols = sorted(held[m] for m in window)
            num = np.zeros(len(self.ids))
            den = np.zeros(len(self.ids))
            n_valid = np.zeros(len(self.ids), dtype=np.int64)
            for j in cols:  # month by month, in month order: the same sums as a pass over the rows
                ok = valid[c, :, j]
                num += np.where(ok, self.numerator[c, :, j], 0.0)
                den += np.where(ok, self.denominator[c, :, j], 0.0)
                n_valid += ok
            min_size = float(crit.min_denominator or 0.0)
            scored = (n_valid > 0) & (den != 0) & ~(den < min_size)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[c] = np.where(scored, num / np.where(scored, den, 1.0), np.nan)
        return out


_TEXT = pd.array([""], dtype=str).dtype  # the text dtype of every table (Arrow large strings)


def _text(labels, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A text column of ``labels[codes]`` (one Arrow take)."""
    return pd.array(np.asarray(labels, dtype=object), dtype=_TEXT).take(
        np.asarray(codes, dtype=np.int64)
    )


def _chunked(chunks: list) -> pd.api.extensions.ExtensionArray:
    """A text column made of Arrow chunks as they are (no copy)."""
    return pd.array(pa.chunked_array(chunks, type=pa.large_string()), dtype=_TEXT)


def _constant_chunks(labels: list[str], sizes: list[int]) -> pd.api.extensions.ExtensionArray:
    """Each label repeated its size times, one after the other: per label one Arrow chunk written
    directly (its offsets a range, its bytes the label repeated), not a gather of every row."""
    chunks = []
    for label, n in zip(labels, sizes, strict=True):  # a loop over criteria
        raw = label.encode()
        offsets = np.arange(n + 1, dtype=np.int64) * len(raw)
        chunks.append(
            pa.Array.from_buffers(
                pa.large_string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw * n)]
            )
        )
    return _chunked(chunks)


# --- SPC on series as rows ------------------------------------------------------------------------


def _group_mean(x: np.ndarray, use: np.ndarray, code: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (
            np.bincount(code, weights=np.where(use, x, 0.0))
            / np.bincount(code, weights=use.astype(float))
        )[code]


def _group_median(x: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Median of the finite x per code, per row (NaN where none)."""
    n_codes = int(code.max()) + 1 if len(code) else 0
    fin = np.isfinite(x)
    xs, cs = x[fin], code[fin]
    # by code, then value: a sort of the values and a stable (radix) sort of their codes, which is
    # a lexsort's order up to ties of equal values (the same medians)
    by_value = np.argsort(xs)
    code_of = cs[by_value]
    if len(code_of) and int(code_of.max()) < np.iinfo(np.int16).max:
        code_of = code_of.astype(np.int16)
    order = by_value[np.argsort(code_of, kind="stable")]
    xs, cs = xs[order], cs[order]
    count = np.bincount(cs, minlength=n_codes)
    start = np.cumsum(count) - count
    med = np.full(n_codes, np.nan)
    has = count > 0
    lo = start[has] + (count[has] - 1) // 2
    hi = start[has] + count[has] // 2
    med[has] = (xs[lo] + xs[hi]) / 2
    return med[code]


def _members(code: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Number of present rows with the row's code, per row."""
    return np.bincount(code[present], minlength=int(code.max()) + 1 if len(code) else 0)[code]


def pooled_autocorrelation(
    x: np.ndarray, n: np.ndarray, group: np.ndarray, scope: np.ndarray
) -> np.ndarray:
    """ρ per row: the median of the bias-corrected lag-1 autocorrelations of the peer group's series
    (of the criterion's where fewer than MIN_PEERS + 1 series have one), in [0, RHO_MAX].

    Pooled because one series of 24 points estimates ρ with a s.d. of about 0,2; the median so
    that a few units with a real shift (whose r₁ is high) do not set their peers' ρ. Negative
    values are set to 0: negative autocorrelation makes the moving range too large, which errs
    towards fewer signals, and is left as it is.
    """
    r = lag1_autocorrelation(x, n)
    has = np.isfinite(r)
    rho = _group_median(r, group)
    few = _members(group, has) <= MIN_PEERS
    if few.any():  # only then is the criterion-wide median needed
        rho = np.where(few, _group_median(r, scope), rho)
    return np.clip(np.nan_to_num(rho, nan=0.0), 0.0, RHO_MAX)


def _pooled_dispersion(
    num: np.ndarray, den: np.ndarray, group: np.ndarray, scope: np.ndarray
) -> np.ndarray:
    """φ = Var(z) of the u′ chart per row, pooled over the series of the peer group (of the
    criterion when the group has at most MIN_PEERS series): the mean of z² × n/(n − 1), with
    z = (u − ū)/√(ū/n) and ū each series' own rate. Rows are series, columns quarters (NaN: none)."""
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        u_bar = np.where(ok, num, 0).sum(axis=1) / np.where(ok, den, 0).sum(axis=1)
        z2 = (num / den - u_bar[:, None]) ** 2 / (u_bar[:, None] / den)
    n_pts = ok.sum(axis=1)
    use = ok & np.isfinite(z2) & (u_bar > 0)[:, None] & (n_pts > 1)[:, None]
    w = np.where(use, z2 * (n_pts / np.maximum(n_pts - 1, 1))[:, None], 0.0).sum(axis=1)
    count = use.sum(axis=1).astype(float)

    def pooled(code):
        with np.errstate(invalid="ignore", divide="ignore"):
            return (np.bincount(code, weights=w) / np.bincount(code, weights=count))[code]

    enough = _members(group, ok.any(axis=1)) > MIN_PEERS
    return np.where(enough, pooled(group), pooled(scope))


def _deseasonalised(num: np.ndarray, den: np.ndarray, idx: np.ndarray):
    """(valid cells, points per row, valid months per row, the deseasonalised values packed, rare or
    skewed) of some series: what :func:`spc_matrix` needs before it picks each row's chart."""
    ok = np.isfinite(num) & np.isfinite(den) & (den > 0)
    complete = bool(ok.all())  # the common case: no mask needed below
    n_ok = ok.sum(axis=1)
    zero_share = ((num == 0) if complete else (ok & (num == 0))).sum(axis=1) / np.maximum(n_ok, 1)
    if complete:
        v = num / den / idx
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(ok, num / np.where(ok, den, 1.0) / idx, np.nan)
    n, (vp,) = pack(ok, v)
    # skewed: a non-negative series whose XmR lower limit would fall below zero (σ̂ > mean/3)
    # cannot be near-normal within its limits; like rare counts it goes to quarters
    mr = np.abs(np.diff(vp, axis=1))
    if complete:
        mr_bar = mr.sum(axis=1) / max(mr.shape[1], 1)
        mean_v = vp.sum(axis=1) / max(vp.shape[1], 1)
        nonneg = ~(vp < 0).any(axis=1)
    else:
        has_mr = np.isfinite(mr)
        mr_bar = np.where(has_mr, mr, 0.0).sum(axis=1) / np.maximum(has_mr.sum(axis=1), 1)
        fin = np.isfinite(vp)
        mean_v = np.where(fin, vp, 0.0).sum(axis=1) / np.maximum(fin.sum(axis=1), 1)
        nonneg = ~(fin & (vp < 0)).any(axis=1)
    skewed = nonneg & (mean_v - E2 * mr_bar < 0)
    return ok, n, n_ok, vp, (zero_share >= SPARSE_SHARE) | skewed


def spc_matrix(
    num: np.ndarray,
    den: np.ndarray,
    month: np.ndarray,
    group: np.ndarray,
    scope: np.ndarray,
    last_month: int,
) -> dict[str, np.ndarray]:
    """SPC of every series (rows of S × M monthly sums; ``month`` the month index of each column,
    ascending; ``group`` = criterion × peer group and ``scope`` = criterion codes per row): per
    row signal, rule, direction, chart (see the module docstring)."""
    n_rows = num.shape[0]
    out = {
        "signal": np.zeros(n_rows, dtype=bool),
        "rule": np.full(n_rows, "", dtype=object),
        "direction": np.full(n_rows, "none", dtype=object),
        "rule_code": np.zeros(n_rows, dtype=np.int64),
        "direction_code": np.zeros(n_rows, dtype=np.int64),
    }
    if not n_rows:
        out["chart"] = np.zeros(0, dtype=object)
        out["chart_code"] = np.zeros(0, dtype=np.int64)
        return out
    # the peer group's calendar-month pattern, removed from every monthly value (its sums skip the
    # cells without a finite numerator and a positive denominator by themselves)
    idx = peer_seasonal_matrix(num, den, month % 12, group, scope, 12)
    ok = np.empty(num.shape, dtype=bool)
    n = np.empty(n_rows, dtype=np.int64)
    n_ok = np.empty(n_rows, dtype=np.int64)
    vp = np.empty(num.shape)
    sparse = np.empty(n_rows, dtype=bool)
    for lo in range(0, n_rows, CHUNK_ROWS):  # row by row in blocks (cache-sized; the same figures)
        b = slice(lo, lo + CHUNK_ROWS)
        ok[b], n[b], n_ok[b], vp[b], sparse[b] = _deseasonalised(num[b], den[b], idx[b])
    out["chart_code"] = sparse.astype(np.int64)  # a code into CHARTS
    out["chart"] = np.asarray(CHARTS, dtype=object)[out["chart_code"]]

    # monthly XmR on deseasonalised values (AR(1) residuals where the peers' months are autocorrelated)
    rows = np.flatnonzero(~sparse)
    if len(rows):
        x, nx = vp[rows], n[rows]
        rho = pooled_autocorrelation(x, nx, group[rows], scope[rows]) if AUTOCORRELATION else None
        sig = xmr_matrix(x, nx, recent=3, rho=rho)
        for k in ("signal", "rule", "direction", "rule_code", "direction_code"):
            out[k][rows] = sig[k]

    # rare counts: quarters ending at the last month, deseasonalised by calendar quarter, u′ chart
    rows = np.flatnonzero(sparse & (n_ok > 0))
    if len(rows):
        r_ok = ok[rows]
        block = (last_month - month) // 3  # per column; 0 = the quarter ending at the last month
        starts = np.flatnonzero(
            np.r_[True, block[1:] != block[:-1]]
        )  # columns ascend: runs of a block
        q_block = block[starts]
        q_num = np.add.reduceat(np.where(r_ok, num[rows], 0.0), starts, axis=1)
        q_den = np.add.reduceat(np.where(r_ok, den[rows], 0.0), starts, axis=1)
        q_has = np.add.reduceat(r_ok.astype(np.int64), starts, axis=1) > 0
        q_num, q_den = np.where(q_has, q_num, np.nan), np.where(q_has, q_den, np.nan)
        q_season = (last_month - 3 * q_block) % 12
        g, sc = group[rows], scope[rows]
        q_idx = peer_seasonal_matrix(q_num, q_den, q_season, g, sc, 12)
        adj = q_num / q_idx
        phi = _pooled_dispersion(adj, q_den, g, sc)
        sig = u_prime_matrix(adj, q_den, phi, recent=1)
        for k in ("signal", "rule", "direction", "rule_code", "direction_code"):
            out[k][rows] = sig[k]
    return out


def _codes(criterion_code: np.ndarray, peer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group, scope) codes per series: criterion × peer group, and criterion."""
    group = pd.factorize(criterion_code.astype(np.int64) * (int(peer.max(initial=0)) + 1) + peer)[0]
    return group, pd.factorize(criterion_code)[0]


def spc_signals(
    coded: pd.DataFrame,
    monthly: pd.DataFrame,
    keys: pd.DataFrame,
    peer_group: pd.Series,
    last_month: str,
) -> pd.DataFrame:
    """SPC per series: spc_signal, spc_rule, spc_direction, spc_chart, indexed by (entity_id, criterion).

    ``coded``/``monthly``/``keys`` are :func:`monthly_table`'s three frames (rows aligned);
    ``peer_group`` maps (entity_id, criterion) to the peer group the entity is scored in. The
    long-table face of :func:`spc_matrix` (which :func:`trend_table` calls on its dense arrays).
    """
    if coded.empty:
        return pd.DataFrame(
            columns=SPC_COLUMNS,
            index=pd.MultiIndex.from_tuples([], names=["entity_id", "criterion"]),
        )
    key_index = pd.MultiIndex.from_frame(keys[["entity_id", "criterion"]])
    pos = pd.Index(keys.index).get_indexer(coded["series"].to_numpy())
    m_codes, m_labels = pd.factorize(monthly["month"])
    label_idx = np.array([month_index(str(m)) for m in m_labels], dtype=np.int64)
    months = np.unique(label_idx)
    col = np.searchsorted(months, label_idx[m_codes])
    num = np.full((len(keys), len(months)), np.nan)
    den = np.full((len(keys), len(months)), np.nan)
    num[pos, col] = monthly["numerator"].to_numpy(float)
    den[pos, col] = monthly["denominator"].to_numpy(float)
    peer = pd.factorize(peer_group.reindex(key_index).fillna("").astype(str).to_numpy())[0]
    group, scope = _codes(pd.factorize(keys["criterion"].to_numpy())[0], peer)
    sig = spc_matrix(num, den, months, group, scope, month_index(last_month))
    return pd.DataFrame(
        {
            "spc_signal": sig["signal"].astype(bool),
            "spc_rule": sig["rule"].astype(str),
            "spc_direction": sig["direction"].astype(str),
            "spc_chart": sig["chart"].astype(str),
        },
        index=key_index,
    )


# --- the trend table ------------------------------------------------------------------------------


def _period_values(
    ds,
    cat,
    dense: Dense,
    period: Period,
    level: str,
    crit_pos: np.ndarray,
    ent_pos: np.ndarray,
    values: pd.DataFrame,
) -> np.ndarray:
    """The value of every row of ``values`` in ``period``: from the dense monthly sums where that is
    exact (unit level), else by :func:`criterion_values`."""
    table = dense.window_values(ds, period) if level == "unit" else None
    if table is not None:
        inside = (crit_pos >= 0) & (ent_pos >= 0)
        out = np.full(len(crit_pos), np.nan)
        out[inside] = table[crit_pos[inside], ent_pos[inside]]
        return out
    v = criterion_values(ds, cat, period, level).set_index(["entity_id", "criterion"])["value"]
    return v.reindex(pd.MultiIndex.from_frame(values[["entity_id", "criterion"]])).to_numpy(float)


def _lookup(index: pd.Index, labels, codes: np.ndarray) -> np.ndarray:
    """``index.get_indexer`` of the values ``labels[codes]`` (−1 for a missing code or label):
    the distinct labels are looked up, not every row."""
    where = np.asarray(index.get_indexer(labels), dtype=np.int64)
    codes = np.asarray(codes, dtype=np.int64)
    return (
        np.where(codes >= 0, where[np.maximum(codes, 0)], -1)
        if len(where)
        else np.full(len(codes), -1)
    )


def trend_table(
    ds, cat, period: Period, level: str, values: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(trend table, monthly series) for the entities and criteria in ``values``."""
    have = set(ds.months)  # once (each ds.months is a pass over the monthly table)
    months = series_months(ds, period, have=have)
    dense = Dense.build(ds, cat, level, months, held=have)
    monthly = dense.long()
    crit_ids = [c.id for c in dense.criteria]
    crit_code, crit_labels = pd.factorize(
        values["criterion"]
    )  # the few distinct ids, looked up once
    crit_pos = _lookup(pd.Index(crit_ids, dtype=object), crit_labels, crit_code)
    ent_pos = _lookup(dense.ids, *pd.factorize(values["entity_id"])[::-1])
    now = values["value"].to_numpy(float)
    prev = _period_values(ds, cat, dense, period.previous(), level, crit_pos, ent_pos, values)
    year = _period_values(ds, cat, dense, period.year_before(), level, crit_pos, ent_pos, values)
    out = pd.DataFrame(
        {
            "entity_id": values["entity_id"].reset_index(drop=True),
            "criterion": values["criterion"].reset_index(drop=True),
            "value": now,
            "value_prev_period": prev,
            "value_prev_year": year,
            "change_prev_period": now - prev,
            "change_prev_year": now - year,
        }
    )

    # SPC: one row per criterion × entity with at least one monthly row
    present = dense.count.sum(axis=2) > 0
    s_crit, s_ent = np.nonzero(present)
    series_of = np.full(present.shape, -1, dtype=np.int64)
    series_of[s_crit, s_ent] = np.arange(len(s_crit))
    peer_code = np.zeros(present.shape, dtype=np.int64)
    inside = (crit_pos >= 0) & (ent_pos >= 0)
    if "peer_group" in values:
        codes = pd.factorize(values["peer_group"].fillna("").astype(str))[0]  # by first appearance
        peer_code[crit_pos[inside], ent_pos[inside]] = codes[inside] + 1  # 0: no peer group given
    group, scope = _codes(s_crit, peer_code[s_crit, s_ent])
    m_idx = np.array([month_index(m) for m in dense.months], dtype=np.int64)
    rows = present.ravel()  # the series' rows of the C·E × M arrays, in the order of np.nonzero
    n_rows, n_m = present.size, dense.numerator.shape[2]
    sig = spc_matrix(
        dense.numerator.reshape(n_rows, n_m)[rows],
        dense.denominator.reshape(n_rows, n_m)[rows],
        m_idx,
        group,
        scope,
        month_index(period.last),
    )
    row_series = np.full(len(out), -1, dtype=np.int64)
    row_series[inside] = series_of[crit_pos[inside], ent_pos[inside]]
    has = row_series >= 0
    at = np.maximum(row_series, 0)
    # the text columns from integer codes (one Arrow take each, no Python strings per row)
    n_s = len(s_crit)
    signal = has & sig["signal"][at] if n_s else np.zeros(len(out), bool)
    direction = np.where(has, sig["direction_code"][at], 0) if n_s else np.zeros(len(out), np.int64)
    out["spc_signal"] = signal.astype(bool)
    out["spc_rule"] = _text(
        RULE_NAMES, np.where(signal, sig["rule_code"][at], 0) if n_s else direction
    )
    out["spc_direction"] = _text(DIRECTIONS, direction)
    out["spc_chart"] = _text(
        ("", *CHARTS), np.where(has, sig["chart_code"][at] + 1, 0) if n_s else direction
    )

    # the value must have moved the signal's way against every comparison the reader may be shown
    # (a NaN comparison does not veto)
    all_ids = pd.Index([c.id for c in cat.criteria], dtype=object)
    signs = np.array([c.sign for c in cat.criteria] + [np.nan], dtype=float)
    sign = signs[_lookup(all_ids, crit_labels, crit_code)]  # −1 (not in cat) → NaN
    y, p = out["change_prev_year"].to_numpy(float), out["change_prev_period"].to_numpy(float)
    up = (direction == DIRECTIONS.index("up")) & ~(y <= 0) & ~(p <= 0)
    down = (direction == DIRECTIONS.index("down")) & ~(y >= 0) & ~(p >= 0)
    better = (up & (sign > 0)) | (down & (sign < 0))
    worse = (up & (sign < 0)) | (down & (sign > 0))
    out["trend"] = _text(
        ("stable", "improving", "deteriorating"),
        np.where(signal & better, 1, np.where(signal & worse, 2, 0)),
    )
    return out[COLUMNS].reset_index(drop=True), monthly
