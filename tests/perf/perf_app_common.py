"""What the app perf scripts share: a national store, a served app, Chromium, the machine line, tables.

Not a test (no timed assertions anywhere in the suite): the scripts print figure, target and
share of the target, the best and the median of repeated runs, with the machine and its load.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("frontend_conftest", ROOT / "tests" / "frontend" / "conftest.py")
frontend = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(frontend)

SETTLED = "() => document.querySelectorAll('.marimo-output-stale, .marimo-output-loading').length === 0"


def machine() -> str:
    """"2 shared cores, Python 3.11.7, Debian 12, load ≈ 2,1" — as the README's tables say it."""
    try:
        debian = "Debian " + Path("/etc/debian_version").read_text().strip().split(".")[0]
    except OSError:
        debian = platform.system()
    return f"{os.cpu_count()} shared cores, Python {sys.version.split()[0]}, {debian}, load ≈ {load_now()}"


def load_now() -> str:
    return f"{os.getloadavg()[0]:.1f}".replace(".", ",")


def national_store(tmp: Path, n_units: int, period: str = "2025Q2") -> tuple[Path, Path, str]:
    """A generated dataset of ``n_units`` × 36 months and a store with one ``benchmark run`` of it."""
    from benchmark import sources
    from benchmark.cli import main as cli
    from benchmark.dataset import dataset_from_frames, write_dataset
    from benchmark.demo_data import generate_national

    tables = generate_national(n_units, 36, seed=1)
    data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), tmp / "data", "parquet")
    store = tmp / "history.duckdb"
    assert cli(["run", str(data), "--period", period, "--out", str(tmp / "out"), "--store", str(store),
                "--quiet"]) == 0
    return data, store, str(sources.stored_runs(store)["run_id"].iloc[-1])


class Browser:
    """Debian's headless Chromium through Playwright (no browser download)."""

    def __enter__(self):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(executable_path=frontend.CHROMIUM, args=frontend.CHROMIUM_ARGS,
                                                headless=True)
        return self

    def page(self):
        return self.browser.new_page(viewport={"width": 1440, "height": 1000})

    def __exit__(self, *exc):
        self.browser.close()
        self._pw.stop()


def settle(page, timeout_ms: int = 300_000) -> None:
    page.wait_for_function(SETTLED, timeout=timeout_ms)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.0f}".replace(",", " ")


def s(seconds: float) -> str:
    return f"{seconds:.2f}".replace(".", ",")


def table(title: str, rows: list[tuple[str, list[float], float]], unit: str = "s") -> str:
    """figure | best | median | target | share (median / target), one row per figure."""
    show = s if unit == "s" else ms
    lines = [title, f"{'figure':<58}{'best':>9}{'median':>9}{'target':>9}{'share':>8}   n",
             "-" * 98]
    for name, values, target in (r for r in rows if r[1]):  # a figure not measured this time is left out
        best, med = min(values), statistics.median(values)
        share = f"{med / target:.0%}".replace("%", " %") if target else ""
        lines.append(f"{name:<58}{show(best):>9}{show(med):>9}{show(target):>9}{share:>8}   {len(values)}")
    return "\n".join(lines) + f"\n({unit}; share = median / target)"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out
