"""``bm.beds``: the bed-capacity draft as one frozen result, its levers recomputed without a refit.

The pipeline reads as its steps: prepare the history → forecast each ward's census → add the
monthly-mean drafts → recommend beds per week → staffing → Erlang cross-check → backtest.
:meth:`BedsResult.with_options` moves a lever (service level, closure weeks, "+N beds") on the
stored forecast, which is what the notebook's slider does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark.beds import erlang, staffing
from benchmark.beds.backtest import backtest as run_backtest
from benchmark.beds.calendar import budget_days, iso_week_label
from benchmark.beds.forecast import QUANTILE_COLUMNS, add_quantiles, forecast_wards
from benchmark.beds.history import prepare
from benchmark.beds.messages import status_messages
from benchmark.beds.recommend import PLAN_COLUMNS, recommend

PLAN_EXTRA = ("closed", "basis", "days", "census_moved_in", "service_level_current",
              "care_hours_per_patient_day", "care_hours_expected", "fte_expected")
FORECAST_COLUMNS = ("unit_id", "date", "week", "basis", "mean", "var", *QUANTILE_COLUMNS)


@dataclass(frozen=True)
class BedsResult:
    """The bed draft of one budget year. Frames are not to be changed in place."""

    year: int
    service_level: float
    closed_weeks: tuple | Mapping
    closed_units: tuple[str, ...] | None
    extra_beds: int
    seed: int
    forecast: pd.DataFrame  # FORECAST_COLUMNS, one row per ward and day of the budget year
    bed_plan: pd.DataFrame  # PLAN_COLUMNS + PLAN_EXTRA, one row per ward and ISO week
    backtest: pd.DataFrame  # unit_id, method, share_days_covered, bed_days_planned, pinball_loss, …
    tradeoff: pd.DataFrame  # unit_id, beds_offset, beds_mean, bed_days_planned, overflow_days_expected, …
    erlang: pd.DataFrame  # the cross-check for small wards
    status: pd.DataFrame  # one row per ward: basis, history span, reason
    unplaced: pd.DataFrame  # closed wards' patients with no open ward in the division
    fits: pd.DataFrame  # phi, trend per ward
    units: pd.DataFrame  # unit_id, unit_name, department, division of the wards
    beds_current: pd.Series = field(repr=False)
    chppd: pd.Series = field(repr=False)
    los: pd.Series = field(repr=False)
    history_weekly: pd.DataFrame = field(repr=False)  # unit_id, week_start, census_mean, census_max
    messages: tuple[str, ...] = ()
    messages_en: tuple[str, ...] = ()
    has_daily_table: bool = True
    dataset_fingerprint: str = ""

    def with_options(self, service_level: float | None = None,
                     closed_weeks: Iterable[int] | Mapping[str, Iterable[int]] | None = None,
                     closed_units: Iterable[str] | None = None, extra_beds: int | None = None) -> BedsResult:
        """A new result with the levers moved, recomputed from the stored forecast (no refit)."""
        s = self.service_level if service_level is None else float(service_level)
        weeks = self.closed_weeks if closed_weeks is None else closed_weeks
        units = self.closed_units if closed_units is None else tuple(closed_units)
        extra = self.extra_beds if extra_beds is None else int(extra_beds)
        plan, tradeoff, unplaced = _plan(self.forecast, self.units, s, weeks, units, self.beds_current,
                                         extra, self.chppd)
        return dataclasses.replace(self, service_level=s, closed_weeks=_freeze(weeks), closed_units=units,
                                   extra_beds=extra, bed_plan=plan, tradeoff=tradeoff, unplaced=unplaced,
                                   erlang=erlang.cross_check(self.los, plan, s))

    def ward(self, unit_id: str) -> pd.DataFrame:
        return self.bed_plan[self.bed_plan["unit_id"] == unit_id]


def _freeze(weeks):
    return dict(weeks) if isinstance(weeks, Mapping) else tuple(int(w) for w in (weeks or ()))


def _plan(forecast, units, s, weeks, closed_units, beds_current, extra, chppd):
    plan, tradeoff, unplaced = recommend(forecast, units, s, weeks, closed_units, beds_current, extra)
    plan = staffing.add_staffing(plan, chppd)
    plan["basis"] = plan["unit_id"].map(forecast.drop_duplicates("unit_id").set_index("unit_id")["basis"])
    return plan[[*PLAN_COLUMNS, *PLAN_EXTRA]], tradeoff, unplaced


def current_beds(ds, start: pd.Timestamp) -> pd.Series:
    """Beds today per ward: median ``beds_open`` of the last 28 days, else the last monthly ``beds``."""
    out = pd.Series(dtype=float)
    if "beds" in ds.monthly:
        m = ds.monthly[(ds.monthly["beds"] > 0) & (ds.monthly["month"] < f"{start:%Y-%m}")]
        out = m.sort_values("month").groupby("unit_id")["beds"].last()
    daily = ds.daily
    if daily is not None and "beds_open" in daily and daily["beds_open"].notna().any():
        d = daily[(daily["date"] < start) & daily["beds_open"].notna()]
        recent = d[d["date"] > d.groupby("unit_id")["date"].transform("max") - pd.Timedelta(days=28)]
        out = recent.groupby("unit_id")["beds_open"].median().combine_first(out)
    return out.astype(float)


def _monthly_forecast(means: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The monthly-mean draft: the same calendar month's mean census, Poisson variation."""
    if means.empty:
        return pd.DataFrame(columns=["unit_id", "date", "mean", "var"])
    table = means.groupby(["unit_id", "month_no"])["census_mean"].mean()
    wards = table.index.get_level_values(0).unique()
    frame = pd.DataFrame({"unit_id": np.repeat(wards.to_numpy(), len(days)),
                          "date": np.tile(days.to_numpy(), len(wards))})
    month = pd.DatetimeIndex(frame["date"]).month
    frame["mean"] = table.reindex(pd.MultiIndex.from_arrays([frame["unit_id"], month])).to_numpy()
    frame["mean"] = frame["mean"].fillna(frame.groupby("unit_id")["mean"].transform("mean"))
    frame["var"] = frame["mean"]
    return frame


