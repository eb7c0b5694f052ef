"""A stored run opened lazily in the analysis app (headless Chromium): the first screen shows the
run's own ranking and charts without its monthly rows, and picking a unit in the ranking draws
that unit's monthly trend, read from the store for that unit alone."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory):
    from benchmark import sources
    from benchmark.cli import main
    from benchmark.dataset import dataset_from_frames, write_dataset
    from benchmark.demo_data import generate_national

    root = tmp_path_factory.mktemp("stored-lazy")
    tables = generate_national(240, 36, seed=11)
    data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), root / "data", "parquet")
    store = root / "history.duckdb"
    assert main(["run", str(data), "--period", "2025Q2", "--out", str(root / "out"), "--store", str(store),
                 "--quiet"]) == 0
    runs = sources.stored_runs(store)
    return store, str(runs["run_id"].iloc[-1])


def _charts(page, at_least: int) -> int:
    """The number of drawn vega views once there are ``at_least`` (they draw after the cell settles)."""
    for _ in range(300):
        n = page.locator("canvas, svg.marks").count()
        if n >= at_least:
            return n
        page.wait_for_timeout(100)
    raise AssertionError(f"{page.locator('canvas, svg.marks').count()} charts drawn, expected {at_least}")


def test_a_stored_run_opens_lazily_and_a_picked_unit_shows_its_months(browser, serve, artifacts, settle, stored_run):
    store, run_id = stored_run
    server = serve("analysis.py", ["--source", f"run:{run_id}", "--store", str(store)])
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server.url, wait_until="domcontentloaded")
    page.get_by_text(f"Lagret kjøring {run_id}").first.wait_for(timeout=180_000)
    page.get_by_text("Rangering med intervall").first.wait_for(timeout=180_000)
    page.get_by_text("Plass med intervall").first.wait_for(timeout=180_000)
    page.get_by_text("Velg en enhet i rangeringen").first.wait_for(timeout=180_000)
    settle(page, 180_000)
    assert page.get_by_text(re.compile(r"Enhet U\d{6}")).count() > 0  # the generated units, not the demo
    assert page.get_by_text("Månedstall –").count() == 0
    for text in ("Traceback", "An internal error", "MarimoExceptionRaisedError"):
        assert page.get_by_text(text).count() == 0, text
    page.screenshot(path=str(artifacts / "analysis-stored-lazy-first-screen.png"), full_page=True)

    # tick the first row of the ranking: its unit's monthly trend is drawn below
    charts_before = _charts(page, 3)  # funnel, potential, rank chart
    table = page.get_by_role("table").first
    row = table.get_by_role("row").nth(1)  # row 0 holds the headings
    first_id = row.get_by_text(re.compile(r"^U\d{6}$")).first.inner_text()
    row.get_by_role("checkbox").first.click()
    page.get_by_text(re.compile("Månedstall – ")).first.wait_for(timeout=120_000)
    settle(page, 120_000)
    heading = page.get_by_text(re.compile("Månedstall – ")).first.inner_text()
    assert first_id in heading, (first_id, heading)
    assert page.get_by_text("Velg en enhet i rangeringen").count() == 0
    # one more chart on the page: the unit's months (vega draws into canvas or svg)
    _charts(page, charts_before + 1)
    for text in ("Traceback", "An internal error", "MarimoExceptionRaisedError"):
        assert page.get_by_text(text).count() == 0, text
    page.screenshot(path=str(artifacts / "analysis-stored-lazy-picked.png"), full_page=True)
    page.close()


def test_benchmark_app_warms_the_app_before_it_serves_the_stored_run(browser, serve, artifacts, settle, stored_run):
    """`benchmark app analysis -- --source run:ID`: the server warms (runs the notebook once with
    those arguments) before it answers, then serves that run like `marimo run`."""
    store, run_id = stored_run
    server = serve("analysis.py", ["--source", f"run:{run_id}", "--store", str(store)], launcher="benchmark")
    log = server.log_path.read_text(encoding="utf-8")
    assert "Varmer opp analysis.py" in log and "klar etter" in log, log
    assert "oppvarmingen stoppet" not in log, log
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server.url, wait_until="domcontentloaded")
    page.get_by_text(f"Lagret kjøring {run_id}").first.wait_for(timeout=120_000)
    page.get_by_text("Plass med intervall").first.wait_for(timeout=120_000)
    settle(page, 120_000)
    assert page.get_by_text(re.compile(r"Enhet U\d{6}")).count() > 0  # the generated units, not the demo
    _charts(page, 3)
    for text in ("Traceback", "An internal error", "MarimoExceptionRaisedError"):
        assert page.get_by_text(text).count() == 0, text
    page.screenshot(path=str(artifacts / "analysis-benchmark-app.png"), full_page=True)
    page.close()
