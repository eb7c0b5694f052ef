"""The quarterly run: check targets → reconcile → validate → criteria → score → write → commit.

Nothing is lost on failure. ``--out`` and ``--store`` are checked before any work; leftovers of
killed runs are finished or rolled back first (:func:`benchmark.outputs.commit.reconcile`); a period
without data, or only partly covered without ``allow_partial``, stops before scoring; outputs are
written to a temporary folder and committed with the run history by the one commit protocol of
:mod:`benchmark.outputs.commit`, so bad data, a bad catalogue, a full disk, Ctrl-C, SIGTERM or
kill -9 leave either the earlier outputs and store or the complete new run — never a run in the
history without its outputs — and the error says which.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class RunInfo:
    run_id: str
    period: str
    folder: Path
    store: Path
    result: object
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. a partly covered period (--allow-partial)
    notes: list[str] = field(default_factory=list)  # leftovers of interrupted runs that were cleaned


class Progress:
    """Step lines with a progress counter on a terminal; silent when quiet or not a terminal."""

    def __init__(self, steps: int, quiet: bool = False, verbose: bool = False, stream=None) -> None:
        stream = sys.stderr if stream is None else stream  # looked up now: the stream may have been replaced
        self.steps, self.done = steps, 0
        self.quiet, self.verbose, self.stream = quiet, verbose, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.timings: dict[str, float] = {}

    def startup(self) -> None:
        """With ``verbose``: the seconds from the process's start to here (Linux; else nothing)."""
        seconds = process_age()
        if seconds is not None:
            self.timings["start-up"] = seconds
            if self.verbose:
                print(f"  {'start-up':<28} {seconds:7.2f} s  (cpu {time.process_time():.2f} s)", file=self.stream)

    def detail(self, name: str, seconds: float, cpu: float | None = None, peak_mib: float | None = None) -> None:
        """A part of the current step (one output file), printed indented with ``verbose``; a
        helper process's file also with the helper's peak memory."""
        self.timings[f"  {name}"] = seconds
        if self.verbose:
            used = f"  (cpu {cpu:.2f} s)" if cpu is not None else ""
            if peak_mib is not None:
                used = f"  (cpu {cpu:.2f} s, peak {peak_mib:.0f} MiB)"
            print(f"    {name:<26} {seconds:7.2f} s{used}", file=self.stream)

    @contextmanager
    def step(self, name: str):
        start, cpu = time.perf_counter(), time.process_time()
        if self.tty and not self.quiet:
            bar = "#" * self.done + "." * (self.steps - self.done)
            print(f"\r[{bar}] {name:<28}", end="", file=self.stream, flush=True)
        yield
        self.timings[name] = time.perf_counter() - start
        self.done += 1
        if self.verbose:
            lead = "\r" if self.tty else ""
            print(f"{lead}  {name:<28} {self.timings[name]:7.2f} s  (cpu {time.process_time() - cpu:.2f} s)",
                  file=self.stream)
        elif self.tty and not self.quiet and self.done == self.steps:
            print("\r" + " " * 60 + "\r", end="", file=self.stream)


def process_age() -> float | None:
    """Seconds since this process started (from /proc, 10 ms resolution), or None elsewhere."""
    import os

    try:
        with open("/proc/self/stat", encoding="ascii") as fh:
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as fh:
            uptime = float(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0.0, uptime - ticks / os.sysconf("SC_CLK_TCK"))


def sigterm_as_interrupt():
    """SIGTERM and SIGINT as :class:`~benchmark.interrupts.Interrupted` (kept for callers of version 1)."""
    from benchmark.interrupts import signals_as_interrupt

    return signals_as_interrupt()


def run_benchmark(data: str | Path, period: str, criteria: str | Path | None = None, level: str = "unit",
                  out: str | Path = "benchmark-out", store: str | Path | None = None, seed: int = 1,
                  lang: str = "nb", quiet: bool = False, verbose: bool = False,
                  hook: Callable[[str], None] | None = None, allow_partial: bool = False) -> RunInfo:
    """Run the whole pipeline; see the module docstring for the guarantees on failure.

    Each step imports what it needs when it starts (scipy with scoring, altair and xlsxwriter with
    writing), so the command starts reading the data within a fraction of a second and
    ``--verbose`` charges every import to the step that needs it. The summary page's charts are
    drawn by a helper process started here (:mod:`benchmark.outputs.render_worker`)."""
    from benchmark.outputs.targets import check_output_dir, check_store_path
    from benchmark.periods import parse_period
    from benchmark.store import new_run_id

    period_obj = parse_period(period)
    out = check_output_dir(out)
    store = check_store_path(store or default_store_for(out))
    progress = Progress(6, quiet=quiet, verbose=verbose)
    run_id = new_run_id()
    started = datetime.now(UTC).isoformat()
    hook = hook or (lambda step: None)
    from benchmark.outputs import render_worker

    renderer = render_worker.start(lang)  # summary.html's charts, drawn in a second process (it warms up now)
    try:
        res, final, coverage, notes = _run_steps(data, period_obj, criteria, level, seed, lang, out, store,
                                                     run_id, started, progress, hook, allow_partial, renderer)
    finally:
        renderer.close()
    info = RunInfo(run_id, period_obj.label, final, store, dataclasses.replace(res, run_id=run_id), progress.timings)
    info.warnings = [i.render() for i in coverage]
    info.notes = notes
    return info


