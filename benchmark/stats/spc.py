"""Statistical-process-control signals on monthly series: the XmR (individuals) chart.

Why: a leader should react to special-cause variation, not to every wiggle. The XmR chart
(Wheeler & Chambers 1992) puts the centre at the series mean and the natural process limits at
mean ± 2.66·mR̄, where mR̄ is the mean absolute moving range and 2.66 = 3/d₂ with d₂ = 1.128 (the
expected range of two normal observations in units of σ), so σ̂ = mR̄/1.128. Rules follow NHS
England "Making Data Count" and NHSRplotthedots:

- ``beyond_limits``: a point above the upper or below the lower process limit;
- ``two_of_three``: 2 of 3 consecutive points beyond 2σ (2/3 of the way to a limit) on the same
  side, with all three on that side of the centre (as NHSRplotthedots' ``ptd_two_in_three``
  since its fix of opposite-side triggers);
- ``run_of_7``: 7 or more consecutive points on one side of the centre (a point exactly on the
  centre breaks the run);
- ``trend_of_6``: 6 or more consecutive points each higher (or each lower) than the previous one
  (an equal pair breaks it). This is the issue's and the original Making Data Count rule;
  NHSRplotthedots' ``ptd_seven_point_trend`` asks for 7 points (``TREND`` below).

A pattern counts as a *current* signal only when one of the points that make it up is among the
last 3 points of the series (``recent=3``): a shift two years ago is history, not news. When
several rules fire, the one reported is the first in the order above (strongest evidence);
``rules`` lists all of them. Directions are on the value scale (up = higher values); whether up
is good is the criterion's business. Vectorised with groupby over all series at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

D2 = 1.128  # E[range of 2 normals]/σ
E2 = 3.0 / D2  # ≈ 2.66: limits = mean ± E2 · mR̄
RULES = ("beyond_limits", "two_of_three", "run_of_7", "trend_of_6")
SHIFT = 7  # points on one side of the centre
TREND = 6  # points rising or falling


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


def xmr_signals(
    frame: pd.DataFrame,
    value: str = "value",
    by: Sequence[str] = ("entity_id", "criterion"),
    time: str = "month",
    recent: int = 3,
) -> pd.DataFrame:
    """One row per series (``by``): signal, rule, rules, direction, centre, lower, upper, n.

    ``frame`` has one row per series and time point; rows with a missing value are dropped.
    Series with fewer than 2 points have no limits and no signal.
    """
    by = list(by)
    df = frame.loc[frame[value].notna(), [*by, time, value]].sort_values([*by, time])
    df = df.reset_index(drop=True)
    g = df.groupby(by, sort=False)
    key = g.ngroup().to_numpy()
    v = df[value].to_numpy(dtype=float)
    pos = g.cumcount().to_numpy()
    n = g[value].transform("size").to_numpy()
    centre = g[value].transform("mean").to_numpy()
    mr = np.abs(g[value].diff()).to_numpy()  # moving range |x_t − x_{t−1}|
    n_mr = np.bincount(key, weights=np.isfinite(mr))
    with np.errstate(invalid="ignore", divide="ignore"):
        mr_bar = (np.bincount(key, weights=np.nan_to_num(mr)) / n_mr)[key]
    upper, lower = centre + E2 * mr_bar, centre - E2 * mr_bar
    sigma = mr_bar / D2
    recent_pt = pos >= n - recent

    def shifted(a: np.ndarray, k: int) -> np.ndarray:
        return _shift(a, key, k)

    marks: dict[tuple[str, str], np.ndarray] = {}
    # beyond the process limits
    marks["beyond_limits", "up"] = v > upper
    marks["beyond_limits", "down"] = v < lower
    # 2 of 3 beyond 2σ on the same side: window of 3 ending at t; mark the points beyond 2σ
    for d, beyond, same in (("up", v > centre + 2 * sigma, v > centre),
                            ("down", v < centre - 2 * sigma, v < centre)):
        count = beyond.astype(int) + shifted(beyond, 1) + shifted(beyond, 2)
        window = (count >= 2) & same & shifted(same, 1) & shifted(same, 2)  # window ends at t
        in_window = window | shifted(window, -1) | shifted(window, -2)
        marks["two_of_three", d] = beyond & in_window
    # run of SHIFT points on one side of the centre
    side = np.sign(v - centre)
    run = _run_length(key, side) >= SHIFT
    marks["run_of_7", "up"] = run & (side > 0)
    marks["run_of_7", "down"] = run & (side < 0)
    # trend of TREND points = TREND − 1 consecutive differences of the same sign
    step = np.nan_to_num(np.sign(g[value].diff().to_numpy()))
    trend_step = _run_length(key, step) >= TREND - 1
    for d, sgn in (("up", 1), ("down", -1)):
        t = trend_step & (step == sgn)
        marks["trend_of_6", d] = t | shifted(t, -1)  # a step at t involves points t−1 and t
    valid = n >= 2
    fired = {k: np.bincount(key, weights=m & recent_pt & valid) > 0 for k, m in marks.items()}
    out = df.loc[pos == 0, by].reset_index(drop=True)
    out["signal"] = False
    out["rule"] = ""
    out["rules"] = ""
    out["direction"] = "none"
    for rule in RULES:
        for d in ("up", "down"):
            f = fired[rule, d]
            new = f & ~out["signal"].to_numpy()
            out.loc[new, "rule"] = rule
            out.loc[new, "direction"] = d
            out.loc[f, "rules"] = np.where(out.loc[f, "rules"] == "", rule,
                                           out.loc[f, "rules"] + "," + rule)
            out["signal"] = out["signal"] | f
    first = pos == 0
    out["centre"] = centre[first]
    out["lower"] = np.where(valid, lower, np.nan)[first]
    out["upper"] = np.where(valid, upper, np.nan)[first]
    out["n"] = n[first]
    return out
