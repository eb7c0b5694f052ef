"""Predictive census distributions: daily quantiles and the weekly mixture's distribution function.

Each ward-day's census is a negative binomial with the forecast mean ``m`` and variance ``v``
(Poisson when ``v ≤ m``). Rather than calling ``scipy.stats.nbinom.ppf`` a million times (about
3 µs each), the probabilities are walked up the integers once with the recurrence

    P(k + 1) = P(k) · (c0 + c1·k) / (k + 1),   c0 = n(1 − p), c1 = 1 − p   (Poisson: c0 = m, c1 = 0)

vectorised over all ward-days, starting a little below the smallest plausible census of each ward
(``k0``, where the distribution function is below 1e-12) so that large wards do not underflow.
The same walk gives every daily quantile and, per group of days (a ward's ISO week), the
distribution function of the *mixture* of those days — the distribution of the census on a day
picked at random from the week. The bed rule of SPEC §12 ("the census exceeds the beds on at most
1 − s of the week's days", in expectation) is exactly the mixture's s-quantile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

SPREAD = 8.0  # the walk covers mean ± SPREAD standard deviations (+10): tail mass < 1e-9


@dataclass(frozen=True)
class WeeklyCdf:
    """Mixture distribution functions on an integer grid: ``cdf[g, j] = P(X ≤ k0[g] + j)``."""

    k0: np.ndarray  # (G,) first grid point of each group
    cdf: np.ndarray  # (G, J)
    days: np.ndarray  # (G,) days in each group

    def quantile(self, level: float | np.ndarray) -> np.ndarray:
        """Smallest integer b with P(X ≤ b) ≥ level, per group (level scalar or (G,))."""
        level = np.broadcast_to(np.asarray(level, float), self.k0.shape)
        below = self.cdf < (level[:, None] - 1e-12)
        return self.k0 + below.sum(axis=1)

    def cdf_at(self, beds: np.ndarray) -> np.ndarray:
        """P(X ≤ beds) per group (1 above the grid, 0 below it)."""
        j = np.asarray(beds, float) - self.k0
        missing = np.isnan(j)
        inside = np.clip(np.where(missing, 0, np.floor(j)), 0, self.cdf.shape[1] - 1).astype(int)
        value = self.cdf[np.arange(len(j)), inside]
        value = np.where(j < 0, 0.0, np.where(j >= self.cdf.shape[1], 1.0, value))
        return np.where(missing, np.nan, value)


def _coefficients(mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = np.maximum(np.asarray(mean, float), 1e-9)
    var = np.asarray(var, float)
    nb = var > mean * (1 + 1e-6)
    excess = np.where(nb, var - mean, 1.0)
    n = np.where(nb, mean**2 / excess, 1.0)
    q = np.where(nb, excess / np.where(nb, var, 1.0), 0.0)  # 1 − p
    c0 = np.where(nb, n * q, mean)
    c1 = np.where(nb, q, 0.0)
    return c0, c1, n


def _log_pmf(k: np.ndarray, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    c0, c1, n = _coefficients(mean, var)
    mean = np.maximum(mean, 1e-9)
    poisson = k * np.log(mean) - mean - special.gammaln(k + 1)
    q = np.where(c1 > 0, c1, 0.5)
    negbin = (special.gammaln(k + n) - special.gammaln(n) - special.gammaln(k + 1)
              + n * np.log1p(-q) + k * np.log(q))
    return np.where(c1 > 0, negbin, poisson)


def walk(mean: np.ndarray, var: np.ndarray, ward: np.ndarray, group: np.ndarray, n_groups: int,
         levels: tuple[float, ...] = ()) -> tuple[np.ndarray, WeeklyCdf]:
    """Daily quantiles (N, len(levels)) and the weekly mixture cdf of ``group`` (0 … n_groups-1).

    ``ward`` (N,) is an integer code: days of one ward share a grid start. Every group must lie
    within one ward.
    """
    mean = np.asarray(mean, float)
    var = np.maximum(np.asarray(var, float), mean)
    sd = np.sqrt(np.maximum(var, 1e-12))
    n_wards = int(ward.max()) + 1 if len(ward) else 0
    low = np.full(n_wards, np.inf)
    np.minimum.at(low, ward, mean - SPREAD * sd)
    high = np.zeros(n_wards)
    np.maximum.at(high, ward, mean + SPREAD * sd + 10)
    k0_ward = np.maximum(np.floor(low), 0.0)
    k0 = k0_ward[ward]
    span = int(np.ceil(np.max(high - k0_ward))) + 1 if n_wards else 1
    c0, c1, _ = _coefficients(mean, var)
    pmf = np.exp(_log_pmf(k0, mean, var))
    cdf = np.zeros_like(mean)
    quant = np.zeros((len(levels), len(mean)))
    thresholds = [level - 1e-12 for level in levels]
    order = np.argsort(group, kind="stable")
    contiguous = bool(np.all(order == np.arange(len(group))))
    starts = np.flatnonzero(np.diff(group, prepend=-1)) if contiguous else None
    days = np.bincount(group, minlength=n_groups).astype(float)
    weekly = np.empty((n_groups, span))
    k = k0.copy()
    below = np.empty(len(mean), bool)
    for j in range(span):
        cdf += pmf
        for i, level in enumerate(thresholds):
            np.less(cdf, level, out=below)
            quant[i] += below
        if contiguous and len(starts) == n_groups:
            weekly[:, j] = np.add.reduceat(cdf, starts)
        else:
            weekly[:, j] = np.bincount(group, weights=cdf, minlength=n_groups)
        pmf *= (c0 + c1 * k) / (k + 1)
        k += 1
    weekly /= np.maximum(days, 1)[:, None]
    quant = quant.T
    group_k0 = np.zeros(n_groups)
    group_k0[group] = k0
    return k0[:, None] + quant, WeeklyCdf(group_k0, np.minimum(weekly, 1.0), days)
