"""The demo trust's ``daily`` table: three years of midnight census for every inpatient ward.

Derived from the generated ``units`` and ``monthly`` tables (not from fixed unit ids, so a new set
of demo units gets its own census), with its own seeded generator so the other demo tables keep
their bytes. What a bed planner expects to find in real census data is planted here:

- a **weekday pattern** (fuller Tuesday–Thursday, 10 % emptier at the weekend);
- the **summer dip** of the Norwegian common holiday (fellesferie, ISO weeks 28–31, −22 %,
  shoulders in weeks 27 and 32), the **Christmas dip** (23 December – 1 January, −28 %), **Easter**
  (Maundy Thursday – Easter Monday, −15 %) and the other public holidays (−8 %);
- a **trend** of −2 % to +5 % a year per ward;
- **overdispersion**: a persistent day-to-day factor (AR(1) on the log scale, ρ = 0,85) on top
  of Poisson noise, so the variance is larger than the mean as in real wards;
- **one ward that opened a year ago** (the last inpatient ward in the units table), which the
  bed draft must refuse with a clear message (it needs two years).

The level of each ward is its mean monthly ``bed_days`` per day when the monthly table has them,
so the daily census adds up to about the monthly bed-days; ``beds_open`` is the monthly ``beds``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20261201
YEARS = 3
WEEKDAY = np.array([1.02, 1.06, 1.07, 1.05, 0.99, 0.91, 0.90])  # Monday … Sunday
TREND_RANGE = (-0.02, 0.05)  # per year, on the log scale
AR_RHO, AR_SD = 0.85, 0.07  # persistence and stationary sd of the log day factor
LOS_RANGE = (3.0, 7.0)  # mean length of stay in days


def calendar_factor(dates: pd.DatetimeIndex) -> np.ndarray:
    """Multiplicative season and holiday factor per date (the planted truth of the demo)."""
    from benchmark.beds.calendar import holiday_flags

    week = dates.isocalendar().week.to_numpy()
    factor = np.ones(len(dates))
    factor[np.isin(week, (28, 29, 30, 31))] *= 0.78
    factor[np.isin(week, (27, 32))] *= 0.90
    flags = holiday_flags(dates)
    factor[flags["christmas"]] *= 0.72
    factor[flags["easter"]] *= 0.85
    factor[flags["public_holiday"]] *= 0.92
    return factor


def generate_daily(units: pd.DataFrame, monthly: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """``daily`` rows (unit_id, date, census, admissions, discharges, beds_open) for the inpatient wards."""
    rng = np.random.default_rng(seed)
    wards = units.loc[units["care_level"] == "inpatient", "unit_id"].to_numpy()
    if len(wards) == 0:
        return pd.DataFrame(columns=["unit_id", "date", "census", "admissions", "discharges", "beds_open"])
    end = (pd.Period(max(monthly["month"]), "M").end_time.normalize())
    dates = pd.date_range(end - pd.DateOffset(years=YEARS) + pd.Timedelta(days=1), end, freq="D")
    n_w, n_d = len(wards), len(dates)
    ward_months = monthly[monthly["unit_id"].isin(wards)]
    days_in_month = pd.PeriodIndex(ward_months["month"], freq="M").days_in_month.to_numpy()
    if "bed_days" in ward_months:
        per_day = (ward_months["bed_days"].to_numpy(float) / days_in_month)
        level = pd.Series(per_day, index=ward_months["unit_id"]).groupby(level=0).mean()
    else:
        level = pd.Series(dtype=float)
    level = level.reindex(wards)
    drawn = 8 + 17 * rng.random(n_w)
    level = np.where(level.to_numpy() > 0.5, level.to_numpy(), drawn)
    beds = (ward_months.sort_values("month").groupby("unit_id")["beds"].last().reindex(wards).to_numpy(float)
            if "beds" in ward_months else np.full(n_w, np.nan))
    beds = np.where(np.isfinite(beds) & (beds >= level), beds, np.ceil(level / 0.85))

    years = (dates - dates[0]).days.to_numpy() / 365.25
    trend = rng.uniform(*TREND_RANGE, n_w)
    base = level[:, None] * np.exp(trend[:, None] * (years - years.mean()))
    mean = base * WEEKDAY[dates.day_of_week.to_numpy()][None, :] * calendar_factor(dates)[None, :]
    latent = np.empty((n_w, n_d))
    innovation = AR_SD * np.sqrt(1 - AR_RHO**2)
    latent[:, 0] = AR_SD * rng.standard_normal(n_w)
    shocks = innovation * rng.standard_normal((n_w, n_d))
    for d in range(1, n_d):
        latent[:, d] = AR_RHO * latent[:, d - 1] + shocks[:, d]
    census = rng.poisson(mean * np.exp(latent - AR_SD**2 / 2)).astype(float)

    los = rng.uniform(*LOS_RANGE, n_w)
    admissions = rng.poisson(np.maximum(census, 0.5) / los[:, None]).astype(float)
    previous = np.concatenate([census[:, :1], census[:, :-1]], axis=1)
    discharges = previous + admissions - census
    admissions = np.where(discharges < 0, admissions - discharges, admissions)
    discharges = np.maximum(discharges, 0)

    frame = pd.DataFrame({
        "unit_id": np.repeat(wards, n_d),
        "date": np.tile(dates.strftime("%Y-%m-%d").to_numpy(), n_w),
        "census": census.ravel(), "admissions": admissions.ravel(), "discharges": discharges.ravel(),
        "beds_open": np.repeat(beds, n_d),
    })
    opened = wards[-1]  # one ward opened a year ago: its history starts 365 days before the end
    first_day = (end - pd.Timedelta(days=364)).strftime("%Y-%m-%d")
    frame = frame[(frame["unit_id"] != opened) | (frame["date"] >= first_day)]
    return frame.reset_index(drop=True)
