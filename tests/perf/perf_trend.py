"""National scale: the trend table (change, SPC) inside ``bm.score``. Prints a table.

    .venv/bin/python tests/perf/perf_trend.py [n_units] [repeats]

Times ``trend_table`` as ``bm.score`` calls it (each ``bm.score`` starts with an empty dataset
cache, so the monthly arrays are built cold), with its steps: the dense monthly sums, the long
monthly table, the previous-period and year-before values, and the SPC matrix. Best and median of
``repeats`` (wall and CPU), the SPEC §9 / issue 19 target (0,4 s) and the share of ``bm.score``.
Not a test (timings on shared machines are noisy); the figures go into the README.
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np

from benchmark.catalogue import load_criteria
from benchmark.dataset import dataset_from_frames
from benchmark.demo_data import generate_national
from benchmark.scoring import pipeline, score
from benchmark.scoring import trend as trend_module

TARGET = 0.4  # seconds for trend_table at national scale


def _timer(store: dict, name: str, fn):
    def wrapped(*args, **kwargs):
        w, c = time.perf_counter(), time.process_time()
        out = fn(*args, **kwargs)
        store.setdefault(name, []).append((time.perf_counter() - w, time.process_time() - c))
        return out
    return wrapped


def main(n_units: int = 10_000, repeats: int = 3) -> None:
    tables = generate_national(n_units, 36, seed=1)
    ds = dataset_from_frames(tables["units"], tables["monthly"])
    cat = load_criteria()
    times: dict[str, list[tuple[float, float]]] = {}
    originals = (pipeline.trend_table, trend_module.Dense.build, trend_module.Dense.long,
                 trend_module.Dense.window_values, trend_module.spc_matrix)
    pipeline.trend_table = _timer(times, "trend_table", originals[0])
    trend_module.Dense.build = classmethod(_timer(times, "dense monthly sums", originals[1].__func__))
    trend_module.Dense.long = _timer(times, "long monthly table", originals[2])
    trend_module.Dense.window_values = _timer(times, "previous period and year before", originals[3])
    trend_module.spc_matrix = _timer(times, "SPC (season, XmR/u′, rules)", originals[4])
    try:
        for _ in range(repeats):
            ds.cache.clear()
            w, c = time.perf_counter(), time.process_time()
            score(ds, cat, "2025Q3", seed=1)
            times.setdefault("bm.score", []).append((time.perf_counter() - w, time.process_time() - c))
    finally:
        pipeline.trend_table = originals[0]
        trend_module.Dense.build = classmethod(originals[1].__func__)
        trend_module.Dense.long, trend_module.Dense.window_values, trend_module.spc_matrix = originals[2:]
    load = os.getloadavg()[0]
    print(f"\ntrend_table inside bm.score: {n_units} units × 36 months, default catalogue, 2025Q3, {repeats} runs")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {platform.platform()}, "
          f"{os.cpu_count()} cores shared, load ≈ {load:.1f}, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    score_best = min(t[0] for t in times["bm.score"])
    print(f"{'step':40s} {'wall best':>10s} {'wall median':>12s} {'CPU best':>9s} {'target':>7s} {'share':>6s}")
    for name in ("bm.score", "trend_table", "dense monthly sums", "long monthly table",
                 "previous period and year before", "SPC (season, XmR/u′, rules)"):
        # window_values runs twice per trend_table (previous period, year before): summed per run
        rows = times.get(name, [])
        if name == "previous period and year before":
            rows = [(a[0] + b[0], a[1] + b[1]) for a, b in zip(rows[::2], rows[1::2], strict=True)]
        wall = np.array([r[0] for r in rows])
        cpu = np.array([r[1] for r in rows])
        target = f"{TARGET:.1f} s" if name == "trend_table" else ""
        share = "" if name == "bm.score" else f"{wall.min() / score_best:.0%}"
        print(f"{name:40s} {wall.min():9.3f}s {np.median(wall):11.3f}s {cpu.min():8.3f}s {target:>7s} {share:>6s}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 10_000, int(args[1]) if len(args) > 1 else 3)
