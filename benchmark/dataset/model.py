"""The validated dataset: the five tables of the contract, typed, with a content fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmark.issues import Issue

TABLE_NAMES = ("units", "monthly", "measures", "division_results", "staffing_plans",
               "rota", "shift_codes", "frames", "activity_plans", "daily")


@dataclass(frozen=True)
class Dataset:
    """Validated input tables (SPEC §3). Category values are in English; months ``YYYY-MM``.

    Frames are not to be changed in place; derive new frames instead.
    """

    units: pd.DataFrame
    monthly: pd.DataFrame
    measures: pd.DataFrame | None = None
    division_results: pd.DataFrame | None = None
    staffing_plans: pd.DataFrame | None = None
    rota: pd.DataFrame | None = None
    shift_codes: pd.DataFrame | None = None
    frames: pd.DataFrame | None = None
    activity_plans: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    source: str = "<frames>"
    warnings: tuple[Issue, ...] = field(default=())
    # derived arrays (row codes, evaluated criterion formulas) kept by benchmark.scoring.aggregate;
    # safe because the frames are never changed in place, and rebuilt by dataclasses.replace
    cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {n: getattr(self, n) for n in TABLE_NAMES if getattr(self, n) is not None}

    @property
    def months(self) -> list[str]:
        return sorted(self.monthly["month"].unique().tolist())

    def fingerprint(self) -> str:
        """sha256 of the content, independent of row order, column order and file format."""
        h = hashlib.sha256()
        for name, frame in sorted(self.tables().items()):
            canon = pd.DataFrame({c: _canonical(frame[c]) for c in sorted(frame.columns)})
            rows = pd.util.hash_pandas_object(canon, index=False).to_numpy()
            rows = np.sort(rows)
            h.update(name.encode())
            h.update(",".join(sorted(frame.columns)).encode())
            h.update(rows.tobytes())
        return h.hexdigest()


def _canonical(col: pd.Series) -> pd.Series:
    """A text form of a column that is the same whichever file format the table came from."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.astype("float64").to_numpy() + 0.0  # -0 → 0
        return pd.Series(np.where(np.isnan(values), np.nan, values), index=col.index)  # hashed as float64
    return col.astype(object).where(col.notna(), "").astype(str)
