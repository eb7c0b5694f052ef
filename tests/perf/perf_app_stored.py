"""The analysis app opening a STORED national run: time to a complete first screen (target ≤ 4 s).

    .venv/bin/python tests/perf/perf_app_stored.py [n_units]

Generates a 10 000-unit dataset, runs ``benchmark run`` into a fresh store, serves
notebooks/analysis.py with ``-- --source run:<id> --store FILE`` and opens it in Debian's headless
Chromium three times (a new page each time, the server's caches warm after the first). Prints the
time from navigation until the ranking table shows and until no output is stale or loading, as a
table (figure, target, share of target). Not a test: timings on shared machines are noisy.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from benchmark.cli import main as cli
from benchmark.dataset import dataset_from_frames, write_dataset
from benchmark.demo_data import generate_national

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("frontend_conftest", ROOT / "tests" / "frontend" / "conftest.py")
frontend = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(frontend)

SETTLED = "() => document.querySelectorAll('.marimo-output-stale, .marimo-output-loading').length === 0"
TARGET_S = 4.0


def main(n_units: int = 10_000, opens: int = 3) -> None:
    from playwright.sync_api import sync_playwright

    from benchmark import sources

    with tempfile.TemporaryDirectory() as tmp:
        tables = generate_national(n_units, 36, seed=1)
        data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), Path(tmp) / "data", "parquet")
        store = Path(tmp) / "history.duckdb"
        assert cli(["run", str(data), "--period", "2025Q2", "--out", str(Path(tmp) / "out"), "--store", str(store),
                    "--quiet"]) == 0
        run_id = str(sources.stored_runs(store)["run_id"].iloc[-1])
        server = frontend.MarimoServer("analysis.py", args=["--source", f"run:{run_id}", "--store", str(store)]).start()
        pw = None
        rows = []
        try:
            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=frontend.CHROMIUM, args=frontend.CHROMIUM_ARGS, headless=True)
            for i in range(opens):
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                start = time.perf_counter()
                page.goto(server.url, wait_until="domcontentloaded")
                page.get_by_role("table").first.wait_for(timeout=300_000)
                shown = time.perf_counter() - start
                page.wait_for_timeout(200)
                page.wait_for_function(SETTLED, timeout=300_000)
                done = time.perf_counter() - start
                rows.append((f"open {i + 1} ({'cold' if i == 0 else 'warm'} server)", shown, done))
                page.close()
            browser.close()
        finally:
            if pw is not None:
                pw.stop()
            server.stop()
    print(f"\nAnalysis app, stored run of {n_units} units (2 shared cores, Python {sys.version.split()[0]}):")
    print(f"{'open':<28}{'table shown (s)':>17}{'complete (s)':>14}{'target (s)':>12}{'share':>8}")
    for name, shown, done in rows:
        print(f"{name:<28}{shown:>17.2f}{done:>14.2f}{TARGET_S:>12.1f}{done / TARGET_S:>8.0%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
