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
good is the criterion's business). Vectorised over all series at once.

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


def _run_length(key: np.ndarray, state: np.ndarray) -> np.ndarray:
    """Length of the run of equal non-zero ``state`` each row belongs to (within ``key``)."""
    new = np.ones(state.shape, dtype=bool)
    new[1:] = (state[1:] != state[:-1]) | (key[1:] != key[:-1])
    run_id = np.cumsum(new) - 1
    length = np.bincount(run_id)[run_id]
    return np.where(state != 0, length, 0)


def _shift(a: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
    """a shifted by k rows within each series (rows sorted by series, then time); False outside."""
    out = np.zeros(a.shape, dtype=bool)
    if k > 0:
        out[k:] = a[:-k] & (key[k:] == key[:-k])
    else:
        out[:k] = a[-k:] & (key[:k] == key[-k:])
    return out


def _sorted(frame: pd.DataFrame, columns: list[str], by: list[str], time: str):
    """Rows with every column present, sorted by series then time; series code, position, length."""
    df = frame.loc[frame[columns].notna().all(axis=1), [*by, time, *columns]].sort_values([*by, time])
    df = df.reset_index(drop=True)
    g = df.groupby(by, sort=False)
    key = g.ngroup().to_numpy()
    pos = g.cumcount().to_numpy()
    n = np.bincount(key)[key] if len(key) else np.zeros(0, dtype=np.int64)
    return df, key, pos, n


def _per_series_mean(key: np.ndarray, x: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Mean of x over the rows of each series where ``use`` (NaN where none), per row."""
    if not len(key):
        return np.zeros(0)
    counts = np.bincount(key, weights=use)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.bincount(key, weights=np.where(use, x, 0.0)) / counts)[key]


def _sigma(key: np.ndarray, v: np.ndarray, screen: bool) -> np.ndarray:
    """σ̂ = mR̄/d₂ per row, with moving ranges ≥ D₄·mR̄ screened out first."""
    mr = np.full(len(v), np.nan)
    if len(v) > 1:
        same = key[1:] == key[:-1]
        mr[1:] = np.where(same, np.abs(np.diff(v)), np.nan)
    has = np.isfinite(mr)
    mr_bar = _per_series_mean(key, mr, has)
    if screen:
        keep = has & (mr < D4 * mr_bar)
        screened = _per_series_mean(key, mr, keep)
        mr_bar = np.where(np.isfinite(screened), screened, mr_bar)
    return mr_bar / D2


def _marks(key, v, centre, sigma, outside=None, close=None) -> dict[tuple[str, str], np.ndarray]:
    """Rows marked by each rule and direction (NHSRplotthedots' point types). ``outside`` and
    ``close`` may be given (count charts judge them by tail probabilities)."""
    dev = v - centre
    side = np.where(np.abs(dev) <= TOL * np.maximum(1.0, np.abs(centre)), 0.0, np.sign(dev))
    if outside is None:
        outside = ((v > centre + 3 * sigma) | (v < centre - 3 * sigma)) & (side != 0)
    outside_up, outside_down = outside & (side > 0), outside & (side < 0)
    if close is None:
        close = ~outside & (np.abs(dev) > CLOSE * sigma) & (side != 0)
    marks: dict[tuple[str, str], np.ndarray] = {
        ("beyond_limits", "up"): outside_up, ("beyond_limits", "down"): outside_down}
    # TREND points = TREND − 1 consecutive differences of one sign; a difference at t involves
    # the points t−1 and t
    step = np.zeros(len(v))
    if len(v) > 1:
        step[1:] = np.where(key[1:] == key[:-1], np.sign(np.diff(v)), 0.0)
    in_trend = _run_length(key, step) >= TREND - 1
    for d, sgn in (("up", 1), ("down", -1)):
        t = in_trend & (step == sgn)
        marks["trend_of_7", d] = t | _shift(t, key, -1)
    # 2 of 3 close to a limit, all three on one side: windows of 3 ending at t
    for d, sgn in (("up", 1), ("down", -1)):
        c = close & (side == sgn)
        s = side == sgn
        count = c.astype(int) + _shift(c, key, 1) + _shift(c, key, 2)
        window = (count >= 2) & s & _shift(s, key, 1) & _shift(s, key, 2)
        in_window = window | _shift(window, key, -1) | _shift(window, key, -2)
        marks["two_of_three", d] = c & in_window
    run = _run_length(key, side) >= SHIFT
    marks["run_of_7", "up"] = run & (side > 0)
    marks["run_of_7", "down"] = run & (side < 0)
    return marks


def _summarise(key, pos, n, marks, recent: int, n_series: int) -> pd.DataFrame:
    """Per series: signal, rule, rules, direction from the current marks (one of the last
    ``recent`` points, series of at least 2 points)."""
    current = (pos >= n - recent) & (n >= 2)
    signal = np.zeros(n_series, dtype=bool)
    rule = np.full(n_series, "", dtype=object)
    direction = np.full(n_series, "none", dtype=object)
    fired_by_rule = {}
    for r in RULES:
        latest = np.full(n_series, -1)
        latest_dir = np.full(n_series, "none", dtype=object)
        for d in ("up", "down"):
            rows = np.flatnonzero(marks[r, d] & current)
            if len(rows):
                k = key[rows]
                last = rows[np.r_[k[1:] != k[:-1], True]]  # the latest marked row per series
                later = pos[last] > latest[key[last]]
                latest[key[last[later]]] = pos[last[later]]
                latest_dir[key[last[later]]] = d
        fired = latest >= 0
        fired_by_rule[r] = fired
        new = fired & ~signal
        rule[new] = r
        direction[new] = latest_dir[new]
        signal |= fired
    names = np.full(n_series, "", dtype=object)
    for r in RULES:
        f = fired_by_rule[r]
        names[f] = np.where(names[f] == "", r, names[f] + "," + r)
    return pd.DataFrame({"signal": signal, "rule": rule.astype(str), "rules": names.astype(str),
                         "direction": direction.astype(str)})


def xmr_arrays(key: np.ndarray, v: np.ndarray, recent: int = 3, screen: bool = True) -> pd.DataFrame:
    """The XmR chart on rows already sorted by series then time (``key`` = 0, 1, … per series,
    non-decreasing): one row per series with signal, rule, rules, direction, centre, lower,
    upper, n. The fast path of :func:`xmr_signals` for callers that hold sorted integer codes."""
    key = np.asarray(key, dtype=np.int64)
    v = np.asarray(v, dtype=float)
    n_series = int(key[-1]) + 1 if len(key) else 0
    size = np.bincount(key, minlength=n_series)
    start = np.cumsum(size) - size
    pos = np.arange(len(key)) - start[key]
    n = size[key]
    centre = _per_series_mean(key, v, np.ones(len(v), bool))
    sigma = _sigma(key, v, screen)
    out = _summarise(key, pos, n, _marks(key, v, centre, sigma), recent, n_series)
    first = start[size > 0]
    valid = n >= 2
    out["centre"] = centre[first]
    out["lower"] = np.where(valid, centre - 3 * sigma, np.nan)[first]
    out["upper"] = np.where(valid, centre + 3 * sigma, np.nan)[first]
    out["n"] = n[first]
    return out


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
    by = list(by)
    df, key, pos, n = _sorted(frame, [value], by, time)
    out = df.loc[pos == 0, by].reset_index(drop=True)
    arrays = xmr_arrays(key, df[value].to_numpy(dtype=float), recent, screen)
    return pd.concat([out, arrays.reset_index(drop=True)], axis=1)


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
    by = list(by)
    cols = [numerator, denominator] + ([dispersion] if dispersion else [])
    df, key, pos, n = _sorted(frame, cols, by, time)
    num, den = df[numerator].to_numpy(float), df[denominator].to_numpy(float)
    ok = den > 0
    n_series = int(key.max()) + 1 if len(key) else 0
    if not len(key):
        out = df[by].iloc[:0].reset_index(drop=True)
        return out.assign(signal=False, rule="", rules="", direction="none", centre=np.nan, lower=np.nan,
                          upper=np.nan, n=0)
    u_bar = (np.bincount(key, weights=np.where(ok, num, 0), minlength=n_series)
             / np.bincount(key, weights=np.where(ok, den, 0), minlength=n_series))[key]
    usable = ok & np.isfinite(u_bar) & (u_bar > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(u_bar / np.where(ok, den, np.nan))
        z = np.where(usable, (num / np.where(ok, den, np.nan) - u_bar) / scale, 0.0)
    if dispersion:
        phi = df[dispersion].to_numpy(float)
    else:
        dof = np.where(n > 1, n / np.maximum(n - 1, 1), np.nan)
        phi = np.full(len(z), np.nanmean(np.where(usable, z**2 * dof, np.nan)))
    phi = np.where(np.isfinite(phi) & (phi > 0), phi, np.nan)
    usable &= np.isfinite(phi)
    with np.errstate(invalid="ignore", divide="ignore"):
        count = np.where(usable, num / phi, 0.0)
        lam = np.where(usable, u_bar * den / phi, 1.0)
    p_up = np.where(count > 0, gammainc(np.maximum(count, 1e-12), lam), 1.0)  # P(X ≥ count)
    p_down = gammaincc(count + 1, lam)  # P(X ≤ count)
    sigma = np.sqrt(np.where(usable, phi, 0.0))
    side = np.sign(z)
    outside = usable & (((p_up < TAIL3) & (side > 0)) | ((p_down < TAIL3) & (side < 0)))
    close = usable & ~outside & (((p_up < TAIL2) & (side > 0)) | ((p_down < TAIL2) & (side < 0)))
    marks = _marks(key, np.where(usable, z, 0.0), np.zeros(len(z)), sigma, outside=outside, close=close)
    series_ok = np.bincount(key, weights=~usable, minlength=n_series)[key] == 0
    marks = {k: m & series_ok for k, m in marks.items()}
    out = df.loc[pos == 0, by].reset_index(drop=True)
    out = pd.concat([out, _summarise(key, pos, n, marks, recent, n_series)], axis=1)
    last = pos == n - 1
    valid = (n >= 2) & series_ok
    half = 3 * np.sqrt(np.where(usable, phi, np.nan)) * scale
    out["centre"] = u_bar[last]
    out["lower"] = np.where(valid, np.maximum(u_bar - half, 0.0), np.nan)[last]
    out["upper"] = np.where(valid, u_bar + half, np.nan)[last]
    out["n"] = n[last]
    return out
