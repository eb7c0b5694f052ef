"""The embedded run history: one DuckDB file with every run, and its long tables beside it.

Default location ``benchmark-out/history.duckdb`` (``--store`` overrides). Each run is a row in
``runs`` (id, kind, status, time, period, level, catalogue version, hash and text, data
fingerprint, seed, package version, options, where its outputs are and their hashes) and its rows
in ``ranking`` and ``measures``, keyed by ``run_id``; its ``scores``, ``trend``, ``sensitivity``
and ``monthly`` rows are Parquet files in ``history.duckdb.tables/<run id>/`` (:data:`EXTERNAL_TABLES`;
runs recorded before keep them in DuckDB tables, and are read from there). Runs are never changed
except from ``pending`` to ``complete``; the Parquet files are written and synced inside the run's
recording transaction, and removed when it rolls back, when the run is deleted, and by the next
reconciliation when a kill left them without a run.

A run is written by the commit protocol of :mod:`benchmark.outputs.commit`: recorded as
``pending`` (one transaction), outputs swapped into place, marked ``complete``. Readers see a run
if and only if its outputs are in place: complete runs, and pending runs whose output folder
already carries their manifest (a run killed between the swap and the last update) —
:func:`visible_runs`. Pending runs of killed processes are finished or rolled back by
:func:`benchmark.outputs.commit.reconcile` on the next start.

DuckDB lets one process hold the file at a time (a second open fails with "Could not set lock on
file"). A run opens the store only for short transactions; a second process waits (retrying) up to
``LOCK_TIMEOUT`` seconds and then stops with a clear message. Every other open error is named for
what it is: a folder, not a DuckDB file, not writable (:class:`StoreError`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from benchmark.issues import UsageError

LOCK_TIMEOUT = float(os.environ.get("BENCHMARK_LOCK_TIMEOUT", "30"))  # seconds; tests set it short
TABLES = ("scores", "ranking", "measures", "trend", "sensitivity", "monthly")
BENCHMARK_KIND = "benchmark"
# The long tables, kept beside the store as Parquet files, one folder per run
# (``<store>.tables/<run id>/<table>.parquet``), named in the run's ``external_tables``: a
# national run's 2 million monthly rows, 210 000 sensitivity, 90 000 scores and trend rows cost
# DuckDB about 1,3 s of CPU to insert and check in, Arrow's Parquet writer a third of that (in a
# thread, beside DuckDB's inserts). The ranking (queried by ``compare``) and the runs stay inside.
EXTERNAL_TABLES = ("monthly", "sensitivity", "scores", "trend")
MANIFEST = ".manifest.json"  # in every committed output folder: kind, run id, sha256 of each file


class StoreError(UsageError):
    """The run history cannot be opened or changed; the message says why. CLI exit 1."""

    exit_code = 1


class StoreBusy(StoreError):
    """The store is held by another process for longer than we were willing to wait."""


def default_store_path() -> Path:
    return Path("benchmark-out") / "history.duckdb"


def _open_error(path: Path, exc: Exception, read_only: bool) -> StoreError:
    text = str(exc)
    low = text.lower()
    if path.is_dir() or "is a directory" in low:
        return StoreError(f"the run history {path} is a folder, not a file; give --store a file such as "
                          f"{path / 'history.duckdb'}")
    if "not a valid duckdb database" in low or "database file" in low and "invalid" in low:
        return StoreError(f"{path} is not a run history (it is not a DuckDB database file); give another --store "
                          "or move the file away")
    if "permission denied" in low or "read-only" in low or "read only" in low:
        what = "read" if read_only else "written"
        return StoreError(f"the run history {path} cannot be {what} ({text.split(':', 1)[-1].strip()})")
    if "no space left" in low:
        return StoreError(f"the disk holding the run history {path} is full; free space and run again")
    return StoreError(f"the run history {path} cannot be opened: {text}")


@contextmanager
def connect(path: str | Path, read_only: bool = False, timeout: float = LOCK_TIMEOUT):
    """A DuckDB connection to the store, waiting up to ``timeout`` s for another process's lock."""
    import duckdb

    path = Path(path)
    if read_only and not path.exists():
        raise UsageError(f"there is no run history at {path}: run 'benchmark run' (or 'benchmark demo') first")
    if path.is_dir():
        raise _open_error(path, IsADirectoryError(), read_only)
    if not read_only:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"the folder of the run history {path} cannot be made ({exc.strerror})") from None
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.Error as exc:
            text = str(exc)
            if "could not set lock" not in text.lower() and "conflicting lock" not in text.lower():
                raise _open_error(path, exc, read_only) from None
            if time.monotonic() > deadline:
                holder = re.search(r"PID (\d+)", text)
                who = f" (process {holder.group(1)})" if holder else ""
                raise StoreBusy(f"the run history {path} is in use by another run{who}; waited {timeout:.0f} s. "
                                "Try again when that run has finished.") from None
            time.sleep(0.25)
    try:
        yield con
    except duckdb.Error as exc:  # a write that fails (disk full, file changed under us): say so
        low = str(exc).lower()
        if "no space left" in low or "disk is full" in low or "could not write" in low and "space" in low:
            raise StoreError(f"the disk holding the run history {path} is full; the run was not recorded. "
                             "Free space and run again") from None
        raise StoreError(f"the run history {path} could not be read or written: {exc}") from None
    finally:
        con.close()


