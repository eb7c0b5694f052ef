"""Split every (day, shift code) of the budget year into paid hours per supplement category.

A shift on day ``d`` runs from its start for its duration (past midnight when its end is before
its start). Its minutes are counted on the real calendar (:mod:`benchmark.plan.calendar`):

- ``evening_night``: clock time 17:00–06:00, and — for a shift working at 06:00 — on to the end
  of the shift but not past 08:00 (Spekter A2's kvelds- og nattillegg);
- ``holiday``: inside a §10-10 window around a public holiday or eve;
- ``weekend``: Saturday or Sunday and *not* holiday (holiday hours earn the holiday supplement
  instead of the weekend one);
- ``day``: the hours that are not evening/night (for reporting).

Evening/night stacks with weekend or holiday. The unpaid break is taken pro rata across the
shift's categories. Because the split depends only on the date and the code, it is computed once
for the (≤ 366 × codes) pairs and every position looks its days up — no loop over positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from benchmark.plan.calendar import NIGHT_EXTENDS_TO, NIGHT_TO, minute_grid

CATEGORIES = ("hours", "evening_night", "weekend", "holiday")


@dataclass(frozen=True)
class HourTable:
    """Paid hours per category, each an array (days of the year × shift codes)."""

    year: int
    codes: tuple[str, ...]
    hours: dict[str, np.ndarray]

    @property
    def n_days(self) -> int:
        return (date(self.year + 1, 1, 1) - date(self.year, 1, 1)).days


def split_hours(year: int, codes: pd.DataFrame) -> HourTable:
    """``codes`` as :func:`benchmark.plan.codes.typed_codes` gives them."""
    n_days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    grid = minute_grid(year)
    day = np.arange(n_days)[:, None] * 1440
    start_min = codes["start_min"].to_numpy(np.int64)[None, :]
    dur = codes["duration_min"].to_numpy(np.int64)[None, :]
    s = day + start_min
    e = s + dur
    minutes = {k: (grid[k][e] - grid[k][s]).astype(float) for k in ("holiday", "weekend", "night")}
    # the evening/night supplement runs on after 06:00 to the end of the shift, not past 08:00
    six = np.where(start_min < NIGHT_TO, day + NIGHT_TO, day + 1440 + NIGHT_TO)
    extension = np.clip(np.minimum(e, six + (NIGHT_EXTENDS_TO - NIGHT_TO)) - six, 0, None)
    minutes["night"] = minutes["night"] + np.where(dur > 0, extension, 0)
    paid = codes["paid_min"].to_numpy(float)[None, :]
    share = np.divide(paid, dur, out=np.zeros_like(paid), where=dur > 0)
    hours = {
        "hours": np.broadcast_to(paid / 60.0, (n_days, len(codes))).copy(),
        "evening_night": minutes["night"] * share / 60.0,
        "weekend": minutes["weekend"] * share / 60.0,
        "holiday": minutes["holiday"] * share / 60.0,
    }
    return HourTable(year, tuple(codes["shift_code"]), hours)
