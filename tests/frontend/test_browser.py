"""End to end in a real headless Chromium: serve each app, interact, assert, screenshot."""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser


def _open(browser, server, width=1440, height=1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server.url, wait_until="domcontentloaded")
    return page


def test_analysis_app_weight_slider_changes_the_ranking(browser, serve, artifacts, settle):
    page = _open(browser, serve("analysis.py"))
    page.get_by_text("Rangering med intervall").first.wait_for(timeout=120_000)
    settle(page)
    table = page.get_by_role("table").first
    before = table.inner_text()
    assert "Intervall" in before
    page.screenshot(path=str(artifacts / "analysis-before.png"), full_page=True)
    sliders = page.get_by_role("slider")
    assert sliders.count() == 10  # one weight per criterion (care_hours_per_patient_day is the 10th)
    slider = sliders.nth(4)  # sick leave
    slider.focus()
    slider.press("End")  # its weight to the maximum, 3
    deadline = time.time() + 60
    after = before
    while after == before and time.time() < deadline:
        time.sleep(0.5)
        after = table.inner_text()
    settle(page)
    after = table.inner_text()
    assert after != before, "the ranking did not change after the weight change"
    page.screenshot(path=str(artifacts / "analysis-after-weight.png"), full_page=True)


def test_analysis_app_in_english_shows_its_weights_in_english_numbers(browser, serve, artifacts, settle):
    """The page's locale is nb-NO (one per notebook), and a slider writes its value and its
    thumb's tooltip in it ("1,5"); the English page has dropdowns labelled in English numbers
    instead, and a changed weight re-ranks."""
    page = _open(browser, serve("analysis.py", ["--lang", "en"]))
    page.get_by_text("Weights in the score").first.wait_for(timeout=120_000)
    settle(page)
    assert page.get_by_role("slider").count() == 0  # no slider, so no nb-NO tooltip on a thumb
    boxes = page.locator("select")
    values = [boxes.nth(i).input_value() for i in range(boxes.count())]
    weights = values[2:]  # after the period and the level
    assert len(weights) == 10 and "1.50" in weights and not any("," in v for v in weights), values
    assert page.get_by_text("Variable pay share").count() > 0
    table = page.get_by_role("table").first
    before = table.inner_text()
    boxes.nth(2 + weights.index("1.50")).select_option("3.00")  # variable pay share 1.50 → 3.00
    for _ in range(300):  # the ranking re-ranks with the new weight
        if table.inner_text() != before:
            break
        page.wait_for_timeout(100)
    assert table.inner_text() != before
    settle(page)
    assert boxes.nth(2 + weights.index("1.50")).input_value() == "3.00"
    page.screenshot(path=str(artifacts / "analysis-english-weights.png"), full_page=True)


def test_unit_app_shows_the_explanation_of_a_picked_unit(browser, serve, artifacts, settle):
    page = _open(browser, serve("unit.py"), width=1280)
    page.get_by_text("Velg en enhet").first.wait_for(timeout=120_000)
    settle(page)
    page.get_by_role("button").filter(has_text="Select").first.click()  # the searchable unit list
    page.keyboard.type("Kirurgisk avdeling Hamar")
    page.get_by_role("option", name=re.compile(r"Sengepost kirurgi 1 \(Kirurgisk avdeling Hamar\)")).first.click()
    page.get_by_text("Samlet score").first.wait_for(timeout=60_000)
    settle(page)
    body = page.inner_text("body")
    assert "Sengepost kirurgi 1 (Kirurgisk avdeling Hamar)" in body
    assert "Samlet score: nr." in body and "Forbedringspotensial" in body
    page.screenshot(path=str(artifacts / "unit-explanation.png"), full_page=True)


@pytest.mark.parametrize("name,marker,last", [("criteria.py", "Før og etter", "Lagre kriteriesettet"),
                                              ("measures.py", "Risikoklassene", "Datakvalitet")])
def test_other_apps_render(browser, serve, artifacts, settle, name, marker, last):
    page = _open(browser, serve(name))
    page.get_by_text(marker).first.wait_for(timeout=120_000)
    page.get_by_text(last).first.wait_for(timeout=120_000)
    settle(page)
    page.wait_for_timeout(3000)  # charts draw after their cell has finished
    page.screenshot(path=str(artifacts / f"{name[:-3]}.png"), full_page=True)


def test_analysis_app_opens_on_a_dataset_given_on_the_command_line(browser, serve, artifacts, settle,
                                                                     tmp_path_factory):
    """`marimo run notebooks/analysis.py -- --source PATH` (the README's command for own data)."""
    from benchmark.dataset import dataset_from_frames, write_dataset
    from benchmark.demo_data import generate_national

    tables = generate_national(400, 36, seed=2)
    data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]),
                         tmp_path_factory.mktemp("national") / "data", "parquet")
    page = _open(browser, serve("analysis.py", ["--source", str(data)]))
    page.get_by_text("Rangering med intervall").first.wait_for(timeout=120_000)
    settle(page)
    assert page.get_by_role("textbox").first.input_value() == str(data)
    table = page.get_by_role("table").first.inner_text()
    assert re.search(r"U\d{6}", table), "the ranking does not show the generated units"
    assert "Enhet U" in table and "Akuttmottak" not in table  # not the demo trust
    page.screenshot(path=str(artifacts / "analysis-own-data.png"), full_page=False)
