"""The census forecast: a quasi-Poisson regression per ward, predictive quantiles per day.

Model (per ward, fitted by ``statsmodels`` GLM with a log link, McCullagh & Nelder 1989, §6.2):

    log E[census_d] = x_d'β,   Var[census_d] = φ · E[census_d]

with the calendar terms of :mod:`benchmark.beds.calendar` (weekday, Fourier season, fellesferie,
Christmas, Easter, public holidays, linear trend). φ is Pearson's χ²/df (the quasi-Poisson
dispersion, floored at 1) and the covariance of β̂ is scaled by it (``scale="X2"``). The
predictive distribution of one day is a negative binomial with mean and variance

    μ = exp(x'β̂ + s²/2),   v = φμ + μ²(exp(s²) − 1),   s² = x' Cov(β̂) x,

so the uncertainty of the fitted season and, above all, of the extrapolated trend widens the
band the further the budget year lies from the history (a log-normal mixture matched on its
first two moments). Why not ETS/UnobservedComponents: they forecast a level and a season well,
but a daily series has a weekly and a yearly season and moving holidays (Easter), which a
regression states directly; a GLM fit is also ~6 ms a ward, against ~100 ms for a state-space
fit, which makes 3 000 wards in well under a minute possible (SPEC §9).

The ward's census series is autocorrelated (patients stay several days); that leaves the
marginal distribution of a day — what the bed rule needs — unbiased, but the covariance of β̂ is
too narrow for it. ``cov_type="HAC"`` (Newey–West, 14 lags) corrects it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmark.beds.batched import fit_batch
from benchmark.beds.calendar import TERM_NAMES, budget_days, design, iso_week_label
from benchmark.beds.distribution import walk

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99)
QUANTILE_COLUMNS = tuple(f"p{round(q * 100):02d}" for q in QUANTILES)
HAC_LAGS = 14
TREND_MIN_DAYS = 730  # a trend needs two years; with fewer days the trend term is left out


@dataclass(frozen=True)
class WardFit:
    beta: np.ndarray
    cov: np.ndarray
    phi: float
    centre: pd.Timestamp
    trend: bool
    iterations: int


def fit_ward(dates: pd.DatetimeIndex | None, census: np.ndarray, X: np.ndarray,
             free: np.ndarray | None = None) -> WardFit:
    """Fit the census model of one ward with statsmodels (``free``: the columns it can estimate)."""
    import statsmodels.api as sm

    cols = X.any(axis=0) if free is None else np.asarray(free, bool)
    model = sm.GLM(np.asarray(census, float), X[:, cols], family=sm.families.Poisson())
    res = model.fit(scale="X2", cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS})
    beta = np.zeros(X.shape[1])
    beta[cols] = res.params
    cov = np.zeros((X.shape[1], X.shape[1]))
    cov[np.ix_(cols, cols)] = np.asarray(res.cov_params())
    trend = bool(cols[TERM_NAMES.index("trend")])
    centre = dates[0] + (dates[-1] - dates[0]) / 2 if dates is not None and len(dates) else pd.NaT
    return WardFit(beta, cov, float(res.scale), centre, trend, int(res.fit_history.get("iteration", 0)))


def predict(fit: WardFit, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictive mean and variance for the design rows ``X`` (see the module docstring)."""
    eta = X @ fit.beta
    s2 = np.einsum("ij,jk,ik->i", X, fit.cov, X)
    s2 = np.clip(s2, 0, 4)
    mean = np.exp(np.clip(eta + s2 / 2, -30, 30))
    var = fit.phi * mean + mean**2 * np.expm1(s2)
    return mean, var


