"""The analysis app opening a STORED national run: time to a complete first screen (target ≤ 4 s).

    .venv/bin/python tests/perf/perf_app_stored.py [n_units] [--store FILE --run ID]

Generates a 10 000-unit dataset and runs ``benchmark run`` into a fresh store (or reuses
``--store``/``--run``), serves notebooks/analysis.py with ``-- --source run:<id> --store FILE`` and
opens it in Debian's headless Chromium. A *complete first screen* is: the ranking table, the rank
chart's heading, the funnel, the potential and the rank chart drawn (three vega views), the
picked-unit hint, and no output stale or loading. Measured three times on a freshly started
server (cold: the server process imports pandas, altair and the package during the first
session) and three times more on the last server (warm: a new browser page, a new marimo session,
the stored run already in the process-wide cache). Then one unit is picked in the ranking table
and the time until its monthly trend is drawn (read from the store for that unit alone) is shown.
Prints figure, best, median, target and share. Not a test: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from perf_app_common import Browser, frontend, machine, national_store, settle, table

TARGET_S = 4.0
CHARTS = 3  # funnel, potential, rank chart


def first_screen(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("table").first.wait_for(timeout=300_000)
    page.get_by_text("Plass med intervall").first.wait_for(timeout=300_000)
    page.get_by_text("Velg en enhet i rangeringen").first.wait_for(timeout=300_000)
    _wait_charts(page)
    settle(page)
    return time.perf_counter() - start


def _wait_charts(page) -> None:
    # vega views live inside marimo's shadow roots: Playwright's locators reach them
    deadline = time.time() + 300
    while page.locator("canvas, svg.marks").count() < CHARTS:
        if time.time() > deadline:
            raise TimeoutError("the charts were not drawn")
        page.wait_for_timeout(25)


def pick_first_unit(page) -> float:
    box = page.get_by_role("table").first.get_by_role("row").nth(1).get_by_role("checkbox").first  # row 1's tick
    t0 = time.perf_counter()
    box.click()
    page.get_by_text("Månedstall –").first.wait_for(timeout=120_000)
    settle(page)
    return time.perf_counter() - t0


def floor_open(page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("slider").first.wait_for(timeout=300_000)
    settle(page)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_units", nargs="?", type=int, default=10_000)
    ap.add_argument("--store")
    ap.add_argument("--run")
    ap.add_argument("--cold", type=int, default=3)
    ap.add_argument("--warm", type=int, default=3)
    ap.add_argument("--launcher", type=int, default=3, help="cold servers started with `benchmark app`")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.store:
            store, run_id = Path(a.store), a.run
        else:
            _, store, run_id = national_store(Path(tmp), a.n_units)
        args = ["--source", f"run:{run_id}", "--store", str(store)]
        cold, warm, picks, floor, launched, starts = [], [], [], [], [], []
        floor_server = frontend.MarimoServer(str(Path(__file__).with_name("perf_app_floor.py"))).start()
        try:
            with Browser() as b:
                page = b.page()
                floor_open(page, floor_server.url)  # the floor's own first session (imports marimo's UI)
                page.close()
                for i in range(a.cold):
                    server = frontend.MarimoServer("analysis.py", args=args).start()
                    try:
                        page = b.page()
                        cold.append(first_screen(page, server.url))
                        page.close()
                        if i < a.cold - 1:
                            continue
                        for _ in range(a.warm):  # alternating with the floor, so both see the same load
                            page = b.page()
                            floor.append(floor_open(page, floor_server.url))
                            page.close()
                            page = b.page()
                            warm.append(first_screen(page, server.url))
                            picks.append(pick_first_unit(page))
                            if len(picks) == 1:
                                page.screenshot(path=str(frontend.ARTIFACTS / "analysis-stored-national.png"),
                                                full_page=True)
                            page.close()
                        # the whole app in one picture (marimo scrolls inside the page, so a full-page
                        # shot of a 1000 px viewport shows only its top): a viewport as tall as the app
                        page = b.browser.new_page(viewport={"width": 1440, "height": 3400})
                        first_screen(page, server.url)
                        page.screenshot(path=str(frontend.ARTIFACTS / "analysis-stored-national-whole.png"))
                        page.close()
                    finally:
                        server.stop()
                for _ in range(a.launcher):  # `benchmark app`: the same cold server, warmed before it serves
                    begin = time.perf_counter()
                    server = frontend.MarimoServer("analysis.py", args=args, launcher="benchmark").start()
                    starts.append(time.perf_counter() - begin)
                    try:
                        page = b.page()
                        launched.append(first_screen(page, server.url))
                        page.close()
                    finally:
                        server.stop()
        finally:
            floor_server.stop()
    print()
    print(table(f"Analysis app, stored run of {a.n_units:_} units ({machine()})".replace("_", " "), [
        ("first screen complete, cold server (imports in 1st session)", cold, TARGET_S),
        ("first screen complete, warm server (new session)", warm, TARGET_S),
        ("  of which marimo's floor (one-slider notebook, same load)", floor, TARGET_S),
        ("first screen complete, cold `benchmark app` server (warmed)", launched, TARGET_S),
        ("  its start until it serves (warm-up before serving)", starts, 0.0),
        ("pick a unit → its monthly trend drawn", picks, 0.0),
    ]))


if __name__ == "__main__":
    main()
