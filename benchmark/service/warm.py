"""Work done once when the service starts, so that no leader's session pays for it.

Before serving (in :func:`before_serving`): import what the apps use, load altair's schema, load
and mask the latest unit-level run, then freeze the heap (``gc.freeze``): the hundreds of thousands
of long-lived objects of pandas, altair and marimo are moved out of the collector's generations,
so the full collections that the sessions' allocations trigger no longer walk them (they cost
0.2 s each, about a tenth of the server's CPU under 30 concurrent sessions).

Then, in a background thread (:class:`Warmer`), the first screen of the unit page (notebooks/unit.py)
for every leader in the users file: the explanation of each unit in the leader's scope, the
leader's first unit first, in Norwegian and then in English. The pieces are computed through the
very calls a session makes — :func:`benchmark.service.context.for_user` for the leader's view (one
masked, scope-cut object per distinct view) and :mod:`benchmark.explanation.unitpage` — so they land
in the process-wide cache of :mod:`benchmark.explanation.shared` under the identity of that view
object. A leader's pieces are therefore computed from the masked run and can reach only leaders
with the same view; analysts (who choose a unit themselves) are not warmed. A session that asks
for a piece being warmed waits for it instead of computing it twice.

The thread looks again every ``interval`` seconds and warms anew when the run store or the users
file has changed (a new run, a new leader). It works within a budget (a share of the piece cache)
so that warming never evicts what sessions use, and never raises: a unit whose piece fails is
skipped (its session then shows the failure as before).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from pathlib import Path

LOG = logging.getLogger("benchmark.serve")
LANGS = ("nb", "en")
WARMED = "warmed the first screens of"


def warm_imports() -> None:
    """Import what the apps use and load altair's schema by validating a small chart."""
    import importlib

    for name in (
        "altair",
        "benchmark.charts",
        "benchmark.views",
        "benchmark.explanation",
        "benchmark.explanation.sheet",
        "benchmark.explanation.unitpage",
        "marimo._runtime.runtime",
    ):
        # a module another issue renames is not needed to serve
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import altair as alt
    import pandas as pd

    alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point().encode(x="x").to_dict()


def warm_notebooks(paths) -> int:
    """Load each served notebook as a session does — parse, compile its cells for the notebook
    and for a kernel — so that the caches of benchmark/service/runmode.py hold them before the
    first session (else the first sessions, arriving together, would wait for one parse). Returns
    how many cells were compiled."""
    from marimo._ast import compiler
    from marimo._session.notebook.file_manager import AppFileManager

    n = 0
    for path in paths:
        try:
            manager = AppFileManager(str(path))
            filename = manager.path
            compiler._build_source_position_map(filename)
            for cell_id, code in zip(
                manager.app.cell_manager.cell_ids(), manager.app.cell_manager.codes(), strict=True
            ):
                compiler.compile_cell(code, cell_id=cell_id, carried_imports=[], filename=filename)
                n += 1
        except Exception:  # noqa: BLE001 - a broken notebook is reported by its sessions, as before
            LOG.warning("warming %s failed", path, exc_info=True)
    return n


def warm_store(store: str | Path) -> str | None:
    """Load (and mask) the latest unit-level run; its id, or None when the store has none."""
    from benchmark.service.data import reader_for

    reader = reader_for(store)
    try:
        run_id = reader.latest(None, "unit")
    except LookupError:
        return None
    reader.result(run_id)
    reader.masked(run_id)
    return run_id


def freeze_heap() -> None:
    """Collect once, then move every surviving object to the permanent generation (see the doc)."""
    gc.collect()
    gc.freeze()


