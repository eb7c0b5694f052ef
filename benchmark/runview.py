"""A stored run as a first screen reads it: its tables, without the scoring package.

A :class:`~benchmark.stored.StoredResult` is a :class:`~benchmark.scoring.Result`, and importing
:mod:`benchmark.scoring` imports ``scipy.stats`` — 0,6 s of CPU in a fresh process, a sixth of the
analysis app's budget for opening a national run (SPEC §9: ≤ 4 s), spent before anything needs
it. A first screen draws the ranking, the scores and the catalogue; only a weight change (and a
workbook, an explanation) needs scoring code.

So :func:`read_view` reads what :func:`benchmark.store.load_run` reads at once — the ``runs`` row,
``ranking``, ``scores`` and ``measures``, by the same queries — into a :class:`StoredView`, which
answers with those frames, reads ``monthly``/``trend``/``sensitivity`` lazily through the same
:class:`RunTables`, and becomes the full :class:`~benchmark.stored.StoredResult` the first time
anything else is asked of it (:meth:`StoredView.full`: the same frames, not read again; a test
checks it equals ``load_run`` field by field). An app can have that done while the browser draws
its first screen (:func:`prepare`).

This module imports neither :mod:`benchmark.scoring` nor scipy; the table reading that
:mod:`benchmark.stored` builds on lives here for that reason (``benchmark.stored`` re-exports it).
Reading goes through Arrow (``to_arrow_table().to_pandas()``), four times faster than DuckDB's
``.df()`` for string columns and giving the same frames (pandas' ``str`` dtype, NaN for NULL).
The store is opened only for each read and closed at once, so a ``benchmark run`` in another
process is never locked out for longer than one query.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd

LAZY_TABLES = ("monthly", "trend", "sensitivity")  # what a first screen does not draw
NOW_TABLES = ("scores", "ranking", "measures")  # what it does
ENTITY_CACHE = 256  # (table, entities) row sets kept per run: a leader's clicks, not the country


def fetch(con, sql: str, params: list | None = None) -> pd.DataFrame:
    """A query's rows as a pandas frame, through Arrow (fast for string columns)."""
    return con.sql(sql, params=params or None).to_arrow_table().to_pandas()


def table_columns(con, table: str) -> list[str]:
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                       "ORDER BY ordinal_position", [table]).fetchall()
    return [r[0] for r in rows]


def read_table(con, table: str, run_id: str, entity_ids: list[str] | None = None) -> pd.DataFrame:
    """One run's rows of ``table`` (without ``run_id``), optionally only those of ``entity_ids``;
    from the run's Parquet file beside the store when it keeps the table there
    (:data:`benchmark.store.EXTERNAL_TABLES`), with the same columns, order and types."""
    from benchmark.store import StoreError, external_path, external_tables, store_path, tables_dir

    if table in external_tables(con, run_id):
        store = store_path(con)
        path = str(external_path(store, run_id, table))
        if not Path(path).is_file():
            raise StoreError(f"the {table} rows of run {run_id} are missing: {path} is not there. A run history is "
                             f"{store.name} and the folder {tables_dir(store).name} beside it; copy or restore both")
        cols = [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                                          [path]).fetchall()]
        source, params = "read_parquet(?) WHERE true", [path]
    else:
        cols = table_columns(con, table)
        source, params = f'"{table}" WHERE run_id = ?', [run_id]
    if not cols:
        return pd.DataFrame()
    select = ", ".join(f'"{c}"' for c in cols if c != "run_id")
    sql = f"SELECT {select} FROM {source}"
    if entity_ids is not None:
        if "entity_id" not in cols:
            return fetch(con, sql + " AND false", params)
        if not entity_ids:
            return fetch(con, sql + " AND false", params)
        # a constant IN list is a filter DuckDB pushes into the scan, and keeps the rows' order
        sql += f" AND entity_id IN ({', '.join('?' * len(entity_ids))})"
        params.extend(str(e) for e in entity_ids)
    return fetch(con, sql, params)


