"""A stored run read lazily is the same run: every table equal to an eager read, per-entity rows
equal to a filter of the whole table, a re-score that leaves the lazy tables unread yet equals
the eager re-score; the process-wide caches read once and see a new run at once."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from benchmark.cli import main
    from benchmark.dataset import dataset_from_frames, write_dataset
    from benchmark.demo_data import generate_national

    root = tmp_path_factory.mktemp("lazy")
    tables = generate_national(120, 36, seed=3)
    data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), root / "data", "parquet")
    store = root / "history.duckdb"
    assert main(["run", str(data), "--period", "2025Q2", "--out", str(root / "out"), "--store", str(store),
                 "--quiet"]) == 0
    return data, store, root


def _frames_equal(a, b, name):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=name)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=name)
    else:
        assert a == b, name


def test_a_lazy_run_equals_an_eager_read_table_by_table(stored):
    from benchmark.store import load_run
    from benchmark.stored import LAZY_TABLES, StoredResult

    _, store, _ = stored
    lazy = load_run(store, period="2025Q2")
    eager = load_run(store, period="2025Q2", lazy=False)
    assert isinstance(lazy, StoredResult)
    assert all(t not in lazy.__dict__ for t in LAZY_TABLES)  # nothing of them read yet
    assert "unread" in repr(lazy)  # repr does not read them either
    assert all(t not in lazy.__dict__ for t in LAZY_TABLES)
    assert len(lazy.monthly) > 0 and len(lazy.trend) > 0 and len(lazy.sensitivity) > 0
    for f in dataclasses.fields(eager):
        if f.name in ("memo", "catalogue"):
            continue
        _frames_equal(getattr(eager, f.name), getattr(lazy, f.name), f.name)
    assert lazy.catalogue.hash() == eager.catalogue.hash()


def test_one_entitys_rows_are_those_of_the_whole_table_in_order(stored):
    from benchmark import sources
    from benchmark.store import load_run

    _, store, _ = stored
    lazy = load_run(store, period="2025Q2")
    eager = load_run(store, period="2025Q2", lazy=False)
    ids = list(eager.ranking["entity_id"].astype(str).iloc[[0, 7, 42]])
    for table in ("monthly", "trend", "sensitivity"):
        for pick in (ids[0], ids):
            want = sources.entity_rows(eager, table, pick).reset_index(drop=True)
            got = sources.entity_rows(lazy, table, pick).reset_index(drop=True)
            assert len(got) > 0, table
            pd.testing.assert_frame_equal(got, want, obj=table)
    assert "monthly" not in lazy.__dict__  # answered by a query, the whole table still unread
    assert sources.entity_rows(lazy, "monthly", "no-such-unit").empty
    assert sources.entity_rows(lazy, "monthly", []).empty


def test_a_rescore_keeps_the_lazy_tables_unread_and_equals_the_eager_rescore(stored):
    from benchmark.store import load_run

    _, store, _ = stored
    lazy = load_run(store, period="2025Q2")
    eager = load_run(store, period="2025Q2", lazy=False)
    weights = {k: (3.0 if k == "sick_leave_rate" else 0.5) for k in eager.catalogue.weights()}
    a, b = eager.rescore(weights=weights), lazy.rescore(weights=weights)
    assert type(b) is type(lazy) and "monthly" not in b.__dict__ and b.tables is lazy.tables
    pd.testing.assert_frame_equal(a.ranking, b.ranking)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    assert (a.ranking["rank"] != eager.ranking["rank"]).any()  # the weights did move ranks
    pd.testing.assert_frame_equal(b.monthly, eager.monthly)  # read on demand, shared with lazy
    assert "monthly" in lazy.tables._full
    # dataclasses.replace (masking, scoping) reads every field and gives a complete result
    cut = dataclasses.replace(lazy, ranking=lazy.ranking.head(3))
    assert len(cut.ranking) == 3 and len(cut.trend) == len(eager.trend)


def test_a_stored_run_is_read_once_for_many_sessions_at_once(stored, monkeypatch):
    import benchmark.store
    from benchmark import sources

    _, store, _ = stored
    sources.clear_caches()
    run_id = str(sources.stored_runs(store)["run_id"].iloc[-1])
    calls = []
    real = benchmark.store.load_run

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(benchmark.store, "load_run", counting)
    got = []
    threads = [threading.Thread(target=lambda: got.append(sources.stored_result(run_id, str(store))))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(got) == 8 and all(g is got[0] for g in got)
    # the same store given another way (relative path, via the source) is the same cache entry
    src, problem = sources.open_source(f"run:{run_id}", store)
    assert problem is None and sources.result(src, src.run["period"]) is got[0]
    assert len(calls) == 1


def test_the_run_list_sees_a_new_run_at_once(stored):
    from benchmark import sources
    from benchmark.cli import main

    data, store, root = stored
    before = sources.stored_runs(store)
    again = sources.stored_runs(store)
    pd.testing.assert_frame_equal(before, again)
    assert main(["run", str(data), "--period", "2025Q1", "--out", str(root / "out"), "--store", str(store),
                 "--quiet"]) == 0
    after = sources.stored_runs(store)
    assert len(after) == len(before) + 1 and after["period"].iloc[-1] == "2025Q1"
    src, _ = sources.open_source("", store)  # the latest run, without a stale list
    assert src.run["period"] == "2025Q1"
    assert "2025Q2" in sources.period_choices(src)


def test_a_chart_is_built_once_for_the_same_frame(stored):
    from benchmark import charts, sources, views

    _, store, _ = stored
    src, _ = sources.open_source("", store)
    res = sources.result(src, src.run["period"])
    one = views.chart(charts.caterpillar_chart, res.ranking, peer_group=None, lang="nb")
    assert views.chart(charts.caterpillar_chart, res.ranking, peer_group=None, lang="nb") is one
    assert views.chart(charts.caterpillar_chart, res.ranking.copy(), peer_group=None, lang="nb") is not one
    assert views.chart(charts.caterpillar_chart, res.ranking, peer_group=None, lang="en") is not one
    shown = views.static_chart(charts.potential_chart, res.ranking, lang="nb")
    mime, text = shown._mime_()
    assert mime.startswith("application/vnd.vegalite.v") and '"datasets"' in text  # data inline, no session file
    assert '"decimal": ","' in text or '"decimal":","' in text  # the nb locale is in the spec


def test_the_fast_rank_chart_equals_altairs_full_build(stored):
    import json

    from benchmark import charts, sources, views

    _, store, _ = stored
    src, _ = sources.open_source("", store)
    base = sources.result(src, src.run["period"])
    group = views.funnel_group(base, "", None)
    picked = str(base.ranking["entity_id"].iloc[-1])

    def same(text):
        spec = json.loads(text)
        (name,) = spec["datasets"]
        return json.loads(text.replace(name, "DATA"))

    for w in (1.0, 3.0, 0.0):
        res = base.rescore(weights={**base.catalogue.weights(), "sick_leave_rate": w})
        for highlight, lang in ((None, "nb"), (picked, "en")):
            fast = views.rank_chart(res.ranking, peer_group=group, highlight=highlight, lang=lang)
            full = views.VegaLite(charts.caterpillar_chart(res.ranking, peer_group=group, highlight=highlight,
                                                           lang=lang, width=520))
            assert same(fast.json) == same(full.json), (w, highlight, lang)
    empty = views.rank_chart(base.ranking.iloc[0:0], lang="nb")  # nothing ranked: the message chart
    assert "Ingen enheter" in empty.json


def test_a_view_of_a_stored_run_is_its_full_result_without_the_scoring_package(stored):
    """:class:`StoredView` answers with the tables :func:`load_run` reads, its :meth:`full` equals
    ``load_run`` field by field (the same frames, not read again), re-scoring through it equals
    the stored result's re-score, and the sources cache hands out one object for both."""
    from benchmark import sources
    from benchmark.runview import StoredView, full, prepare, read_view
    from benchmark.store import load_run

    _, store, _ = stored
    eager = load_run(store, period="2025Q2", lazy=False)
    view = read_view(store, period="2025Q2")
    assert isinstance(view, StoredView) and view._full is None
    for name in ("scores", "ranking", "measures"):
        _frames_equal(getattr(eager, name), getattr(view, name), name)
    assert view.catalogue.hash() == eager.catalogue.hash() and view.period == eager.period
    ids = list(eager.ranking["entity_id"].astype(str).iloc[[0, 7]])
    pd.testing.assert_frame_equal(view.entity_rows("monthly", ids).reset_index(drop=True),
                                  sources.entity_rows(eager, "monthly", ids).reset_index(drop=True))
    assert view._full is None and "monthly" not in view.__dict__  # still no scoring side, no monthly rows
    res = full(view)
    assert res is view.full() and res.ranking is view.ranking and res.scores is view.scores
    for f in dataclasses.fields(eager):
        if f.name in ("memo", "catalogue"):
            continue
        _frames_equal(getattr(eager, f.name), getattr(res, f.name), f.name)
    weights = {k: (3.0 if k == "sick_leave_rate" else 0.5) for k in eager.catalogue.weights()}
    pd.testing.assert_frame_equal(view.rescore(weights=weights).ranking, eager.rescore(weights=weights).ranking)
    assert view.shrunk is res.shrunk  # anything else is the full result's

    sources.clear_caches()
    run_id = view.run_id
    shown = sources.stored_view(run_id, store)
    assert sources.stored_view(run_id, str(store)) is shown and shown._full is None
    assert sources.stored_result(run_id, store) is shown.full()  # made from the view, not read again
    sources.clear_caches()
    made = sources.stored_result(run_id, store)
    assert sources.stored_view(run_id, store).full() is made  # a view of the result read already
    sources.clear_caches()
    ahead = read_view(store, period="2025Q2")
    prepare(ahead)
    for _ in range(300):
        if ahead._full is not None and ahead._full.memo:
            break
        threading.Event().wait(0.05)
    assert ahead._full is not None and ahead._full.memo  # made, and re-scored once, in the background


def test_opening_a_stored_run_for_a_first_screen_does_not_import_scoring(stored):
    import os
    import subprocess
    import sys

    _, store, _ = stored
    code = ("import sys\n"
            "from benchmark import charts, sources, views\n"
            "src, problem = sources.open_source('', sys.argv[1])\n"
            "res, failure = views.safe_result(src, src.run['period'], 'unit', 'nb', view=True)\n"
            "assert problem is None and failure is None and len(res.ranking) > 0\n"
            "views.chart(charts.funnel_chart, res.scores, res.catalogue.criteria[0].id, catalogue=res.catalogue)\n"
            "views.rank_chart(res.ranking)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('scipy', 'benchmark.scoring', 'benchmark.stats'))))\n")
    out = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