def _stamp(*paths: Path) -> tuple:
    out = []
    for p in paths:
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def first_screen_units(store: str | Path, users: dict) -> list[tuple[object, str, bool]]:
    """[(leader's view of the latest run, unit id, is some leader's first screen)], each (view, unit)
    once, every leader's first unit before the other units in scope — found through the same
    calls as notebooks/unit.py."""
    from benchmark import sources
    from benchmark.service import context

    src, _problem = context.open_source("", store, "nb")
    if src is None:
        return []
    periods = context.period_choices(src)
    if not periods:
        return []
    full = sources.result(src, periods[0], "unit")
    choices = context.entity_choices(src)
    firsts: dict[tuple[int, str], tuple[object, str, bool]] = {}
    rest: dict[tuple[int, str], tuple[object, str, bool]] = {}
    for user in users.values():
        if user.is_analyst:
            continue
        view = context.for_user(full, user)
        units = list(context.scoped_source_choices(src, choices, user).values())
        for i, unit in enumerate(units):
            (firsts if i == 0 else rest).setdefault((id(view), unit), (view, unit, i == 0))
    return list(firsts.values()) + [v for k, v in rest.items() if k not in firsts]


def warm_unit_pages(store: str | Path, users: dict, budget: int | None = None) -> int:
    """Compute the first-screen pieces of every leader's units (see the module doc); returns how
    many (unit, language) pages were warmed."""
    from benchmark.explanation import explain, unitpage
    from benchmark.explanation.shared import PIECES

    budget = PIECES.maxsize // 2 if budget is None else budget
    order = first_screen_units(store, users)
    done = 0
    for lang in LANGS:  # Norwegian (the default) for every unit before English
        for view, unit, _first in order:
            if len(PIECES) >= budget:
                return done
            if not (view.ranking["entity_id"].astype(str) == unit).any():
                continue  # no result in this period: the page says so, nothing to warm
            try:
                explain(view, unit, lang=lang)
                unitpage.explanation_html(view, unit, lang)
            except Exception:  # noqa: BLE001 - a session shows the failure; warming must not stop
                LOG.debug("warming %s (%s) failed", unit, lang, exc_info=True)
                continue
            done += 1
            time.sleep(0)  # let the sessions' threads in between units
    return done


class Warmer(threading.Thread):
    """The background warm-up (see the module doc); ``done`` is set after each complete pass."""

    def __init__(self, store: str | Path, users_path: str | Path, interval: float = 30.0) -> None:
        super().__init__(name="benchmark-warm", daemon=True)
        self.store, self.users_path, self.interval = Path(store), Path(users_path), interval
        self.done = threading.Event()
        self.stopped = threading.Event()
        self.passes = 0
        self.warmed = 0
        self.seconds = 0.0

    def _state(self) -> tuple:
        return _stamp(self.store, self.store.with_name(self.store.name + ".wal"), self.users_path)

    def warm_once(self) -> None:
        from benchmark.service.users import read_users

        t0, w0 = time.thread_time(), time.perf_counter()
        try:
            users = read_users(self.users_path)
            self.warmed = warm_unit_pages(self.store, users)
        except Exception:  # noqa: BLE001 - never take the service down; sessions compute on demand
            LOG.warning("warming the unit pages failed", exc_info=True)
        self.seconds = time.thread_time() - t0
        self.passes += 1
        if self.passes == 1:
            freeze_heap()  # the warmed pieces live as long as the run: out of the collector's way too
        # the load script (tests/perf/perf_serve.py) waits for this line in the server's output
        print(
            f"benchmark serve: {WARMED} {self.warmed} unit pages in {self.seconds:.1f} s CPU "
            f"({time.perf_counter() - w0:.1f} s)",
            flush=True,
        )
        self.done.set()

    def run(self) -> None:
        state = None
        while not self.stopped.is_set():
            now = self._state()
            if now != state:
                state = now
                self.warm_once()
            self.stopped.wait(self.interval)


def before_serving(
    store: str | Path, users_path: str | Path, background: bool = True, notebooks=()
) -> Warmer | None:
    """Everything above, in order: imports, the served notebooks, the latest run, the heap frozen, the warm-up thread
    started (or run here when ``background`` is false). Set ``BENCHMARK_NO_WARM=1`` to skip the
    unit pages (the load script measures a cold service with it)."""
    warm_imports()
    warm_notebooks(notebooks)
    warm_store(store)
    freeze_heap()
    if os.environ.get("BENCHMARK_NO_WARM") == "1":
        return None
    warmer = Warmer(store, users_path)
    if background:
        warmer.start()
    else:
        warmer.warm_once()
    return warmer
