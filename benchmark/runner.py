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

    def detail(self, name: str, seconds: float, cpu: float | None = None) -> None:
        """A part of the current step (one output file), printed indented with ``verbose``."""
        self.timings[f"  {name}"] = seconds
        if self.verbose:
            used = f"  (cpu {cpu:.2f} s)" if cpu is not None else ""
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
    ``--verbose`` charges every import to the step that needs it."""
    from benchmark import faults
    from benchmark.outputs.commit import commit, discard, reconcile, workspace
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
        from benchmark.scoring import score

        res = score(ds, cat, period_obj, level=level, seed=seed)
    if coverage:
        res = dataclasses.replace(res, options={**dict(res.options), "partial_period": coverage[0].message})
    final = out / period_obj.label
    ws = workspace(final, run_id)
    try:
        with progress.step("write outputs"), faults.step("write"):
            write_outputs(res, ws.tmp, lang, {"run_id": run_id, "data_source": str(data), "started_at": started},
                          hook, progress.detail)
            if coverage:
                (ws.tmp / "WARNINGS.txt").write_text("\n".join(i.render() for i in coverage) + "\n", encoding="utf-8")
    except BaseException:
        discard(ws)
        raise
    with progress.step("record run and move outputs into place"):
        from benchmark.store import BENCHMARK_KIND, result_tables, run_meta

        commit(store, BENCHMARK_KIND, ws, run_meta(res, {"started_at": started, "data_source": str(data),
                                                          "lang": lang}), result_tables(res))
    info = RunInfo(run_id, period_obj.label, final, store, dataclasses.replace(res, run_id=run_id), progress.timings)
    info.warnings = [i.render() for i in coverage]
    info.notes = notes
    return info


def write_outputs(res, folder: Path, lang: str, metadata: dict, hook: Callable[[str], None],
                  detail: Callable[..., None]) -> None:
    """Every output file of the run into ``folder``; ``detail(file, seconds, cpu seconds)`` for each."""
    from benchmark.outputs.tables import write_tables

    files: dict[str, float] = {}
    write_tables(res, folder, files)
    for name, seconds in files.items():
        detail(name, seconds)
    hook("write")
    for name, write in (("benchmark.xlsx", _write_workbook), ("summary.html", _write_summary)):
        start, cpu = time.perf_counter(), time.process_time()
        write(res, folder / name, lang, metadata)
        detail(name, time.perf_counter() - start, time.process_time() - cpu)


def _write_workbook(res, path: Path, lang: str, metadata: dict) -> None:
    from benchmark.outputs.xlsx import write_xlsx

    write_xlsx(res, path, lang=lang, metadata=metadata)


def _write_summary(res, path: Path, lang: str, metadata: dict) -> None:
    from benchmark.outputs.summary import write_summary

    write_summary(res, path, lang=lang, run_id=metadata.get("run_id"))


def default_store_for(out: Path) -> Path:
    """OUT/history.duckdb, or benchmark-out/history.duckdb for the default OUT."""
    from benchmark.store import default_store_path

    return out / "history.duckdb" if out != Path("benchmark-out") else default_store_path()
