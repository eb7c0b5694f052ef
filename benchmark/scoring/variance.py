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


def within_se(monthly: pd.DataFrame, groups: pd.Series) -> pd.Series:
    """Per entity the s.e. of its window ratio (index entity_id); ``monthly`` has entity_id,
    numerator, denominator per month; ``groups`` maps entity_id → peer group."""
    m = monthly.dropna(subset=["numerator", "denominator"])
    m = m.assign(group=m["entity_id"].map(groups))
    sums = m.groupby("entity_id")[["numerator", "denominator"]].sum()
    ratio = sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)
    # the peer group's common month pattern (July and December dips) is not noise: expected
    # numerator in month m is r_i · d_im · R_gm / R_g, with R pooled ratios of the group
    by_month = m.groupby(["group", "month"])[["numerator", "denominator"]].transform("sum")
    by_group = m.groupby("group")[["numerator", "denominator"]].transform("sum")
    season = (by_month["numerator"] / by_month["denominator"]) / (by_group["numerator"] / by_group["denominator"])
    resid = m["numerator"] - m["entity_id"].map(ratio) * m["denominator"] * season.fillna(1.0)
    sq = (resid**2).groupby(m["entity_id"]).sum()
    months = m.groupby("entity_id").size()
    v = months / (months - 1).where(months > 1) * sq / sums["denominator"] ** 2
    scaled = (v * sums["denominator"]).where(months > 1)
    group = groups.reindex(scaled.index)
    sigma2 = scaled.groupby(group).transform("median")
    return np.sqrt(sigma2 / sums["denominator"].where(sums["denominator"] > 0))


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