def forecast_wards(daily: pd.DataFrame, days: pd.DatetimeIndex, engine: str = "batched",
                   chunk_wards: int = 150) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean and variance per ward and day of ``days``, and the fitted terms per ward.

    ``daily``: unit_id, date, census (sorted by unit and date). One calendar is built for the whole
    span and shared. ``engine="batched"`` fits many wards at once (:mod:`benchmark.beds.batched`,
    the same estimator); ``"statsmodels"`` calls ``statsmodels`` GLM ward by ward.
    """
    if daily.empty:
        return (pd.DataFrame(columns=["unit_id", "date", "mean", "var"]),
                pd.DataFrame(columns=["unit_id", "phi", "trend_per_year", "iterations"]))
    origin = daily["date"].min()
    span = pd.date_range(origin, max(days[-1], daily["date"].max()), freq="D")
    X_all = design(span, origin)
    trend_col = TERM_NAMES.index("trend")
    codes, wards = pd.factorize(daily["unit_id"], sort=False)
    day_index = (daily["date"] - origin).dt.days.to_numpy()
    future_index = (days - origin).days.to_numpy()
    first = np.full(len(wards), np.iinfo(np.int64).max)
    last = np.zeros(len(wards), np.int64)
    np.minimum.at(first, codes, day_index)
    np.maximum.at(last, codes, day_index)
    shift = (first + last) / 2 / 365.25  # the trend is centred on the middle of each ward's history
    trend_ok = last - first + 1 >= TREND_MIN_DAYS
    census = daily["census"].to_numpy(float)
    means = np.empty((len(wards), len(days)))
    variances = np.empty((len(wards), len(days)))
    phis = np.empty(len(wards))
    trends = np.full(len(wards), np.nan)
    iters = np.zeros(len(wards), int)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: many small products run far faster than contended ones
        for lo in range(0, len(wards), chunk_wards):
            sel = np.arange(lo, min(lo + chunk_wards, len(wards)))
            rows = np.flatnonzero((codes >= sel[0]) & (codes <= sel[-1]))
            d0, d1 = int(first[sel].min()), int(last[sel].max()) + 1
            Y = np.zeros((len(sel), d1 - d0))
            M = np.zeros_like(Y)
            Y[codes[rows] - lo, day_index[rows] - d0] = census[rows]
            M[codes[rows] - lo, day_index[rows] - d0] = 1.0
            X = np.broadcast_to(X_all[d0:d1], (len(sel), d1 - d0, X_all.shape[1])).copy()
            X[:, :, trend_col] -= shift[sel, None]
            free = (np.abs(X) * M[:, :, None]).sum(axis=1) > 0
            free[:, trend_col] &= trend_ok[sel]
            if engine == "statsmodels":
                beta, cov, phi, it = _fit_statsmodels(Y, M, X, free)
            else:
                beta, cov, phi, it = fit_batch(Y, M, X, free, HAC_LAGS)
            phi = np.maximum(phi, 1.0)
            Xf = np.broadcast_to(X_all[future_index], (len(sel), len(days), X_all.shape[1])).copy()
            Xf[:, :, trend_col] -= shift[sel, None]
            eta = (Xf @ beta[:, :, None])[..., 0]
            s2 = np.clip(np.sum((Xf @ cov) * Xf, axis=2), 0, 4)
            mean = np.exp(np.clip(eta + s2 / 2, -30, 30))
            means[sel] = mean
            variances[sel] = phi[:, None] * mean + mean**2 * np.expm1(s2)
            phis[sel], iters[sel] = phi, it
            trends[sel] = np.where(trend_ok[sel], beta[:, trend_col], np.nan)
    n = len(days)
    frame = pd.DataFrame({"unit_id": np.repeat(np.asarray(wards, dtype=object), n),
                          "date": np.tile(days.to_numpy(), len(wards)),
                          "mean": means.ravel(), "var": variances.ravel()})
    fits = pd.DataFrame({"unit_id": np.asarray(wards, dtype=object), "phi": phis,
                         "trend_per_year": trends, "iterations": iters})
    return frame, fits


def _fit_statsmodels(Y, M, X, free):
    """The reference engine: statsmodels GLM per ward on the days with data."""
    W, _, P = X.shape
    beta, cov = np.zeros((W, P)), np.zeros((W, P, P))
    phi, it = np.zeros(W), np.zeros(W, int)
    for w in range(W):
        days = M[w] > 0
        fit = fit_ward(None, Y[w, days], X[w, days], free[w])
        beta[w], cov[w], phi[w], it[w] = fit.beta, fit.cov, fit.phi, fit.iterations
    return beta, cov, phi, it


def add_quantiles(frame: pd.DataFrame, chunk_wards: int = 200) -> pd.DataFrame:
    """``frame`` (unit_id, date, mean, var) with ``week`` and the daily quantile columns."""
    out = frame.copy()
    out["week"] = iso_week_label(pd.DatetimeIndex(out["date"]))
    q = np.zeros((len(out), len(QUANTILES)))
    codes, _ = pd.factorize(out["unit_id"], sort=False)
    mean, var = out["mean"].to_numpy(float), out["var"].to_numpy(float)
    for rows in _chunks_by_size(codes, mean, chunk_wards):
        ward = pd.factorize(codes[rows])[0]
        qs, _ = walk(mean[rows], var[rows], ward, ward, int(ward.max()) + 1, QUANTILES)
        q[rows] = qs
    for i, name in enumerate(QUANTILE_COLUMNS):
        out[name] = q[:, i]
    return out


def _chunks_by_size(codes: np.ndarray, mean: np.ndarray, chunk: int):
    """Row indices in chunks of ``chunk`` wards of similar size (so the walk's grid stays short)."""
    if len(codes) == 0:
        return
    size = pd.Series(mean).groupby(codes).max()
    ordered = size.sort_values().index.to_numpy()
    for i in range(0, len(ordered), chunk):
        yield np.flatnonzero(np.isin(codes, ordered[i:i + chunk]))


def forecast_days(year: int) -> pd.DatetimeIndex:
    return budget_days(year)
