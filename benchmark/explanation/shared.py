"""A process-wide cache of things derived from a result, keyed by the result's identity.

marimo's run-mode sessions are threads of one process, so thirty leaders who open their unit
pages at once can share every piece of a page that is a pure function of (result, unit, language):
the explanation, the chart specs, the tables. The key is the *identity* of the result object the
piece was computed from, never its run id alone. The service hands every leader with the same
view one masked, scope-cut result object and an analyst the unmasked one
(benchmark/service/data.py): different objects, so a piece computed from unmasked numbers cannot
be served from here to a leader, whatever the run id says.

An entry holds only a weak reference to its result (a re-scored result of the analyst's weight
sliders is not kept alive by its pieces); a hit requires the referent to be that very object, so
an identity reused after the result was freed never matches. Dead entries are dropped lazily.
Concurrent misses for one key wait for the first computation instead of repeating it.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class IdentityCache:
    """``get(owner, key, compute)``: ``compute()`` once per live ``owner`` object and ``key``."""

    def __init__(self, maxsize: int = 4096) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[tuple, tuple[weakref.ref, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict[tuple, threading.Lock] = {}
        self._dead: list[int] = []  # ids of freed owners (appended by weakref callbacks)

    def _lookup(self, owner: object, k: tuple) -> tuple[bool, Any]:
        entry = self._data.get(k)
        if entry is not None and entry[0]() is owner:
            self._data.move_to_end(k)
            return True, entry[1]
        return False, None

    def _purge(self) -> None:
        if not self._dead:
            return
        dead, self._dead[:] = set(self._dead), []
        for k in [k for k, (ref, _) in self._data.items() if k[0] in dead and ref() is None]:
            del self._data[k]

    def get(self, owner: object, key: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
        k = (id(owner), *key)
        with self._lock:
            found, value = self._lookup(owner, k)
            if found:
                self.hits += 1
                return value
            gate = self._inflight.setdefault(k, threading.Lock())
        with gate:  # one computation per key; the others wait for it
            with self._lock:
                found, value = self._lookup(owner, k)
            if found:
                with self._lock:
                    self.hits += 1
                return value
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._inflight.pop(k, None)
                raise
            ident = id(owner)
            ref = weakref.ref(owner, lambda _r, ident=ident: self._dead.append(ident))
            with self._lock:
                self.misses += 1
                self._purge()
                self._data[k] = (ref, value)
                while len(self._data) > self.maxsize:
                    self._data.popitem(last=False)
                self._inflight.pop(k, None)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


PIECES = IdentityCache()


def shared(owner: object, key: tuple[Hashable, ...], compute: Callable[[], Any]) -> Any:
    """``compute()`` once per process for this ``owner`` object and ``key`` (see the module doc)."""
    return PIECES.get(owner, key, compute)


def entity_rows(res, table: str, entity_id: str):
    """The rows of ``res.<table>`` for ``entity_id``, in the table's order and with its index.

    A page reads one entity's rows of tables that hold every entity: the table is sorted by entity
    once per result (a stable sort, so an entity's rows keep their order) and each entity is a
    slice of it — no scan and no gather of every column per read."""
    import numpy as np
    import pandas as pd

    frame = getattr(res, table, None)
    if not isinstance(frame, pd.DataFrame):
        return pd.DataFrame()
    if frame.empty or "entity_id" not in frame:
        return frame.iloc[0:0]

    def build():
        ids = frame["entity_id"].astype(str).to_numpy()
        order = np.argsort(ids, kind="stable")
        ordered = frame.iloc[order]
        keys, first = np.unique(ids[order], return_index=True)
        stops = np.append(first[1:], len(order))
        return ordered, dict(zip(keys.tolist(), zip(first.tolist(), stops.tolist(), strict=True), strict=True))

    ordered, spans = shared(res, ("rows", table, len(frame)), build)
    span = spans.get(str(entity_id))
    return ordered.iloc[span[0]:span[1]] if span is not None else frame.iloc[0:0]
