"""Where an app's numbers come from: a dataset folder, a workbook, a stored run, or the latest run.

Every marimo app (analysis, unit, criteria, measures — and the ones that mount them in the
service) opens its data through this module, so they all understand the same words:

- ``--source PATH`` — a dataset folder (CSV/Parquet) or an Excel workbook, scored in the app;
- ``--source run:<id>`` — a run from the store, shown exactly as it was written (its own
  ranking, intervals, composite and potential);
- ``--source demo`` — the demo trust;
- no source — the latest run in the store when a store exists, else the demo trust.

The store is ``--store FILE``, else the environment variable ``BENCHMARK_STORE``, else
``benchmark-out/history.duckdb`` — the order the commands use. :func:`open_source` never raises:
a mistyped path or an unknown run comes back as a Norwegian (or English) message that the app
shows in a callout beside its controls, so an error never wipes the page.

**Process-wide caches.** Everything read from a store is cached for the whole process, so every
session of ``benchmark serve`` and every re-run of a cell reuses it:

- the store's list of runs (:func:`stored_runs`, and through it :func:`open_source`,
  :func:`period_choices`, :func:`run_for`, :func:`recent_runs_text`) is keyed by the store's
  resolved path and its file's size and modification time (and its ``.wal``'s), so a run written
  by another process is seen at the next call, and an unchanged store is not opened again;
- a stored run (:func:`stored_result`, and :func:`result` for ``run:`` sources) is keyed by
  ``(store path, run_id)`` — runs never change once written — and read once even when many
  sessions ask at the same moment (one lock per key). It is a lazy
  :class:`~benchmark.stored.StoredResult`: ranking and scores at once, ``monthly``, ``trend``
  and ``sensitivity`` on first access, or one entity's rows by :func:`entity_rows` (a DuckDB
  query on ``entity_id``), so a stored national run opens in a fraction of a second;
- datasets and their scores (``demo`` and paths) are cached in :mod:`benchmark.views`.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark.issues import DataError, UsageError, errors

ENV_STORE = "BENCHMARK_STORE"
RUN_PREFIX = "run:"


class SourceProblem(Exception):
    """A source that cannot be opened: a message id of :data:`WORDS` and its fields."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key, self.fields = key, fields

    def text(self, lang: str = "nb") -> str:
        return WORDS[lang][self.key].format(**self.fields)

WORDS = {
    "nb": {"missing": "Finner ikke «{text}». Oppgi en datamappe, en arbeidsbok (.xlsx), «demo» eller run:<id>.",
           "no_store": "Det finnes ikke noe kjøringslager i {store}. Kjør «benchmark run» først, eller velg en datamappe.",
           "no_run": "Kjøringen «{run}» finnes ikke i {store}. Se «benchmark history» for kjøringene som finnes.",
           "invalid": "Datagrunnlaget i «{text}» har {n} feil. De første: {first}",
           "store_error": "Kjøringslageret {store} kan ikke leses: {error}",
           "demo": "Demodata (Innlandet-demo)", "dataset": "Datasett {path}",
           "run": "Lagret kjøring {run} ({period}, {level})", "latest": "siste kjøring i lageret"},
    "en": {"missing": "Cannot find '{text}'. Give a dataset folder, a workbook (.xlsx), 'demo' or run:<id>.",
           "no_store": "There is no run store at {store}. Run 'benchmark run' first, or choose a dataset folder.",
           "no_run": "There is no run '{run}' in {store}. See 'benchmark history' for the runs it holds.",
           "invalid": "The dataset '{text}' has {n} problems. The first: {first}",
           "store_error": "The run store {store} cannot be read: {error}",
           "demo": "Demo data (Innlandet demo)", "dataset": "Dataset {path}",
           "run": "Stored run {run} ({period}, {level})", "latest": "latest run in the store"},
}

LEVELS = {"nb": {"unit": "enhet", "department": "avdeling", "division": "divisjon"},
          "en": {"unit": "unit", "department": "department", "division": "division"}}


