"""CSV (byte-stable) and Parquet versions of the result tables.

CSV files are UTF-8 with ``,`` and ``.``, rows in a fixed order and floats written with ten
significant digits, so the same inputs and seed give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FLOAT_FORMAT = "%.10g"


def stable(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].astype(str).where(out[col].notna(), "")
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    stable(frame).to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT, encoding="utf-8")


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    stable(frame).to_parquet(path, index=False)


def result_tables(res) -> dict[str, pd.DataFrame]:
    tables = {"scores": res.scores, "ranking": res.ranking, "trend": res.trend, "sensitivity": res.sensitivity}
    if res.measures is not None and not res.measures.empty:
        tables["measures"] = res.measures
    return tables


def write_tables(res, folder: Path) -> list[Path]:
    written = []
    parquet = folder / "parquet"
    parquet.mkdir(exist_ok=True)
    for name, frame in result_tables(res).items():
        if name in ("scores", "ranking", "measures"):
            path = folder / f"{name}.csv"
            write_csv(frame, path)
            written.append(path)
        write_parquet(frame, parquet / f"{name}.parquet")
    return written
