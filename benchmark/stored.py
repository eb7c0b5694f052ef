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

The reading itself (:func:`read_table`, :class:`RunTables`) is in :mod:`benchmark.runview`,
which also gives a first screen the run without importing the scoring package
(:class:`~benchmark.runview.StoredView`).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

# the table reading lives in benchmark.runview (which imports no scoring code); the names stay here
from benchmark.runview import ENTITY_CACHE, LAZY_TABLES, RunTables, fetch, read_table, table_columns
from benchmark.scoring.result import Result

__all__ = ["ENTITY_CACHE", "LAZY_TABLES", "RunTables", "StoredResult", "fetch", "read_table", "table_columns"]


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
