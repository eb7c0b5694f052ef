"""Backtest on the last full year of history: the model against two baselines (SPEC §6).

Held out: the last 52 whole ISO weeks of each ward's daily history (Monday to Sunday, ending on
the last Sunday with data). The model is refitted on the days before; the baselines see the
same days:

- ``model``: the forecast of :mod:`benchmark.beds.forecast` and beds by the quantile rule;
- ``seasonal_naive``: each held-out day is forecast by the census 364 days (52 weeks, same
  weekday) earlier; a week's beds are the s-quantile of the same week a year before (its
  quantiles are the empirical quantiles of those 7 days);
- ``occupancy_85``: constant beds = ⌈mean census of the last training year / 0,85⌉, the
  Norwegian planning norm; a point forecast (every quantile is the mean).

Measures per ward and method: ``share_days_covered`` (held-out days with census ≤ that week's
beds), ``bed_days_planned`` (Σ beds over the held-out days) and ``pinball_loss`` (the mean over
the quantile levels of :data:`~benchmark.beds.forecast.QUANTILES` and the days of
ρ_τ(y − q_τ) = (y − q_τ)(τ − 1[y < q_τ]); Gneiting & Raftery 2007, §9.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.beds.calendar import iso_week_label
from benchmark.beds.forecast import QUANTILE_COLUMNS, QUANTILES, add_quantiles, forecast_wards
from benchmark.beds.recommend import recommend

HELD_OUT_DAYS = 364
MIN_TRAIN_DAYS = 365
OCCUPANCY_NORM = 0.85
COLUMNS = ["unit_id", "method", "share_days_covered", "bed_days_planned", "pinball_loss", "days",
           "held_out_from", "held_out_to"]


def held_out_window(last_day: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of the last 52 whole ISO weeks ending on or before ``last_day``."""
    end = last_day - pd.Timedelta(days=(last_day.day_of_week + 1) % 7)  # the last Sunday
    return end - pd.Timedelta(days=HELD_OUT_DAYS - 1), end


