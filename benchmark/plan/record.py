"""Record a plan in the run store: one transaction, isolated here.

A plan run is a row in ``plan_runs`` and its rows in ``plan_staffing_budget``, ``plan_gap`` and
``plan_indicators``, keyed by ``run_id``. ``benchmark plan`` records them through the one commit
protocol for outputs and history (:func:`benchmark.outputs.commit.commit`, kind ``plan``), so a
plan is visible in the store iff its ``plan-YYYY/`` folder is in place; the store's ``runs`` row
has kind ``plan``, so commands that look for the latest *benchmark* run never find a plan.
:func:`record_plan` writes the same rows in one transaction, without output folder.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

TABLES = {"plan_staffing_budget": "staffing_budget", "plan_gap": "gap", "plan_indicators": "indicators"}


def plan_tables(pl, meta: dict) -> dict[str, pd.DataFrame]:
    """The store tables of a plan, without ``run_id`` (the store adds it)."""
    from benchmark import __version__

    row = pd.DataFrame([{
        "started_at": meta.get("started_at"), "finished_at": datetime.now(UTC).isoformat(),
        "year": int(pl.year), "tariff_version": pl.tariff.version, "tariff_toml": pl.tariff.text,
        "data_fingerprint": pl.context.get("fingerprint", ""), "data_source": str(meta.get("data_source", "")),
        "package_version": __version__, "lang": meta.get("lang", "nb"),
        "benchmark_run_id": pl.context.get("benchmark_run") or "",
        "benchmark_period": pl.context.get("benchmark_period") or "",
        "notes": json.dumps(list(pl.notes), ensure_ascii=False),
    }])
    tables = {"plan_runs": row}
    for table, attr in TABLES.items():
        frame = getattr(pl, attr)
        if frame is not None and not frame.empty:
            tables[table] = frame
    return tables


def record_plan(store: str | Path, pl, run_id: str, meta: dict) -> None:
    """Insert the plan run and its tables in one transaction (all or nothing)."""
    from benchmark.store import _insert, connect

    with connect(store) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for table, frame in plan_tables(pl, meta).items():
                _insert(con, table, frame, run_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def list_plans(store: str | Path) -> pd.DataFrame:
    from benchmark.store import connect

    with connect(store, read_only=True) as con:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'plan_runs'").fetchone()[0]
        if not exists:
            return pd.DataFrame(columns=["run_id", "started_at", "year", "tariff_version"])
        return con.execute("SELECT run_id, started_at, year, tariff_version, data_source FROM plan_runs "
                           "ORDER BY started_at, run_id").df()