def store_path(store: str | Path | None = None) -> Path:
    """``store`` if given, else ``$BENCHMARK_STORE``, else ``benchmark-out/history.duckdb``."""
    if store:
        return Path(store).expanduser()
    env = os.environ.get(ENV_STORE, "").strip()
    return Path(env).expanduser() if env else Path("benchmark-out") / "history.duckdb"


@dataclass(frozen=True)
class Source:
    """A resolved data source: ``kind`` is ``demo``, ``dataset`` or ``run``."""

    kind: str
    text: str  # what to re-open it with: "demo", a path, or "run:<id>"
    store: str
    run: dict | None = None  # the run's row from the store (kind == "run")

    @property
    def run_id(self) -> str | None:
        return self.run["run_id"] if self.run else None

    def label(self, lang: str = "nb") -> str:
        w = WORDS[lang]
        if self.kind == "run":
            return w["run"].format(run=self.run_id, period=self.run["period"], level=LEVELS[lang].get(self.run["level"], self.run["level"]))
        if self.kind == "demo":
            return w["demo"]
        return w["dataset"].format(path=self.text)


class _Once:
    """A bounded process-wide cache that computes each key once, even from many threads."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._values: OrderedDict[tuple, object] = OrderedDict()
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], object]):
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one maker per key; the others wait for its value
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = make()
            with self._lock:
                self._values[key] = value
                self._locks.pop(key, None)
                while len(self._values) > self.maxsize:
                    self._values.popitem(last=False)
            return value

    def peek(self, key: tuple):
        """The value of ``key`` if it is made already, else ``None`` (never makes it)."""
        with self._lock:
            return self._values.get(key)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_RUN_LISTS = _Once(maxsize=16)  # (store, generation) -> visible runs
_RESULTS = _Once(maxsize=4)  # (store, run_id) -> StoredResult; a national run holds ~60 MB before its monthly rows
_VIEWS = _Once(maxsize=4)  # (store, run_id) -> StoredView (the same frames as its StoredResult, once made)


def _generation(path: Path) -> tuple:
    """What changes when a store is written: size and time of the file and of its write-ahead log."""
    out = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _visible_runs(store: str | Path | None = None) -> pd.DataFrame:
    """Every column of the store's visible runs (cached while the store file is unchanged)."""
    from benchmark.store import connect, visible_runs

    path = store_path(store).resolve()

    def read() -> pd.DataFrame:
        with connect(path, read_only=True) as con:
            return visible_runs(con)

    return _RUN_LISTS.get((str(path), _generation(path)), read)


def stored_runs(store: str | Path | None = None) -> pd.DataFrame:
    """The store's runs, oldest first (empty when there is no store)."""
    from benchmark.store import history_frame

    path = store_path(store)
    if not path.exists():
        return pd.DataFrame(columns=["run_id", "started_at", "period", "level"])
    return history_frame(_visible_runs(path))


def _run_row(store: Path, run_id: str) -> dict:
    from benchmark.store import pick_run

    return pick_run(_visible_runs(store), run_id, None, None)


def clear_caches() -> None:
    """Forget every cached run list and stored run (tests; a store replaced under the same path)."""
    _RUN_LISTS.clear()
    _RESULTS.clear()
    _VIEWS.clear()


def _open(text: str, store: Path) -> Source:
    if text in ("", "latest"):
        if not store.exists():
            return Source("demo", "demo", str(store))
        runs = stored_runs(store)
        if runs.empty:
            return Source("demo", "demo", str(store))
        text = RUN_PREFIX + str(runs["run_id"].iloc[-1])
    if text.startswith(RUN_PREFIX):
        run_id = text[len(RUN_PREFIX):].strip()
        if not store.exists():
            raise SourceProblem("no_store", store=store)
        try:
            row = _run_row(store, run_id)
        except UsageError:
            raise SourceProblem("no_run", run=run_id, store=store) from None
        return Source("run", RUN_PREFIX + run_id, str(store), row)
    if text == "demo":
        return Source("demo", "demo", str(store))
    path = Path(text).expanduser()
    if not path.exists():
        raise SourceProblem("missing", text=text)
    return Source("dataset", str(path), str(store))


