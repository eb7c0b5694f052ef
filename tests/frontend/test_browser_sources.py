"""Acceptance in headless Chromium: every app on a generated (non-demo) dataset and on a stored run.

Each app is served with ``-- --source <generated folder> --store <its store>``; the page must show
the generated units (ids ``U000001`` …, never the demo trust), survive a period change, then open
the stored run typed into the source box, with no marimo error in any cell. Screenshots are kept
under tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

APPS = {"analysis.py": "Rangering med intervall", "unit.py": "Velg en enhet", "criteria.py": "Før og etter",
        "measures.py": "Budsjettiltak"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from benchmark import sources
    from benchmark.cli import main
    from benchmark.dataset import dataset_from_frames, write_dataset
    from benchmark.demo_data import generate_national

    root = tmp_path_factory.mktemp("generated")
    tables = generate_national(300, 36, seed=7)
    data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), root / "data", "parquet")
    store = root / "history.duckdb"
    assert main(["run", str(data), "--period", "2025Q2", "--out", str(root / "out"), "--store", str(store),
                 "--quiet"]) == 0
    run_id = str(sources.stored_runs(store)["run_id"].iloc[-1])
    return data, store, run_id


def _no_marimo_error(page) -> None:
    """No cell shows an error (get_by_text and CSS locators reach into marimo's shadow DOM)."""
    for text in ("Traceback", "An internal error", "Error:", "MarimoExceptionRaisedError"):
        assert page.get_by_text(text).count() == 0, text
    assert page.locator(".marimo-error").count() == 0


@pytest.mark.parametrize("name", list(APPS))
def test_app_on_generated_data_then_a_stored_run(browser, serve, artifacts, settle, generated, name):
    data, store, run_id = generated
    server = serve(name, ["--source", str(data), "--store", str(store)])
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server.url, wait_until="domcontentloaded")
    page.get_by_text(APPS[name]).first.wait_for(timeout=180_000)
    page.get_by_text("Viser: Datasett").first.wait_for(timeout=180_000)
    settle(page, 180_000)
    page.wait_for_timeout(1500)
    assert page.get_by_text("Akuttmottak (Medisinsk").count() == 0  # not the demo trust
    if name in ("analysis.py", "criteria.py"):
        page.get_by_text(re.compile(r"Enhet U\d{6}")).first.wait_for(timeout=60_000)
    if name == "measures.py":
        page.get_by_text("Ingen tiltak er rapportert").first.wait_for(timeout=60_000)  # generated: no measures
    if name == "unit.py":
        page.get_by_role("button").filter(has_text="Select").first.click()
        page.keyboard.type("U000010")
        page.get_by_role("option", name=re.compile("Enhet U000010")).first.click()
        page.get_by_text("Samlet score").first.wait_for(timeout=120_000)
        settle(page, 180_000)
    _no_marimo_error(page)
    page.screenshot(path=str(artifacts / f"{name[:-3]}-generated.png"), full_page=True)

    # another period: the first dropdown of the page holds the periods
    period = page.locator("select").first
    options = period.locator("option").all_inner_texts()
    assert len(options) > 1, options
    period.select_option(index=1)
    page.wait_for_timeout(1000)
    settle(page, 180_000)
    _no_marimo_error(page)

    # the stored run, typed into the source box
    box = page.get_by_role("textbox").first
    box.fill(f"run:{run_id}")
    box.press("Enter")
    page.get_by_text(f"Lagret kjøring {run_id}").first.wait_for(timeout=180_000)
    settle(page, 180_000)
    if name in ("analysis.py", "criteria.py"):
        page.get_by_text(re.compile(r"Enhet U\d{6}")).first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    _no_marimo_error(page)
    page.screenshot(path=str(artifacts / f"{name[:-3]}-stored-run.png"), full_page=True)

    # a mistyped source: a Norwegian callout, the controls stay
    box = page.get_by_role("textbox").first
    box.fill("/no/such/folder")
    box.press("Enter")
    page.get_by_text("Finner ikke «/no/such/folder»").first.wait_for(timeout=120_000)
    assert page.get_by_role("textbox").count() >= 1 and page.locator("select").count() >= 1
    page.close()
