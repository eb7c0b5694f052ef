"""The Erlang-loss cross-check for small wards (de Bruin et al., Ann Oper Res 178:23–43, 2010).

A ward with Poisson admissions at rate λ and any length-of-stay distribution with mean L is an
M/G/c/c loss system: the share of admissions that find every bed taken is Erlang's B formula at
the offered load a = λL (patients), insensitive to the shape of the stay. de Bruin et al. size
wards by choosing c so that B(c, a) stays below a target — the same idea as the service level,
measured on arrivals instead of days. For small wards, where the 85 % rule fails worst, the
cross-check shows whether the forecast-based recommendation and the queueing model agree.

Computed with the stable recursion B(0) = 1, B(c) = a·B(c−1) / (c + a·B(c−1)), vectorised over
weeks. λ and L come from the ward's own history: admissions per day and, by Little's law,
L = mean census / mean admissions per day over the last 365 days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SMALL_WARD = 30.0  # mean census at or below which the cross-check is shown
MAX_BEDS = 400


def erlang_b(c: np.ndarray, load: np.ndarray) -> np.ndarray:
    """Erlang's B (blocking probability) for integer beds ``c`` and offered load ``load``."""
    c = np.asarray(c, int)
    load = np.asarray(load, float)
    b = np.ones(np.broadcast(c, load).shape)
    for k in range(1, int(np.max(c, initial=0)) + 1):
        nxt = load * b / (k + load * b)
        b = np.where(k <= c, nxt, b)
    return b


def beds_for_blocking(load: np.ndarray, blocking: float) -> np.ndarray:
    """Smallest c with B(c, load) ≤ ``blocking``, per load."""
    load = np.asarray(load, float)
    b = np.ones_like(load)
    beds = np.full(load.shape, np.nan)
    for k in range(1, MAX_BEDS + 1):
        b = load * b / (k + load * b)
        beds = np.where(np.isnan(beds) & (b <= blocking), k, beds)
        if not np.isnan(beds).any():
            break
    return beds


def cross_check(los: pd.Series, plan: pd.DataFrame, service_level: float) -> pd.DataFrame:
    """Per small ward and week: load, stay, Erlang beds for blocking ≤ 1 − s, blocking at the plan.

    ``los``: mean length of stay per ward (wards whose daily history has admissions). Only wards
    with a mean forecast census ≤ ``SMALL_WARD`` and open weeks.
    """
    cols = ["unit_id", "week", "admissions_per_day", "length_of_stay", "offered_load", "beds_erlang",
            "beds_recommended", "blocking_at_recommended"]
    if los is None or los.empty:
        return pd.DataFrame(columns=cols)
    size = plan.groupby("unit_id")["census_mean"].mean()
    small = set(size.index[size <= SMALL_WARD]) & set(los.index)
    p = plan[plan["unit_id"].isin(small) & ~plan["closed"]].copy()
    if p.empty:
        return pd.DataFrame(columns=cols)
    p["length_of_stay"] = p["unit_id"].map(los)
    p["offered_load"] = p["census_mean"]
    p["admissions_per_day"] = p["offered_load"] / p["length_of_stay"]
    p["beds_erlang"] = beds_for_blocking(p["offered_load"].to_numpy(), 1 - service_level)
    p["blocking_at_recommended"] = erlang_b(p["beds_recommended"].to_numpy(int), p["offered_load"].to_numpy())
    return p[cols].reset_index(drop=True)
