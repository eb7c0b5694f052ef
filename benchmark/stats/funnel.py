"""Funnel-plot control limits for counts (SPEC §6 and Appendix A, exactly).

Why: a league table of raw rates rewards and shames small entities for chance. Funnel limits
(Spiegelhalter 2005, "Funnel plots for comparing institutional performance", Stat Med 24:1185)
put each entity's value beside the range chance alone would give at its size, and the
overdispersion step (Spiegelhalter 2005, Qual Saf Health Care 14:347; Spiegelhalter et al. 2012,
JRSS-A 175:1) widens them when the peers vary more than sampling explains.

Agreement with FunnelPlotR (Mainey, nhs-r-community): same transforms, centres, trimming, φ and
τ² (Appendix A). Known differences, all deliberate:
- ``cqc`` limits are squared back to the ratio scale, (1 ± z·σ)²; FunnelPlotR draws the
  square-root-scale limits without squaring them back. The lower limit is floored at 0 before
  squaring (a negative root would otherwise square to a spurious positive limit).
- proportion limits clip the *angle* to [0, π/2] before sin², so limits never fold back.
- indirect ``shmi`` with O = 0: log(0) is −∞; we use O = ½ in the transform only (z and φ),
  so z is finite; the value 0 is still compared with the limits on the ratio scale.
- ratio of counts uses (O+½)/(D+½) in y and s (Appendix A), so zero counts are finite; when the
  whole peer group has O = 0 (log of a zero centre) the centre is log((ΣO+½)/(ΣD+½)).
  Caveat kept from Appendix A: flags compare the raw value O/D with the limits, so an entity
  with O = 0 is below every positive lower limit and is flagged even when its ½-corrected z is
  unremarkable (tiny D). For very small counts read z, or use ``kind="indirect"``.
- overdispersion is applied when φ > 1 (Appendix A); FunnelPlotR switches on τ² > 0, which
  differs only for 1 − 1/n < φ ≤ 1.
- exact Poisson 99.8 % lower limit uses α/2 = 0.001 (Appendix A); FunnelPlotR's limit lookup
  table (``build_limits_lookup``) takes the 0.002 quantile there.
Checked against FunnelPlotR's R/od_adjustment.R (transformed_zscore, winsorisation with R
``quantile`` type 7, truncation, phi_func with n = kept entities, tau_func over the kept s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmark.stats.distributions import chi2_ppf
from benchmark.stats.overdispersion import (
    phi_estimate,
    tau2_dersimonian_laird,
    tau2_robust_moment,
    truncation_consistency,
    truncation_mask,
    winsor_consistency,
    winsorise,
)
from benchmark.vocabulary import Flag

Z95 = 1.959964  # Φ⁻¹(0.975), Appendix A
Z998 = 3.090232  # Φ⁻¹(0.999), Appendix A
KINDS = ("proportion", "ratio", "indirect")


@dataclass(frozen=True)
class FunnelCore:
    """Arrays of one funnel on the transformed scale (for ``assess`` and the funnel frame)."""

    value: np.ndarray
    y: np.ndarray
    s: np.ndarray
    centre: float  # transformed scale
    target: float  # value scale
    z: np.ndarray
    phi: float
    tau2: float
    applied: str  # multiplicative | additive | none
    sigma: np.ndarray  # s.e. of y used for the limits (s, s·√φ or √(s²+τ²))
    limits: dict[str, np.ndarray]
    valid: np.ndarray


def _as_array(x) -> np.ndarray:
    return np.asarray(pd.Series(x).to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _transform(kind: str, method: str | None, num: np.ndarray, den: np.ndarray):
    """y and s per Appendix A's table (rows: proportion, ratio, shmi, cqc)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            y = np.arcsin(np.sqrt(num / den))  # y = asin(√p)
            s = 1.0 / (2.0 * np.sqrt(den))  # s = 1/(2√n)
        elif kind == "ratio":
            y = np.log((num + 0.5) / (den + 0.5))  # y = log((O+½)/(D+½))
            s = np.sqrt(num / (num + 0.5) ** 2 + den / (den + 0.5) ** 2)
        elif method == "cqc":
            y = np.sqrt(num / den)  # y = √(O/E)
            s = 1.0 / (2.0 * np.sqrt(den))  # s = 1/(2√E)
        else:  # shmi
            y = np.log(np.where(num > 0, num, 0.5) / den)  # y = log(O/E), O = 0 → ½
            s = 1.0 / np.sqrt(den)  # s = 1/√E
    return y, s


