"""What the service reads: stored runs (cached, immutable), and what a given user may see of them.

Runs are never updated, so a loaded run is cached by its id; the store is opened read-only for a
moment per read and closed again, so ``benchmark run`` can still write while the service runs.
For a leader every table is first masked (benchmark/privacy.py, on the whole run so that the
complementary suppression sees every sibling), then cut to the peer groups or entities the
leader may read (benchmark/service/scopes.py).
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.issues import UsageError
from benchmark.service.scopes import in_scope, measures_in_scope, visible_peer_groups
from benchmark.service.users import User

VIEWS = 256  # distinct leader views kept (each is a slice of one masked run)
TABLES = ("scores", "ranking", "measures", "trend", "monthly", "sensitivity")


class RunReader:
    """Stored runs of one store file."""

    def __init__(self, store: str | Path) -> None:
        self.store = Path(store)
        self._lock = threading.Lock()
        self._runs: tuple[float, pd.DataFrame] | None = None
        self._load = functools.lru_cache(maxsize=8)(self._load_uncached)
        self._masked = functools.lru_cache(maxsize=8)(self._masked_uncached)
        self._views: OrderedDict[tuple, object] = OrderedDict()

    def runs(self) -> pd.DataFrame:
        """The runs, newest first (re-read when the store file changes)."""
        from benchmark.store import list_runs

        try:
            stamp = self.store.stat().st_mtime
        except OSError:
            return pd.DataFrame(columns=["run_id", "started_at", "period", "level"])
        with self._lock:
            if self._runs is None or self._runs[0] != stamp:
                runs = list_runs(self.store)
                self._runs = (stamp, runs.iloc[::-1].reset_index(drop=True))
            return self._runs[1]

    def latest(self, period: str | None = None, level: str = "unit") -> str:
        runs = self.runs()
        pick = runs[(runs["level"] == level) & ((runs["period"] == period) if period else True)]
        if pick.empty:
            raise LookupError(f"ingen kjøring for {period or 'noen periode'} på nivå {level}")
        return str(pick.iloc[0]["run_id"])

    def _load_uncached(self, run_id: str):
        from benchmark.store import load_run

        with self._lock:  # one DuckDB open at a time in this process
            return load_run(self.store, run_id=run_id)

    def _masked_uncached(self, run_id: str):
        from benchmark.privacy import mask_result

        return mask_result(self._load(run_id))

    def masked(self, run_id: str):
        """The whole run masked for leaders (cached: every leader shares it)."""
        return self._masked(run_id)

    def result(self, run_id: str, user: User | None = None):
        """The run as ``user`` may see it (None or an analyst: unmasked, whole)."""
        try:
            res = self._load(run_id)
        except UsageError as exc:
            raise LookupError(str(exc)) from None
        if user is None or user.is_analyst:
            return res
        return self.view(self._masked(run_id), user)

    def view(self, masked, user: User):
        """``restrict(masked, user)``, one object per distinct view: leaders whose scopes show the
        same peer groups and measures share it, and with it every piece derived from it
        (benchmark/explanation/shared.py caches by the identity of this object)."""
        key = (id(masked), *view_key(masked, user))
        with self._lock:
            hit = self._views.get(key)
            if hit is not None and hit[0] is masked:
                self._views.move_to_end(key)
                return hit[1]
        view = restrict(masked, user)
        with self._lock:
            self._views[key] = (masked, view)
            while len(self._views) > VIEWS:
                self._views.popitem(last=False)
        return view


_READERS: dict[str, RunReader] = {}
_READERS_LOCK = threading.Lock()


def reader_for(store: str | Path) -> RunReader:
    """One reader (one cache) per store file in this process: the service and its notebooks share it."""
    key = str(Path(store).resolve())
    with _READERS_LOCK:
        if key not in _READERS:
            _READERS[key] = RunReader(key)
        return _READERS[key]


def view_key(res, user: User) -> tuple:
    """What :func:`restrict` depends on besides the result: the visible peer groups and the measure
    rows in scope (None: everything)."""
    groups = visible_peer_groups(user, res.ranking, res.level)
    measures = res.measures
    rows = None
    if measures is not None and not measures.empty:
        rows = tuple(np.flatnonzero(measures_in_scope(user, measures).to_numpy()))
    return (None if groups is None else tuple(sorted(groups))), rows


def restrict(res, user: User):
    """A masked result cut to the peer groups the leader's entities belong to."""
    groups = visible_peer_groups(user, res.ranking, res.level)
    if groups is None:
        return res
    ranking = res.ranking[res.ranking["peer_group"].astype(str).isin(groups)].reset_index(drop=True)
    keep = set(ranking["entity_id"].astype(str))

    def cut(frame):
        if frame is None or frame.empty or "entity_id" not in frame:
            return frame
        return frame[frame["entity_id"].astype(str).isin(keep)].reset_index(drop=True)

    measures = res.measures
    if measures is not None and not measures.empty:
        measures = measures[measures_in_scope(user, measures)].reset_index(drop=True)
    return dataclasses.replace(res, ranking=ranking, scores=cut(res.scores), trend=cut(res.trend),
                               monthly=cut(res.monthly), sensitivity=cut(res.sensitivity), measures=measures,
                               memo={})


def download_table(res, user: User, table: str) -> pd.DataFrame:
    """A run table for download: a leader gets only rows of entities inside its scope."""
    if table not in TABLES:
        raise LookupError(table)
    frame = getattr(res, table, None)
    if frame is None:
        return pd.DataFrame()
    if user.is_analyst or frame.empty:
        return frame
    inside = res.ranking.loc[in_scope(user, res.ranking, res.level), "entity_id"].astype(str)
    if "entity_id" in frame:
        return frame[frame["entity_id"].astype(str).isin(set(inside))].reset_index(drop=True)
    return frame  # measures: restrict() kept only the leader's divisions
