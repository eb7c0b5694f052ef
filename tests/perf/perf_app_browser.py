"""A weight change in the analysis app, in a real browser: how long until the ranking shows it.

    .venv/bin/python tests/perf/perf_app_browser.py [n_units] [--store FILE --run ID] [--moves N]

Serves notebooks/analysis.py twice — on a stored national run (``-- --source run:<id>``, a
10 000-unit ``benchmark run`` made first unless ``--store``/``--run`` are given) and on the demo
trust (``-- --source demo``, scored in the app) — opens each in Debian's headless Chromium and
moves the sick-leave weight slider between its ends (3 and 0) ``--moves`` times. For each move it
takes the time from the key press until the ranking table shows the new order, and until every
output has finished redrawing (no stale or loading output). Prints figure, best, median, target
(SPEC §9: ≤ 0,3 s until the ranking shows) and share, with the machine and its load. Not a test:
timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from perf_app_common import Browser, frontend, machine, national_store, settle, table

TARGET_S = 0.3


def slider_index() -> int:
    from benchmark import views

    return views.load_catalogue().ids.index("sick_leave_rate")


def moves(b: Browser, url: str, n: int, shot: str) -> tuple[list[float], list[float], float]:
    page = b.page()
    start = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text("Rangering med intervall").first.wait_for(timeout=300_000)
    page.get_by_text("Plass med intervall").first.wait_for(timeout=300_000)
    settle(page)
    opened = time.perf_counter() - start
    table_el = page.get_by_role("table").first
    slider = page.get_by_role("slider").nth(slider_index())
    shown, done = [], []
    for i in range(n):
        before = table_el.inner_text()
        slider.focus()
        t0 = time.perf_counter()
        slider.press("End" if i % 2 == 0 else "Home")
        page.wait_for_function("([el, old]) => el.innerText !== old", arg=[table_el.element_handle(), before],
                               timeout=120_000)
        shown.append(time.perf_counter() - t0)
        settle(page, 120_000)
        done.append(time.perf_counter() - t0)
        page.wait_for_timeout(300)
    page.screenshot(path=str(frontend.ARTIFACTS / shot), full_page=False)
    page.close()
    return shown, done, opened


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_units", nargs="?", type=int, default=10_000)
    ap.add_argument("--store")
    ap.add_argument("--run")
    ap.add_argument("--moves", type=int, default=8)
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Browser() as b:
        if a.store:
            store, run_id = Path(a.store), a.run
        else:
            _, store, run_id = national_store(Path(tmp), a.n_units)
        for label, args, shot in (
                (f"stored national run ({a.n_units:_} units)".replace("_", " "),
                 ["--source", f"run:{run_id}", "--store", str(store)], f"analysis-weights-national-{a.n_units}.png"),
                ("demo trust (161 entities, scored in the app)", ["--source", "demo"], "analysis-weights-demo.png")):
            server = frontend.MarimoServer("analysis.py", args=args).start()
            try:
                shown, done, opened = moves(b, server.url, a.moves, shot)
            finally:
                server.stop()
            rows += [(f"{label}: ranking shows the new order", shown, TARGET_S),
                     (f"{label}: every output redrawn", done, 0.0)]
            print(f"{label}: first page ready in {opened:.1f} s".replace(".", ","))
    print()
    print(table(f"A weight change in the analysis app, headless Chromium ({machine()})", rows))


if __name__ == "__main__":
    main()