def _centre_of(kind: str, method: str | None, target: float) -> float:
    """The target (value scale) on the transformed scale."""
    if kind == "proportion":
        return float(np.arcsin(np.sqrt(target)))
    if kind == "ratio" or method != "cqc":
        return float(np.log(target))
    return float(np.sqrt(target))


def _back(kind: str, method: str | None, centre: float, half: np.ndarray, sign: int):
    """Map centre ± half-width back to the value scale (Appendix A, 'Limits')."""
    t = centre + sign * half
    if kind == "proportion":
        return np.sin(np.clip(t, 0.0, np.pi / 2)) ** 2  # sin²(centre ± zσ), angle clipped
    if kind == "indirect" and method == "cqc":
        return np.clip(t, 0.0, None) ** 2  # (1 ± zσ)², squared back (FunnelPlotR does not)
    return np.exp(t)  # ratio: exp(centre ± zσ); shmi: exp(± zσ)


def _poisson(e: np.ndarray, target: float, alpha_half: float):
    """Exact Poisson limits of O/E: χ²_{α/2}(2E)/(2E), χ²_{1−α/2}(2E+2)/(2E), times the target."""
    lo = chi2_ppf(alpha_half, 2 * e) / (2 * e)
    hi = chi2_ppf(1 - alpha_half, 2 * e + 2) / (2 * e)
    return lo * target, hi * target