def tables_dir(store: str | Path) -> Path:
    """The folder of the store's Parquet tables (:data:`EXTERNAL_TABLES`), beside the store."""
    store = Path(store)
    return store.parent / f"{store.name}.tables"


def external_path(store: str | Path, run_id: str, table: str) -> Path:
    return tables_dir(store) / run_id / f"{table}.parquet"


def _write_external(store: Path, run_id: str, table: str, frame: pd.DataFrame, folder: Path | None = None) -> None:
    """The table as Parquet (into ``folder`` instead of the run's own), synced to disk before the
    transaction naming it commits."""
    import pyarrow.parquet as pq

    path = external_path(store, run_id, table) if folder is None else folder / f"{table}.parquet"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(_arrow(frame), path)
        for target in (path, path.parent):
            fd = os.open(target, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    except OSError as exc:  # named like DuckDB's own write errors (connect())
        if exc.errno == errno.ENOSPC or "no space left" in str(exc).lower():
            raise StoreError(f"the disk holding the run history {store} is full; the run was not recorded. "
                             "Free space and run again") from None
        raise StoreError(f"the run history's table {path} cannot be written ({exc.strerror or exc})") from None


def _remove_external(store: str | Path, run_id: str) -> None:
    import shutil

    shutil.rmtree(tables_dir(store) / run_id, ignore_errors=True)


class _Background:
    """``work()`` in a thread; :meth:`result` joins it and raises what it raised."""

    def __init__(self, work) -> None:
        import threading

        self._error: list[BaseException] = []

        def run() -> None:
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                self._error.append(exc)

        self._thread = threading.Thread(target=run, name="store-parquet", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self) -> None:
        self._thread.join()
        if self._error:
            raise self._error[0]


def _writer_lock(store: str | Path, run_id: str) -> Path:
    return tables_dir(store) / f".{run_id}.lock"


def _staging(store: str | Path, run_id: str) -> Path:
    return tables_dir(store) / f".{run_id}.tmp"


def lock_held(lock: Path) -> bool:
    """Does a live process hold an ``flock`` on ``lock``? (A run's liveness: its output folder's
    ``.lock-`` file, or its early tables' ``.<run id>.lock``; the lock dies with the process.)"""
    import fcntl

    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


class EarlyTables:
    """The run's long tables (:data:`EXTERNAL_TABLES`) written as Parquet beside the store while the
    run still writes its output files, instead of inside the recording transaction.

    Why: the monthly table alone is two million rows at national scale (0,5–0,8 s of Arrow and
    Parquet work, GIL released); written here, in a thread, it overlaps the CSV and workbook
    writing and the recording shrinks to DuckDB's inserts (SPEC §9: recording ≤ 0,5 s).
    Nothing is visible earlier: the files go to a hidden ``.<run id>.tmp`` folder, renamed to the
    run's own inside the recording transaction (:meth:`publish`), and a run is in the store only
    once its ``runs`` row commits. The hidden folder is guarded by an ``flock`` on
    ``.<run id>.lock`` for as long as the run lives, so another run's :func:`remove_orphan_tables`
    leaves it alone, and removes it (with the lock file) once the process is gone (a kill -9), as
    the output folder's hidden ``.tmp-`` folder is. :meth:`discard` removes it when the run fails.
    """

    def __init__(self, store: str | Path, run_id: str, tables: dict[str, pd.DataFrame]) -> None:
        import fcntl

        self.store, self.run_id = Path(store), run_id
        self.names = [t for t, f in tables.items() if t in EXTERNAL_TABLES and f is not None and not f.empty]
        lock = _writer_lock(store, run_id)
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            self._fd: int | None = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as exc:
            raise StoreError(f"the run history's table folder {lock.parent} cannot be written "
                             f"({exc.strerror or exc})") from None
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        frames = {t: tables[t] for t in self.names}
        self.folder = _staging(store, run_id)
        self._writer = _Background(
            lambda: [_write_external(self.store, run_id, t, frames[t], self.folder) for t in self.names])

    def result(self) -> list[str]:
        """Wait for the files; raise what writing them raised; then move them to the run's own
        folder (called inside the recording transaction). Returns the tables written."""
        self._writer.result()
        if self.names:
            final = tables_dir(self.store) / self.run_id
            shutil.rmtree(final, ignore_errors=True)
            try:
                self.folder.rename(final)
            except OSError as exc:
                raise StoreError(f"the run history's table folder {final} cannot be written "
                                 f"({exc.strerror or exc})") from None
        return self.names

    def join(self) -> None:
        self._writer.join()

    def discard(self) -> None:
        """The run failed or was interrupted: its files go (after the writer has stopped)."""
        self._writer.join()
        shutil.rmtree(self.folder, ignore_errors=True)
        _remove_external(self.store, self.run_id)
        self.release()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            _writer_lock(self.store, self.run_id).unlink(missing_ok=True)


def remove_orphan_tables(con, store: str | Path) -> list[str]:
    """Remove Parquet tables of runs the store does not hold (a run killed before it was
    recorded). Called with a read-write connection open, so no other process is recording one;
    a live run still writing its tables early (:class:`EarlyTables`) holds their lock and is
    left alone."""
    folder = tables_dir(store)
    if not folder.is_dir():
        return []
    known = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()} if _table_exists(con, "runs") else set()
    done = []
    for p in folder.iterdir():
        if p.name.startswith("."):
            continue
        if p.is_dir() and p.name not in known:
            _remove_external(store, p.name)
            done.append(f"removed the tables of run {p.name}, which was never recorded")
    for p in folder.glob(".*.tmp"):  # written early by a run that died before recording itself
        run_id = p.name[1:-len(".tmp")]
        if not lock_held(_writer_lock(store, run_id)):
            shutil.rmtree(p, ignore_errors=True)
            done.append(f"removed the unfinished tables of run {run_id} (interrupted before it was recorded)")
    for p in folder.glob(".*.lock"):
        if not lock_held(p):
            p.unlink(missing_ok=True)
    return done