def pinball(y: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Mean pinball loss over the levels of ``QUANTILES`` per row (``q``: rows × levels)."""
    tau = np.asarray(QUANTILES)[None, :]
    u = y[:, None] - q
    return np.mean(u * (tau - (u < 0)), axis=1)


def backtest(daily: pd.DataFrame, units: pd.DataFrame, service_level: float = 0.95) -> pd.DataFrame:
    """One row per ward and method (see the module docstring); wards too short are left out."""
    if daily.empty:
        return pd.DataFrame(columns=COLUMNS)
    last = daily.groupby("unit_id")["date"].max()
    windows = last.map(lambda d: held_out_window(d)[0])
    frames = []
    for start, wards in windows.groupby(windows).groups.items():
        days = pd.date_range(start, start + pd.Timedelta(days=HELD_OUT_DAYS - 1), freq="D")
        part = daily[daily["unit_id"].isin(set(wards))]
        train = part[part["date"] < start]
        spans = train.groupby("unit_id")["date"].agg(lambda s: (s.max() - s.min()).days + 1)
        ok = set(spans.index[spans >= MIN_TRAIN_DAYS])
        if not ok:
            continue
        train = train[train["unit_id"].isin(ok)]
        test = part[part["unit_id"].isin(ok) & part["date"].isin(days)].copy()
        test["week"] = iso_week_label(pd.DatetimeIndex(test["date"]))
        frames += [_model(train, test, days, units, service_level),
                   _seasonal_naive(train, test, service_level), _occupancy_85(train, test)]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    order = {"model": 0, "seasonal_naive": 1, "occupancy_85": 2}
    return out.sort_values(["unit_id", "method"], key=lambda s: s.map(order) if s.name == "method" else s,
                           kind="stable").reset_index(drop=True)[COLUMNS]


def model_levels(daily: pd.DataFrame, units: pd.DataFrame, levels: tuple[float, ...]) -> pd.DataFrame:
    """The model's share covered and bed-days on the held-out year at several service levels,
    from one fit (for comparisons at an equal share, e.g. against ``occupancy_85``)."""
    last = daily.groupby("unit_id")["date"].max()
    start = held_out_window(last.min())[0]
    days = pd.date_range(start, start + pd.Timedelta(days=HELD_OUT_DAYS - 1), freq="D")
    train = daily[daily["date"] < start]
    test = daily[daily["date"].isin(days)].copy()
    test["week"] = iso_week_label(pd.DatetimeIndex(test["date"]))
    forecast, _ = forecast_wards(train.sort_values(["unit_id", "date"]), days)
    forecast["week"] = iso_week_label(pd.DatetimeIndex(forecast["date"]))
    out = []
    for level in levels:
        plan, _, _ = recommend(forecast, units, level)
        beds = plan.set_index(["unit_id", "week"])["beds_recommended"]
        week_beds = beds.reindex(pd.MultiIndex.from_frame(test[["unit_id", "week"]])).to_numpy()
        frame = pd.DataFrame({"unit_id": test["unit_id"].to_numpy(), "covered": test["census"].to_numpy() <= week_beds,
                              "beds": week_beds})
        g = frame.groupby("unit_id")
        out.append(pd.DataFrame({"service_level": level, "share_days_covered": g["covered"].mean(),
                                 "bed_days_planned": g["beds"].sum()}).reset_index())
    return pd.concat(out, ignore_index=True)


def _score(test: pd.DataFrame, beds: pd.Series, quantiles: np.ndarray, method: str) -> pd.DataFrame:
    frame = test[["unit_id", "date", "census"]].copy()
    frame["beds"] = beds.to_numpy(float)
    frame["covered"] = frame["census"] <= frame["beds"]
    frame["loss"] = pinball(frame["census"].to_numpy(float), quantiles)
    g = frame.groupby("unit_id", sort=False)
    out = pd.DataFrame({"share_days_covered": g["covered"].mean(), "bed_days_planned": g["beds"].sum(),
                        "pinball_loss": g["loss"].mean(), "days": g.size(),
                        "held_out_from": g["date"].min().dt.strftime("%Y-%m-%d"),
                        "held_out_to": g["date"].max().dt.strftime("%Y-%m-%d")}).reset_index()
    out.insert(1, "method", method)
    return out


def _model(train: pd.DataFrame, test: pd.DataFrame, days: pd.DatetimeIndex, units: pd.DataFrame,
           service_level: float) -> pd.DataFrame:
    forecast, _ = forecast_wards(train.sort_values(["unit_id", "date"]), days)
    forecast = add_quantiles(forecast)
    plan, _, _ = recommend(forecast, units, service_level)
    beds = plan.set_index(["unit_id", "week"])["beds_recommended"]
    merged = test.merge(forecast[["unit_id", "date", *QUANTILE_COLUMNS]], on=["unit_id", "date"], how="left")
    week_beds = beds.reindex(pd.MultiIndex.from_frame(merged[["unit_id", "week"]]))
    return _score(merged, week_beds, merged[list(QUANTILE_COLUMNS)].to_numpy(float), "model")


def _seasonal_naive(train: pd.DataFrame, test: pd.DataFrame, service_level: float) -> pd.DataFrame:
    lag = train[["unit_id", "date", "census"]].copy()
    lag["date"] = lag["date"] + pd.Timedelta(days=HELD_OUT_DAYS)
    lag["week"] = iso_week_label(pd.DatetimeIndex(lag["date"]))
    merged = test.merge(lag.rename(columns={"census": "lagged"}).drop(columns="week"), on=["unit_id", "date"],
                        how="left")
    merged = merged.merge(lag[["unit_id", "week"]].drop_duplicates(), on=["unit_id", "week"], how="left")
    levels = (*QUANTILES, service_level)
    weekly = _group_quantiles(lag, levels)
    key = pd.MultiIndex.from_frame(merged[["unit_id", "week"]])
    q = weekly.reindex(key)
    fallback = merged["lagged"].to_numpy(float)  # a week not in last year's data: the lagged day
    quant = q.iloc[:, :len(QUANTILES)].to_numpy(float)
    quant = np.where(np.isnan(quant), fallback[:, None], quant)
    at_level = q.iloc[:, len(QUANTILES)].to_numpy(float)
    beds = pd.Series(np.where(np.isnan(at_level), fallback, at_level))
    keep = ~np.isnan(quant).any(axis=1)
    return _score(merged[keep], beds[keep], quant[keep], "seasonal_naive")


def _group_quantiles(frame: pd.DataFrame, levels: tuple[float, ...]) -> pd.DataFrame:
    """Empirical quantiles (numpy's ``inverted_cdf``: the smallest value x with share ≤ x ≥ τ) of
    ``census`` per (unit_id, week), vectorised: sort once, pick order statistics."""
    f = frame.sort_values(["unit_id", "week", "census"], kind="stable")
    codes, keys = pd.factorize(pd.MultiIndex.from_arrays([f["unit_id"], f["week"]]), sort=False)
    n = np.bincount(codes)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    values = f["census"].to_numpy(float)
    cols = {}
    for i, tau in enumerate(levels):
        idx = start + np.maximum(np.ceil(tau * n - 1e-9).astype(int) - 1, 0)
        cols[i] = values[idx]
    return pd.DataFrame(cols, index=keys)


def _occupancy_85(train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    year = train[train["date"] > train.groupby("unit_id")["date"].transform("max") - pd.Timedelta(days=365)]
    mean = year.groupby("unit_id")["census"].mean()
    beds = np.ceil(test["unit_id"].map(mean / OCCUPANCY_NORM))
    point = test["unit_id"].map(mean).to_numpy(float)
    return _score(test, beds, np.repeat(point[:, None], len(QUANTILES), axis=1), "occupancy_85")
