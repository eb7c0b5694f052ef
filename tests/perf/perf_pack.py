"""How long a clinic's analysis package takes, step by step (prints a table; no assertions).

    .venv/bin/python tests/perf/perf_pack.py [STORE] [DIVISION]

Without arguments it runs the demo trust into a temporary store first. Steps: resolve and load the
run from the store, read and fingerprint the run's dataset, assemble the package (sums, indices,
disclosure control, notes), render the HTML (charts through vl-convert) and write the workbook.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    from benchmark.pack.content import build_package
    from benchmark.pack.html import render
    from benchmark.pack.source import (
        Sources,
        check_division,
        load_dataset_of_run,
        read_planning_files,
        resolve_run,
    )
    from benchmark.pack.workbook import write_workbook
    from benchmark.store import load_run

    tmp = Path(tempfile.mkdtemp())
    if len(sys.argv) > 1:
        store = Path(sys.argv[1])
    else:
        from benchmark.runner import run_benchmark

        store = run_benchmark(ROOT / "fixtures" / "demo", "2025Q3", out=tmp / "out", store=tmp / "h.duckdb",
                              quiet=True).store
    timings: list[tuple[str, float, float]] = []

    def step(name, fn):  # wall time and this process's CPU time (the machine is shared: both tell)
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        timings.append((name, time.perf_counter() - t, time.process_time() - c))
        return out

    run = step("resolve run", lambda: resolve_run(store, None, None))
    res = step("load run tables", lambda: load_run(store, run_id=run["run_id"]))
    division = sys.argv[2] if len(sys.argv) > 2 else res.ranking["division"].value_counts().index[0]
    check_division(res, division)
    ds, problem = step("read run's dataset + fingerprint", lambda: load_dataset_of_run(run, store))
    gap, beds = read_planning_files(store, int(res.period.label[:4]) + 1)
    src = Sources(res=res, run=run, dataset=ds, dataset_problem=problem, gap=gap, bed_plan=beds,
                  plan_year=int(res.period.label[:4]) + 1)
    pkg = step("assemble package", lambda: build_package(src, division))
    html = step("render HTML (charts)", lambda: render(pkg))
    step("write workbook", lambda: write_workbook(pkg, tmp / "p.xlsx"))
    total = sum(t for _, t, _ in timings)
    cpu = sum(c for _, _, c in timings)
    print(f"division {division}: {len(pkg.parts)} care levels, "
          f"{sum(len(p.units) for p in pkg.parts)} units, HTML {len(html) / 1e6:.2f} MB")
    print(f"{'step':<36}{'wall s':>9}{'share':>8}{'CPU s':>9}")
    for name, t, c in timings:
        print(f"{name:<36}{t:9.2f}{t / total:8.0%}{c:9.2f}")
    print(f"{'total':<36}{total:9.2f}{'':>8}{cpu:9.2f}")


if __name__ == "__main__":
    main()
