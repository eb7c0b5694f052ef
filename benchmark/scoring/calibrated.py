"""The pipeline step for criteria with ``model = "months"`` (the calibrated default, SPEC §5).

Funnel, flags and shrinkage come from :mod:`benchmark.stats.hetero` (within-entity variance from
the months of the window, robust additive τ², limits about the peer centre); this module aligns
the entity × month arrays with the value rows, runs it for all peer groups of a criterion at once,
and draws the potential intervals.

Centre and target are different things (SPEC §5): the funnel and the shrinkage are about the
**peer centre** (the peer median of values), so a staffing-against-plan value is never pulled
toward the plan's 1,00; the catalogue's target (median, better quartile or a fixed number) only
enters the gap, which is measured from the shrunken value.

*Potential intervals* (parametric bootstrap, Laird & Louis 1987): the point estimate plugs in μ̂,
τ̂² and the target; the interval must also carry their uncertainty. For each of ``DRAWS`` draws the
peer group is re-simulated from the fitted model (y* = μ̂ + √(s² + τ̂²)·ε), giving μ* (its median)
and τ²* (moment estimate, floored at 0) — the sampling spread of the hyperparameters; each
entity's true value is drawn from its posterior under (μ*, τ²*): θ* = μ* + B*(y − μ*) +
√(B* s²)·ε; the target is recomputed from the draws of all peers (their median or better
quartile; a fixed target stays). The 2,5 % and 97,5 % quantiles of gap(θ*, target*) give the
interval. Vectorised: one (entities × draws) array per criterion, a loop over peer groups only
for the target quantile.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from benchmark.stats.funnel import flags
from benchmark.stats.hetero import (
    group_median,
    limit_quantile,
    loo_group_median,
    loo_tau2,
    robust_tau2,
    shrink_toward_centre,
    within_variance,
)

DRAWS = 100
T_LIMITS = True  # t(n − 2) quantiles (prediction interval); False: normal quantiles
LOO = True  # limits from the peers without the entity itself (centre and τ²)
CENTRE_VARIANCE = True  # add the (leave-one-out) peer median's variance to the limits


def fit_months(num: np.ndarray, den: np.ndarray, y: np.ndarray, group: np.ndarray,
               centre_override: np.ndarray | None = None, scale: str = "identity") -> dict[str, np.ndarray]:
    """Everything that does not depend on the target: centre, s², τ², limits, flags, shrinkage.

    ``num``/``den``: entities × months aligned with ``y`` (the window values); ``group``: codes.
    ``centre_override``: a per-entity centre (kNN peers' median; NaN = the group's median); τ²
    and s² still come from the whole peer group.
    """
    n_groups = int(group.max()) + 1 if len(group) else 0
    s2, beta = within_variance(num, den, group)
    centre_g = group_median(y, group, n_groups)
    tau2_g = robust_tau2(y, s2, centre_g, group, n_groups)
    ok = np.isfinite(y) & np.isfinite(s2)
    cnt = np.bincount(group[ok], minlength=n_groups).astype(float)
    centre, tau2 = centre_g[group], np.nan_to_num(tau2_g[group], nan=0.0)
    if centre_override is not None:
        centre = np.where(np.isfinite(centre_override), centre_override, centre)
    n = cnt[group]
    # the funnel on a variance-stabilising scale (the value itself for money and FTE; √ for counts
    # and rates whose month variance grows with the level; log for multiplicative noise): y_t, its
    # within-unit variance by the delta method at the peer centre, and τ² re-estimated on that scale
    if scale == "identity":
        y_t, s2_t, tau2_gt, centre_gt = y, s2, tau2_g, centre_g
        ov = centre_override
    else:
        fwd = {"sqrt": lambda v: np.sqrt(np.maximum(v, 0.0)), "log": lambda v: np.log(np.where(v > 0, v, np.nan))}[scale]
        slope = {"sqrt": lambda c: 0.5 / np.sqrt(c), "log": lambda c: 1.0 / c}[scale]
        with np.errstate(invalid="ignore", divide="ignore"):
            y_t = fwd(y)
            c0 = np.where(ok, centre_g[group], np.nan)
            s2_t = s2 * slope(np.where(c0 > 0, c0, np.nan)) ** 2
        centre_gt = group_median(y_t, group, n_groups)
        tau2_gt = robust_tau2(y_t, s2_t, centre_gt, group, n_groups)
        ov = None if centre_override is None else fwd(centre_override)
    ok_t = ok & np.isfinite(y_t) & np.isfinite(s2_t)
    if LOO:
        yl = np.where(ok_t, y_t, np.nan)
        c_lim = loo_group_median(yl, group, n_groups)
        t_lim = np.nan_to_num(loo_tau2(yl, s2_t, centre_gt, group, n_groups, tau2_gt), nan=0.0)
        n_peer = np.maximum(n - 1, 1)
    else:
        c_lim, t_lim, n_peer = centre_gt[group], np.nan_to_num(tau2_gt[group], nan=0.0), np.maximum(n, 1)
    if ov is not None:
        c_lim = np.where(np.isfinite(ov), ov, c_lim)
    mean_var = np.bincount(group[ok_t], weights=(s2_t + np.nan_to_num(tau2_gt[group]))[ok_t],
                           minlength=n_groups) / np.maximum(cnt, 1)
    v_mu = np.pi / 2 * mean_var[group] / n_peer if CENTRE_VARIANCE else np.zeros(len(y))
    sigma = np.sqrt(s2_t + t_lim + v_mu)
    valid = ok & (n >= 3)
    valid_t = valid & ok_t
    back = {"identity": lambda v: v, "sqrt": lambda v: np.maximum(v, 0.0) ** 2, "log": np.exp}[scale]
    limits = {}
    for name, p in (("95", 0.975), ("998", 0.999)):
        q = limit_quantile(n, p) if T_LIMITS else sps.norm.ppf(p)
        limits["lower" + name] = np.where(valid_t, back(c_lim - q * sigma), np.nan)
        limits["upper" + name] = np.where(valid_t, back(c_lim + q * sigma), np.nan)
    shrunk, post_sd, b = shrink_toward_centre(y, s2, centre, tau2)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (y - centre) / np.sqrt(s2)
        z_adj = (y_t - c_lim) / sigma
    return {
        "centre": np.where(valid, centre, np.nan), "z": np.where(valid, z, np.nan),
        "z_adjusted": np.where(valid_t, z_adj, np.nan), **limits,
        "flag": flags(np.where(valid_t, y, np.nan), limits), "se": np.sqrt(s2),
        "shrunk": np.where(valid, shrunk, np.nan), "shrunk_se": np.where(valid, post_sd, np.nan),
        "phi": np.full(len(y), np.nan), "tau2": np.where(valid, tau2, np.nan),
        "overdispersion_applied": np.where(valid, "additive", ""), "s2": s2, "beta": np.full(len(y), beta),
        "group": group, "n": n, "v_mu": v_mu,
    }


def potential_gap_interval(fit: dict[str, np.ndarray], y: np.ndarray, target_kind: str | float, sign: int,
                           relative: bool, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) 95 % interval of the gap (÷ target when ``relative``) by parametric bootstrap."""
    rng = np.random.default_rng(seed)
    group, s2 = fit["group"], np.nan_to_num(fit["s2"], nan=0.0)
    centre, tau2 = np.nan_to_num(fit["centre"]), np.nan_to_num(fit["tau2"])
    ok = np.isfinite(fit["shrunk"])
    n_groups = int(group.max()) + 1 if len(group) else 0
    low, high = np.full(len(y), np.nan), np.full(len(y), np.nan)
    if not ok.any():
        return low, high
    idx = np.flatnonzero(ok)
    g, cnt = group[idx], np.bincount(group[idx], minlength=n_groups)
    e = rng.standard_normal((len(idx), DRAWS))
    y_star = centre[idx, None] + np.sqrt(s2[idx] + tau2[idx])[:, None] * e
    mu_star = np.empty((n_groups, DRAWS))
    t2_star = np.empty((n_groups, DRAWS))
    for k in np.flatnonzero(cnt):  # a loop over peer groups
        rows = g == k
        ys = y_star[rows]
        mu_star[k] = np.median(ys, axis=0)
        t2_star[k] = np.maximum(ys.var(axis=0, ddof=1) - s2[idx][rows].mean(), 0.0)
    mu_i, t2_i = mu_star[g], t2_star[g]
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(s2[idx, None] > 0, t2_i / (t2_i + s2[idx, None]), 1.0)
    theta = mu_i + b * (y[idx, None] - mu_i) + np.sqrt(b * s2[idx, None]) * rng.standard_normal((len(idx), DRAWS))
    if isinstance(target_kind, str):
        q = {"median": 0.5, "mean": None, "upper_quartile": 0.75 if sign > 0 else 0.25}[target_kind]
        target = np.empty((n_groups, DRAWS))
        for k in np.flatnonzero(cnt):
            th = theta[g == k]
            target[k] = th.mean(axis=0) if q is None else np.quantile(th, q, axis=0)
        t_i = target[g]
    else:
        t_i = np.full_like(theta, float(target_kind))
    gap = np.maximum((t_i - theta) * sign, 0.0)
    if relative:
        gap = gap / np.where(t_i != 0, t_i, np.nan)
    # np.quantile along the draws is vectorised; nanquantile loops over rows (60 × slower). A NaN
    # gap (a zero target under a relative gap) leaves the unit without an interval.
    bad = np.isnan(gap).any(axis=1)
    q_lo, q_hi = np.quantile(np.nan_to_num(gap), [0.025, 0.975], axis=1)
    low[idx], high[idx] = np.where(bad, np.nan, q_lo), np.where(bad, np.nan, q_hi)
    return low, high


def align_months(ids: pd.Index, num: np.ndarray, den: np.ndarray, entity_ids: pd.Series
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the entity × month arrays in the order of ``entity_ids`` (NaN rows when absent)."""
    pos = ids.get_indexer(entity_ids)
    take = np.maximum(pos, 0)
    n_, d_ = num[take], den[take]
    n_[pos < 0], d_[pos < 0] = np.nan, np.nan
    return n_, d_
