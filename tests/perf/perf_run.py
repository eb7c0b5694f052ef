"""``benchmark run`` end to end on generated national-scale data: every stage against its target.

    .venv/bin/python tests/perf/perf_run.py                       10 000 units × 36 months, CSV and Parquet
    .venv/bin/python tests/perf/perf_run.py --units 28000 --formats csv --repeats 1
    .venv/bin/python tests/perf/perf_run.py --months 120 --keep /tmp/data   (reuse generated data)

Writes the data as an export would arrive (a CSV folder, or a Parquet folder), then runs the
command in a fresh subprocess ``--repeats`` times (a new output folder and store each time) with
``--verbose``, and prints per stage — start-up (process start to the first read), validation,
scoring, writing and each output file, recording, the wall time including start-up, and the
peak resident memory of the process — the best and the median of the runs, the SPEC §9 target
and the best run's share of it, and the best CPU time of the stage (user + system of the process,
which the other jobs on a shared machine inflate less than wall time; Arrow's and DuckDB's
threads can make it exceed wall time). ``benchmark --help`` is timed the same way. The machine and its
load average are printed with the table: on 2 shared cores the figures move with the load.
No assertion: this is a measurement (the test suite has no timed tests).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TARGETS = {  # seconds (SPEC §9 version 2, issue 19); memory in MiB
    "start-up": None, "validate data": 1.5, "check criteria": None, "score": 2.0, "write outputs": 2.0,
    "record run and move outputs into place": 0.5, "writing + recording": 2.5, "wall time incl. start-up": 6.0,
    "peak resident memory (MiB)": 1.3 * 1024, "peak memory, run + helper (MiB)": 1.3 * 1024,
}
LABELS = {"validate data": "validation", "score": "scoring (import + bm.score)",
          "write outputs": "writing (tables, workbook)",
          "record run and move outputs into place": "recording in the store + commit",
          "check criteria": "criteria catalogue", "writing + recording": "writing + recording (cpu: run only)"}
STORE_ONLY = "    the store alone (without the wait)"
TARGETS[STORE_ONLY.strip()] = 0.5
STEP = re.compile(r"^(\s*)(\S.*?)\s+(\d+\.\d+) s(?:  \(cpu (\d+\.\d+) s(?:, peak (\d+) MiB)?\))?$")


def machine_line() -> str:
    load = os.getloadavg()
    try:
        lines = Path("/etc/os-release").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    distro = next((line.split("=", 1)[1].strip().strip('"') for line in lines if line.startswith("PRETTY_NAME=")), "")
    return (f"{os.cpu_count()} cores (shared), Python {platform.python_version()}, {distro or platform.platform()}, "
            f"load ≈ {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)")


def make_data(n_units: int, n_months: int, fmt: str, where: Path) -> Path:
    from benchmark.dataset import dataset_from_frames, write_dataset
    from benchmark.demo_data import generate_national

    folder = where / f"national-{n_units}x{n_months}-{fmt}"
    if (folder / ("monthly." + fmt)).exists():
        return folder
    tables = generate_national(n_units, n_months, seed=1)
    ds = dataset_from_frames(tables["units"], tables["monthly"])
    return write_dataset(ds, folder, fmt)


class RssSampler(threading.Thread):
    """The largest resident memory of a process and its children together, sampled from /proc
    every 20 ms (the run's summary helper is a second process; ru_maxrss sees only the larger)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mib, self._done = pid, 0.0, threading.Event()

    def _rss_mib(self, pid: int) -> float:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                kb = next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
                children = [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            return 0.0
        return kb / 1024 + sum(self._rss_mib(c) for c in children)

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_mib = max(self.peak_mib, self._rss_mib(self.pid))
            self._done.wait(0.02)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_once(data: Path, period: str, out: Path) -> dict[str, float]:
    """One ``benchmark run`` in a subprocess: its step timings, wall time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmark", "run", str(data), "--period", period, "--out",
                             str(out), "--verbose", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    sampler = RssSampler(proc.pid)
    sampler.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    sampler.stop()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark run failed ({proc.returncode}):\n{err[-3000:]}")
    found: dict[str, float] = {}
    cpus: dict[str, float] = {}
    helper_peak = 0.0
    for line in err.splitlines():
        m = STEP.match(line)
        if m:
            indent, name, seconds, cpu, peak = m.groups()
            key = ("    " + name) if len(indent) > 2 else name
            found[key] = float(seconds)
            if cpu is not None:
                cpus[key] = float(cpu)
            if peak is not None:
                helper_peak = max(helper_peak, float(peak))
    if "write outputs" in found and "record run and move outputs into place" in found:
        # the summary helper draws while both go on, so their sum is what the page costs the run
        found["writing + recording"] = found["write outputs"] + found["record run and move outputs into place"]
        cpus["writing + recording"] = cpus.get("write outputs", 0.0) + cpus.get(
            "record run and move outputs into place", 0.0)
    record, wait = "record run and move outputs into place", "    waiting for summary.html"
    if record in found and wait in found:
        # the recording step waits for the helper's page inside its transaction; the store's own
        # work (inserts, the Parquet rename, the manifest, the commit) is the rest
        rows = list(found.items())
        at = [k for k, _ in rows].index(record) + 1
        rows.insert(at, (STORE_ONLY, max(found[record] - found[wait], 0.0)))
        found = dict(rows)
    found["wall time incl. start-up"] = wall
    cpus["wall time incl. start-up"] = usage.ru_utime + usage.ru_stime  # with the helper's (a reaped child)
    found["peak resident memory (MiB)"] = usage.ru_maxrss / 1024  # the largest process (run or helper)
    if helper_peak:  # the run and its helper process together, sampled every 20 ms
        found["peak memory, run + helper (MiB)"] = sampler.peak_mib
    found["cpu"] = cpus  # type: ignore[assignment]
    return found


def help_time() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmark", "--help"], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def report(title: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'stage':<40} {'best':>8} {'median':>8} {'target':>8} {'share':>7} {'cpu best':>9}")
    names = [k for k in runs[0] if k != "cpu"]
    for name in names:
        values = [r[name] for r in runs if name in r]
        cpu_values = [r["cpu"][name] for r in runs if name in r.get("cpu", {})]
        cpu = f"{min(cpu_values):8.2f}s" if cpu_values else "        –"
        best, median = min(values), statistics.median(values)
        key = name.strip()
        target = TARGETS.get(key)
        if name.startswith("    "):  # an output file: its share of the writing budget; other parts: none
            is_file = "." in key and not key.startswith(("import", "waiting"))
            target, label = (TARGETS["write outputs"] if is_file else TARGETS.get(key)), "  " + key
        else:
            label = LABELS.get(key, key)
        if "MiB" in key:
            print(f"  {label:<40} {best:7.0f}M {median:7.0f}M {target:7.0f}M {best / target:7.0%}")
            continue
        share = f"{best / target:7.0%}" if target else "      –"
        tgt = f"{target:7.1f}s" if target else "       –"
        print(f"  {label:<40} {best:7.2f}s {median:7.2f}s {tgt} {share} {cpu}")
    steps = [k for k in names if not k.startswith("    ") and k not in ("wall time incl. start-up", "writing + recording")
             and "MiB" not in k]
    best_run = min(runs, key=lambda r: r["wall time incl. start-up"])
    accounted = sum(best_run.get(k, 0.0) for k in steps)
    print(f"  (best run: steps add up to {accounted:.2f} s of {best_run['wall time incl. start-up']:.2f} s wall; "
          "the rest is printing the summary and leaving)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--period", default="2025Q3")
    ap.add_argument("--keep", default=None, help="folder for the generated data (reused when present)")
    args = ap.parse_args()
    print(machine_line())
    helps = [help_time() for _ in range(3)]
    print(f"benchmark --help: best {min(helps):.2f} s, median {statistics.median(helps):.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(args.keep) if args.keep else Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        for fmt in args.formats.split(","):
            data = make_data(args.units, args.months, fmt, where)
            size = sum(p.stat().st_size for p in data.iterdir()) / 2**20
            runs = [run_once(data, args.period, Path(tmp) / f"out-{fmt}-{i}") for i in range(args.repeats)]
            report(f"{args.units:,} units × {args.months} months ({args.units * args.months:,} unit-months), "
                   f"{fmt.upper()} export {size:.0f} MiB, {args.repeats} runs of `benchmark run --period "
                   f"{args.period}`".replace(",", " "), runs)
            print("  " + machine_line())


if __name__ == "__main__":
    main()
