"""Overdispersion of performance indicators: trimming, φ and DerSimonian–Laird τ².

Why: with many entities, real between-entity variation (case mix, coding, organisation) makes far
more entities fall outside pure sampling limits than chance allows. Spiegelhalter (2005,
"Handling over-dispersion of performance indicators", Qual Saf Health Care 14:347) estimates the
excess from the z-scores themselves, after limiting the influence of the outliers one is trying to
find (trimming), either as a multiplicative factor φ on the variance or as an additive
between-entity variance τ² (DerSimonian & Laird 1986, as in Spiegelhalter et al. 2012, JRSS-A
175:1, eq. 2.4). The conventions follow SPEC Appendix A exactly, which is what FunnelPlotR
(Mainey) implements: winsorise at the q and 1−q quantiles (numpy's linear interpolation = R's
``quantile`` type 7), except for the SHMI method, which truncates by deciles of the ranks.
"""

from __future__ import annotations

import numpy as np

from benchmark.stats.distributions import norm_cdf, norm_pdf, norm_ppf, rank_average


def winsorise(z: np.ndarray, trim: float) -> np.ndarray:
    """Clip z at its ``trim`` and ``1 − trim`` quantiles (Spiegelhalter 2005 QSHC §"winsorising").

    All entities are kept; only the extreme z-scores are pulled in to the quantile values.
    """
    z = np.asarray(z, dtype=float)
    if trim <= 0 or z.size == 0:
        return z.copy()
    lo, hi = np.quantile(z, [trim, 1.0 - trim])  # linear interpolation (R type 7)
    return np.clip(z, lo, hi)


def truncation_mask(z: np.ndarray, trim: float) -> np.ndarray:
    """Entities kept by the SHMI truncation: rank z (average ties), keep the central deciles.

    SPEC Appendix A: g = ⌊rank·10/(N+1)⌋, keep 1 ≤ g ≤ 8. Generalised as FunnelPlotR's
    ``truncation()`` does: K = 1/trim, g = ⌊rank·K/(N+1)⌋, keep 0 < g < K − 1 (identical for
    trim = 0.1; also for non-integer K). φ and τ² then use only the kept entities (n = kept).
    """
    z = np.asarray(z, dtype=float)
    if trim <= 0 or z.size == 0:
        return np.ones(z.shape, dtype=bool)
    k = 1.0 / trim
    g = np.floor(rank_average(z) * k / (z.size + 1))
    return (g > 0) & (g < k - 1)


def phi_estimate(z_trimmed: np.ndarray) -> float:
    """φ = mean of the trimmed z² (Spiegelhalter 2005 QSHC eq. for φ̂ = (1/I) Σ z_i²)."""
    z_trimmed = np.asarray(z_trimmed, dtype=float)
    if z_trimmed.size == 0:
        return float("nan")
    return float(np.mean(z_trimmed**2))


def tau2_dersimonian_laird(phi: float, s: np.ndarray) -> float:
    """Additive between-entity variance τ² (DerSimonian–Laird; Spiegelhalter 2005 QSHC eq. 5).

    With w = 1/s² over the n entities used for φ:
    τ² = 0 if nφ < n − 1, else max(0, (nφ − (n − 1)) / (Σw − Σw²/Σw)).
    """
    s = np.asarray(s, dtype=float)
    n = s.size
    if n < 2 or not np.isfinite(phi):
        return 0.0 if n >= 1 and np.isfinite(phi) else float("nan")
    if n * phi < n - 1:
        return 0.0
    w = 1.0 / s**2
    sw = w.sum()
    denom = sw - (w**2).sum() / sw
    if denom <= 0:
        return 0.0
    return float(max(0.0, (n * phi - (n - 1)) / denom))


def winsor_consistency(trim: float) -> float:
    """E[winsorised Z²] for a standard normal Z, winsorised at its trim and 1−trim quantiles.

    Winsorising shrinks z² even when there is no overdispersion at all: at trim = 0.1 the
    expectation is ≈ 0.679, so φ̂ from Appendix A underestimates φ by about a third. The funnel
    reproduces the published convention (bias included; it errs towards *not* inflating limits);
    ``assess`` and the scaled model divide by this factor so that flag rates are calibrated.
    Formula: with c = Φ⁻¹(1 − trim), E = (2Φ(c) − 1) − 2cφ(c) + 2c²·trim.
    """
    if trim <= 0:
        return 1.0
    c = norm_ppf(1.0 - trim)
    return float((2 * norm_cdf(c) - 1) - 2 * c * norm_pdf(c) + 2 * c * c * trim)


def tau2_robust_moment(
    resid: np.ndarray, s: np.ndarray, trimmed_mean_sq, kappa: float, *, tol: float = 1e-12
) -> float:
    """τ² solving mean(trimmed z_τ²)/κ = 1 with z_τ = resid/√(s² + τ²) (robust Paule–Mandel).

    Why: DerSimonian–Laird from a winsorised φ̂ treats all entities' z as equally spread, but
    under the additive model a small entity's z is barely inflated and a large one's a lot, so
    trimming that mix and correcting by κ still underestimates τ² (≈ 6 % instead of 5 % of null
    entities flagged at 95 % in simulation). Standardising by the candidate total variance first
    makes the trimmed z identically distributed, so the κ correction is exact under the model.
    Used by ``assess`` (consistent mode) only; ``funnel`` keeps Appendix A's DL estimator.
    ``trimmed_mean_sq(z)`` returns the mean of the trimmed z² for the method's trimming.
    """
    resid, s = np.asarray(resid, dtype=float), np.asarray(s, dtype=float)

    def excess(t2: float) -> float:
        return trimmed_mean_sq(resid / np.sqrt(s**2 + t2)) / kappa - 1.0

    if resid.size < 2 or excess(0.0) <= 0:
        return 0.0
    hi = float(np.median(s**2)) or 1e-12
    while excess(hi) > 0:
        hi *= 4.0
        if hi > 1e12:
            return float("nan")
    lo = 0.0
    for _ in range(200):  # bisection: excess() decreases in τ²
        mid = 0.5 * (lo + hi)
        if excess(mid) > 0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= tol * max(hi, 1e-300):
            break
    return 0.5 * (lo + hi)


def truncation_consistency(trim: float) -> float:
    """E[Z² | Φ⁻¹(trim) ≤ Z < Φ⁻¹(1 − trim)] for a standard normal Z (central truncation)."""
    if trim <= 0:
        return 1.0
    c = norm_ppf(1.0 - trim)
    mass = 2 * norm_cdf(c) - 1
    return float((mass - 2 * c * norm_pdf(c)) / mass)
