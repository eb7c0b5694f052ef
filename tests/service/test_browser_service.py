"""The service in headless Chromium: the login flow, a leader's unit page and the analyst's app.

Every websocket frame and response the leader's browser receives is searched for the masked
unit's sick-leave numbers (chart data included); the same search finds them for the analyst."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.frontend.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.service.conftest import ARTIFACTS, PASSWORDS
from tests.service.test_service import _masked_truth

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _monthly_values(store) -> tuple[list[str], list[str]]:
    """D7-127's monthly values of a shown criterion and of the masked sick leave (7 characters)."""
    from benchmark.store import load_run

    m = load_run(store, period="2025Q3").monthly
    m = m[(m["entity_id"] == "D7-127") & m["value"].notna()]
    def reprs(criterion):
        return [repr(float(v))[:7] for v in m.loc[m["criterion"] == criterion, "value"] if abs(v) > 1e-3]
    return reprs("activity_per_fte"), reprs("sick_leave_rate")


def _settle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('.marimo-output-stale, .marimo-output-loading').length === 0",
        timeout=timeout_ms)


def _login_via(page, base: str, path: str, name: str) -> list[str]:
    """Open ``path``, land on the login page, log in, come back; return every payload received."""
    seen: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: seen.append(p if isinstance(p, str) else "")))

    def keep(response):
        try:
            if "text" in response.headers.get("content-type", "") or "json" in response.headers.get(
                    "content-type", ""):
                seen.append(response.text())
        except Exception:  # noqa: BLE001 - bodies of redirects and aborted requests
            pass

    page.on("response", keep)
    page.goto(base + path)
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    return seen


def test_leader_logs_in_and_reads_its_unit_with_the_masked_value_absent(chromium, service):
    truth = _masked_truth(service.store)
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, extra_http_headers={"x-forwarded-for": "10.1.0.1"})
    seen = _login_via(page, service.url, "/enhet/", "solo")
    page.get_by_text("Samlet score").first.wait_for(timeout=180_000)
    _settle(page)
    body = page.inner_text("body")
    assert "Rehabiliteringspost 3" in body  # D7-127, the leader's only unit, opens at once
    assert "import marimo" not in page.content()  # code hidden
    page.screenshot(path=str(ARTIFACTS / "serve-leader-unit.png"), full_page=True)
    shown, hidden = _monthly_values(service.store)
    page.get_by_text("Utvikling per måned").first.scroll_into_view_if_needed()
    for _ in range(60):  # charts fetch their data when they come into view
        page.mouse.wheel(0, 2000)
        if [v for v in shown if v in "\n".join(seen)]:
            break
        page.wait_for_timeout(1000)
    _settle(page)
    everything = "\n".join(seen)
    assert [v for v in shown if v in everything]  # the trend chart's data of this unit did arrive ...
    assert not [v for v in truth.values() if v in everything]  # ... but not the masked numbers
    assert not [v for v in hidden if v in everything]
    page.goto(service.url + "/")
    page.get_by_text("Dine enheter").wait_for()
    page.screenshot(path=str(ARTIFACTS / "serve-leader-landing.png"), full_page=True)
    page.close()


def test_analyst_logs_in_and_opens_the_analysis_app(chromium, service):
    page = chromium.new_page(viewport={"width": 1400, "height": 900}, extra_http_headers={"x-forwarded-for": "10.1.0.2"})
    _login_via(page, service.url, "/analyse/", "ada")
    page.get_by_role("slider").first.wait_for(timeout=180_000)
    _settle(page)
    page.screenshot(path=str(ARTIFACTS / "serve-analyst-analyse.png"), full_page=False)
    page.goto(service.url + "/")
    page.get_by_text("Analyse").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "serve-analyst-landing.png"), full_page=True)
    page.close()


def test_the_sheet_downloaded_inside_the_unit_app_is_masked_and_audit_logged(chromium, service):
    import json

    truth = _masked_truth(service.store)
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, extra_http_headers={"x-forwarded-for": "10.1.0.3"},
                             accept_downloads=True)
    _login_via(page, service.url, "/enhet/", "solo")
    page.get_by_text("Samlet score").first.wait_for(timeout=180_000)
    _settle(page)
    button = page.get_by_text("Lagre dialogark").first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    sheet = Path(info.value.path()).read_text(encoding="utf-8")
    page.close()
    assert "Rehabiliteringspost 3" in sheet and "skjermet (færre enn 5 ansatte)" in sheet
    assert not [v for v in truth.values() if v in sheet]
    log = [json.loads(x) for x in service.access.read_text(encoding="utf-8").splitlines()]
    assert any(x["user"] == "solo" and x["action"] == "sheet_download" and x["what"] == "D7-127"
               and x["period"] == "2025Q3" and x["run_id"] for x in log)
    from tests.service.conftest import cli

    r = cli("history", "--access", str(service.access))
    assert r.returncode == 0 and "sheet_download" in r.stdout