def _history_weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """Weekly mean and maximum census of the history (for the charts)."""
    if daily.empty:
        return pd.DataFrame(columns=["unit_id", "week_start", "census_mean", "census_max"])
    start = daily["date"] - pd.to_timedelta(daily["date"].dt.day_of_week, unit="D")
    g = daily.assign(week_start=start).groupby(["unit_id", "week_start"])["census"]
    return pd.DataFrame({"census_mean": g.mean(), "census_max": g.max()}).reset_index()


def _length_of_stay(daily: pd.DataFrame | None) -> pd.Series:
    """Mean stay per ward by Little's law over the last 365 days: census / admissions per day."""
    if daily is None or "admissions" not in daily or not daily["admissions"].notna().any():
        return pd.Series(dtype=float)
    last = daily[daily["date"] > daily.groupby("unit_id")["date"].transform("max") - pd.Timedelta(days=365)]
    means = last.dropna(subset=["admissions", "census"]).groupby("unit_id")[["census", "admissions"]].mean()
    means = means[means["admissions"] > 0]
    return means["census"] / means["admissions"]


def beds(ds, year: int, service_level: float = 0.95,
         closed_weeks: Iterable[int] | Mapping[str, Iterable[int]] = (), seed: int = 1,
         closed_units: Iterable[str] | None = None, extra_beds: int = 2, backtest: bool = True) -> BedsResult:
    """The bed-capacity draft for ISO year ``year`` (SPEC §6, §12).

    ``closed_weeks``: ISO week numbers in which the wards (all, or ``closed_units``) are closed,
    or a mapping unit_id → weeks. ``seed`` is recorded for reproducibility; the draft itself is
    deterministic (no simulation).

    >>> import benchmark as bm
    >>> bd = bm.beds(bm.load_dataset("fixtures/demo"), year=2026)  # doctest: +SKIP
    >>> bd.bed_plan.head()  # doctest: +SKIP
    """
    from benchmark.issues import UsageError

    if not 0.5 <= service_level < 1:
        raise UsageError(f"the service level must be at least 0.5 and below 1 (got {service_level})")
    days = budget_days(year)
    history = prepare(ds, year)
    fc_daily, fits = forecast_wards(history.daily, days)
    fc_monthly = _monthly_forecast(history.monthly_means, days)
    parts = [p.assign(basis=b) for p, b in ((fc_daily, "daily"), (fc_monthly, "monthly_mean")) if len(p)]
    if not parts:
        names = ds.units.set_index("unit_id")["unit_name"]
        from benchmark.issues import DataError, Issue

        reasons = status_messages(history.status, names, ds.daily is not None, "en")
        raise DataError(issues=[Issue("daily", "no_bed_history", "no ward has enough history for a bed draft"
                                      + (": " + " ".join(reasons) if reasons else " (no inpatient units)"),
                                      hint="Add the daily table (unit_id, date, census) with two years per ward")])
    forecast = add_quantiles(pd.concat(parts, ignore_index=True))
    forecast = forecast[list(FORECAST_COLUMNS)]
    ward_units = ds.units.loc[ds.units["unit_id"].isin(set(forecast["unit_id"]) | set(history.status["unit_id"])),
                              ["unit_id", "unit_name", "department", "division"]].reset_index(drop=True)
    beds_now = current_beds(ds, days[0])
    chppd = staffing.care_hours_per_patient_day(ds.monthly, f"{days[0]:%Y-%m}")
    plan, tradeoff, unplaced = _plan(forecast, ward_units, service_level, closed_weeks, closed_units,
                                     beds_now, extra_beds, chppd)
    los = _length_of_stay(ds.daily[ds.daily["date"] < days[0]] if ds.daily is not None else None)
    bt = run_backtest(history.daily, ward_units, service_level) if backtest else pd.DataFrame()
    names = ward_units.set_index("unit_id")["unit_name"]
    has_daily = ds.daily is not None
    return BedsResult(
        year=year, service_level=float(service_level), closed_weeks=_freeze(closed_weeks),
        closed_units=tuple(closed_units) if closed_units is not None else None, extra_beds=int(extra_beds),
        seed=int(seed), forecast=forecast, bed_plan=plan, backtest=bt, tradeoff=tradeoff,
        erlang=erlang.cross_check(los, plan, service_level), status=history.status, unplaced=unplaced,
        fits=fits, units=ward_units, beds_current=beds_now, chppd=chppd, los=los,
        history_weekly=_history_weekly(history.daily),
        messages=tuple(status_messages(history.status, names, has_daily, "nb")),
        messages_en=tuple(status_messages(history.status, names, has_daily, "en")),
        has_daily_table=has_daily, dataset_fingerprint=ds.fingerprint())


__all__ = ["BedsResult", "beds", "current_beds", "iso_week_label"]