class RunTables:
    """The lazily read tables of one stored run, shared by every result derived from it.

    Thread-safe: the service's sessions are threads, and thirty of them opening the same run at
    once read each table once (one lock per table), not thirty times.
    """

    def __init__(self, store: str | Path, run_id: str, present: set[str]) -> None:
        self.store, self.run_id, self.present = Path(store), run_id, set(present)
        self._full: dict[str, pd.DataFrame] = {}
        self._rows: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._locks = {t: threading.Lock() for t in LAZY_TABLES}
        self._rows_lock = threading.Lock()

    def loaded(self, table: str) -> bool:
        return table in self._full

    def full(self, table: str) -> pd.DataFrame:
        """The whole table of the run (read once)."""
        if table not in self._full:
            with self._locks[table]:
                if table not in self._full:
                    self._full[table] = self._read(table, None)
        return self._full[table]

    def rows(self, table: str, entity_ids: list[str]) -> pd.DataFrame:
        """The rows of ``entity_ids``: filtered from the whole table if it is read, else queried."""
        ids = [str(e) for e in entity_ids]
        if table in self._full:
            frame = self._full[table]
            return frame[frame["entity_id"].astype(str).isin(ids)] if "entity_id" in frame else frame.iloc[0:0]
        key = (table, tuple(ids))
        with self._rows_lock:
            if key in self._rows:
                self._rows.move_to_end(key)
                return self._rows[key]
        frame = self._read(table, ids)
        with self._rows_lock:
            self._rows[key] = frame
            while len(self._rows) > ENTITY_CACHE:
                self._rows.popitem(last=False)
        return frame

    def _read(self, table: str, entity_ids: list[str] | None) -> pd.DataFrame:
        from benchmark.store import connect

        if table not in self.present:
            return pd.DataFrame()
        with connect(self.store, read_only=True) as con:
            return read_table(con, table, self.run_id, entity_ids)


def rescore_fields(scores: pd.DataFrame, ranking: pd.DataFrame, catalogue) -> dict:
    """What :meth:`Result.rescore` needs besides the tables, from the stored tables: the shrunken
    values and their s.e. (entities × criteria, in the catalogue's order) and the ranking groups —
    as :func:`benchmark.store.load_run` derives them."""
    entities = pd.Index(ranking["entity_id"]) if "entity_id" in ranking else pd.Index([])
    present_criteria = set(scores["criterion"].unique()) if "criterion" in scores else set()
    criteria = [c.id for c in catalogue.criteria if c.id in present_criteria]
    shrunk = shrunk_se = raw = None
    if "scored" in scores and scores["scored"].astype(bool).any():
        scored = scores.loc[scores["scored"].astype(bool), ["entity_id", "criterion", "shrunk", "shrunk_se", "value"]]
        wide = scored.pivot(index="entity_id", columns="criterion").astype(float)
        shrunk = wide["shrunk"].reindex(index=entities, columns=criteria)
        shrunk_se = wide["shrunk_se"].reindex(index=entities, columns=criteria)
        raw = wide["value"].reindex(index=entities, columns=criteria)
    groups = ranking.set_index("entity_id")["peer_group"] if "peer_group" in ranking else None
    return {"shrunk": shrunk, "shrunk_se": shrunk_se, "raw": raw, "groups": groups}


