"""The embedded run history: one DuckDB file with every run and its result tables.

Default location ``benchmark-out/history.duckdb`` (``--store`` overrides). Each run is a row in
``runs`` (id, time, period, level, catalogue version, hash and text, data fingerprint, seed,
package version, options) and its rows in ``scores``, ``ranking``, ``measures``, ``trend``,
``sensitivity`` and ``monthly``, keyed by ``run_id``. Runs are never updated: re-running the same
inputs gives a new run with identical results.

DuckDB lets one process hold the file at a time (a second open fails with "Could not set lock on
file"). A run opens the store only at its very end, for one transaction; a second process waits
(retrying) up to ``LOCK_TIMEOUT`` seconds and then stops with a clear message. All inserts of a
run are one transaction, so the store holds either the whole run or none of it.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from benchmark.issues import UsageError

LOCK_TIMEOUT = 30.0
TABLES = ("scores", "ranking", "measures", "trend", "sensitivity", "monthly")


class StoreBusy(UsageError):
    """The store is held by another process for longer than we were willing to wait."""


def default_store_path() -> Path:
    return Path("benchmark-out") / "history.duckdb"


@contextmanager
def connect(path: str | Path, read_only: bool = False, timeout: float = LOCK_TIMEOUT):
    import duckdb

    path = Path(path)
    if read_only and not path.exists():
        raise UsageError(f"there is no run history at {path}: run 'benchmark run' (or 'benchmark demo') first")
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise StoreBusy(f"the run history {path} is in use by another run ({str(exc).split('(')[-1].rstrip(')')}"
                                f"); waited {timeout:.0f} s. Try again when that run has finished.") from None
            time.sleep(0.25)
    try:
        yield con
    finally:
        con.close()


def new_run_id() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"-{now.microsecond:06d}"


def _insert(con, table: str, frame: pd.DataFrame, run_id: str) -> None:
    data = frame.copy()
    data.insert(0, "run_id", run_id)
    for col in data.columns:
        if data[col].dtype == object:
            data[col] = data[col].astype(str).where(data[col].notna(), None)
    con.register("incoming", data)
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
    if not exists:
        con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM incoming WHERE false')
    have = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                      [table]).fetchall()}
    for col in data.columns:
        if col not in have:
            dtype = con.execute(f'SELECT typeof("{col}") FROM incoming LIMIT 1').fetchone()
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{col}" {dtype[0] if dtype else "VARCHAR"}')
    con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM incoming')
    con.unregister("incoming")


def record_run(store: str | Path, res, run_id: str, meta: dict) -> None:
    """Insert the run and its tables in one transaction."""
    from benchmark import __version__

    row = pd.DataFrame([{
        "run_id": run_id, "started_at": meta.get("started_at"), "finished_at": datetime.now(UTC).isoformat(),
        "period": res.period.label, "level": res.level, "catalogue_version": res.catalogue.version,
        "catalogue_hash": res.catalogue.hash(), "catalogue_toml": res.catalogue.to_toml(),
        "data_fingerprint": res.dataset_fingerprint, "data_source": str(meta.get("data_source", "")),
        "seed": int(res.seed), "package_version": __version__, "lang": meta.get("lang", "nb"),
        "options": json.dumps(dict(res.options), sort_keys=True), "n_entities": int(len(res.ranking)),
        "n_scored": int(res.ranking["rank"].notna().sum()),
    }])
    with connect(store) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            con.register("run_row", row)
            exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'runs'").fetchone()[0]
            if not exists:
                con.execute("CREATE TABLE runs AS SELECT * FROM run_row WHERE false")
            con.execute("INSERT INTO runs BY NAME SELECT * FROM run_row")
            for table in TABLES:
                frame = getattr(res, table, None)
                if frame is not None and not frame.empty:
                    _insert(con, table, frame, run_id)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def list_runs(store: str | Path) -> pd.DataFrame:
    with connect(store, read_only=True) as con:
        return con.execute(
            "SELECT run_id, started_at, period, level, catalogue_version, left(catalogue_hash, 12) AS catalogue_hash, "
            "left(data_fingerprint, 12) AS data_fingerprint, seed, package_version, n_entities, n_scored "
            "FROM runs ORDER BY started_at, run_id").df()


def resolve_run(con, run_id: str | None, period: str | None, level: str | None) -> dict:
    if run_id:
        rows = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).df()
        if rows.empty:
            raise UsageError(f"there is no run '{run_id}' in the store; see 'benchmark history'")
    else:
        sql, args = "SELECT * FROM runs WHERE period = ?", [period]
        if level:
            sql, args = sql + " AND level = ?", [*args, level]
        rows = con.execute(sql + " ORDER BY started_at DESC, run_id DESC LIMIT 1", args).df()
        if rows.empty:
            raise UsageError(f"no run for period {period}{' at level ' + level if level else ''} in the store: "
                             f"run 'benchmark run DATA --period {period}' first")
    return rows.iloc[0].to_dict()


def load_run(store: str | Path, run_id: str | None = None, period: str | None = None, level: str | None = None):
    """A stored run as a :class:`~benchmark.scoring.Result` (for explain, sheet and notebooks)."""
    from benchmark.catalogue import parse_catalogue
    from benchmark.periods import parse_period
    from benchmark.scoring.result import Result

    with connect(store, read_only=True) as con:
        run = resolve_run(con, run_id, period, level)
        tables = {}
        for table in TABLES:
            exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
            frame = con.execute(f'SELECT * EXCLUDE (run_id) FROM "{table}" WHERE run_id = ?', [run["run_id"]]).df() \
                if exists else pd.DataFrame()
            tables[table] = frame
    catalogue, issues = parse_catalogue(run["catalogue_toml"], f"run {run['run_id']}")
    if catalogue is None:
        raise UsageError(f"the catalogue stored with run {run['run_id']} cannot be read")
    scores, ranking = tables["scores"], tables["ranking"]
    # what Result.rescore needs (shrunken values and their s.e., the ranking groups), from the tables
    scored = scores[scores["scored"].astype(bool)] if "scored" in scores else scores.iloc[0:0]
    entities = pd.Index(ranking["entity_id"]) if "entity_id" in ranking else pd.Index([])
    criteria = [c.id for c in catalogue.criteria if c.id in set(scores.get("criterion", []))]
    shrunk = scored.pivot(index="entity_id", columns="criterion", values="shrunk").reindex(
        index=entities, columns=criteria).astype(float) if not scored.empty else None
    shrunk_se = scored.pivot(index="entity_id", columns="criterion", values="shrunk_se").reindex(
        index=entities, columns=criteria).astype(float) if not scored.empty else None
    groups = ranking.set_index("entity_id")["peer_group"] if "peer_group" in ranking else None
    return Result(scores=tables["scores"], ranking=tables["ranking"],
                  measures=tables["measures"] if not tables["measures"].empty else None,
                  trend=tables["trend"], sensitivity=tables["sensitivity"], monthly=tables["monthly"],
                  catalogue=catalogue, period=parse_period(run["period"]), level=run["level"], seed=int(run["seed"]),
                  dataset_fingerprint=run["data_fingerprint"], options=json.loads(run["options"] or "{}"),
                  shrunk=shrunk, shrunk_se=shrunk_se, groups=groups, run_id=run["run_id"])


def compare(store: str | Path, run_a: str | None, run_b: str | None, period_a: str | None = None,
            period_b: str | None = None) -> tuple[dict, dict, pd.DataFrame]:
    """How scores, ranks and potentials moved from run A to run B (largest rank movers first)."""
    with connect(store, read_only=True) as con:
        a = resolve_run(con, run_a, period_a, None)
        b = resolve_run(con, run_b, period_b, None)
        cols = "entity_id, entity_name, peer_group, composite, rank, rank_low, rank_high, potential_fte, potential_knok"
        ra = con.execute(f"SELECT {cols} FROM ranking WHERE run_id = ?", [a["run_id"]]).df().set_index("entity_id")
        rb = con.execute(f"SELECT {cols} FROM ranking WHERE run_id = ?", [b["run_id"]]).df().set_index("entity_id")
    out = ra[["entity_name", "peer_group"]].join(ra[["composite", "rank", "potential_fte", "potential_knok"]], how="outer")
    out = out.join(rb[["composite", "rank", "potential_fte", "potential_knok"]].add_suffix("_b"), how="outer")
    out["entity_name"] = out["entity_name"].fillna(rb["entity_name"])
    out["rank_change"] = out["rank_b"] - out["rank"]
    out["composite_change"] = out["composite_b"] - out["composite"]
    out["potential_knok_change"] = out["potential_knok_b"] - out["potential_knok"]
    out = out.assign(_m=out["rank_change"].abs()).sort_values("_m", ascending=False, kind="stable")
    return a, b, out.drop(columns="_m").reset_index()
