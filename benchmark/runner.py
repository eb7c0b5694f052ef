"""The quarterly run: validate → criteria → score → write outputs → record the run.

Nothing is lost on failure: outputs are written to a temporary folder and swapped into place only
after the run is recorded in the store (one transaction); bad data, a bad catalogue, a full disk,
Ctrl-C or SIGTERM leave the earlier outputs and the store as they were, and the error says what
happened.
"""

from __future__ import annotations

import signal
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


class Progress:
    """Step lines with a progress counter on a terminal; silent when quiet or not a terminal."""

    def __init__(self, steps: int, quiet: bool = False, verbose: bool = False, stream=sys.stderr) -> None:
        self.steps, self.done = steps, 0
        self.quiet, self.verbose, self.stream = quiet, verbose, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str):
        start = time.perf_counter()
        if self.tty and not self.quiet:
            bar = "#" * self.done + "." * (self.steps - self.done)
            print(f"\r[{bar}] {name:<28}", end="", file=self.stream, flush=True)
        yield
        self.timings[name] = time.perf_counter() - start
        self.done += 1
        if self.verbose:
            lead = "\r" if self.tty else ""
            print(f"{lead}  {name:<28} {self.timings[name]:7.2f} s", file=self.stream)
        elif self.tty and not self.quiet and self.done == self.steps:
            print("\r" + " " * 60 + "\r", end="", file=self.stream)


@contextmanager
def sigterm_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt so cleanup code runs (then restore the old handler)."""
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def run_benchmark(data: str | Path, period: str, criteria: str | Path | None = None, level: str = "unit",
                  out: str | Path = "benchmark-out", store: str | Path | None = None, seed: int = 1,
                  lang: str = "nb", quiet: bool = False, verbose: bool = False,
                  hook: Callable[[str], None] | None = None) -> RunInfo:
    """Run the whole pipeline; see the module docstring for the guarantees on failure."""
    import os

    from benchmark.catalogue import default_catalogue_path, load_criteria
    from benchmark.dataset import load_dataset
    from benchmark.outputs.atomic import discard, swap_into_place, temp_dir
    from benchmark.outputs.summary import write_summary
    from benchmark.outputs.tables import write_tables
    from benchmark.outputs.xlsx import write_xlsx
    from benchmark.periods import parse_period
    from benchmark.scoring import score
    from benchmark.store import default_store_path, new_run_id, record_run

    period_obj = parse_period(period)
    out = Path(out)
    store = Path(store) if store else (out / "history.duckdb" if out != Path("benchmark-out") else default_store_path())
    progress = Progress(6, quiet=quiet, verbose=verbose)
    run_id = new_run_id()
    started = datetime.now(UTC).isoformat()
    hook = hook or (lambda step: None)
    test_pause = float(os.environ.get("BENCHMARK_TEST_PAUSE_IN_WRITE", "0") or 0)
    with sigterm_as_interrupt():
        with progress.step("validate data"):
            ds = load_dataset(data)
        with progress.step("check criteria"):
            cat = load_criteria(criteria or default_catalogue_path())
        with progress.step("score"):
            res = score(ds, cat, period_obj, level=level, seed=seed)
        final = out / period_obj.label
        out.mkdir(parents=True, exist_ok=True)
        tmp = temp_dir(final, run_id)
        try:
            with progress.step("write outputs"):
                write_tables(res, tmp)
                hook("write")
                if test_pause:
                    time.sleep(test_pause)  # lets tests kill a run in the middle of writing
                write_xlsx(res, tmp / "benchmark.xlsx", lang=lang,
                           metadata={"run_id": run_id, "data_source": str(data), "started_at": started})
                write_summary(res, tmp / "summary.html", lang=lang, run_id=run_id)
            with progress.step("record run"):
                record_run(store, res, run_id, {"started_at": started, "data_source": str(data), "lang": lang})
            with progress.step("move outputs into place"):
                swap_into_place(tmp, final, run_id)
        except BaseException:
            discard(tmp)
            raise
    import dataclasses

    return RunInfo(run_id, period_obj.label, final, store, dataclasses.replace(res, run_id=run_id), progress.timings)
