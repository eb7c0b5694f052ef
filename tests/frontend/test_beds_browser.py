"""notebooks/beds.py in headless Chromium: the service-level slider moves the recommendation."""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.browser


def test_beds_app_service_level_slider_changes_the_beds(browser, serve, artifacts, settle):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(serve("beds.py").url, wait_until="domcontentloaded")
    page.get_by_text(re.compile(r"senger i uke 5 vil posten være full")).first.wait_for(timeout=240_000)
    settle(page, 120_000)
    heading = page.get_by_text(re.compile(r"^Med \d+ senger i uke 5")).first
    before = heading.inner_text()
    assert re.match(r"Med \d+ senger i uke 5 vil posten være full om lag 1 av \d+ dager", before)
    page.screenshot(path=str(artifacts / "beds-before.png"), full_page=True)
    slider = page.get_by_role("slider").first  # the service level
    slider.focus()
    slider.press("End")  # 0,99
    deadline = time.time() + 90
    after = before
    while after == before and time.time() < deadline:
        time.sleep(0.5)
        after = page.get_by_text(re.compile(r"^Med \d+ senger i uke 5")).first.inner_text()
    settle(page, 120_000)
    beds_before = int(re.search(r"Med (\d+)", before).group(1))
    beds_after = int(re.search(r"Med (\d+)", after).group(1))
    assert beds_after > beds_before, (before, after)
    page.screenshot(path=str(artifacts / "beds-after-slider.png"), full_page=True)