def open_source(text: str | None, store: str | Path | None = None,
                lang: str = "nb") -> tuple[Source | None, str | None]:
    """``(source, None)`` or ``(None, message)``: never raises, so an app keeps its controls."""
    path = store_path(store)
    try:
        src = _open((text or "").strip(), path)
        if src.kind != "run":
            dataset(src)  # validate now: a broken dataset is reported beside the source box
        return src, None
    except SourceProblem as exc:
        return None, exc.text(lang)
    except DataError as exc:
        problems = errors(exc.issues) or exc.issues
        first = "; ".join(p.render() for p in problems[:3]) or str(exc)
        return None, WORDS[lang]["invalid"].format(text=text, n=len(problems) or 1, first=first)
    except UsageError as exc:
        return None, WORDS[lang]["store_error"].format(store=path, error=exc)
    except Exception as exc:  # noqa: BLE001 - an unreadable file or store: say so in the page
        return None, WORDS[lang]["store_error"].format(store=path, error=f"{type(exc).__name__}: {exc}")


# ---- what an app needs from a source ---------------------------------------------------------

def dataset(src: Source):
    """The validated dataset behind ``src`` (cached); ``None`` for a stored run whose data are gone."""
    from benchmark.views import load_source

    if src.kind == "run":
        recorded = str(src.run.get("data_source") or "")
        return load_source(recorded) if recorded and Path(recorded).exists() else None
    return load_source(src.text)


def period_choices(src: Source) -> list[str]:
    """Periods the source can show, newest first. A stored run offers the periods of the runs in
    its store at its level (its own period first) — choosing another opens that period's latest run."""
    from benchmark.views import period_choices as whole_periods

    if src.kind != "run":
        return whole_periods(dataset(src))
    runs = stored_runs(src.store)
    runs = runs[runs["level"] == src.run["level"]]
    others = [p for p in dict.fromkeys(reversed(runs["period"].tolist())) if p != src.run["period"]]
    return [src.run["period"], *others]


def level_choices(src: Source) -> list[str]:
    """Levels the source can show: all three for a dataset, the run's own for a stored run."""
    return [src.run["level"]] if src.kind == "run" else ["unit", "department", "division"]


def run_for(src: Source, period: str) -> str:
    """The run shown for ``period``: the source's own run for its period, else that period's latest."""
    if src.run["period"] == period:
        return src.run_id
    runs = stored_runs(src.store)
    runs = runs[(runs["period"] == period) & (runs["level"] == src.run["level"])]
    if runs.empty:
        raise UsageError(f"no stored run for {period}")
    return str(runs["run_id"].iloc[-1])


def result(src: Source, period: str, level: str = "unit", view: bool = False):
    """The result for ``period``: a stored run as it was written, or a fresh score (cached).
    With ``view``, a stored run comes as its :class:`~benchmark.runview.StoredView` (a first screen
    that does not wait for the scoring package's import)."""
    from benchmark.views import scored

    if src.kind == "run":
        run_id = run_for(src, period)
        return stored_view(run_id, src.store) if view else stored_result(run_id, src.store)
    return scored(src.text, period, level)


def stored_result(run_id: str, store: str | Path):
    """A run from the store as a lazy :class:`~benchmark.stored.StoredResult`, cached process-wide
    by ``(store path, run_id)`` and read once however many sessions ask at the same time; made
    from the run's :func:`stored_view` (its frames, not read again) when that is read already."""
    from benchmark.store import load_run

    key = _run_key(run_id, store)
    view = _VIEWS.peek(key)
    if view is not None:
        return _RESULTS.get(key, view.full)
    return _RESULTS.get(key, lambda: load_run(key[0], run_id=key[1]))


