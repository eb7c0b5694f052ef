"""Record a bed draft in the run store (``beds_runs``, ``beds_bed_plan``, ``beds_backtest``).

:func:`beds_tables` gives the draft's rows; ``benchmark beds`` records them through the one commit
protocol for outputs and history (:func:`benchmark.outputs.commit.commit`, kind ``beds``), so a
draft is visible in the store if and only if its ``beds-YYYY/`` folder is in place.
:func:`record_beds` writes the same rows in one transaction, without output folder.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd


def beds_tables(bd, meta: dict) -> dict[str, pd.DataFrame]:
    """The store tables of a draft, without ``run_id`` (the store adds it): its run row, bed plan
    and backtest."""
    from benchmark import __version__

    row = pd.DataFrame([{
        "started_at": meta.get("started_at"), "finished_at": datetime.now(UTC).isoformat(),
        "year": int(bd.year), "service_level": float(bd.service_level),
        "closed_weeks": json.dumps(bd.closed_weeks if isinstance(bd.closed_weeks, dict) else list(bd.closed_weeks)),
        "closed_units": json.dumps(list(bd.closed_units) if bd.closed_units is not None else None),
        "extra_beds": int(bd.extra_beds), "seed": int(bd.seed), "data_fingerprint": bd.dataset_fingerprint,
        "data_source": str(meta.get("data_source", "")), "package_version": __version__,
        "lang": meta.get("lang", "nb"), "n_wards": int(bd.bed_plan["unit_id"].nunique()),
        "folder": str(meta.get("folder", "")),
    }])
    tables = {"beds_runs": row, "beds_bed_plan": bd.bed_plan}
    if len(bd.backtest):
        tables["beds_backtest"] = bd.backtest
    return tables


def record_beds(store: str | Path, bd, run_id: str, meta: dict) -> None:
    """Insert the draft's run row and its bed_plan and backtest rows in one transaction."""
    from benchmark.store import _insert, connect

    with connect(store) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for table, frame in beds_tables(bd, meta).items():
                _insert(con, table, frame, run_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
