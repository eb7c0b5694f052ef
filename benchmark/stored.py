"""A stored run read lazily: the tables a first screen needs now, the rest when first asked for.

A national run holds about 2 million monthly rows, 210 000 sensitivity rows and 90 000 trend rows
besides its 10 000-row ranking and 90 000 scores. Reading all of it took 5–6 s on two cores,
while the analysis app's first screen draws only the ranking and the scores of the period. So
:func:`benchmark.store.load_run` reads the ``runs`` row, ``ranking``, ``scores`` and ``measures``
at once and returns a :class:`StoredResult`, whose ``monthly``, ``trend`` and ``sensitivity``
are read from the store on first access — the whole table once (then kept), or only one
entity's rows through :meth:`StoredResult.entity_rows`, a DuckDB query whose ``WHERE entity_id``
DuckDB pushes into the scan (a few milliseconds instead of a second).

A :class:`StoredResult` behaves as a :class:`~benchmark.scoring.result.Result` everywhere: every
field is there when read, ``dataclasses.replace`` works (it reads, and so loads, every field),
and :meth:`StoredResult.rescore` — the weight slider's path — keeps the lazy tables unread, so
a weight change never waits for the monthly rows. Results derived by ``rescore`` share one
:class:`RunTables`, so a table read for one is read for all.

Reading goes through Arrow (``to_arrow_table().to_pandas()``), four times faster than
DuckDB's ``.df()`` for string columns and giving the same frames (pandas' ``str`` dtype, NaN for
NULL). The store is opened only for each read and closed at once, so a ``benchmark run`` in
another process is never locked out for longer than one query.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd

from benchmark.scoring.result import Result

LAZY_TABLES = ("monthly", "trend", "sensitivity")  # what a first screen does not draw
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


class StoredResult(Result):
    """A :class:`Result` of a stored run whose :data:`LAZY_TABLES` are read on first access."""

    def __init__(self, tables: RunTables | None = None, **fields) -> None:
        # Result's fields as given; the lazy tables left out are read through ``tables`` later
        for f in dataclasses.fields(Result):
            if f.name in fields:
                value = fields.pop(f.name)
            elif f.name in LAZY_TABLES and tables is not None:
                continue
            elif f.default is not dataclasses.MISSING:
                value = f.default
            elif f.default_factory is not dataclasses.MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"StoredResult needs the field {f.name!r}")
            object.__setattr__(self, f.name, value)
        if fields:
            raise TypeError(f"StoredResult got unknown fields {sorted(fields)}")
        object.__setattr__(self, "tables", tables)

    def __getattr__(self, name: str):  # called only for an attribute not yet set: a lazy table
        tables = self.__dict__.get("tables")
        if name in LAZY_TABLES and tables is not None:
            value = tables.full(name)
            object.__setattr__(self, name, value)
            return value
        raise AttributeError(name)

    def entity_rows(self, table: str, entity_id: str | list[str]) -> pd.DataFrame:
        """The rows of one entity (or several) in ``table``, without reading the whole table."""
        ids = [entity_id] if isinstance(entity_id, str) else list(entity_id)
        if table in self.__dict__ or self.tables is None or table not in LAZY_TABLES:
            frame = getattr(self, table)
            if frame is None or "entity_id" not in frame:
                return pd.DataFrame() if frame is None else frame.iloc[0:0]
            return frame[frame["entity_id"].astype(str).isin([str(i) for i in ids])]
        return self.tables.rows(table, ids)

    def rescore(self, **kwargs) -> StoredResult:
        """:meth:`Result.rescore` without reading the lazy tables (they do not depend on weights)."""
        light = Result.__new__(Result)
        light.__dict__.update({k: v for k, v in self.__dict__.items() if k != "tables"})
        for name in LAZY_TABLES:
            light.__dict__.setdefault(name, None)
        out = Result.rescore(light, **kwargs)
        fields = {f.name: out.__dict__[f.name] for f in dataclasses.fields(Result)
                  if not (f.name in LAZY_TABLES and f.name not in self.__dict__)}
        return StoredResult(self.tables, **fields)

    def __repr__(self) -> str:
        lazy = [t for t in LAZY_TABLES if t not in self.__dict__]
        return (f"StoredResult(run_id={self.run_id!r}, period={self.period.label!r}, level={self.level!r}, "
                f"entities={len(self.ranking)}, unread={lazy})")

    __str__ = __repr__