class StoredView:
    """A stored run's ranking, scores, measures, catalogue and run fields as read; its lazy tables
    through :class:`RunTables`; everything else (``rescore``, ``shrunk``, …) from :meth:`full`.

    Not a :class:`~benchmark.scoring.Result` (``dataclasses.replace`` needs :meth:`full`); it reads
    the same attribute names, so the analysis app's cells take either.
    """

    def __init__(self, tables: RunTables, **fields) -> None:
        self.__dict__.update(fields)
        self.__dict__["tables"] = tables
        self.__dict__["_full_lock"] = threading.Lock()
        self.__dict__["_full"] = None

    def __getattr__(self, name: str):  # only for an attribute not set: a lazy table, or the full result's
        if name.startswith("__"):
            raise AttributeError(name)
        if name in LAZY_TABLES:
            value = self.tables.full(name)
            self.__dict__[name] = value
            return value
        return getattr(self.full(), name)

    def full(self):
        """The :class:`~benchmark.stored.StoredResult` of this run, made once from these frames
        (imports the scoring package); lazy tables read so far are handed over, the rest stay lazy."""
        if self._full is None:
            with self._full_lock:
                if self._full is None:
                    from benchmark.stored import StoredResult

                    fields = {k: v for k, v in self.__dict__.items()
                              if k not in ("tables", "_full_lock", "_full")}
                    fields.update(rescore_fields(self.scores, self.ranking, self.catalogue))
                    self.__dict__["_full"] = StoredResult(self.tables, **fields)
        return self._full

    def rescore(self, **kwargs):
        """:meth:`Result.rescore` of the full result (the weight slider's path)."""
        return self.full().rescore(**kwargs)

    def entity_rows(self, table: str, entity_id: str | list[str]) -> pd.DataFrame:
        """The rows of one entity (or several) in ``table``, without reading the whole table."""
        ids = [entity_id] if isinstance(entity_id, str) else list(entity_id)
        if table in LAZY_TABLES and table not in self.__dict__:
            return self.tables.rows(table, ids)
        frame = getattr(self, table)
        if frame is None or "entity_id" not in frame:
            return pd.DataFrame() if frame is None else frame.iloc[0:0]
        return frame[frame["entity_id"].astype(str).isin([str(i) for i in ids])]

    def __repr__(self) -> str:
        return (f"StoredView(run_id={self.run_id!r}, period={self.period.label!r}, level={self.level!r}, "
                f"entities={len(self.ranking)}, full={self._full is not None})")

    __str__ = __repr__


def read_view(store: str | Path, run_id: str | None = None, period: str | None = None,
              level: str | None = None) -> StoredView:
    """A stored run as a :class:`StoredView`: the run chosen and the tables read as
    :func:`benchmark.store.load_run` does (same messages for a missing run), scoring not imported."""
    from benchmark.catalogue import parse_catalogue
    from benchmark.issues import UsageError
    from benchmark.periods import parse_period
    from benchmark.store import TABLES, _table_exists, connect, external_tables, resolve_run

    with connect(store, read_only=True) as con:
        run = resolve_run(con, run_id, period, level)
        present = {t for t in TABLES if _table_exists(con, t)} | external_tables(con, run["run_id"])
        tables = {t: read_table(con, t, run["run_id"]) if t in present else pd.DataFrame() for t in NOW_TABLES}
    catalogue, _ = parse_catalogue(run["catalogue_toml"], f"run {run['run_id']}")
    if catalogue is None:
        raise UsageError(f"the catalogue stored with run {run['run_id']} cannot be read")
    return StoredView(RunTables(store, run["run_id"], present), scores=tables["scores"], ranking=tables["ranking"],
                      measures=tables["measures"] if not tables["measures"].empty else None,
                      catalogue=catalogue, period=parse_period(run["period"]), level=run["level"],
                      seed=int(run["seed"]), dataset_fingerprint=run["data_fingerprint"],
                      options=json.loads(run["options"] or "{}"), run_id=run["run_id"])


def full(res):
    """``res`` as a :class:`~benchmark.scoring.Result` (a view's full result, anything else as is)."""
    return res.full() if isinstance(res, StoredView) else res


def prepare(res) -> None:
    """Make a view's full result in a background thread, and re-score it once with the
    catalogue's own weights (which keeps the weight-independent arrays every re-score reuses): a
    first screen calls this once it is drawn, so the first weight change does not wait for the
    scoring package's import nor for those arrays."""
    if isinstance(res, StoredView) and res._full is None:
        threading.Thread(target=_prepare, args=(res,), name="benchmark-prepare", daemon=True).start()


def _prepare(view: StoredView) -> None:
    # ahead of need only: if it fails, the weight change itself will say what is wrong
    with contextlib.suppress(Exception):
        view.full().rescore(weights=view.catalogue.weights())
