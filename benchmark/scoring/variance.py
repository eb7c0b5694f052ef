"""Month-to-month sampling variance of window ratios, for shrinking money and FTE criteria.

The funnel of a ``scaled`` criterion (:mod:`benchmark.stats.scaled`) estimates its scale from the
spread between entities. Shrinkage needs something that cross-section cannot give: how noisy
*one* entity's value is. The months inside the window supply it. The value is a ratio estimator
r_i = Σ_m x_im / Σ_m d_im; with months as replicates its variance is (Cochran 1977, §6.3)

    v_i = M/(M−1) · Σ_m (x_im − r_i d_im)² / D_i²,    D_i = Σ_m d_im.

The peer group's common month pattern (the July and December dips) is removed first: the expected
numerator of month m is r_i · d_im · R_gm/R_g, with R_gm and R_g the group's pooled ratios in month m
and over the window, so seasonality is not mistaken for noise. Three months give a poor estimate for one entity, so the scale is pooled within the peer group
under Var(r_i) = σ²/D_i (variance ∝ 1/size): σ² = median_i(v_i · D_i), robust to one odd month,
and s_i = √(σ²/D_i). Multiplying numerator and denominator by a constant (kNOK → NOK) leaves s_i
unchanged. Between-entity variance τ² is then the DerSimonian–Laird estimate with these s_i, and
the shrunken value is target + B(value − target), B = τ²/(τ² + s_i²): a 2-FTE unit moves far
towards its peers, a 40-FTE unit hardly at all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def within_se(numerator: np.ndarray, denominator: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per entity the s.e. of its window ratio, from entity × month arrays (NaN = no value).

    ``group`` is each entity's peer-group code (−1: outside every group, no seasonal pattern and
    no pooled scale). NaN where the s.e. cannot be estimated (fewer than two months).
    """
    ok = ~np.isnan(numerator) & ~np.isnan(denominator)
    x, d = np.where(ok, numerator, 0.0), np.where(ok, denominator, 0.0)
    months = ok.sum(axis=1)
    sum_x, sum_d = x.sum(axis=1), d.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = sum_x / np.where(sum_d > 0, sum_d, np.nan)
        n_groups = int(group.max()) + 1 if len(group) and group.max() >= 0 else 0
        member = group >= 0
        g_x = np.zeros((n_groups, x.shape[1]))
        g_d = np.zeros((n_groups, x.shape[1]))
        np.add.at(g_x, group[member], x[member])
        np.add.at(g_d, group[member], d[member])
        pattern = (g_x / g_d) / (g_x.sum(axis=1) / g_d.sum(axis=1))[:, None]
        season = np.where(member[:, None], pattern[np.maximum(group, 0)], np.nan)
        season = np.where(np.isnan(season), 1.0, season)
        resid = np.where(ok, x - ratio[:, None] * d * season, 0.0)
        sq = (resid**2).sum(axis=1)
        v = months / np.where(months > 1, months - 1, np.nan) * sq / sum_d**2
        scaled = np.where(months > 1, v * sum_d, np.nan)
    sigma2 = pd.Series(scaled).groupby(np.where(member, group, np.nan)).transform("median").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(sigma2 / np.where(sum_d > 0, sum_d, np.nan))
    return np.where(months > 0, se, np.nan)


def dersimonian_laird(y: np.ndarray, s: np.ndarray) -> float:
    """τ² by the DerSimonian–Laird method of moments (Q statistic about the weighted mean)."""
    ok = np.isfinite(y) & np.isfinite(s) & (s > 0)
    y, s = y[ok], s[ok]
    if len(y) < 3:
        return 0.0
    w = 1 / s**2
    mean = np.sum(w * y) / np.sum(w)
    q = np.sum(w * (y - mean) ** 2)
    denom = np.sum(w) - np.sum(w**2) / np.sum(w)
    return float(max(0.0, (q - (len(y) - 1)) / denom)) if denom > 0 else 0.0