def stored_view(run_id: str, store: str | Path):
    """A run from the store as a :class:`~benchmark.runview.StoredView` (ranking, scores and
    catalogue without importing the scoring package; :meth:`~benchmark.runview.StoredView.full`
    is :func:`stored_result`'s object), cached process-wide like :func:`stored_result`."""
    from benchmark.runview import read_view

    key = _run_key(run_id, store)
    made = _RESULTS.peek(key)
    if made is not None:  # the full result is read already: its frames, as a view
        return _VIEWS.get(key, lambda: _view_of(made))
    return _VIEWS.get(key, lambda: read_view(key[0], run_id=key[1]))


def _run_key(run_id: str, store: str | Path) -> tuple[str, str]:
    return str(store_path(store).resolve()), str(run_id)


def _view_of(res):
    """A view answering with a full stored result's own frames (and handing back that result)."""
    from benchmark.runview import StoredView

    fields = {k: getattr(res, k) for k in ("scores", "ranking", "measures", "catalogue", "period", "level", "seed",
                                          "dataset_fingerprint", "options", "run_id")}
    view = StoredView(res.tables, **fields)
    view.__dict__["_full"] = res
    return view


def entity_rows(res, table: str, entity_id: str | list[str]) -> pd.DataFrame:
    """One entity's (or several entities') rows of ``res.<table>`` (``monthly``, ``trend``, …):
    a DuckDB query on ``entity_id`` for a stored run whose table is not read, else a filter."""
    if hasattr(res, "entity_rows"):
        return res.entity_rows(table, entity_id)
    frame = getattr(res, table, None)
    if frame is None or "entity_id" not in frame:
        return pd.DataFrame()
    ids = [str(entity_id)] if isinstance(entity_id, str) else [str(e) for e in entity_id]
    return frame[frame["entity_id"].astype(str).isin(ids)]


def entity_choices(src: Source, level: str = "unit") -> dict[str, str]:
    """{"name (department)": id} for a picker that does not depend on the period (so a period
    change keeps the chosen entity): the dataset's units, or the stored run's entities."""
    if src.kind == "run" or level != "unit":
        res = stored_result(src.run_id, src.store) if src.kind == "run" else None
        if res is None:
            from benchmark.views import scored

            res = scored(src.text, period_choices(src)[0], level)
        frame = res.ranking[["entity_id", "entity_name"]]
    else:
        units = dataset(src).units
        frame = units.rename(columns={"unit_id": "entity_id", "unit_name": "entity_name"})[["entity_id", "entity_name"]]
    frame = frame.drop_duplicates("entity_id").sort_values(["entity_name", "entity_id"])
    names = frame["entity_name"].astype(str)
    dup = names.duplicated(keep=False)
    label = names.where(~dup, names + " (" + frame["entity_id"].astype(str) + ")")
    return dict(zip(label, frame["entity_id"].astype(str), strict=True))


def division_choices(src: Source) -> list[str]:
    """The divisions of the source, in name order (independent of the period)."""
    if src.kind == "run":
        res = stored_result(src.run_id, src.store)
        col = res.ranking["division"] if "division" in res.ranking else res.ranking["entity_name"]
        return sorted(col.dropna().astype(str).unique())
    return sorted(dataset(src).units["division"].dropna().astype(str).unique())


def recent_runs_text(store: str | Path | None = None, lang: str = "nb", n: int = 5) -> str:
    """One line naming the newest stored runs (for the hint under the source box)."""
    runs = stored_runs(store)
    if runs.empty:
        return ("Ingen lagrede kjøringer i " if lang == "nb" else "No stored runs in ") + str(store_path(store))
    tail = runs.tail(n).iloc[::-1]
    items = ", ".join(f"`run:{r.run_id}` ({r.period}, {LEVELS[lang].get(r.level, r.level)})" for r in tail.itertuples())
    return ("Lagrede kjøringer (nyeste først): " if lang == "nb" else "Stored runs (newest first): ") + items
