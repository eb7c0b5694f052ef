"""notebooks/plan.py: passes marimo check, runs headless on the demo, and the gap moves with the assumptions."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "plan.py"


def _app():
    spec = importlib.util.spec_from_file_location("nb_plan", NOTEBOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def test_marimo_check():
    proc = subprocess.run([sys.executable, "-m", "marimo", "check", str(NOTEBOOK)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_plan_app_runs_and_the_gap_moves():
    from benchmark.plan import views as pv

    _, defs = _app().run()
    pl, base = defs["pl"], defs["base"]
    assert defs["year"].value == "2026" and defs["level"] == "division"
    row = pv.row_of(pl, "division", defs["entity"])
    assert row["pay_frame"] + row["gap"] == pytest.approx(row["cost_total"])
    # a higher evening/night rate and a fixed 12 % absence cover raise the gap (re-priced, not rolled out again)
    dearer = pv.repriced(base, 0.40, 0.12, base.tariff.vacation_weeks)
    assert dearer.hours is base.hours
    moved = pv.row_of(dearer, "division", defs["entity"])
    assert moved["gap"] > row["gap"]
    assert moved["cost_total"] - row["cost_total"] == pytest.approx(moved["gap"] - row["gap"])
    drivers = pv.drivers_view(pl, "division", defs["entity"])
    assert list(drivers.columns)[:3] == ["Navn", "Grunnlag", "Ramme (kNOK)"]
    assert drivers["Gap (kNOK)"].is_monotonic_decreasing
