"""End to end in a real headless Chromium: serve each app, interact, assert, screenshot."""

from __future__ import annotations

import re

import pytest


pytestmark = pytest.mark.browser


def _open(browser, server, width=1440, height=1000):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(server.url, wait_until="domcontentloaded")
    return page


def test_benchmark_app_weight_slider_changes_the_ranking(browser, serve, artifacts, settle):
    page = _open(browser, serve("benchmark.py"))
    page.get_by_text("Rangering med intervall").first.wait_for(timeout=120_000)
    settle(page)
    table = page.locator("marimo-table").first
    before = table.inner_text()
    page.screenshot(path=str(artifacts / "benchmark-before.png"), full_page=True)
    slider = page.get_by_role("slider").first
    slider.focus()
    slider.press("End")  # the first criterion's weight to its maximum
    page.wait_for_function(
        "(before) => { const t = document.querySelector('marimo-table'); return t && t.innerText !== before; }",
        arg=before, timeout=60_000)
    settle(page)
    after = table.inner_text()
    assert after != before
    page.screenshot(path=str(artifacts / "benchmark-after-weight.png"), full_page=True)


def test_unit_app_shows_the_explanation_of_a_picked_unit(browser, serve, artifacts, settle):
    page = _open(browser, serve("unit.py"), width=1280)
    page.get_by_text("Velg en enhet").first.wait_for(timeout=120_000)
    settle(page)
    page.get_by_role("combobox").last.click()
    page.keyboard.type("Sengepost kirurgi 1")
    page.get_by_role("option", name=re.compile("Sengepost kirurgi 1")).first.click()
    page.get_by_text("Samlet score").first.wait_for(timeout=60_000)
    settle(page)
    assert "Sengepost kirurgi 1" in page.inner_text("body")
    page.screenshot(path=str(artifacts / "unit-explanation.png"), full_page=True)


@pytest.mark.parametrize("name,marker", [("criteria.py", "Før og etter"), ("measures.py", "Risikoklassene")])
def test_other_apps_render(browser, serve, artifacts, settle, name, marker):
    page = _open(browser, serve(name))
    page.get_by_text(marker).first.wait_for(timeout=120_000)
    settle(page)
    page.screenshot(path=str(artifacts / f"{name[:-3]}.png"), full_page=True)
