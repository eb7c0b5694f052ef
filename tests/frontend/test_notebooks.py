"""Every notebook passes ``marimo check`` and runs top to bottom headless, producing real values."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["analysis.py", "unit.py", "criteria.py", "measures.py"]


@pytest.fixture(autouse=True)
def _no_arguments_and_no_store(tmp_path, monkeypatch):
    """Each app as `marimo run` without arguments, and no store (so the demo) unless a test sets one."""
    monkeypatch.setattr("sys.argv", ["app.py"])
    monkeypatch.setenv("BENCHMARK_STORE", str(tmp_path / "no-store.duckdb"))


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


def test_analysis_app_ranks_the_demo_and_reacts_to_weights():
    app = _app("analysis.py")
    _, defs = app.run()
    result = defs["result"]
    assert defs["period"].value == "2025Q3"
    ranking = result.ranking
    assert len(ranking) == 161
    scored = ranking.dropna(subset=["rank"])
    assert (scored["rank_low"] <= scored["rank"]).all() and (scored["rank"] <= scored["rank_high"]).all()
    # untouched sliders: the result is the base result itself (a stored run shows its own files)
    base = defs["base"]
    assert result is base
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
    assert {"Plass før", "Intervall før", "Plass etter", "Intervall etter", "Flytting (opp +)"} <= set(movement.columns)
    assert defs["tuned"].hash() == defs["catalogue"].hash()  # untouched sliders: same catalogue


@pytest.mark.parametrize("name", ["analysis.py", "criteria.py"])
def test_in_english_the_weights_are_dropdowns_in_english_numbers_that_give_the_same_result(name, monkeypatch):
    """A slider writes the notebook's nb-NO numbers (1,5), so the English page has dropdowns
    labelled 1.50; their values are the catalogue's weights, so nothing is re-scored until one moves."""
    from benchmark import views

    monkeypatch.setattr("sys.argv", ["app.py", "--lang", "en"])
    _, defs = _app(name).run()
    cat = defs["catalogue"]
    assert defs["weights"].value == {c.id: c.weight for c in cat.criteria}
    for c in cat.criteria:
        element = defs["weights"][c.id]
        assert type(element).__name__ == "dropdown"
        assert views.weight_options(c.weight, "en")[1] in element.options
        assert not any("," in label for label in element.options)
    if name == "criteria.py":
        assert defs["tuned"].hash() == cat.hash()
    else:
        assert defs["result"] is defs["base"]


def test_weight_options_hold_the_slider_steps_and_a_weight_between_them():
    from benchmark import views

    options, now = views.weight_options(1.5, "en")
    assert now == "1.50" and options["1.50"] == 1.5 and len(options) == 13
    assert list(options)[:3] == ["0.00", "0.25", "0.50"] and options["3.00"] == 3.0
    options, now = views.weight_options(0.3, "en")
    assert now == "0.30" and options[now] == 0.3 and len(options) == 14
    assert list(options).index("0.30") == 2  # in order, between 0.25 and 0.50
    assert views.weight_options(1.5, "nb")[1] == "1,50"


def test_measures_app_orders_divisions_by_realisation():
    app = _app("measures.py")
    _, defs = app.run()
    divisions = defs["divisions"]
    assert divisions["realisation_vs_risk"].is_monotonic_increasing
    assert len(divisions) == 8


def _store_with_a_run(tmp_path):
    from benchmark.cli import main

    out, store = tmp_path / "out", tmp_path / "history.duckdb"
    assert main(["run", str(ROOT / "fixtures" / "demo"), "--period", "2025Q3", "--quiet", "--out", str(out),
                 "--store", str(store)]) == 0
    return out, store


