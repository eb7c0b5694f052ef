"""The analysis app at national scale in a real browser: how long a weight change takes to show.

    .venv/bin/python tests/perf/perf_app_browser.py [n_units]

Generates a 10 000-unit dataset, serves notebooks/analysis.py on it with ``marimo run
--headless -- --source DATA``, opens it in Debian's headless Chromium and moves the sick-leave
weight slider between its ends (3 and 0) several times. For each move it prints the time until
the ranking table shows the new order and until every output has finished redrawing (no stale or
loading output left). Not a test: timings on shared machines are noisy; the figures go into the
README.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from benchmark.dataset import dataset_from_frames, write_dataset
from benchmark.demo_data import generate_national

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("frontend_conftest", ROOT / "tests" / "frontend" / "conftest.py")
frontend = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(frontend)

SETTLED = "() => document.querySelectorAll('.marimo-output-stale, .marimo-output-loading').length === 0"


def main(n_units: int = 10_000, moves: int = 6) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tables = generate_national(n_units, 36, seed=1)
        data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), Path(tmp) / "data", "csv")
        server = frontend.MarimoServer("analysis.py", args=["--source", str(data)]).start()
        pw = None
        try:
            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=frontend.CHROMIUM, args=frontend.CHROMIUM_ARGS,
                                         headless=True)
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            start = time.perf_counter()
            page.goto(server.url, wait_until="domcontentloaded")
            page.get_by_text("Rangering med intervall").first.wait_for(timeout=300_000)
            page.wait_for_function(SETTLED, timeout=300_000)
            print(f"\nAnalysis app in Chromium, {n_units} units: first page ready in "
                  f"{time.perf_counter() - start:.1f} s (read, validate, score, draw)")
            table = page.get_by_role("table").first
            slider = page.get_by_role("slider").nth(4)  # sick leave
            print(f"{'move':<28}{'ranking shown (ms)':>20}{'all redrawn (ms)':>18}")
            for i in range(moves):
                before = table.inner_text()
                slider.focus()
                t0 = time.perf_counter()
                slider.press("End" if i % 2 == 0 else "Home")
                page.wait_for_function(
                    "([el, old]) => el.innerText !== old", arg=[table.element_handle(), before], timeout=60_000)
                shown = time.perf_counter() - t0
                page.wait_for_function(SETTLED, timeout=60_000)
                done = time.perf_counter() - t0
                label = "sick leave weight → " + ("3" if i % 2 == 0 else "0")
                print(f"{label:<28}{1000 * shown:>20.0f}{1000 * done:>18.0f}")
            page.screenshot(path=str(frontend.ARTIFACTS / f"benchmark-national-{n_units}.png"), full_page=False)
            browser.close()
        finally:
            if pw is not None:
                pw.stop()
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