def external_tables(con, run_id: str) -> set[str]:
    """The tables the run keeps as Parquet beside the store (none for runs recorded before)."""
    if not _table_exists(con, "runs") or "external_tables" not in _columns(con, "runs"):
        return set()
    row = con.execute("SELECT external_tables FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return set(json.loads(row[0])) if row and row[0] else set()


def store_path(con) -> Path:
    """The file of the store ``con`` is connected to."""
    return Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                            ).fetchone()[0])


def new_run_id() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"-{now.microsecond:06d}"


def _table_exists(con, table: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchone()[0])


def _columns(con, table: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                                      [table]).fetchall()}


def _arrow(frame: pd.DataFrame):
    """``frame`` as an Arrow table for DuckDB's bulk scan: NaN as NULL (as DuckDB stores it), object
    columns as text, and repetitive text (entity ids, criteria, months) dictionary-encoded, so
    the scan handles each distinct string once instead of once per row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    objects = [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c].dtype)]
    if objects:
        frame = frame.copy()
        for col in objects:
            frame[col] = frame[col].astype(str).where(frame[col].notna(), None)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    for i, field in enumerate(table.schema):
        if pa.types.is_null(field.type):  # a column with no value yet: text, as before
            table = table.set_column(i, field.name, pa.nulls(table.num_rows, pa.string()))
    if table.num_rows < DICTIONARY_MIN_ROWS:
        return table
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            encoded = pc.dictionary_encode(table.column(i).combine_chunks())
            if len(encoded.dictionary) * 4 <= table.num_rows:
                table = table.set_column(i, field.name, encoded)
    return table


DICTIONARY_MIN_ROWS = 10_000


def _insert(con, table: str, frame: pd.DataFrame, run_id: str | None) -> None:
    """Insert ``frame`` (with ``run_id`` as first column unless None), adding new columns as needed.

    One bulk insert from an Arrow table (no per-row work, no copy of the frame's numbers); the
    run id is a bound constant of the ``SELECT``, not a column built in Python."""
    data = _arrow(frame)
    lead = "?::VARCHAR AS run_id, " if run_id is not None else ""
    params = [run_id] if run_id is not None else []
    con.register("incoming", data)
    try:
        if not _table_exists(con, table):
            con.execute(f'CREATE TABLE "{table}" AS SELECT {lead}* FROM incoming WHERE false', params)
        have = _columns(con, table)
        for name, kind in con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM incoming)"
                                      ).fetchall():
            if name not in have:
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {kind}')
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT {lead}* FROM incoming', params)
    finally:
        con.unregister("incoming")


def run_meta(res, meta: dict) -> dict:
    """The ``runs`` row of a benchmark result (period, catalogue, data fingerprint, …)."""
    from benchmark import __version__

    return {
        "started_at": meta.get("started_at"), "period": res.period.label, "level": res.level,
        "catalogue_version": res.catalogue.version, "catalogue_hash": res.catalogue.hash(),
        "catalogue_toml": res.catalogue.to_toml(), "data_fingerprint": res.dataset_fingerprint,
        "data_source": str(meta.get("data_source", "")), "seed": int(res.seed), "package_version": __version__,
        "lang": meta.get("lang", "nb"), "options": json.dumps(dict(res.options), sort_keys=True),
        "n_entities": int(len(res.ranking)), "n_scored": int(res.ranking["rank"].notna().sum()),
        **{k: v for k, v in meta.items() if k not in ("started_at", "data_source", "lang")},
    }


def result_tables(res) -> dict[str, pd.DataFrame]:
    return {t: getattr(res, t) for t in TABLES if getattr(res, t, None) is not None}


def record_pending(store: str | Path, kind: str, run_id: str, meta: dict, tables: dict[str, pd.DataFrame],
                   commit: dict | Callable[[], dict], timeout: float = LOCK_TIMEOUT,
                   early: EarlyTables | None = None) -> None:
    """Insert the run as ``pending`` with its tables, in one transaction (all or nothing).

    ``commit`` holds the protocol's bookkeeping: output_dir, tmp_dir, old_dir, outputs_manifest —
    or is a function giving it, called after the tables are inserted (the commit protocol finishes
    the outputs and their manifest there, while the transaction is still open). ``early``: the
    Parquet tables are being written already (:class:`EarlyTables` of the same ``tables``).
    """
    store = Path(store)
    with connect(store, timeout=timeout) as con:
        con.execute("BEGIN TRANSACTION")
        writer = None
        try:
            present = {t: f for t, f in tables.items() if f is not None and not f.empty}
            external = [t for t in present if t in EXTERNAL_TABLES]
            # the Parquet files: written already (early, an EarlyTables), or now by a thread while
            # DuckDB inserts the rest (both run in C++ without the GIL, on the two cores)
            writer = early if early is not None else _Background(
                lambda: [_write_external(store, run_id, t, present[t]) for t in external])
            for table, frame in present.items():
                if table not in EXTERNAL_TABLES:
                    _insert(con, table, frame, run_id)
            writer.result()
            book = commit() if callable(commit) else commit
            row = pd.DataFrame([{"run_id": run_id, "kind": kind, "status": "pending", **meta, **book,
                                 "tables": json.dumps(sorted(k for k, v in tables.items()
                                                             if v is not None and not v.empty)),
                                 "external_tables": json.dumps(external)}])
            row["finished_at"] = pd.Series([None], dtype="string")
            _insert(con, "runs", row, None)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            if writer is not None:
                writer.join()  # before removing what it may still be writing
            _remove_external(store, run_id)
            raise


def mark_complete(store: str | Path, run_id: str, timeout: float = LOCK_TIMEOUT) -> None:
    with connect(store, timeout=timeout) as con:
        con.execute("UPDATE runs SET status = 'complete', finished_at = ? WHERE run_id = ?",
                    [datetime.now(UTC).isoformat(), run_id])


def delete_run(store: str | Path, run_id: str, timeout: float = LOCK_TIMEOUT) -> None:
    """Remove a (pending) run and its rows, in one transaction."""
    with connect(store, timeout=timeout) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            for table in [r[0] for r in con.execute("SELECT table_name FROM information_schema.columns "
                                                    "WHERE column_name = 'run_id'").fetchall()]:
                con.execute(f'DELETE FROM "{table}" WHERE run_id = ?', [run_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        _remove_external(store, run_id)  # still connected: no other process is writing meanwhile


def pending_runs(store: str | Path, timeout: float = LOCK_TIMEOUT) -> pd.DataFrame:
    with connect(store, timeout=timeout) as con:
        if not _table_exists(con, "runs") or "status" not in _columns(con, "runs"):
            return pd.DataFrame(columns=["run_id", "output_dir", "tmp_dir", "old_dir"])
        return con.execute("SELECT * FROM runs WHERE status = 'pending'").df()


def output_dirs(store: str | Path, timeout: float = LOCK_TIMEOUT) -> list[str]:
    """Every output folder the store has recorded (where leftovers of killed runs may lie)."""
    with connect(store, timeout=timeout) as con:
        if not _table_exists(con, "runs") or "output_dir" not in _columns(con, "runs"):
            return []
        return [r[0] for r in con.execute("SELECT DISTINCT output_dir FROM runs WHERE output_dir IS NOT NULL "
                                          "AND output_dir <> ''").fetchall()]


def record_run(store: str | Path, res, run_id: str, meta: dict) -> None:
    """Record a run without outputs (API use: a run whose only output is the store itself)."""
    record_pending(store, BENCHMARK_KIND, run_id, run_meta(res, meta), result_tables(res), {})
    mark_complete(store, run_id)


def outputs_in_place(output_dir: object, run_id: str) -> bool:
    """Does ``output_dir`` hold the outputs of ``run_id`` (its manifest names the run)?"""
    if not isinstance(output_dir, str) or not output_dir:
        return False
    try:
        manifest = json.loads((Path(output_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("run_id") == run_id


def visible_runs(con, kind: str | None = BENCHMARK_KIND) -> pd.DataFrame:
    """The runs a reader may see: complete ones, and pending ones whose outputs are in place."""
    if not _table_exists(con, "runs"):
        return pd.DataFrame(columns=["run_id", "started_at", "period", "level"])
    runs = con.execute("SELECT * FROM runs").df()
    if "status" not in runs:  # a store written before the commit protocol: every run is complete
        return runs
    if kind is not None and "kind" in runs:
        runs = runs[runs["kind"].fillna(BENCHMARK_KIND) == kind]
    pending = runs["status"] == "pending"
    if pending.any():
        in_place = [outputs_in_place(d, r) for d, r in zip(runs.loc[pending, "output_dir"],
                                                           runs.loc[pending, "run_id"], strict=True)]
        keep = ~pending
        keep[pending] = in_place
        runs = runs[keep]
    return runs.reset_index(drop=True)


HISTORY_COLUMNS = ["run_id", "started_at", "period", "level", "catalogue_version", "catalogue_hash",
                   "data_fingerprint", "seed", "package_version", "n_entities", "n_scored"]


def list_runs(store: str | Path) -> pd.DataFrame:
    """The visible benchmark runs, oldest first (see :func:`visible_runs`)."""
    with connect(store, read_only=True) as con:
        return history_frame(visible_runs(con))


def history_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """The ``runs`` rows as ``benchmark history`` lists them: its columns, short hashes, oldest first."""
    runs = runs.reindex(columns=HISTORY_COLUMNS)
    for col in ("catalogue_hash", "data_fingerprint"):
        runs[col] = runs[col].astype("string").str[:12]
    return runs.sort_values(["started_at", "run_id"], kind="stable").reset_index(drop=True)


def resolve_run(con, run_id: str | None, period: str | None, level: str | None) -> dict:
    return pick_run(visible_runs(con), run_id, period, level)


def pick_run(runs: pd.DataFrame, run_id: str | None, period: str | None, level: str | None) -> dict:
    """The run ``run_id``, else the latest of ``period`` (at ``level``), among visible ``runs``."""
    if run_id:
        rows = runs[runs["run_id"] == run_id] if "run_id" in runs else runs.iloc[0:0]
        if rows.empty:
            raise UsageError(f"there is no run '{run_id}' in the store; see 'benchmark history'")
    else:
        rows = runs[runs["period"] == period] if "period" in runs else runs.iloc[0:0]
        if level:
            rows = rows[rows["level"] == level]
        rows = rows.sort_values(["started_at", "run_id"], ascending=False, kind="stable").head(1)
        if rows.empty:
            raise UsageError(f"no run for period {period}{' at level ' + level if level else ''} in the store: "
                             f"run 'benchmark run DATA --period {period}' first")
    return rows.iloc[0].to_dict()


def load_run(store: str | Path, run_id: str | None = None, period: str | None = None, level: str | None = None,
             lazy: bool = True):
    """A stored run as a :class:`~benchmark.scoring.Result` (for explain, sheet and notebooks).

    With ``lazy`` (the default) the run's ``monthly``, ``trend`` and ``sensitivity`` tables are
    read on first access, or one entity at a time (:class:`benchmark.stored.StoredResult`): a
    national run opens in well under a second instead of five. ``lazy=False`` reads them all now.
    """
    from benchmark.catalogue import parse_catalogue
    from benchmark.periods import parse_period
    from benchmark.stored import LAZY_TABLES, RunTables, StoredResult, read_table

    with connect(store, read_only=True) as con:
        run = resolve_run(con, run_id, period, level)
        present = {t for t in TABLES if _table_exists(con, t)} | external_tables(con, run["run_id"])
        now = [t for t in TABLES if not (lazy and t in LAZY_TABLES)]
        tables = {t: read_table(con, t, run["run_id"]) if t in present else pd.DataFrame() for t in now}
    catalogue, issues = parse_catalogue(run["catalogue_toml"], f"run {run['run_id']}")
    if catalogue is None:
        raise UsageError(f"the catalogue stored with run {run['run_id']} cannot be read")
    scores, ranking = tables["scores"], tables["ranking"]
    # what Result.rescore needs (shrunken and raw values, s.e., the ranking groups), from the tables
    from benchmark.runview import rescore_fields

    fields = dict(scores=scores, ranking=ranking,
                  measures=tables["measures"] if not tables["measures"].empty else None,
                  catalogue=catalogue, period=parse_period(run["period"]), level=run["level"], seed=int(run["seed"]),
                  dataset_fingerprint=run["data_fingerprint"], options=json.loads(run["options"] or "{}"),
                  run_id=run["run_id"], **rescore_fields(scores, ranking, catalogue))
    fields.update({t: tables[t] for t in LAZY_TABLES if t in tables})
    return StoredResult(RunTables(store, run["run_id"], present) if lazy else None, **fields)


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