def test_the_stored_run_shown_in_the_app_equals_its_ranking_csv(tmp_path, monkeypatch):
    """`-- --source run:<id>` with unchanged weights shows the run's own ranking.csv: intervals,
    composite and potential (it used to re-rank 21 of 150 units differently)."""
    import pandas as pd

    from benchmark import sources

    out, store = _store_with_a_run(tmp_path)
    run_id = sources.stored_runs(store)["run_id"].iloc[-1]
    monkeypatch.setattr("sys.argv", ["analysis.py", "--source", f"run:{run_id}", "--store", str(store)])
    _, defs = _app("analysis.py").run()
    assert defs["problem"] is None and defs["src"].kind == "run"
    # opened lazily: the first screen read neither the monthly rows nor the trend table
    assert "monthly" not in defs["base"].__dict__ and "trend" not in defs["base"].__dict__
    shown = defs["result"].ranking.set_index("entity_id")
    csv = pd.read_csv(out / "2025Q3" / "ranking.csv").set_index("entity_id")
    assert len(shown) == len(csv) == len(sources.dataset(sources.open_source("demo")[0]).units)  # every unit
    shown = shown.reindex(csv.index)
    for col in ("composite", "rank", "rank_low", "rank_high", "potential_fte", "potential_knok",
                "potential_total_knok"):
        assert ((shown[col] - csv[col]).abs().fillna(0) <= 1e-9 * (1 + csv[col].abs().fillna(0))).all(), col  # csv: 10+ digits
    # and re-ranking the stored run with its own weights gives the same intervals (order-free draws)
    again = defs["base"].rescore(weights=defs["base"].catalogue.weights()).ranking.set_index("entity_id")
    assert again.reindex(csv.index)[["rank_low", "rank_high"]].equals(shown[["rank_low", "rank_high"]])


def test_every_app_opens_the_latest_stored_run_by_default(tmp_path, monkeypatch):
    _, store = _store_with_a_run(tmp_path)
    monkeypatch.setenv("BENCHMARK_STORE", str(store))
    monkeypatch.setattr("sys.argv", ["app.py"])
    for name in NOTEBOOKS:
        _, defs = _app(name).run()
        assert defs["src"].kind == "run" and defs["problem"] is None, name


def test_a_bad_source_keeps_the_controls_and_says_why(monkeypatch):
    monkeypatch.setattr("sys.argv", ["app.py", "--source", "/no/such/folder"])
    for name in NOTEBOOKS:
        _, defs = _app(name).run()
        assert defs["src"] is None and "Finner ikke «/no/such/folder»" in defs["problem"], name
        assert "period" in defs and "source" in defs  # the controls are still defined


def test_every_period_the_measures_app_offers_works():
    from benchmark import sources, views

    src, _ = sources.open_source("demo")
    for period in sources.period_choices(src):
        res, failure = views.safe_result(src, period, "division")
        assert failure is None, period
        divisions = views.division_rows(res.measures)
        for division in sources.division_choices(src):
            views.measures_view(views.department_rows(res.measures, division))
        views.measures_view(divisions)


def test_the_unit_list_does_not_depend_on_the_period():
    from benchmark import sources

    src, _ = sources.open_source("demo")
    choices = sources.entity_choices(src)
    assert len(choices) == len(set(choices.values())) == len(sources.dataset(src).units)  # every unit, once


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


def test_tables_and_choices_name_peer_groups_in_words():
    """The ranking table and the peer-group picker say "døgnenheter i psykisk helsevern", not the
    code ``inpatient:mental_health`` (a code is what a leader should never have to decode)."""
    from benchmark import views

    res = views.scored("demo", "2025Q3", "unit")
    table, _ = views.ranking_table(res)
    shown = set(table["Sammenligningsgruppe"])
    assert "døgnenheter i psykisk helsevern" in shown
    assert not any(":" in g for g in shown)
    assert all(":" not in label for label in views.peer_group_choices(res))


def test_the_measures_app_tables_are_in_words():
    """Risk classes as lav/middels/høy and data-quality notes under Norwegian headings, without the
    rule codes (``delayed_but_green``) or column names (``message_nb``) a leader cannot read."""
    from benchmark import views
    from benchmark.catalogue import load_criteria
    from benchmark.measures.history import calibrate, quality_flags

    measures = views.load_source("demo").measures
    calibration = views.calibration_view(calibrate(measures, load_criteria().risk_probabilities))
    assert set(calibration["Risiko"]) <= {"lav", "middels", "høy"}
    quality = views.quality_view(quality_flags(measures))
    assert len(quality) > 0
    assert list(quality.columns) == ["Rapportmåned", "Divisjon", "Avdeling", "Tiltak", "Merknad"]
    assert not quality["Merknad"].str.contains("_").any()
    assert list(views.quality_view(quality_flags(measures), "en").columns)[-1] == "Note"
