"""``benchmark run`` end to end on generated national-scale data: time per step and peak memory.

    .venv/bin/python tests/perf/perf_run.py [n_units ...]      (default: 10000 28000)

Writes the data as a CSV folder (as an export would arrive), runs the command in a subprocess with
--verbose and reports its step timings, wall time and peak resident memory.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark.dataset import dataset_from_frames, write_dataset
from benchmark.demo_data import generate_national


def run_once(n_units: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tables = generate_national(n_units, 36, seed=1)
        ds = dataset_from_frames(tables["units"], tables["monthly"])
        data = write_dataset(ds, Path(tmp) / "data", "csv")
        size = sum(p.stat().st_size for p in data.iterdir()) / 2**20
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "benchmark", "run", str(data), "--period", "2025Q3", "--out",
                               str(Path(tmp) / "out"), "--verbose", "--quiet"], capture_output=True, text=True)
        wall = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\n{n_units} units × 36 months = {len(ds.monthly):,} unit-months (CSV {size:.0f} MiB)")
        if proc.returncode != 0:
            print(proc.stderr[-2000:])
            return
        for line in proc.stderr.splitlines():
            if line.strip():
                print("  " + line.strip())
        print(f"  {'wall time incl. start-up':<28} {wall:7.2f} s")
        print(f"  {'peak resident memory':<28} {peak:7.0f} MiB")


if __name__ == "__main__":
    for n in [int(x) for x in sys.argv[1:]] or [10_000, 28_000]:
        run_once(n)
