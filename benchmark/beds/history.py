"""Which wards can be forecast, and from what: the daily history, or only monthly means.

A ward (an ``inpatient`` unit, or any unit with ``daily`` rows) is forecast from its daily census
when it has at least ``MIN_DAYS`` days of it before the budget year (two years: one year cannot
tell the season from the trend). Otherwise:

- with at least ``MIN_MONTHS`` months of ``monthly.bed_days`` it gets the **monthly-mean draft**
  (``basis = "monthly_mean"``): the mean census of the same calendar month in the last year, with
  Poisson variation only — a lower bound, since real census varies more; it is marked as such
  everywhere it appears;
- else it is left out, with the reason (``basis = "none"``).

Every ward gets one row in :func:`ward_status` saying which, and why, in words
(:mod:`benchmark.beds.messages`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_DAYS = 730
MIN_MONTHS = 12


@dataclass(frozen=True)
class History:
    """Daily census of the wards that can be forecast, and the status of every ward."""

    daily: pd.DataFrame  # unit_id, date (datetime64), census — only wards with basis "daily"
    status: pd.DataFrame  # one row per ward: unit_id, basis, first, last, days, missing_days, months
    monthly_means: pd.DataFrame  # unit_id, month_no (1–12), census_mean — wards with "monthly_mean"


def prepare(ds, year: int) -> History:
    """The history before ISO year ``year`` and each ward's basis (see the module docstring)."""
    from benchmark.beds.calendar import budget_days

    start = budget_days(year)[0]
    units = ds.units
    wards = set(units.loc[units["care_level"] == "inpatient", "unit_id"])
    daily = ds.daily
    if daily is not None and len(daily):
        keep = (daily["date"] < start).to_numpy() & daily["census"].notna().to_numpy()
        codes, ids = pd.factorize(daily["unit_id"])
        codes, dates = codes[keep], daily["date"].to_numpy()[keep]
        census = daily["census"].to_numpy(float)[keep]
        order = np.lexsort((dates, codes))  # sort by ward, then date, on integer codes
        codes, dates, census = codes[order], dates[order], census[order]
        ids = np.asarray(ids, dtype=object)
        daily = pd.DataFrame({"unit_id": ids[codes], "date": dates, "census": census})
        n = len(ids)
        count = np.bincount(codes, minlength=n)
        wards |= set(ids[count > 0])
        starts = np.searchsorted(codes, np.arange(n))  # codes are sorted: each ward's first and last row
        ends = np.searchsorted(codes, np.arange(n), side="right") - 1
        peak = np.zeros(n)
        np.maximum.at(peak, codes, census)
        spans = pd.DataFrame({"first": dates[np.clip(starts, 0, max(len(dates) - 1, 0))] if len(dates) else pd.NaT,
                              "last": dates[np.clip(ends, 0, None)] if len(dates) else pd.NaT,
                              "days": count, "peak": peak}, index=ids)[count > 0]
    else:
        daily = pd.DataFrame({"unit_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                              "census": pd.Series(dtype=float)})
        spans = pd.DataFrame({"first": pd.Series(dtype="datetime64[ns]"), "last": pd.Series(dtype="datetime64[ns]"),
                              "days": pd.Series(dtype=int), "peak": pd.Series(dtype=float)})
    order = units.loc[units["unit_id"].isin(wards), "unit_id"].tolist()
    status = pd.DataFrame({"unit_id": order}).merge(spans[["first", "last", "days"]], left_on="unit_id",
                                                    right_index=True, how="left")
    status["days"] = status["days"].fillna(0).astype(int)
    span_days = (status["last"] - status["first"]).dt.days + 1
    status["missing_days"] = (span_days - status["days"]).fillna(0).astype(int)

    monthly = ds.monthly
    month_start = f"{start.year:04d}-{start.month:02d}"
    if "bed_days" in monthly:
        m = monthly.loc[monthly["unit_id"].isin(wards) & (monthly["month"] < month_start)
                        & (monthly["bed_days"] > 0), ["unit_id", "month", "bed_days"]]
    else:
        m = pd.DataFrame(columns=["unit_id", "month", "bed_days"])
    months = m.groupby("unit_id")["month"].nunique()
    status["months"] = status["unit_id"].map(months).fillna(0).astype(int)
    status["basis"] = np.select([status["days"] >= MIN_DAYS, status["months"] >= MIN_MONTHS],
                                ["daily", "monthly_mean"], "none")
    zero = (spans["peak"] == 0).astype(bool)
    status["zero_census"] = status["unit_id"].map(zero).astype("boolean").fillna(False).astype(bool)
    status.loc[(status["basis"] == "daily") & status["zero_census"], "basis"] = "none"

    keep = set(status.loc[status["basis"] == "daily", "unit_id"])
    daily = daily[daily["unit_id"].isin(keep)].reset_index(drop=True)  # already sorted by ward and date
    return History(daily, status.reset_index(drop=True), _monthly_means(m, status))


def _monthly_means(m: pd.DataFrame, status: pd.DataFrame) -> pd.DataFrame:
    """Mean census per calendar month over each ward's last 12 months of ``bed_days``."""
    wards = set(status.loc[status["basis"] == "monthly_mean", "unit_id"])
    m = m[m["unit_id"].isin(wards)].sort_values(["unit_id", "month"])
    m = m.groupby("unit_id").tail(MIN_MONTHS)
    period = pd.PeriodIndex(m["month"], freq="M")
    return pd.DataFrame({"unit_id": m["unit_id"].to_numpy(), "month_no": period.month,
                         "census_mean": m["bed_days"].to_numpy(float) / period.days_in_month})
