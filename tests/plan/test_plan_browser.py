"""The plan app in headless Chromium: the waterfall and the drivers show, and a slider moves the gap."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "marimo-plan.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "marimo", "run", str(ROOT / "notebooks" / "plan.py"), "--headless",
                             "--host", "127.0.0.1", "--port", str(port), "--no-token"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def _gap(text: str) -> int:
    m = re.search(r"— ([\d\u00a0 ]+) kNOK (over|under) rammen", text)
    assert m, text[:2000]
    return int(re.sub(r"\D", "", m.group(1))) * (1 if m.group(2) == "over" else -1)


def test_plan_app_in_chromium(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(server, timeout=120_000)
        page.wait_for_selector("text=Enhetene som driver gapet", timeout=300_000)
        page.wait_for_selector("svg.marks, canvas", timeout=120_000)
        settled = "() => document.querySelectorAll('.marimo-output-stale, .marimo-output-loading').length === 0"
        page.wait_for_function(settled, timeout=120_000)
        before = _gap(page.inner_text("body"))
        slider = page.get_by_role("slider").first
        slider.focus()
        slider.press("End")  # evening/night supplement 28 % → 60 %
        page.wait_for_function(f"() => !document.body.innerText.includes('{before:,}'.replace(/,/g, '\\u00a0')"
                               " + ' kNOK over')", timeout=120_000)
        page.wait_for_function(settled, timeout=120_000)
        after = _gap(page.inner_text("body"))
        page.screenshot(path=str(ARTIFACTS / "plan-app.png"), full_page=True)
        browser.close()
    assert after > before