def funnel_core(
    numerator,
    denominator,
    kind: str = "proportion",
    method: str | None = None,
    overdispersion: str | None = None,
    trim: float = 0.1,
    *,
    target: float | None = None,
    consistent: bool = False,
) -> FunnelCore:
    """Compute a funnel on arrays; ``consistent`` divides φ by E[trimmed Z²] (see assess)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "indirect":
        method = method or "shmi"
        if method not in ("shmi", "cqc"):
            raise ValueError(f"method must be 'shmi' or 'cqc', got {method!r}")
    elif method is not None:
        raise ValueError("method applies only to kind='indirect'")
    if overdispersion in ("none", None):
        overdispersion = None
    elif overdispersion not in ("multiplicative", "additive"):
        raise ValueError(f"unknown overdispersion {overdispersion!r}")
    if not 0 <= trim < 0.5:
        raise ValueError("trim must be in [0, 0.5)")
    num, den = _as_array(numerator), _as_array(denominator)
    if num.shape != den.shape:
        raise ValueError("numerator and denominator differ in length")
    valid = np.isfinite(num) & np.isfinite(den) & (den > 0)
    if np.any(valid & (num < 0)):
        raise ValueError("counts must be non-negative")
    if kind == "proportion" and np.any(valid & (num > den)):
        raise ValueError("a proportion's numerator exceeds its denominator")
    n_all = num.size
    nan = np.full(n_all, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(valid, num / den, np.nan)
    y, s = _transform(kind, method, num, den)
    y, s = np.where(valid, y, np.nan), np.where(valid, s, np.nan)
    if target is None:  # pooled centre: Σnum/Σden (indirect: 1)
        pooled = num[valid].sum() / den[valid].sum() if valid.any() else np.nan
        target = 1.0 if kind == "indirect" else float(pooled)
    if kind in ("ratio", "indirect") and method != "cqc" and target <= 0 and valid.any():
        # log(0): no events in the whole peer group (or a zero target); centre on the
        # ½-corrected pooled ratio (ΣO+½)/(ΣD+½), the same correction the entities' y use.
        target = float((num[valid].sum() + 0.5) / (den[valid].sum() + 0.5))
    centre = _centre_of(kind, method, target) if valid.any() else float("nan")
    z = (y - centre) / s  # z = (y − centre)/s
    zv, sv = z[valid], s[valid]
    # Trimming: truncation for shmi, winsorising otherwise (Appendix A).
    if kind == "indirect" and method == "shmi":
        keep = truncation_mask(zv, trim)
        zt, st = zv[keep], sv[keep]
        kappa = truncation_consistency(trim)
    else:
        zt, st = winsorise(zv, trim), sv
        kappa = winsor_consistency(trim)
    phi = phi_estimate(zt)  # φ = mean(z_trimmed²)
    if consistent and np.isfinite(phi):
        phi = phi / kappa
    tau2 = tau2_dersimonian_laird(phi, st) if zt.size else float("nan")
    if consistent and zt.size and np.isfinite(phi) and phi > 1:
        if kind == "indirect" and method == "shmi":
            def mean_sq(zz):
                return float(np.mean(zz[truncation_mask(zz, trim)] ** 2))
        else:
            def mean_sq(zz):
                return float(np.mean(winsorise(zz, trim) ** 2))
        tau2 = tau2_robust_moment(zv * sv, sv, mean_sq, kappa)
    applied = overdispersion if (overdispersion and np.isfinite(phi) and phi > 1) else "none"
    if applied == "multiplicative":
        sigma = s * np.sqrt(phi)  # s·√φ
    elif applied == "additive":
        sigma = np.sqrt(s**2 + tau2)  # √(s² + τ²)
    else:
        sigma = s.copy()
    limits: dict[str, np.ndarray] = {}
    for name, zq, alpha_half in (("95", Z95, 0.025), ("998", Z998, 0.001)):
        if kind == "indirect" and applied == "none":
            lo, hi = _poisson(den, target, alpha_half)
        else:
            lo = _back(kind, method, centre, zq * sigma, -1)
            hi = _back(kind, method, centre, zq * sigma, +1)
        limits["lower" + name] = np.where(valid, lo, nan)
        limits["upper" + name] = np.where(valid, hi, nan)
    return FunnelCore(value, y, s, centre, float(target), z, phi, tau2, applied, sigma,
                      limits, valid)


def flags(value: np.ndarray, limits: dict[str, np.ndarray]) -> np.ndarray:
    """Flag by strict inequality: a value on a limit is inside (Appendix A)."""
    out = np.full(value.shape, Flag.WITHIN.value, dtype=object)
    out[value > limits["upper95"]] = Flag.ABOVE_95.value
    out[value > limits["upper998"]] = Flag.ABOVE_998.value
    out[value < limits["lower95"]] = Flag.BELOW_95.value
    out[value < limits["lower998"]] = Flag.BELOW_998.value
    out[~np.isfinite(value) | ~np.isfinite(limits["upper95"])] = None  # no limits → no flag
    return out


def funnel(
    numerator,
    denominator,
    kind: str = "proportion",
    method: str | None = None,
    overdispersion: str | None = None,
    trim: float = 0.1,
) -> pd.DataFrame:
    """Funnel limits, z-scores and flags per entity (SPEC §6, Appendix A).

    ``numerator``/``denominator`` are counts summed over the window (indirect: observed O and
    expected E). Returns one row per input (same index): target, value, z, z_adjusted, phi,
    tau2, lower95, upper95, lower998, upper998, flag, plus s (within-entity s.e. on the
    transformed scale), centre (transformed) and overdispersion_applied. φ and τ² are always
    estimated and reported; they change the limits only when requested and φ > 1. Entities
    with a missing or non-positive denominator get NaN everywhere and no flag.
    """
    index = numerator.index if isinstance(numerator, pd.Series) else None
    c = funnel_core(numerator, denominator, kind, method, overdispersion, trim)
    if c.applied == "multiplicative":
        z_adj = c.z / np.sqrt(c.phi)  # z/√φ
    elif c.applied == "additive":
        z_adj = (c.y - c.centre) / c.sigma  # (y − centre)/√(s² + τ²)
    else:
        z_adj = c.z
    frame = pd.DataFrame(
        {
            "target": np.where(c.valid, c.target, np.nan),
            "value": c.value,
            "z": c.z,
            "z_adjusted": z_adj,
            "phi": c.phi,
            "tau2": c.tau2,
            **c.limits,
            "flag": flags(c.value, c.limits),
            "s": c.s,
            "centre": c.centre,
            "overdispersion_applied": c.applied,
        },
        index=index,
    )
    return frame
