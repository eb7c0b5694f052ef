"""A run interrupted at each step of the commit protocol leaves store and outputs agreeing.

The interrupt is placed by the fault-injection hook (``BENCHMARK_FAULT=after:<step>:<signal>``,
:mod:`benchmark.faults`), not by timing. After each interrupted run we check, as a user would see
it: the exit code, no traceback, a truthful message; then, after the next command has reconciled
the store, that the state is either exactly the old one (same run count, every output file's hash
unchanged) or the complete new one (one run more, and the files in ``OUT/2025Q3`` hash to the
manifest the store recorded for the latest visible run) — and that no ``.tmp-``/``.old-``/``.lock-``
leftovers remain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmark.cli import main

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny_trust"
BENCHMARK = [sys.executable, "-m", "benchmark"]

# step → the state a run interrupted (SIGINT/SIGTERM, held back during the commit) or killed
# (SIGKILL, reconciled by the next start) right after that step ends in
STEPS = {
    "write": ("old", "old"),                 # outputs written to the temporary folder only
    "record_pending": ("old", "old"),        # recorded as pending: rolled back
    "swap_first_rename": ("new", "old"),     # between the two renames: finished / old folder restored
    "swap": ("new", "new"),                  # outputs in place: completed
    "mark_complete": ("new", "new"),
    "cleanup": ("new", "new"),
}
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGKILL": signal.SIGKILL}


def files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".manifest.json"}


def runs(store: Path) -> list[tuple]:
    with duckdb.connect(str(store), read_only=True) as con:
        return con.execute("SELECT run_id, status, outputs_manifest FROM runs ORDER BY run_id").fetchall()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    base = tmp_path_factory.mktemp("baseline")
    out = base / "out"
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(out), "--quiet"]) == 0
    return out


def interrupted_run(out: Path, fault: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BENCHMARK_FAULT": fault}
    return subprocess.run([*BENCHMARK, "run", str(TINY), "--period", "2025Q3", "--out", str(out), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=300)


def assert_agree(out: Path, store: Path, old_files: dict[str, str], n_old: int) -> str:
    """Store and outputs agree; returns 'old' or 'new'."""
    from benchmark.store import list_runs

    visible = list_runs(store)
    rows = runs(store)
    assert all(status == "complete" for _, status, _ in rows), rows  # nothing half-done remains
    latest = visible.iloc[-1]["run_id"]
    manifest = json.loads((out / "2025Q3" / ".manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == latest
    recorded = dict((r, json.loads(m)) for r, _, m in rows)[latest]
    assert files(out / "2025Q3") == recorded == manifest["files"]
    assert not [p.name for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name or ".lock-" in p.name]
    if len(rows) == n_old:
        assert files(out / "2025Q3") == old_files
        return "old"
    assert len(rows) == n_old + 1
    return "new"


@pytest.mark.parametrize("signame", list(SIGNALS))
@pytest.mark.parametrize("step", list(STEPS))
def test_interrupt_at_each_step(baseline, tmp_path, capsys, step, signame):
    out = tmp_path / "out"
    shutil.copytree(baseline, out)
    store = out / "history.duckdb"
    old_files, n_old = files(out / "2025Q3"), len(runs(store))
    proc = interrupted_run(out, f"after:{step}:{signame}")
    assert proc.returncode == (-9 if signame == "SIGKILL" else 128 + SIGNALS[signame]), proc.stderr
    assert "Traceback" not in proc.stderr
    soft, hard = STEPS[step]
    expected = hard if signame == "SIGKILL" else soft
    if signame != "SIGKILL":
        said = proc.stderr.strip().splitlines()[-1]
        assert said.startswith("benchmark: interrupted; ")
        if expected == "old":
            assert "nothing was changed" in said
        else:
            assert "it was completed" in said
    # the next command (here: history) finishes or rolls back what the kill left, and cleans up
    assert main(["history", "--store", str(store)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert assert_agree(out, store, old_files, n_old) == expected


def test_sigkill_between_the_renames_restores_the_old_folder_on_the_next_run(baseline, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(baseline, out)
    old_files, n_old = files(out / "2025Q3"), len(runs(out / "history.duckdb"))
    assert interrupted_run(out, "after:swap_first_rename:SIGKILL").returncode == -9
    assert not (out / "2025Q3").exists()  # the kill fell between the two renames
    proc = subprocess.run([*BENCHMARK, "run", str(TINY), "--period", "2025Q3", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "ryddet opp: rolled back run" in proc.stdout  # the console speaks the run's language (nb)
    assert assert_agree(out, out / "history.duckdb", old_files, n_old) == "new"


def test_two_runs_at_once_on_one_store_both_complete_or_the_second_says_busy(tmp_path):
    store = tmp_path / "history.duckdb"
    env = {**os.environ, "BENCHMARK_FAULT": "after:record_pending:sleep=2"}  # both commits overlap
    procs = [subprocess.Popen([*BENCHMARK, "run", str(TINY), "--period", "2025Q3", "--out", str(tmp_path / o),
                               "--store", str(store), "--quiet"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for o in ("a", "b")]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results, strict=True):
        assert p.returncode == 0 or "in use by another run" in err, err
        assert "Traceback" not in err
    rows = runs(store)
    assert len(rows) == sum(p.returncode == 0 for p in procs) >= 1
    for run_id, status, manifest in rows:
        assert status == "complete"
        folder = next(tmp_path / o / "2025Q3" for o in ("a", "b")
                      if json.loads((tmp_path / o / "2025Q3" / ".manifest.json").read_text())["run_id"] == run_id)
        assert files(folder) == json.loads(manifest)
