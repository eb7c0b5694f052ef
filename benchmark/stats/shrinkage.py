"""Empirical-Bayes (normal–normal) shrinkage of entity values towards the peer target.

Why: an extreme value from a small unit is mostly noise. If true values θ_i vary around the
peer centre μ with between-entity variance τ², and y_i | θ_i ~ N(θ_i, s_i²), then the posterior
mean is μ + B_i (y_i − μ) with B_i = τ²/(τ² + s_i²) and posterior variance B_i·s_i²
(Spiegelhalter et al. 2012, JRSS-A 175:1, §3; Efron & Morris 1975). Small units (large s_i)
get small B_i and move most towards the target; large units barely move.

Choice of τ²: the caller passes the DerSimonian–Laird τ² estimated from the same peer group,
*whether or not* overdispersion is applied to the funnel limits (``assess`` does this). When the
peers show no more variation than sampling explains (τ² = 0) every shrunken value collapses to
the target with zero posterior s.e.: the honest empirical-Bayes reading is that the data cannot
tell the entities apart. The uncertainty of μ and τ² themselves is ignored (plug-in EB).
"""

from __future__ import annotations

import numpy as np


def shrink(y, s, centre, tau2) -> tuple[np.ndarray, np.ndarray]:
    """Return (y_shrunk, s_shrunk) on the scale given: centre + B(y − centre), s·√B.

    ``centre`` and ``tau2`` may be scalars or arrays broadcastable to ``y``. Entities with
    s = 0 (no sampling error) keep their value; NaN inputs give NaN.
    """
    y = np.asarray(y, dtype=float)
    s = np.asarray(s, dtype=float)
    tau2 = np.asarray(tau2, dtype=float)
    if np.any(tau2 < 0):
        raise ValueError("tau2 must be non-negative")
    s2 = s**2
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(s2 == 0, 1.0, tau2 / (tau2 + s2))  # B = τ²/(τ² + s²)
    y_shrunk = centre + b * (y - centre)
    s_shrunk = s * np.sqrt(b)  # posterior s.d. √(B s²) = √(τ² s²/(τ² + s²))
    return y_shrunk, s_shrunk
