"""summary.html drawn by the helper process: the same page as in-process, its failures raised in the
run, a dead helper replaced by rendering in-process, and a commit whose last output fails leaves
the store and the outputs as they were."""

from __future__ import annotations

import duckdb
import pytest

import benchmark as bm
from benchmark.outputs import render_worker
from benchmark.outputs.commit import commit, workspace
from benchmark.outputs.summary import render_summary, summary_input
from benchmark.store import BENCHMARK_KIND, record_run, result_tables, run_meta


@pytest.fixture(scope="module")
def demo_result():
    return bm.score(bm.load_dataset("fixtures/demo"), bm.load_criteria(), period="2025Q3")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_helper_draws_the_page_rendered_in_process(demo_result, tmp_path, lang):
    renderer = render_worker.start()
    assert renderer.proc is not None
    renderer.submit(summary_input(demo_result), tmp_path / "summary.html", lang, "RUN-1")
    renderer.wait()
    assert "in_process" not in renderer.stats and renderer.stats["cpu"] > 0
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert page == render_summary(demo_result, lang, "RUN-1")
    assert page.count("<svg") >= 5  # rank charts, the potential chart, funnels


def test_a_failure_in_the_helper_is_raised_in_the_run(demo_result, tmp_path):
    renderer = render_worker.start()
    missing = tmp_path / "no-such-folder" / "summary.html"
    renderer.submit(summary_input(demo_result), missing, "nb", None)
    with pytest.raises(FileNotFoundError) as info:
        renderer.wait()
    assert info.value.filename == str(missing)
    assert renderer.proc is None  # the helper is gone


def test_a_dead_helper_is_replaced_by_rendering_here(demo_result, tmp_path):
    renderer = render_worker.start()
    renderer.proc.kill()
    renderer.proc.wait()
    renderer.submit(summary_input(demo_result), tmp_path / "summary.html", "nb", "RUN-2")
    renderer.wait()
    assert renderer.stats["in_process"]
    assert (tmp_path / "summary.html").read_text(encoding="utf-8") == render_summary(demo_result, "nb", "RUN-2")


def test_closing_an_unused_helper_stops_it():
    renderer = render_worker.start()
    proc = renderer.proc
    renderer.close()
    assert proc.poll() is not None and renderer.proc is None


def test_a_last_output_that_fails_leaves_store_and_outputs_as_they_were(demo_result, tmp_path):
    store, final = tmp_path / "history.duckdb", tmp_path / "out" / "2025Q3"
    record_run(store, demo_result, "EARLIER", {"started_at": "2025-10-01T00:00:00"})
    final.mkdir(parents=True)
    (final / "scores.csv").write_text("old\n", encoding="utf-8")
    ws = workspace(final, "NEW")
    (ws.tmp / "scores.csv").write_text("new\n", encoding="utf-8")

    def ready():
        raise OSError(28, "No space left on device", str(ws.tmp / "summary.html"))

    with pytest.raises(OSError):
        commit(store, BENCHMARK_KIND, ws, run_meta(demo_result, {"started_at": "2025-10-02T00:00:00"}),
               result_tables(demo_result), ready=ready)
    assert (final / "scores.csv").read_text(encoding="utf-8") == "old\n"
    assert not ws.tmp.exists() and sorted(p.name for p in final.parent.iterdir()) == ["2025Q3"]
    with duckdb.connect(str(store), read_only=True) as con:
        assert [r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()] == ["EARLIER"]
        assert con.execute("SELECT count(DISTINCT run_id) FROM ranking").fetchone()[0] == 1


def test_ready_is_awaited_before_the_manifest(demo_result, tmp_path):
    store, final = tmp_path / "history.duckdb", tmp_path / "out" / "2025Q3"
    ws = workspace(final, "NEW")
    (ws.tmp / "scores.csv").write_text("new\n", encoding="utf-8")

    def ready():  # the last file appears only now; the manifest must name it
        (ws.tmp / "summary.html").write_text("<html></html>\n", encoding="utf-8")

    files = commit(store, BENCHMARK_KIND, ws, run_meta(demo_result, {"started_at": "2025-10-02T00:00:00"}),
                   result_tables(demo_result), ready=ready)
    assert sorted(files) == ["scores.csv", "summary.html"]
    assert (final / "summary.html").exists()
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT status FROM runs WHERE run_id = 'NEW'").fetchone()[0] == "complete"


# -- the monthly rows as Parquet beside the store ---------------------------------------------------

