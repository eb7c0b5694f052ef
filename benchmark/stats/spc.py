"""Statistical-process-control signals on monthly series: XmR charts and Laney's u′ chart.

Why: a leader should react to special-cause variation, not to every wiggle. The XmR (individuals)
chart (Wheeler & Chambers 1992) puts the centre at the series mean and the natural process limits
at mean ± 2.66·mR̄, where mR̄ is the mean absolute moving range and 2.66 = 3/d₂ with d₂ = 1.128 (the
expected range of two normal observations in units of σ), so σ̂ = mR̄/1.128. Before the limits,
moving ranges of at least 3.267·mR̄ (D₄, the upper range limit) are screened out and mR̄ is taken
again, so one jump does not widen the limits (NHSRplotthedots' default ``screen_outliers = TRUE``).

The rules are NHS England's "Making Data Count" as implemented by NHSRplotthedots
(``ptd_calculate_point_type.R``), in its order of precedence:

- ``beyond_limits``: a point above the upper or below the lower process limit;
- ``trend_of_7``: 7 consecutive points each higher (or each lower) than the previous one (an equal
  pair breaks it; ``ptd_seven_point_trend``);
- ``two_of_three``: 2 of 3 consecutive points *close to a limit* — beyond 2σ (2/3 of the way to a
  limit) but not beyond the limit — with all three on the same side of the centre
  (``ptd_two_in_three``: a point beyond the limit is not "close" and does not count);
- ``run_of_7``: 7 or more consecutive points on one side of the centre (a point on the centre
  breaks the run).

A pattern counts as a *current* signal only when one of the points it marks is among the last
``recent`` points of the series: a shift two years ago is history, not news. The reported rule is
the first that fired in the order above; ``rules`` lists each rule that fired once; ``direction``
is that of the rule's latest marked point, on the value scale (up = higher values; whether up is
good is the criterion's business).

Autocorrelated months (``rho`` in :func:`xmr_matrix`): for an AR(1) series the mean moving range
is σ·√(1 − ρ)·d₂, so the plain limits are too narrow by √(1 − ρ), and runs and trends are longer
than for independent points. The level rules (beyond_limits, two_of_three) are then judged against
limits from σ̂ = mR̄/(d₂√(1 − ρ)), the sequence rules (trend_of_7, run_of_7) on the AR(1)
residuals (:func:`prewhiten`; Alwan & Roberts 1988). On 24 points with the last 3 current this
keeps the four rules' false-alarm rate at the 3,8 % of independent points for ρ up to 0,5, where
the plain chart gives 11 % at ρ = 0,3, and keeps most of the power for sustained shifts (the
residuals alone see a shift at only (1 − ρ) of its size).

Computation: every series is a row of a matrix, its points packed to the left (:func:`pack`);
shifts are slices, runs and trends of 7 are found by windows of 7 points, and the rules are
evaluated only on the last ``recent`` + 7 points, the most a pattern touching the current points
can span. No loop over series (rows are charted in cache-sized blocks). :func:`xmr_signals` and :func:`u_prime_signals` are the long-table faces of
:func:`xmr_matrix` and :func:`u_prime_matrix`.

Rare counts (few events per month, e.g. leavers) break the XmR chart: mostly-zero months make runs
below the centre and single events look like outliers. :func:`u_prime_signals` charts them as
Laney's u′ chart (Laney 2002, "Improved control charts for attributes", Quality Engineering 14:531):
z_t = (u_t − ū)/√(ū/n_t) for rate u_t = numerator/denominator with ū = Σ numerator/Σ denominator,
and the XmR rules applied to z with σ_z = mR̄(z)/1.128, i.e. limits ū ± 3σ_z√(ū/n_t). For Poisson
counts σ_z ≈ 1 (the u-chart); σ_z absorbs overdispersion and any constant factor in the numerator
(leavers × 12). The caller aggregates such series to quarters first (a longer window,
:mod:`benchmark.scoring.trend`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import gammainc, gammaincc

D2 = 1.128  # E[range of 2 normals]/σ
E2 = 3.0 / D2  # ≈ 2.66: limits = mean ± E2 · mR̄
D4 = 3.267  # upper limit of a moving range of 2, in units of mR̄: larger ranges are screened out
RULES = ("beyond_limits", "trend_of_7", "two_of_three", "run_of_7")  # NHSRplotthedots' precedence
SHIFT = 7  # points on one side of the centre
TREND = 7  # points rising or falling
CLOSE = 2.0  # "close to a limit": beyond CLOSE·σ
TAIL3, TAIL2 = 0.00135, 0.02275  # one-sided normal tails beyond 3σ and 2σ
TOL = 1e-9  # relative: a point this close to the centre is on it (a constant series has no side)
CHUNK_ROWS = (
    8192  # series charted at a time (rows are independent; a block's temporaries fit in cache)
)


# --- series as rows of a matrix ---------------------------------------------------------------------
# Every function below works on S × T arrays: one row per series, one column per point in time,
# the series' points packed to the left (column 0 is its first point, n its number of points, the
# cells from n on are padding). Shifts along a row and windows are then slices over the whole
# matrix (or a block of its rows) at once, with no per-series loop and no sort.


def pack(valid: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """(n per row, arrays with each row's ``valid`` cells moved to the left in time order).

    A series with a missing month is charted on its remaining points as consecutive points (the
    moving range spans the gap), as NHSRplotthedots does with the rows it is given. Only rows
    with a gap are reordered; cells from n on are NaN (float) or False (bool).
    """
    valid = np.asarray(valid, dtype=bool)
    n = valid.sum(axis=1)
    if valid.all():  # the common case: every series complete
        return n, arrays
    inside = _inside(n, valid.shape[1])
    gap = np.flatnonzero((valid != inside).any(axis=1))  # rows whose valid cells are not a prefix
    out = []
    for a in arrays:
        p = np.array(a, copy=True)
        if len(gap):
            order = np.argsort(~valid[gap], axis=1, kind="stable")
            p[gap] = np.take_along_axis(p[gap], order, axis=1)
        if p.dtype.kind == "f":
            p[~inside] = np.nan
        elif p.dtype == bool:
            p &= inside
        out.append(p)
    return n, tuple(out)


def _last(x: np.ndarray, n: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The last ``k`` points of each packed row, packed (a row with fewer keeps all), and their n."""
    width = x.shape[1]
    if width <= k:
        return x, n
    if (n == width).all():
        return x[:, width - k :], np.full(len(n), k)
    start = np.maximum(n - k, 0)
    pos = np.minimum(start[:, None] + np.arange(k)[None, :], width - 1)
    m = np.minimum(n, k)
    return np.where(_inside(m, k), np.take_along_axis(x, pos, axis=1), np.nan), m


def _inside(n: np.ndarray, width: int) -> np.ndarray:
    return np.arange(width)[None, :] < np.asarray(n)[:, None]


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """a shifted k columns to the right (k > 0: the value k points earlier) or left; False outside."""
    out = np.zeros(a.shape, dtype=bool)
    if k > 0:
        out[:, k:] = a[:, :-k]
    elif k < 0:
        out[:, :k] = a[:, -k:]
    else:
        out[:] = a
    return out


def _in_long_run(state: np.ndarray, length: int) -> np.ndarray:
    """Whether each cell is in a run of at least ``length`` equal non-zero ``state`` within its
    row, by windows: a cell is in a run of at least ``length``
    equal non-zero states when some window of ``length`` cells around it is one such run. The
    rules read only the last few points, so there are few windows, each a handful of vector ops
    (run lengths of every cell by running maxima and minima cost five times as much)."""
    width = state.shape[1]
    if length <= 1:
        return state != 0 if length == 1 else np.ones(state.shape, dtype=bool)
    out = np.zeros(state.shape, dtype=bool)
    n_win = width - length + 1
    if n_win <= 0:
        return out
    same = state[:, 1:] == state[:, :-1]  # same[:, t]: cells t and t + 1 equal
    run = state[:, :n_win] != 0  # run[:, w]: the window of cells w … w + length − 1 is a run
    for i in range(length - 1):
        run &= same[:, i : i + n_win]
    for i in range(length):  # every cell of a run window is in a long run
        out[:, i : i + n_win] |= run
    return out


def _full(n: np.ndarray, width: int) -> bool:
    """Every row has all ``width`` points (no mask needed)."""
    return len(n) == 0 or int(np.min(n)) == width


def _row_mean(x: np.ndarray, use: np.ndarray | None) -> np.ndarray:
    """Mean of x over the cells of each row where ``use`` (NaN where none; None: all cells)."""
    if use is None:
        return x.sum(axis=1) / x.shape[1] if x.shape[1] else np.full(x.shape[0], np.nan)
    count = use.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(use, x, 0.0).sum(axis=1) / np.where(count > 0, count, np.nan)


def moving_range_sigma(x: np.ndarray, n: np.ndarray, screen: bool = True) -> np.ndarray:
    """σ̂ = mR̄/d₂ per row of packed ``x``, with moving ranges ≥ D₄·mR̄ screened out first."""
    mr = np.abs(np.diff(x, axis=1))
    if _full(n, x.shape[1]) and x.shape[1] > 1:
        mr_bar = _row_mean(mr, None)
        if screen:
            keep = mr < D4 * mr_bar[:, None]
            with np.errstate(invalid="ignore", divide="ignore"):
                screened = np.where(keep, mr, 0.0).sum(axis=1) / keep.sum(axis=1)
            mr_bar = np.where(np.isfinite(screened), screened, mr_bar)
        return mr_bar / D2
    has = _inside(np.maximum(n - 1, 0), x.shape[1] - 1) & np.isfinite(mr)
    mr_bar = _row_mean(mr, has)
    if screen:
        screened = _row_mean(mr, has & (mr < D4 * mr_bar[:, None]))
        mr_bar = np.where(np.isfinite(screened), screened, mr_bar)
    return mr_bar / D2


def lag1_autocorrelation(x: np.ndarray, n: np.ndarray, min_points: int = 8) -> np.ndarray:
    """Lag-1 autocorrelation per row of packed ``x``, corrected for its small-sample bias.

    r₁ = Σ(x_t − x̄)(x_{t−1} − x̄)/Σ(x_t − x̄)² is biased low in a short series: for AR(1) with
    coefficient ρ, E r₁ ≈ ρ − (1 + 3ρ)/n (Marriott & Pope 1954, Biometrika 41:390), −0,04 at n = 24
    for independent points. The returned (n·r₁ + 1)/(n − 3) is unbiased to that order. NaN for
    rows with fewer than ``min_points`` points or no variation. One series' estimate is too noisy
    to use (s.d. ≈ 0,2 at n = 24): callers pool it over peers.
    """
    full = _full(n, x.shape[1])
    inside = None if full else _inside(n, x.shape[1])
    centre = _row_mean(x, inside)
    d = x - centre[:, None] if full else np.where(inside, x - centre[:, None], 0.0)
    ss = np.einsum("ij,ij->i", d, d)
    cross = np.einsum("ij,ij->i", d[:, 1:], d[:, :-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        r1 = cross / ss
        rho = (n * r1 + 1) / (n - 3)
    return np.where((n >= min_points) & (ss > 0), rho, np.nan)


def prewhiten(x: np.ndarray, n: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """The AR(1) residuals as chart points: x̄ + (x_t − x̄) − ρ(x_{t−1} − x̄), the first point
    x̄ + √(1 − ρ²)(x_1 − x̄) (Prais–Winsten), per row of packed ``x`` with its own ρ.

    Positive autocorrelation makes runs on one side of the centre and rising or falling stretches
    longer than for independent points, so the sequence rules fire too often (Wheeler's XmR
    assumes independent points). The one-step residuals of the fitted AR(1) are independent
    (Alwan & Roberts 1988, "Time-series modeling for statistical process control", J. Business &
    Economic Statistics 6:87; Montgomery, *Introduction to Statistical Quality Control*, §10.4),
    and the run and trend rules keep their nominal rate on them. A sustained shift shows in them
    at (1 − ρ) of its size after its first month, which is why the level rules stay on the values.
    ρ = 0 leaves the series unchanged.
    """
    full = _full(n, x.shape[1])
    inside = None if full else _inside(n, x.shape[1])
    rho = np.asarray(rho, dtype=float)
    centre = _row_mean(x, inside)
    out = np.empty_like(x)
    if x.shape[1]:  # x̄ + √(1 − ρ²)(x₁ − x̄), exactly x₁ where ρ = 0
        out[:, 0] = np.where(rho == 0, x[:, 0], centre + np.sqrt(1 - rho**2) * (x[:, 0] - centre))
    # x̄ + (x_t − x̄) − ρ(x_{t−1} − x̄) = x_t − ρ(x_{t−1} − x̄); padding stays NaN
    out[:, 1:] = x[:, 1:] - rho[:, None] * (x[:, :-1] - centre[:, None])
    return out


def _marks(
    v, n, centre, sigma, outside=None, close=None, rules=RULES
) -> dict[tuple[str, str], np.ndarray]:
    """Cells marked by each rule and direction (NHSRplotthedots' point types) on packed ``v``.
    ``outside`` and ``close`` may be given (count charts judge them by tail probabilities); only
    ``rules`` are evaluated, and ``sigma`` is read only by the level rules (None without them)."""
    c = centre[:, None]
    dev = v - c
    tol = TOL * np.maximum(1.0, np.abs(c))
    level = "beyond_limits" in rules or "two_of_three" in rules  # the rules that read σ
    with np.errstate(invalid="ignore"):
        # −1, 0, +1 (on the centre, or no point: padding is NaN)
        side = (dev > tol).astype(np.int8) - (dev < -tol).astype(np.int8)
        if level:
            s = sigma[:, None]
            if outside is None:
                outside = ((v > c + 3 * s) | (v < c - 3 * s)) & (side != 0)
            if close is None:
                close = ~outside & (np.abs(dev) > CLOSE * s) & (side != 0)
    marks: dict[tuple[str, str], np.ndarray] = {}
    if "beyond_limits" in rules:
        marks["beyond_limits", "up"] = outside & (side > 0)
        marks["beyond_limits", "down"] = outside & (side < 0)
    if "trend_of_7" in rules:
        _trend_marks(marks, v)
    if "two_of_three" in rules:
        _two_of_three_marks(marks, side, close)
    if "run_of_7" in rules:
        run = _in_long_run(side, SHIFT)
        marks["run_of_7", "up"] = run & (side > 0)
        marks["run_of_7", "down"] = run & (side < 0)
    return marks


def _trend_marks(marks, v) -> None:
    """trend_of_7: 7 points each higher (lower) than the one before."""
    # TREND points = TREND − 1 consecutive differences of one sign; the difference at t involves
    # the points t−1 and t (0 where either is missing: padding is NaN)
    step = np.zeros(v.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        d = np.diff(v, axis=1)
        step[:, 1:] = (d > 0).astype(np.int8) - (d < 0).astype(np.int8)
    in_trend = _in_long_run(step, TREND - 1)
    for d_name, sgn in (("up", 1), ("down", -1)):
        t = in_trend & (step == sgn)
        marks["trend_of_7", d_name] = t | _shift(t, -1)


def _two_of_three_marks(marks, side, close) -> None:
    """two_of_three: 2 of 3 consecutive points close to a limit, all three on one side (windows
    of 3 ending at t)."""
    for d, sgn in (("up", 1), ("down", -1)):
        cl = close & (side == sgn)
        on = side == sgn
        count = cl.astype(np.int8) + _shift(cl, 1) + _shift(cl, 2)
        window = (count >= 2) & on & _shift(on, 1) & _shift(on, 2)
        marks["two_of_three", d] = cl & (window | _shift(window, -1) | _shift(window, -2))


_RULE_NAMES = np.array(["", *RULES], dtype=object)  # rule_code → rule ("" = no signal)
DIRECTIONS = ("none", "up", "down")  # direction_code → direction
_DIRECTIONS = np.array(DIRECTIONS, dtype=object)
RULE_NAMES = tuple(_RULE_NAMES)
_RULE_SETS = np.array(
    [",".join(r for b, r in enumerate(RULES) if code >> b & 1) for code in range(16)], dtype=object
)


def _summarise(marks, n: np.ndarray, recent: int) -> dict[str, np.ndarray]:
    """Per row: signal, rule, rules, direction from the current marks (one of the last ``recent``
    points, series of at least 2 points). Direction: that of the reported rule's latest marked
    point (up where both directions mark the same point)."""
    width = next(iter(marks.values())).shape[1]
    k = max(min(recent, width), 0)
    pos = n[:, None] - k + np.arange(k)[None, :]  # the last k points of each row
    current = (pos >= 0) & (n >= 2)[:, None]
    pos = np.clip(pos, 0, max(width - 1, 0))
    whole = k > 0 and bool((n == width).all())  # then the last k columns: a slice
    every = bool(current.all())  # then no mask

    def latest(a):
        """The latest of the last k points that ``a`` marks (0 … k − 1), −1 for none: column by
        column, each a vector op (a row maximum over k cells costs a loop per row)."""
        a = a[:, width - k :] if whole else np.take_along_axis(a, pos, axis=1)
        if not every:
            a = a & current
        at = np.full(len(n), -1, dtype=np.int64)
        for j in range(k):  # a loop over the k current points
            at[a[:, j]] = j
        return at

    signal = np.zeros(len(n), dtype=bool)
    rule = np.zeros(len(n), dtype=np.int64)
    down = np.zeros(len(n), dtype=bool)
    fired_bits = np.zeros(len(n), dtype=np.int64)
    for b, r in enumerate(RULES):
        if k == 0:
            break
        up_at = latest(marks[r, "up"])
        down_at = latest(marks[r, "down"])
        fired = (up_at >= 0) | (down_at >= 0)
        new = fired & ~signal
        rule[new] = b + 1
        down[new] = down_at[new] > up_at[new]
        fired_bits |= fired.astype(np.int64) << b
        signal |= fired
    direction = np.where(signal, np.where(down, 2, 1), 0)  # a code into DIRECTIONS
    return {
        "signal": signal,
        "rule": _RULE_NAMES[rule],
        "rules": _RULE_SETS[fired_bits],
        "direction": _DIRECTIONS[direction],
        "rule_code": rule,
        "direction_code": direction,
    }


LEVEL_RULES = ("beyond_limits", "two_of_three")  # judged on a point's distance from the centre
SEQUENCE_RULES = ("trend_of_7", "run_of_7")  # judged on the order of neighbouring points


def xmr_matrix(
    x: np.ndarray,
    n: np.ndarray | None = None,
    recent: int = 3,
    screen: bool = True,
    rho: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """The XmR chart of every row of ``x`` (S × T; NaN = no point): per row signal, rule, rules,
    direction, centre, lower, upper, n. ``n`` given means the rows are packed already.

    ``rho`` (per row, ≥ 0) corrects for autocorrelated months: the limits are mean ± 3σ̂ with
    σ̂ = mR̄/(d₂·√(1 − ρ)) — the moving range of an AR(1) series measures σ·√(1 − ρ), not σ — so
    beyond_limits and two_of_three keep their rate; trend_of_7 and run_of_7, whose rates depend on
    how neighbouring points move together, are read from the AR(1) residuals (:func:`prewhiten`).
    ρ = 0 is the plain chart.

    Rows are charted in blocks of ``CHUNK_ROWS`` (each row on its own, so the same figures): the
    twenty-odd temporaries of a block stay in the processor's cache, which at national scale
    (80 000 series) is a fifth faster than passes over whole matrices.
    """
    x = np.asarray(x, dtype=float)
    if n is None:
        n, (x,) = pack(np.isfinite(x), x)
    n = np.asarray(n, dtype=np.int64)
    if len(x) > CHUNK_ROWS:
        parts = [
            _xmr_block(
                x[i : i + CHUNK_ROWS],
                n[i : i + CHUNK_ROWS],
                recent,
                screen,
                None if rho is None else np.asarray(rho, dtype=float)[i : i + CHUNK_ROWS],
            )
            for i in range(0, len(x), CHUNK_ROWS)
        ]  # a loop over blocks of rows
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return _xmr_block(x, n, recent, screen, rho)


def _xmr_block(
    x: np.ndarray, n: np.ndarray, recent: int, screen: bool, rho: np.ndarray | None
) -> dict[str, np.ndarray]:
    """:func:`xmr_matrix` of packed rows."""
    inside = None if _full(n, x.shape[1]) else _inside(n, x.shape[1])
    centre = _row_mean(x, inside)
    sigma = moving_range_sigma(x, n, screen)
    # a pattern that marks one of the last `recent` points lies within the last recent + 6 points
    # (a run of 7 through the earliest of them), so the rules need no more than those
    k = recent + max(SHIFT, TREND)
    tail, m = _last(x, n, k)
    if rho is None:
        marks = _marks(tail, m, centre, sigma)
    else:
        rho = np.clip(np.asarray(rho, dtype=float), 0.0, 0.99)
        sigma = sigma / np.sqrt(1 - rho)
        marks = _marks(tail, m, centre, sigma, rules=LEVEL_RULES)
        resid = prewhiten(x, n, rho)
        r_tail, _ = _last(resid, n, k)
        # the sequence rules read only sides and steps, no σ: the residuals need no limits
        marks.update(_marks(r_tail, m, _row_mean(resid, inside), None, rules=SEQUENCE_RULES))
    out = _summarise(marks, m, recent)
    valid = n >= 2
    out.update(
        centre=centre,
        lower=np.where(valid, centre - 3 * sigma, np.nan),
        upper=np.where(valid, centre + 3 * sigma, np.nan),
        n=n,
    )
    return out


def u_prime_matrix(
    num: np.ndarray, den: np.ndarray, phi: np.ndarray | None = None, recent: int = 1
) -> dict[str, np.ndarray]:
    """Laney's u′ chart with Poisson-tail limits of every row (S × T; a point needs a finite
    numerator and denominator and, if given, φ per row). See :func:`u_prime_signals`."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    valid = np.isfinite(num) & np.isfinite(den)
    if phi is not None:  # per row, or per cell
        phi = np.asarray(phi, dtype=float)
        phi = np.broadcast_to(phi.reshape(-1, 1) if phi.ndim == 1 else phi, num.shape)
        valid &= np.isfinite(phi)
        n, (num, den, phi) = pack(valid, num, den, np.array(phi))
    else:
        n, (num, den) = pack(valid, num, den)
    inside = _inside(n, num.shape[1])
    ok = inside & (den > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        u_bar = np.where(ok, num, 0).sum(axis=1) / np.where(ok, den, 0).sum(axis=1)
        ub = u_bar[:, None]
        usable = ok & np.isfinite(ub) & (ub > 0)
        scale = np.sqrt(ub / np.where(ok, den, np.nan))
        z = np.where(usable, (num / np.where(ok, den, np.nan) - ub) / scale, 0.0)
        if phi is None:
            dof = np.where(n > 1, n / np.maximum(n - 1, 1), np.nan)[:, None]
            w = np.where(usable, z**2 * dof, np.nan)
            pooled = np.nanmean(w) if np.isfinite(w).any() else np.nan
            phi = np.full(num.shape, pooled)
        phi = np.where(np.isfinite(phi) & (phi > 0), phi, np.nan)
        usable &= np.isfinite(phi)
        count = np.where(usable, num / phi, 0.0)
        lam = np.where(usable, ub * den / phi, 1.0)
    side = np.sign(z)
    # the tail probabilities only where the level rules can mark a current point: a point beyond
    # the limits is one of the last `recent`, a 2-of-3 window ends at one of them (so it starts
    # at most 2 points earlier); and only on the side the point is on
    near_end = np.arange(num.shape[1])[None, :] >= (n - (recent + 2))[:, None]
    up, down = usable & near_end & (side > 0), usable & near_end & (side < 0)
    p_up = np.ones(num.shape)  # P(X ≥ count)
    p_up[up] = np.where(count[up] > 0, gammainc(np.maximum(count[up], 1e-12), lam[up]), 1.0)
    p_down = np.ones(num.shape)  # P(X ≤ count)
    p_down[down] = gammaincc(count[down] + 1, lam[down])
    outside = usable & (((p_up < TAIL3) & (side > 0)) | ((p_down < TAIL3) & (side < 0)))
    close = usable & ~outside & (((p_up < TAIL2) & (side > 0)) | ((p_down < TAIL2) & (side < 0)))
    zero = np.zeros(len(n))
    z_points = np.where(inside, np.where(usable, z, 0.0), np.nan)  # padding NaN: no side, no step
    marks = _marks(z_points, n, zero, zero, outside=outside, close=close)
    series_ok = (inside & ~usable).sum(axis=1) == 0
    marks = {k: m & series_ok[:, None] for k, m in marks.items()}
    out = _summarise(marks, n, recent)
    rows = np.arange(len(n))
    last = np.maximum(n - 1, 0)
    valid_row = (n >= 2) & series_ok
    with np.errstate(invalid="ignore"):
        half = 3 * np.sqrt(np.where(usable, phi, np.nan)) * scale
    half_last = half[rows, last] if num.shape[1] else np.full(len(n), np.nan)
    out.update(
        centre=u_bar,
        lower=np.where(valid_row, np.maximum(u_bar - half_last, 0.0), np.nan),
        upper=np.where(valid_row, u_bar + half_last, np.nan),
        n=n,
    )
    return out


# --- long tables (one row per series and time point) --------------------------------------------


def _matrix(frame: pd.DataFrame, columns: list[str], by: list[str], time: str):
    """(first row of each series' ``by``, n, S × T matrices of ``columns``), rows with every column
    present, sorted by series then time."""
    df = frame.loc[frame[columns].notna().all(axis=1), [*by, time, *columns]].sort_values(
        [*by, time]
    )
    df = df.reset_index(drop=True)
    g = df.groupby(by, sort=False)
    key = g.ngroup().to_numpy()
    pos = g.cumcount().to_numpy()
    n_series = int(key.max()) + 1 if len(key) else 0
    width = int(pos.max()) + 1 if len(pos) else 0
    mats = []
    for c in columns:
        m = np.full((n_series, width), np.nan)
        m[key, pos] = df[c].to_numpy(dtype=float)
        mats.append(m)
    n = np.bincount(key, minlength=n_series)
    return df.loc[pos == 0, by].reset_index(drop=True), n, mats


def _frame(keys: pd.DataFrame, out: dict[str, np.ndarray]) -> pd.DataFrame:
    cols = {
        k: out[k] for k in ("signal", "rule", "rules", "direction", "centre", "lower", "upper", "n")
    }
    res = pd.concat([keys, pd.DataFrame(cols)], axis=1)
    for c in ("rule", "rules", "direction"):
        res[c] = res[c].astype(str)
    return res


def xmr_signals(
    frame: pd.DataFrame,
    value: str = "value",
    by: Sequence[str] = ("entity_id", "criterion"),
    time: str = "month",
    recent: int = 3,
    screen: bool = True,
) -> pd.DataFrame:
    """One row per series (``by``): signal, rule, rules, direction, centre, lower, upper, n.

    ``frame`` has one row per series and time point; rows with a missing value are dropped.
    Series with fewer than 2 points have no limits and no signal. ``screen`` drops moving ranges
    of at least D₄·mR̄ before the limits (NHSRplotthedots' default).
    """
    keys, n, (x,) = _matrix(frame, [value], list(by), time)
    return _frame(keys, xmr_matrix(x, n, recent, screen))


def u_prime_signals(
    frame: pd.DataFrame,
    numerator: str = "numerator",
    denominator: str = "denominator",
    by: Sequence[str] = ("entity_id", "criterion"),
    time: str = "month",
    recent: int = 1,
    dispersion: str | None = None,
) -> pd.DataFrame:
    """Laney's u′ chart per series, with the limits of a Poisson count.

    z_t = (u_t − ū)/√(ū/n_t) with u_t = numerator/denominator and ū = Σ numerator/Σ denominator of
    the series. Var(z) = φ: the numerator's count scale (12 for "leavers × 12") times any
    over-dispersion. φ comes from column ``dispersion`` (one value per series; the caller pools it
    over the peer group, as a funnel plot pools its φ) or, without it, is pooled over all series
    in ``frame`` as the mean of z² (× n/(n − 1) per series for the estimated ū). A per-series
    moving range is no use here: for rare counts most ranges are zero and every event would look
    special.

    The points are then effective counts X_t = numerator_t/φ with expectation λ_t = ū·n_t/φ, and
    "beyond the limits" means a Poisson tail probability below 0.135 % (the one-sided 3σ tail),
    "close to a limit" below 2.275 % (2σ): exact for small counts, where ū ± 3σ limits would call
    every second event special. Sides, runs and trends are read from z as in :func:`xmr_signals`.
    Same columns as :func:`xmr_signals`; ``centre`` is ū, ``lower``/``upper`` are ū ± 3√(φ·ū/n)
    at the last point (lower not below 0). A series without events (ū = 0) has no signal.
    """
    cols = [numerator, denominator] + ([dispersion] if dispersion else [])
    keys, n, mats = _matrix(frame, cols, list(by), time)
    phi = mats[2] if dispersion else None
    if not len(n):
        return _frame(
            keys,
            {
                "signal": np.zeros(0, bool),
                "rule": np.zeros(0, object),
                "rules": np.zeros(0, object),
                "direction": np.zeros(0, object),
                "centre": np.zeros(0),
                "lower": np.zeros(0),
                "upper": np.zeros(0),
                "n": np.zeros(0, np.int64),
            },
        )
    return _frame(keys, u_prime_matrix(mats[0], mats[1], phi, recent))
