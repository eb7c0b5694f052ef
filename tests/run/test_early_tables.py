"""The store's long tables written early (benchmark.store.EarlyTables): hidden until the run is
recorded, left alone by another process's clean-up while their run lives, removed when it failed
or died, and the same tables as when written inside the transaction."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import benchmark as bm
from benchmark.outputs.commit import reconcile
from benchmark.store import (
    BENCHMARK_KIND,
    EarlyTables,
    external_path,
    load_run,
    mark_complete,
    record_pending,
    result_tables,
    run_meta,
    tables_dir,
)


@pytest.fixture(scope="module")
def demo_result():
    return bm.score(bm.load_dataset("fixtures/demo"), bm.load_criteria(), period="2025Q3")


def _record(store, run_id, res, early=None):
    record_pending(store, BENCHMARK_KIND, run_id, run_meta(res, {}), result_tables(res), {}, early=early)
    mark_complete(store, run_id)


def test_early_tables_are_hidden_until_recorded_and_equal_the_late_ones(demo_result, tmp_path):
    late, early_store = tmp_path / "late" / "h.duckdb", tmp_path / "early" / "h.duckdb"
    _record(late, "R1", demo_result)
    early = EarlyTables(early_store, "R1", result_tables(demo_result))
    early.join()
    assert not external_path(early_store, "R1", "scores").exists()  # only the hidden folder so far
    assert (tables_dir(early_store) / ".R1.tmp" / "scores.parquet").exists()
    _record(early_store, "R1", demo_result, early)
    early.release()
    assert sorted(p.name for p in tables_dir(early_store).iterdir()) == ["R1"]
    a, b = load_run(late, run_id="R1"), load_run(early_store, run_id="R1")
    for table in ("scores", "trend", "sensitivity", "monthly"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


def test_another_process_leaves_a_live_runs_tables_and_removes_a_dead_ones(demo_result, tmp_path):
    store = tmp_path / "h.duckdb"
    _record(store, "R0", demo_result)  # a store that exists, so reconcile looks at its tables
    early = EarlyTables(store, "LIVE", result_tables(demo_result))
    early.join()
    clean = [sys.executable, "-c", f"from benchmark.outputs.commit import reconcile; print(reconcile({str(store)!r}))"]
    out = subprocess.run(clean, capture_output=True, text=True, check=True).stdout
    assert "LIVE" not in out and (tables_dir(store) / ".LIVE.tmp").is_dir()  # its run is alive: kept
    early.release()  # as if the process had died (the lock is gone) without cleaning up
    done = reconcile(store)
    assert any("LIVE" in d for d in done)
    assert sorted(p.name for p in tables_dir(store).iterdir()) == ["R0"]


def test_a_failed_run_leaves_no_early_tables(demo_result, tmp_path):
    store = tmp_path / "h.duckdb"
    early = EarlyTables(store, "FAIL", result_tables(demo_result))

    def fail():
        raise OSError("disk full (simulated)")

    with pytest.raises(OSError):
        record_pending(store, BENCHMARK_KIND, "FAIL", run_meta(demo_result, {}), result_tables(demo_result), fail,
                       early=early)
    early.discard()
    assert list(tables_dir(store).iterdir()) == []
