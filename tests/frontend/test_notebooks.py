"""Every notebook passes ``marimo check`` and runs top to bottom headless, producing real values."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["benchmark.py", "unit.py", "criteria.py", "measures.py"]


def _app(name: str):
    spec = importlib.util.spec_from_file_location(f"nb_{name[:-3]}", ROOT / "notebooks" / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_marimo_check_passes(name):
    proc = subprocess.run([sys.executable, "-m", "marimo", "check", str(ROOT / "notebooks" / name)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_benchmark_app_ranks_the_demo_and_reacts_to_weights():
    app = _app("benchmark.py")
    _, defs = app.run()
    result = defs["result"]
    assert defs["period"].value == "2025Q3"
    ranking = result.ranking
    assert len(ranking) == 161
    scored = ranking.dropna(subset=["rank"])
    assert (scored["rank_low"] <= scored["rank"]).all() and (scored["rank"] <= scored["rank_high"]).all()
    # the notebook's result is the base result re-scored with the sliders' weights
    base = defs["base"]
    assert result.ranking["composite"].round(9).equals(base.rescore(weights=defs["weights"].value)
                                                       .ranking["composite"].round(9))
    heavy = {k: (3.0 if k == "sick_leave_rate" else 0.25) for k in defs["weights"].value}
    moved = base.rescore(weights=heavy).ranking.set_index("entity_id")["rank"]
    assert (moved != base.ranking.set_index("entity_id")["rank"]).any()


def test_unit_app_explains_a_chosen_unit():
    app = _app("unit.py")
    _, defs = app.run()
    result = defs["result"]
    unit_id = result.ranking.sort_values("potential_rank")["entity_id"].iloc[0]
    _, defs = app.run(defs={"chosen": unit_id})
    text = defs["explanation"]
    name = result.ranking.set_index("entity_id").loc[unit_id, "entity_name"]
    assert text.startswith(name)
    assert "Samlet score: nr." in text


def test_criteria_app_shows_before_and_after():
    app = _app("criteria.py")
    _, defs = app.run()
    movement = defs["movement"]
    assert {"Plass før", "Plass etter", "Flytting"} <= set(movement.columns)
    assert defs["tuned"].hash() == defs["catalogue"].hash()  # untouched sliders: same catalogue


def test_measures_app_orders_divisions_by_realisation():
    app = _app("measures.py")
    _, defs = app.run()
    divisions = defs["divisions"]
    assert divisions["realisation_vs_risk"].is_monotonic_increasing
    assert len(divisions) == 8


def test_benchmark_app_shows_a_stored_run(tmp_path, monkeypatch):
    from benchmark.cli import main

    monkeypatch.chdir(tmp_path)  # the default store benchmark-out/history.duckdb, here
    assert main(["run", str(ROOT / "fixtures" / "demo"), "--period", "2025Q3", "--quiet"]) == 0
    from benchmark import views

    run_id = next(iter(views.stored_runs().values()))
    app = _app("benchmark.py")
    _, defs = app.run(defs={"source": type("Text", (), {"value": run_id})(),
                            "level": type("Level", (), {"value": "unit"})()})
    assert defs["period"].value == "2025Q3"
    stored = defs["result"].ranking.set_index("entity_id")["rank"]
    fresh = views.scored("demo", "2025Q3", "unit").ranking.set_index("entity_id")["rank"]
    assert stored.equals(fresh.reindex(stored.index))


def test_a_unit_clicked_in_the_funnel_is_highlighted_in_the_other_charts():
    import pandas as pd

    from benchmark import charts, views

    res = views.scored("demo", "2025Q3", "unit")
    spec = charts.funnel_chart(res.scores, "activity_per_fte", peer_group="inpatient:somatic", selectable=True).to_dict()
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    assert any(p.get("name") == "unit" and p["select"]["fields"] == ["entity_id"] for p in params)
    assert views.picked_entity(pd.DataFrame({"entity_id": ["D1-001"]}), "D2-002") == "D1-001"
    assert views.picked_entity(pd.DataFrame({"entity_id": []}), "D2-002") == "D2-002"
    assert views.funnel_group(res, "", "D1-001") == "inpatient:somatic"
    caterpillar = charts.caterpillar_chart(res.ranking, peer_group="inpatient:somatic", highlight="D1-001").to_dict()
    rows = caterpillar["datasets"][next(iter(caterpillar["datasets"]))]
    assert [r["entity_id"] for r in rows if r["selected"]] == ["D1-001"]