def test_monthly_rows_kept_beside_the_store_read_back_as_recorded(demo_result, tmp_path, monkeypatch):
    import pandas as pd

    from benchmark import store as st

    new, old = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    record_run(new, demo_result, "R1", {"started_at": "2025-10-01T00:00:00"})
    assert all(st.external_path(new, "R1", t).is_file() for t in ("scores", "trend", "sensitivity", "monthly"))
    monkeypatch.setattr(st, "EXTERNAL_TABLES", ())  # a store written before: monthly inside DuckDB
    record_run(old, demo_result, "R1", {"started_at": "2025-10-01T00:00:00"})
    monkeypatch.undo()
    assert not st.tables_dir(old).exists()
    unit = demo_result.monthly["entity_id"].iloc[0]
    for lazy in (True, False):
        a, b = st.load_run(new, "R1", lazy=lazy), st.load_run(old, "R1", lazy=lazy)
        for table in ("scores", "ranking", "trend", "sensitivity", "monthly"):
            pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
        pd.testing.assert_frame_equal(a.monthly.reset_index(drop=True),
                                      demo_result.monthly.reset_index(drop=True), check_dtype=False)
    a, b = st.load_run(new, "R1"), st.load_run(old, "R1")
    pd.testing.assert_frame_equal(a.entity_rows("monthly", unit), b.entity_rows("monthly", unit))
    assert len(a.entity_rows("monthly", unit)) > 0 and a.entity_rows("monthly", []).empty


def test_the_parquet_tables_go_with_a_rolled_back_or_deleted_run(demo_result, tmp_path):
    from benchmark import store as st
    from benchmark.outputs.commit import reconcile

    store = tmp_path / "history.duckdb"
    record_run(store, demo_result, "KEEP", {"started_at": "2025-10-01T00:00:00"})

    def fail():
        raise RuntimeError("the outputs failed")

    with pytest.raises(RuntimeError):
        st.record_pending(store, BENCHMARK_KIND, "FAILED", run_meta(demo_result, {}), result_tables(demo_result), fail)
    assert not (st.tables_dir(store) / "FAILED").exists()
    st.delete_run(store, "KEEP")
    assert not (st.tables_dir(store) / "KEEP").exists()
    orphan = st.external_path(store, "KILLED", "monthly")  # written, then killed before the commit
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"PAR1")
    record_run(store, demo_result, "LATER", {"started_at": "2025-10-02T00:00:00"})
    notes = reconcile(store)
    assert not orphan.parent.exists() and any("KILLED" in n for n in notes)
    assert st.external_path(store, "LATER", "monthly").is_file()


def test_a_full_disk_while_writing_the_parquet_table_records_nothing(demo_result, tmp_path, monkeypatch):
    import errno
    import os

    import pyarrow.parquet as pq

    from benchmark import store as st

    store = tmp_path / "history.duckdb"
    record_run(store, demo_result, "KEEP", {"started_at": "2025-10-01T00:00:00"})

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq, "write_table", full)
    with pytest.raises(st.StoreError, match="is full; the run was not recorded"):
        record_run(store, demo_result, "NEW", {"started_at": "2025-10-02T00:00:00"})
    monkeypatch.undo()
    assert sorted(p.name for p in st.tables_dir(store).iterdir()) == ["KEEP"]
    with duckdb.connect(str(store), read_only=True) as con:
        assert [r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()] == ["KEEP"]
        assert con.execute("SELECT count(DISTINCT run_id) FROM ranking").fetchone()[0] == 1


def test_a_store_copied_without_its_tables_folder_says_so(demo_result, tmp_path):
    import shutil

    from benchmark import store as st

    record_run(tmp_path / "a.duckdb", demo_result, "R1", {"started_at": "2025-10-01T00:00:00"})
    (tmp_path / "copy").mkdir()
    shutil.copy(tmp_path / "a.duckdb", tmp_path / "copy" / "a.duckdb")
    with pytest.raises(st.StoreError, match="the scores rows of run R1 are missing.*a.duckdb.tables beside it"):
        st.load_run(tmp_path / "copy" / "a.duckdb", "R1")


def test_the_pages_key_figures_are_norwegian_numbers(demo_result):
    """10 000 units read "10 000 enheter scoret", not "10000" (a trust × 10 here: 1 610 entities)."""
    import dataclasses
    import re

    import pandas as pd

    from benchmark.outputs.summary import render

    d = summary_input(demo_result)
    many = pd.concat([d.ranking.assign(entity_id=d.ranking["entity_id"] + f"-{i}") for i in range(10)],
                     ignore_index=True)
    page = render(dataclasses.replace(d, ranking=many, n_flags=1234), "nb", None)
    cards = re.findall(r"<div class='card'><b>([^<]*)</b>", page)
    assert cards[0] == f"{int(many['rank'].notna().sum()):,}".replace(",", "\u00a0") and cards[2] == "1\u00a0234"
