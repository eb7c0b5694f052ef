"""Variance model for criteria whose numerator and denominator are not counts (model "scaled").

Examples: variable pay share (kNOK / kNOK), activity per FTE (DRG points / FTE-months), sick
leave (FTE / FTE). Binomial or Poisson limits would depend on the unit of measurement — a share
in NOK has a thousand times the "n" of the same share in kNOK — so they are meaningless here
(SPEC Appendix A, last point).

Model (a ratio estimator with unknown scale): value_i = N_i/D_i with

    Var(value_i) = σ²/D_i          (multiplicative; Spiegelhalter 2005 QSHC's φ with s_i = 1/√D_i)
    Var(value_i) = σ²/D_i + τ²     (additive: plus true between-entity heterogeneity)

Why 1/D: the window value is a D-weighted mean of the entity's monthly values (Σ N / Σ D), so a
unit with twice the FTE-months (or twice the pay bill) averages twice as many independent
sources of noise; this is the variance of the ratio estimator (Cochran 1977, §6.3) when
residuals have constant variance per unit of D. σ² is not known — it has units of value² × D —
so it is estimated from the peer group exactly like Spiegelhalter's multiplicative φ: with base
s_i = 1/√D_i, σ̂² = mean(winsorised z²)/κ, where κ = E[winsorised Z²] under normality (≈ 0.679
at trim 0.1) corrects the downward bias of winsorising, so flags are calibrated (tested on null
data: ≈ 5 % outside the 95 % limits, ≈ 0.2 % outside 99.8 %). Scaling both N and D by any
constant (kNOK → NOK) multiplies σ̂² and D alike, so s_i, the limits and the flags are unchanged
(tested). Unlike the count models, the scale is *always* estimated and applied: there is no
"unadjusted" limit to fall back on.

Additive variant: with only one window value per entity σ² and τ² are separated by how the
spread changes with size — a weighted method-of-moments fit of the squared (winsorised)
residuals on (1, 1/D_i), weights 1/Var_i², iterated; negative components are set to 0 and the
other refitted. Big entities then get limits no narrower than ±z·τ.
"""

from __future__ import annotations

import numpy as np

from benchmark.stats.overdispersion import winsor_consistency, winsorise


def scaled_variance(
    value: np.ndarray,
    denominator: np.ndarray,
    centre: float,
    *,
    additive: bool = False,
    trim: float = 0.1,
    iterations: int = 4,
) -> tuple[float, float]:
    """Estimate (σ², τ²) of Var(value_i) = σ²/D_i + τ² from one peer group (finite rows only)."""
    v = np.asarray(value, dtype=float)
    d = np.asarray(denominator, dtype=float)
    ok = np.isfinite(v) & np.isfinite(d) & (d > 0)
    v, d = v[ok], d[ok]
    if v.size < 2:
        return float("nan"), float("nan")
    kappa = winsor_consistency(trim)
    r = v - centre
    z0 = r * np.sqrt(d)  # z with base s_i = 1/√D_i
    sigma2 = float(np.mean(winsorise(z0, trim) ** 2) / kappa)  # σ̂² = mean(z_w²)/κ
    if not additive:
        return sigma2, 0.0
    tau2 = 0.0
    x = 1.0 / d
    for _ in range(iterations):
        var = sigma2 * x + tau2
        if not np.all(var > 0):
            break
        zw = winsorise(r / np.sqrt(var), trim)
        r2 = zw**2 * var / kappa  # winsorised squared residual, de-biased
        w = 1.0 / var**2
        design = np.column_stack([np.ones_like(x), x]) * np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(design, r2 * np.sqrt(w), rcond=None)
        tau2, sigma2 = float(coef[0]), float(coef[1])
        if tau2 < 0:  # refit with σ² only
            tau2, sigma2 = 0.0, float(np.sum(w * r2 * x) / np.sum(w * x * x))
        elif sigma2 < 0:  # refit with τ² only
            sigma2, tau2 = 0.0, float(np.sum(w * r2) / np.sum(w))
    return sigma2, tau2
