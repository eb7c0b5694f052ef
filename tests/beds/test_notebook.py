"""notebooks/beds.py passes marimo check and runs headless on the demo, with the plain explanation."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_marimo_check_passes():
    proc = subprocess.run([sys.executable, "-m", "marimo", "check", str(ROOT / "notebooks" / "beds.py")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_app_runs_on_the_demo_and_explains_in_norwegian():
    spec = importlib.util.spec_from_file_location("nb_beds", ROOT / "notebooks" / "beds.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _, defs = module.app.run()
    bd, ward = defs["bd"], defs["ward"].value
    assert bd.service_level == 0.95 and ward in set(bd.bed_plan["unit_id"])
    from benchmark.beds import app as beds_app

    text = beds_app.week_explanation(bd, ward, 5)
    assert text.startswith("Med ") and " senger i uke 5 vil posten være full om lag 1 av " in text
    # a lower service level, recomputed from the stored forecast, never needs more beds
    lower = defs["draft"].with_options(service_level=0.8)
    assert (lower.ward(ward)["beds_recommended"].to_numpy() <= bd.ward(ward)["beds_recommended"].to_numpy()).all()
