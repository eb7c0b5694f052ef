"""Speed of the calibrated months model at national scale: fit_months and potential_gap_interval.

    .venv/bin/python tests/perf/perf_potential.py [--units 10000] [--repeats 7]

Not a test: prints a table (figure, target, best and median of ``--repeats`` runs, wall and CPU
time). The inputs are exactly those ``bm.score`` passes for 2025Q3 on ``generate_national`` data
(10 000 units × 36 months, default catalogue): they are captured once from
``benchmark.scoring.pipeline.assess_criteria``, then the two functions are timed alone. Target
(issue 12 follow-up): potential_gap_interval ≤ 0,3 s for all criteria of one ``bm.score``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime

import numpy as np

import benchmark.scoring.pipeline as pipeline
from benchmark.catalogue import load_criteria
from benchmark.dataset import dataset_from_frames
from benchmark.demo_data import generate_national
from benchmark.periods import parse_period
from benchmark.scoring.aggregate import criterion_values
from benchmark.scoring.calibrated import fit_months, potential_gap_interval


def capture(units: int) -> tuple[list, list]:
    """The (fit_months, potential_gap_interval) arguments of one bm.score, criterion by criterion."""
    tables = generate_national(units, 36, seed=1)
    ds = dataset_from_frames(tables["units"], tables["monthly"])
    cat, period = load_criteria(), parse_period("2025Q3")
    values = criterion_values(ds, cat, period, "unit", None)
    fits, intervals = [], []
    real_fit, real_interval = pipeline.fit_months, pipeline.potential_gap_interval

    def fit_spy(*args, **kwargs):
        fits.append((args, kwargs))
        return real_fit(*args, **kwargs)

    def interval_spy(*args, **kwargs):
        intervals.append((args, kwargs))
        return real_interval(*args, **kwargs)

    pipeline.fit_months, pipeline.potential_gap_interval = fit_spy, interval_spy
    try:
        pipeline.assess_criteria(values, cat, None, ds, period, "unit", {})
    finally:
        pipeline.fit_months, pipeline.potential_gap_interval = real_fit, real_interval
    return fits, intervals


def timed(calls: list, fn, repeats: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        for args, kwargs in calls:
            fn(*args, **kwargs)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args(argv)
    fits, intervals = capture(args.units)
    print(f"{args.units} units × 36 months, 2025Q3, {len(intervals)} months criteria "
          f"({sum(len(a[1]) for a, _ in intervals)} entity rows)")
    print(f"{'step (all criteria of one bm.score)':40s} {'target':>8s} {'wall best':>10s} {'median':>8s} "
          f"{'CPU best':>9s} {'median':>8s}")
    for name, calls, fn, target in (("fit_months", fits, fit_months, ""),
                                    ("potential_gap_interval", intervals, potential_gap_interval, "≤ 0,3 s")):
        wall, cpu = timed(calls, fn, args.repeats)
        print(f"{name:40s} {target:>8s} {min(wall):9.3f}s {np.median(wall):7.3f}s {min(cpu):8.3f}s {np.median(cpu):7.3f}s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load {load:.1f}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    return 0


if __name__ == "__main__":
    sys.exit(main())
