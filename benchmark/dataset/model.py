"""The validated dataset: the five tables of the contract, typed, with a content fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.core.util.hashing import combine_hash_arrays  # the row mixing of hash_pandas_object

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
        """sha256 of the content, independent of row order, column order and file format.

        Computed once per dataset and kept (the frames are never changed in place). Each row's
        hash is pandas' ``hash_pandas_object`` of the canonical text/float form of its cells; text
        and date columns are hashed per distinct value and spread by their codes
        (:func:`_column_hash`), which gives the same row hashes as hashing every cell.
        """
        if "cache" not in self.__dict__:  # a Dataset unpickled from an older version
            object.__setattr__(self, "cache", {})
        if "fingerprint" not in self.cache:
            h = hashlib.sha256()
            for name, frame in sorted(self.tables().items()):
                columns = sorted(frame.columns)
                if columns:
                    rows = combine_hash_arrays((_column_hash(frame[c]) for c in columns), len(columns))
                else:  # a frame without columns hashes as no rows
                    rows = np.zeros(0, dtype=np.uint64)
                h.update(name.encode())
                h.update(",".join(columns).encode())
                h.update(np.sort(rows).tobytes())
            self.cache["fingerprint"] = h.hexdigest()
        return self.cache["fingerprint"]


def _column_hash(col: pd.Series) -> np.ndarray:
    """uint64 hash per cell of :func:`_canonical` ``(col)``, as ``hash_pandas_object`` gives it.

    Text (string dtype), dates and booleans have few distinct values: their canonical text is
    hashed once per value and taken by the factorised codes. Other columns (numbers, mixed
    objects, whose distinct values pandas would compare across types) are hashed cell by cell.
    """
    if pd.api.types.is_string_dtype(col.dtype) and not pd.api.types.is_object_dtype(col.dtype) or \
            pd.api.types.is_datetime64_any_dtype(col) or pd.api.types.is_bool_dtype(col):
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        values = pd.concat([pd.Series(uniques), pd.Series([None], dtype=pd.Series(uniques).dtype)],
                           ignore_index=True)  # the last one stands for missing cells (code −1)
        hashed = pd.util.hash_array(_canonical(values)._values)
        return hashed[np.where(codes >= 0, codes, len(uniques))]
    if pd.api.types.is_numeric_dtype(col):
        # the float64 bits; hash_array itself makes −0.0 and every NaN hash alike, which is all
        # _canonical's numeric branch does
        return pd.util.hash_array(col.to_numpy(dtype="float64", na_value=np.nan))
    return pd.util.hash_array(_canonical(col)._values)


def _canonical(col: pd.Series) -> pd.Series:
    """A text form of a column that is the same whichever file format the table came from."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        values = col.astype("float64").to_numpy() + 0.0  # -0 → 0
        return pd.Series(np.where(np.isnan(values), np.nan, values), index=col.index)  # hashed as float64
    return col.astype(object).where(col.notna(), "").astype(str)
