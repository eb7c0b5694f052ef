"""Calendar terms of the census model: weekday, season, Norwegian holidays and trend.

The design matrix is built once for every date in the history and the budget year and sliced
per ward, so a national run does not rebuild calendars 3 000 times. Terms (log scale of the
mean census, as in a Poisson/negative-binomial regression):

- ``weekday``: six dummies (Tuesday … Sunday against Monday) — wards fill on weekdays and
  discharge before the weekend;
- ``season``: Fourier terms of the day of year, ``FOURIER_K`` harmonics (Harvey 1989, §2.3;
  Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §7.4) — a smooth
  year shape with few parameters;
- ``fellesferie``: ISO weeks 28–31, the Norwegian common summer holiday, when elective activity
  stops; too sharp for a few harmonics, so it is a dummy of its own;
- ``christmas`` (23 December – 1 January), ``easter`` (Maundy Thursday – Easter Monday) and
  ``public_holiday`` (the other Norwegian public holidays from the ``holidays`` library:
  1 and 17 May, Ascension, Whit Sunday and Monday);
- ``trend``: years from the middle of the fitted history (centred, so the intercept is the level
  of today's calendar and the trend's uncertainty grows the further out the forecast goes).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

FOURIER_K = 3
SUMMER_WEEKS = (28, 29, 30, 31)
TERM_NAMES = (("intercept", "trend") + tuple(f"weekday_{d}" for d in range(1, 7))
              + tuple(f"{f}{k}" for k in range(1, FOURIER_K + 1) for f in ("sin", "cos"))
              + ("fellesferie", "christmas", "easter", "public_holiday"))


@lru_cache(maxsize=64)
def _norwegian_holidays(year: int) -> dict:
    import holidays

    return dict(holidays.country_holidays("NO", years=year))


def holiday_flags(dates: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    """Boolean arrays ``christmas``, ``easter``, ``public_holiday`` (the others) per date."""
    dates = pd.DatetimeIndex(dates)
    month, day = dates.month.to_numpy(), dates.day.to_numpy()
    christmas = ((month == 12) & (day >= 23)) | ((month == 1) & (day == 1))
    easter = np.zeros(len(dates), bool)
    public = np.zeros(len(dates), bool)
    for year in np.unique(dates.year):
        days = _norwegian_holidays(int(year))
        names = {pd.Timestamp(d): n for d, n in days.items()}
        sunday = next((d for d, n in names.items() if n == "Easter Sunday"), None)
        if sunday is not None:
            easter |= (dates >= sunday - pd.Timedelta(days=3)) & (dates <= sunday + pd.Timedelta(days=1))
        others = [d for d in names if not (d.month == 12 or (d.month == 1 and d.day == 1))]
        public |= dates.isin(others)
    public &= ~easter & ~christmas
    return {"christmas": christmas, "easter": easter, "public_holiday": public}


def design(dates: pd.DatetimeIndex, centre: pd.Timestamp) -> np.ndarray:
    """The design matrix (dates × ``TERM_NAMES``) with the trend centred on ``centre``."""
    dates = pd.DatetimeIndex(dates)
    n = len(dates)
    cols = [np.ones(n), (dates - centre).days.to_numpy() / 365.25]
    weekday = dates.day_of_week.to_numpy()
    cols += [(weekday == d).astype(float) for d in range(1, 7)]
    angle = 2 * np.pi * (dates.day_of_year.to_numpy() - 1) / 365.25
    for k in range(1, FOURIER_K + 1):
        cols += [np.sin(k * angle), np.cos(k * angle)]
    cols.append(np.isin(dates.isocalendar().week.to_numpy(), SUMMER_WEEKS).astype(float))
    flags = holiday_flags(dates)
    cols += [flags[name].astype(float) for name in ("christmas", "easter", "public_holiday")]
    return np.column_stack(cols)


def iso_week_label(dates: pd.DatetimeIndex) -> np.ndarray:
    """``2027-W05`` for each date (ISO year and week, as bed_plan.csv keys its rows)."""
    dates = pd.DatetimeIndex(dates)
    unique, inverse = np.unique(dates.to_numpy(), return_inverse=True)  # a few hundred distinct days
    iso = pd.DatetimeIndex(unique).isocalendar()
    labels = (iso.year.astype(str) + "-W" + iso.week.astype(str).str.zfill(2)).to_numpy(dtype=object)
    return labels[inverse.ravel()]


def budget_days(year: int) -> pd.DatetimeIndex:
    """The days of the budget year whose ISO week belongs to that year (52 or 53 whole weeks).

    A bed plan is made per ISO week, so the year is ISO year ``year``: from the Monday of week 1
    to the Sunday of its last week (1–3 days of the calendar year may sit in a neighbour's week).
    """
    start = pd.Timestamp.fromisocalendar(year, 1, 1)
    end = pd.Timestamp.fromisocalendar(year + 1, 1, 1) - pd.Timedelta(days=1)
    return pd.date_range(start, end, freq="D")