def _run_steps(data, period_obj, criteria, level: str, seed: int, lang: str, out: Path, store: Path, run_id: str,
               started: str, progress: Progress, hook: Callable[[str], None], allow_partial: bool, renderer):
    """Reconcile, validate, score, write and commit (:func:`run_benchmark` without its set-up)."""
    from benchmark import faults
    from benchmark.outputs.commit import commit, discard, reconcile, workspace

    cleaned = reconcile(store, folders=(out,) if out.is_dir() else ())
    progress.startup()
    with progress.step("validate data"), faults.step("validate"):
        from benchmark.dataset import load_dataset
        from benchmark.dataset.coverage import check_period_coverage

        ds = load_dataset(data)
    notes = list(cleaned)
    coverage = check_period_coverage(ds.months, period_obj, f"{Path(data).name} (monthly)", allow_partial)
    with progress.step("check criteria"), faults.step("criteria"):
        from benchmark.catalogue import default_catalogue_path, load_criteria

        cat = load_criteria(criteria or default_catalogue_path())
    with progress.step("score"), faults.step("score"):
        begin, cpu = time.perf_counter(), time.process_time()  # the import (scipy.stats) is part of it
        from benchmark.scoring import score

        progress.detail("import of benchmark.scoring", time.perf_counter() - begin, time.process_time() - cpu)
        res = score(ds, cat, period_obj, level=level, seed=seed)
    del ds  # the result holds what the outputs need: the input's memory is free while the helper draws
    if coverage:
        res = dataclasses.replace(res, options={**dict(res.options), "partial_period": coverage[0].message})
    final = out / period_obj.label
    ws = workspace(final, run_id)
    from benchmark.store import BENCHMARK_KIND, EarlyTables, result_tables, run_meta

    tables = result_tables(res)
    early = None
    try:
        with progress.step("write outputs"), faults.step("write"):
            # the store's long tables as Parquet, in a thread, while the output files are written
            early = EarlyTables(store, run_id, tables)
            finish = write_outputs(res, ws.tmp, lang, {"run_id": run_id, "data_source": str(data),
                                                       "started_at": started}, hook, progress.detail, renderer)
            if coverage:
                (ws.tmp / "WARNINGS.txt").write_text("\n".join(i.render() for i in coverage) + "\n", encoding="utf-8")
    except BaseException:
        renderer.close()  # first: the helper must not write into the folder being removed
        if early is not None:
            early.discard()
        discard(ws)
        raise
    try:
        with progress.step("record run and move outputs into place"):
            try:
                commit(store, BENCHMARK_KIND, ws, run_meta(res, {"started_at": started, "data_source": str(data),
                                                                  "lang": lang}), tables, ready=finish, early=early)
            except BaseException:  # commit removed the temporary folder and, unless the run was recorded
                renderer.close()   # after all, the early tables; a helper still drawing is stopped and
                discard(ws)        # whatever it wrote meanwhile removed too (both are idempotent)
                raise
    finally:
        early.release()  # recorded (its tables are the run's now) or removed by commit
    return res, final, coverage, notes


def write_outputs(res, folder: Path, lang: str, metadata: dict, hook: Callable[[str], None],
                  detail: Callable[..., None], renderer=None) -> Callable[[], None]:
    """Every output file of the run into ``folder``; ``detail(file, seconds, cpu seconds)`` for each.

    ``summary.html`` is handed to ``renderer`` (a :class:`benchmark.outputs.render_worker.Renderer`)
    first, so its charts are drawn in another process while the tables and the workbook are
    written here and the run is recorded; the function returned waits for it (the commit protocol
    calls it before writing the manifest). Without a renderer the page is rendered here, at once."""
    # summary_data, not summary: the charts (altair) are imported only where the page is drawn
    from benchmark.outputs import render_worker
    from benchmark.outputs.summary_data import summary_input
    from benchmark.outputs.tables import write_tables

    renderer = renderer or render_worker.Renderer(None)
    start = time.perf_counter()
    renderer.submit(summary_input(res), folder / "summary.html", lang, metadata.get("run_id"))
    files: dict[str, float] = {}
    write_tables(res, folder, files)
    for name, seconds in files.items():
        detail(name, seconds)
    hook("write")
    begin, cpu = time.perf_counter(), time.process_time()
    _write_workbook(res, folder / "benchmark.xlsx", lang, metadata)
    detail("benchmark.xlsx", time.perf_counter() - begin, time.process_time() - cpu)

    def finish() -> None:
        begin = time.perf_counter()
        renderer.wait()
        stats = renderer.stats
        if stats.get("in_process"):
            detail("summary.html", stats["seconds"], stats["cpu"])
        else:
            detail("summary.html (helper)", stats.get("seconds", time.perf_counter() - start), stats.get("cpu", 0.0),
                   stats.get("peak_mib"))
            detail("waiting for summary.html", time.perf_counter() - begin)

    if renderer.proc is None:  # rendered here: now, as part of the writing
        finish()
        return lambda: None
    return finish


def _write_workbook(res, path: Path, lang: str, metadata: dict) -> None:
    from benchmark.outputs.xlsx import write_xlsx

    write_xlsx(res, path, lang=lang, metadata=metadata)


def default_store_for(out: Path) -> Path:
    """OUT/history.duckdb, or benchmark-out/history.duckdb for the default OUT."""
    from benchmark.store import default_store_path

    return out / "history.duckdb" if out != Path("benchmark-out") else default_store_path()
