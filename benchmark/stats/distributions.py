"""The few distribution functions scoring needs, from :mod:`scipy.special` alone.

Why not ``scipy.stats``: importing it costs 0,6–1,1 s of CPU in a fresh process (it loads every
distribution class, the sparse and optimisation packages), a quarter of the national run's
scoring budget (SPEC §9) and most of an app's first-screen import. ``scipy.special`` loads in a
quarter of that. Each function below is the formula ``scipy.stats`` itself evaluates (its
``_ppf``/``_cdf`` methods call the same special functions), so results are bit-identical;
tests/stats/test_distributions.py compares them with ``scipy.stats`` on grids.
"""

from __future__ import annotations

import numpy as np
from scipy import special

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))
# scipy.stats.pearson3 treats |γ| below this as the normal distribution (its _norm2pearson_transition)
_PEARSON_NORMAL_BELOW = 1.6e-5


def norm_ppf(p):
    """Standard normal quantile Φ⁻¹(p)."""
    return special.ndtri(p)


def norm_cdf(x):
    """Standard normal distribution function Φ(x)."""
    return special.ndtr(x)


def norm_sf(x):
    """Standard normal upper tail 1 − Φ(x), accurate far out (evaluated as Φ(−x))."""
    return special.ndtr(-np.asarray(x, float))


def norm_pdf(x):
    """Standard normal density φ(x)."""
    x = np.asarray(x, float)
    return np.exp(-x * x / 2.0) / _SQRT_2PI


def chi2_ppf(p, df):
    """χ² quantile with ``df`` degrees of freedom: 2·P⁻¹(df/2, p), P the regularised gamma."""
    return 2.0 * special.gammaincinv(np.asarray(df, float) / 2.0, p)


def t_ppf(p, df):
    """Student's t quantile; the normal's for infinite ``df`` (as scipy.stats.t does)."""
    df = np.asarray(df, float)
    return np.where(np.isinf(df), special.ndtri(p), special.stdtrit(np.where(np.isinf(df), 1.0, df), p))


def pearson3_ppf(p: float, skew) -> np.ndarray:
    """Standardised Pearson type III quantile (mean 0, s.d. 1, skewness γ) for many γ at once.

    The gamma distribution with shape α = 4/γ² shifted and scaled to mean 0, s.d. 1; mirrored for
    γ < 0; the normal for |γ| < 1,6·10⁻⁵ — scipy.stats.pearson3's own definition.
    """
    skew = np.atleast_1d(np.asarray(skew, float))
    out = np.empty(skew.shape)
    normal = np.abs(skew) < _PEARSON_NORMAL_BELOW
    out[normal] = special.ndtri(p)
    g = skew[~normal]
    beta = 2.0 / g
    alpha = beta * beta
    q = np.where(beta < 0, 1.0 - p, p)
    out[~normal] = special.gammaincinv(alpha, q) / beta - alpha / beta
    return out


def rank_average(x) -> np.ndarray:
    """Ranks 1..n of ``x`` with ties given their average rank (scipy.stats.rankdata's default)."""
    x = np.asarray(x, float).ravel()
    order = np.argsort(x, kind="mergesort")
    xs = x[order]
    # start of each run of equal values in sorted order
    new = np.r_[True, xs[1:] != xs[:-1]]
    run = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], x.size]  # exclusive
    avg = (starts + ends + 1) / 2.0  # mean of 1-based ranks starts+1 .. ends
    ranks = np.empty(x.size)
    ranks[order] = avg[run]
    return ranks
