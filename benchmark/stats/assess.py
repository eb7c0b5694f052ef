"""One peer group's assessment on one criterion: the pipeline's entry point (DESIGN.md §4).

Why a layer over ``funnel``: the pipeline needs, besides the Appendix A funnel, a peer target
chosen by the catalogue (median, better quartile, fixed), the money/FTE variance model
(``scaled``), a standard error on the value's own scale for rank intervals and improvement
potential, and the empirical-Bayes shrunken value. Everything is vectorised over the entities of
the group; the loop over peer groups and criteria belongs to the caller.

One deliberate difference from ``funnel`` (and FunnelPlotR): by default (``consistent=True``)
φ is divided by κ = E[trimmed Z²] under normality (≈ 0.679 for 10 % winsorising, ≈ 0.43 for the
SHMI decile truncation). Without it Appendix A's φ̂ is biased low by about a third, overdispersed
peer groups get limits that are too narrow and ~10 % instead of 5 % of null entities are
flagged at 95 %; with it the flags are calibrated (tests/stats/test_calibration.py). τ² is then
the DerSimonian–Laird value from the corrected φ, or — when φ > 1 — the robust moment estimator
of ``overdispersion.tau2_robust_moment`` (trimmed z standardised by √(s² + τ²)), which keeps the
additive limits calibrated too. ``consistent=False`` reproduces ``funnel`` exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.stats.funnel import Z95, Z998, flags, funnel_core
from benchmark.stats.overdispersion import tau2_dersimonian_laird
from benchmark.stats.scaled import scaled_variance
from benchmark.stats.shrinkage import shrink

MODELS = ("proportion", "ratio", "indirect", "scaled")
COLUMNS = [
    "value", "target", "z", "z_adjusted", "lower95", "upper95", "lower998", "upper998", "flag",
    "se", "shrunk", "shrunk_se", "phi", "tau2", "overdispersion_applied",
]


def _slope(model: str, method: str | None, y: np.ndarray) -> np.ndarray:
    """dv/dy of the back-transform value = g(y) (delta method)."""
    if model == "proportion":
        return np.sin(2 * np.clip(y, 0, np.pi / 2))  # v = sin²y → dv/dy = sin 2y
    if model == "indirect" and method == "cqc":
        return 2 * np.clip(y, 0, None)  # v = y² → 2y
    return np.exp(y)  # v = e^y


def _inverse(model: str, method: str | None, y: np.ndarray) -> np.ndarray:
    if model == "proportion":
        return np.sin(np.clip(y, 0, np.pi / 2)) ** 2
    if model == "indirect" and method == "cqc":
        return np.clip(y, 0, None) ** 2
    return np.exp(y)


def _assess_counts(num, den, model, method, target, overdispersion, trim, consistent):
    c = funnel_core(num, den, model, method, overdispersion, trim, target=target,
                    consistent=consistent)
    if model == "indirect":
        method = method or "shmi"
    inflate = np.sqrt(c.phi) if c.applied == "multiplicative" else 1.0
    # Where the value sits on a boundary (p = 0 or 1, O = 0 under cqc) the slope at y is 0;
    # evaluate it at a continuity-corrected y so se stays positive (SHMI already uses O = ½).
    y_se = c.y
    if model == "proportion":
        y_se = np.arcsin(np.sqrt((num + 0.5) / (den + 1.0)))
    elif model == "indirect" and method == "cqc":
        y_se = np.sqrt(np.maximum(num, 0.5) / den)
    se = _slope(model, method, y_se) * c.s * inflate
    tau2_shrink = c.tau2 if np.isfinite(c.tau2) else 0.0
    y_obs = c.y
    if model == "ratio":  # shrink log(value) itself, not the ½-corrected y (unless O = 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            y_obs = np.where(num > 0, np.log(c.value), c.y)
    ys, ss = shrink(y_obs, c.s, c.centre, tau2_shrink)
    shrunk = _inverse(model, method, ys)
    shrunk_se = _slope(model, method, ys) * ss
    z_adj = (c.y - c.centre) / c.sigma
    return {
        "value": c.value, "target": np.where(c.valid, c.target, np.nan), "z": c.z,
        "z_adjusted": z_adj, **c.limits, "flag": flags(c.value, c.limits), "se": se,
        "shrunk": np.where(c.valid, shrunk, np.nan), "shrunk_se": np.where(c.valid, shrunk_se, np.nan),
        "phi": c.phi, "tau2": c.tau2, "overdispersion_applied": c.applied,
    }


def _assess_scaled(num, den, target, overdispersion, trim):
    valid = np.isfinite(num) & np.isfinite(den) & (den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(valid, num / den, np.nan)
    if target is not None:
        centre = float(target)
    else:
        centre = float(num[valid].sum() / den[valid].sum()) if valid.any() else float("nan")
    additive = overdispersion == "additive"
    sigma2, tau2 = scaled_variance(value, den, centre, additive=additive, trim=trim)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.sqrt(sigma2 / den)  # within-entity s.e.: σ/√D
        sigma = np.sqrt(sigma2 / den + tau2)  # limits' s.e.: √(σ²/D + τ²)
        z = (value - centre) / s
        z_adj = (value - centre) / sigma
    limits = {}
    for name, zq in (("95", Z95), ("998", Z998)):
        limits["lower" + name] = np.where(valid, centre - zq * sigma, np.nan)
        limits["upper" + name] = np.where(valid, centre + zq * sigma, np.nan)
    # Shrinkage needs the between-entity variance whatever the limits use: fit it.
    sig2_b, tau2_b = scaled_variance(value, den, centre, additive=True, trim=trim)
    if not np.isfinite(tau2_b):
        sig2_b, tau2_b = sigma2, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        shrunk, shrunk_se = shrink(value, np.sqrt(sig2_b / den), centre, tau2_b)
    return {
        "value": value, "target": np.where(valid, centre, np.nan), "z": z, "z_adjusted": z_adj,
        **limits, "flag": flags(value, limits), "se": np.where(valid, s, np.nan),
        "shrunk": shrunk, "shrunk_se": shrunk_se, "phi": np.nan, "tau2": tau2,
        "overdispersion_applied": "additive" if additive else "multiplicative",
    }


def assess(
    numerator,
    denominator,
    *,
    model: str,
    target: float | None = None,
    overdispersion: str | None = "multiplicative",
    trim: float = 0.1,
    method: str | None = None,
    consistent: bool = True,
) -> pd.DataFrame:
    """Assess one peer group (DESIGN.md §4); index = the inputs' index.

    ``model``: proportion | ratio | indirect (``method`` shmi/cqc) | scaled (money/FTE; see
    ``benchmark.stats.scaled``). ``target``: a value-scale centre (peer median, better
    quartile, fixed) replacing the pooled Σnum/Σden; z, φ, τ², limits and shrinkage are then
    all about that target. Columns: value, target, z, z_adjusted, lower95, upper95, lower998,
    upper998, flag, se (s.e. of value on its own scale incl. an applied φ, not τ²), shrunk,
    shrunk_se, phi, tau2, overdispersion_applied (multiplicative | additive | none). For
    ``scaled`` φ is not defined (the scale σ² has the criterion's units) and is NaN; its scale
    is always estimated from the peers.
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    if overdispersion == "none":
        overdispersion = None
    index = numerator.index if isinstance(numerator, pd.Series) else None
    num = np.asarray(pd.Series(numerator).to_numpy(dtype=float, na_value=np.nan), dtype=float)
    den = np.asarray(pd.Series(denominator).to_numpy(dtype=float, na_value=np.nan), dtype=float)
    if model == "scaled":
        cols = _assess_scaled(num, den, target, overdispersion, trim)
    else:
        cols = _assess_counts(num, den, model, method, target, overdispersion, trim, consistent)
    return pd.DataFrame(cols, index=index)[COLUMNS]


__all__ = ["assess", "tau2_dersimonian_laird"]
