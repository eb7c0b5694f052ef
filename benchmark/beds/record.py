"""Record a bed draft in the run store (``beds_runs``, ``beds_bed_plan``, ``beds_backtest``).

Isolated in one function on purpose: issue 14 builds one commit protocol for outputs and history,
and :func:`record_beds` is the single place to switch over to it. Until then it follows the
store's own rule: one transaction, so the store holds the whole draft or none of it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd


def record_beds(store: str | Path, bd, run_id: str, meta: dict) -> None:
    """Insert the draft's run row and its bed_plan and backtest rows in one transaction."""
    from benchmark import __version__
    from benchmark.store import _insert, connect

    row = pd.DataFrame([{
        "run_id": run_id, "started_at": meta.get("started_at"), "finished_at": datetime.now(UTC).isoformat(),
        "year": int(bd.year), "service_level": float(bd.service_level),
        "closed_weeks": json.dumps(bd.closed_weeks if isinstance(bd.closed_weeks, dict) else list(bd.closed_weeks)),
        "closed_units": json.dumps(list(bd.closed_units) if bd.closed_units is not None else None),
        "extra_beds": int(bd.extra_beds), "seed": int(bd.seed), "data_fingerprint": bd.dataset_fingerprint,
        "data_source": str(meta.get("data_source", "")), "package_version": __version__,
        "lang": meta.get("lang", "nb"), "n_wards": int(bd.bed_plan["unit_id"].nunique()),
        "folder": str(meta.get("folder", "")),
    }])
    with connect(store) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            _insert(con, "beds_runs", row.drop(columns="run_id"), run_id)
            _insert(con, "beds_bed_plan", bd.bed_plan, run_id)
            if len(bd.backtest):
                _insert(con, "beds_backtest", bd.backtest, run_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
