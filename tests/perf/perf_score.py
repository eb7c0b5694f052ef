"""National scale: bm.score for a quarter and the weight-change fast path. Prints a table.

    .venv/bin/python tests/perf/perf_score.py [n_units]

Not a test (timings on shared machines are noisy); the figures go into the README.
"""

from __future__ import annotations

import resource
import sys
import time

from benchmark.catalogue import load_criteria
from benchmark.dataset import dataset_from_frames
from benchmark.demo_data import generate_national
from benchmark.scoring import score
from benchmark.scoring.aggregate import criterion_values


def timed(label, fn, rows):
    start = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - start))
    return out


def main(n_units: int = 10_000) -> None:
    rows: list[tuple[str, float]] = []
    tables = timed("generate data", lambda: generate_national(n_units, 36, seed=1), rows)
    ds = timed("validate (dataset_from_frames)", lambda: dataset_from_frames(tables["units"], tables["monthly"]), rows)
    cat = load_criteria()
    timed("criterion values (one quarter, cold)", lambda: criterion_values(ds, cat, "2025Q3", "unit"), rows)
    ds.cache.clear()  # every bm.score below starts cold: nothing derived from the data is kept
    res = timed("bm.score 2025Q3 (ranks, trend, sensitivity)", lambda: score(ds, cat, "2025Q3", seed=1), rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ds.cache.clear()
    timed("bm.score without sensitivity", lambda: score(ds, cat, "2025Q3", seed=1, sensitivity_analysis=False), rows)
    timed("bm.score again on the same dataset (warm)", lambda: score(ds, cat, "2025Q3", seed=1), rows)
    for i, w in enumerate((2.0, 1.5, 0.5)):
        weights = {**cat.weights(), "sick_leave_rate": w}
        label = "rescore after a weight change" + (" (first)" if i == 0 else f" ({i + 1})")
        timed(label, lambda weights=weights: res.rescore(weights=weights), rows)
    timed("rescore, simultaneous intervals", lambda: res.rescore(weights=weights, simultaneous=True), rows)
    print(f"\nNational scale: {n_units} units × 36 months = {len(ds.monthly):,} unit-months, "
          f"{len(res.scores):,} scores, {res.ranking['peer_group'].nunique()} peer groups")
    print(f"{'step':<48}{'seconds':>10}")
    for label, seconds in rows:
        print(f"{label:<48}{seconds:>10.2f}")
    print(f"{'peak resident memory of the process (MiB)':<48}{peak:>10.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
