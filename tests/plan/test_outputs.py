"""benchmark plan: the files of SPEC §6, the Norwegian workbook and report, the store, and failures."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.plan.core import BUDGET_COLUMNS
from benchmark.plan.gap import GAP_COLUMNS, INDICATOR_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture(scope="module")
def run_2025(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan")
    code = main(["plan", str(DEMO), "--year", "2025", "--out", str(out)])
    return code, out


def test_files_and_columns(run_2025):
    code, out = run_2025
    assert code == 0
    folder = out / "plan-2025"
    assert sorted(p.name for p in folder.iterdir() if p.name != ".manifest.json") == sorted(
        ["staffing_budget.csv", "gap.csv", "indicators.csv", "plan.xlsx", "plan.html"])
    assert list(pd.read_csv(folder / "staffing_budget.csv").columns) == BUDGET_COLUMNS
    gap = pd.read_csv(folder / "gap.csv")
    assert list(gap.columns) == GAP_COLUMNS
    assert list(pd.read_csv(folder / "indicators.csv").columns) == INDICATOR_COLUMNS
    # the benchmark run scored in memory gives FTE needed for units with an activity plan
    units = gap[gap["level"] == "unit"]
    assert units.loc[units["has_activity_plan"], "fte_needed_for_activity"].notna().mean() > 0.8
    assert units.loc[~units["has_activity_plan"], "fte_needed_for_activity"].isna().all()


def test_workbook_is_norwegian_and_adds_up(run_2025):
    _, out = run_2025
    wb = openpyxl.load_workbook(out / "plan-2025" / "plan.xlsx")
    assert wb.sheetnames == ["Divisjoner", "Avdelinger", "Enheter", "Fossefall", "Månedsbudsjett", "Indikatorer",
                             "Forutsetninger"]
    ws = wb["Divisjoner"]
    head = [c.value for c in ws[1]]
    assert {"Lønnsramme", "Plankostnad", "Gap", "Tiltak (risikojustert)", "Uløst utfordring"} <= set(head)
    col = {h: i for i, h in enumerate(head)}
    for row in ws.iter_rows(min_row=2, values_only=True):
        assert row[col["Lønnsramme"]] + row[col["Gap"]] == pytest.approx(row[col["Plankostnad"]])
        assert row[col["Gap"]] - row[col["Tiltak (risikojustert)"]] == pytest.approx(row[col["Uløst utfordring"]])
    assert ws.cell(2, col["Plankostnad"] + 1).number_format == "#,##0"
    assumptions = {r[0]: r[1] for r in wb["Forutsetninger"].iter_rows(min_row=2, values_only=True)}
    assert assumptions["Kvelds- og nattillegg (17–06)"] == "28\u00a0% av timelønn, minst 70 kr per time"
    assert assumptions["Helge- og høytidstillegg (§ 10-10-vinduer)"].startswith("133,33\u00a0%")
    assert assumptions["Årslønn sykepleier (forutsetning)"].startswith("589")
    steps = [r[1] for r in wb["Fossefall"].iter_rows(min_row=2, max_row=9, values_only=True)]
    assert steps == ["Lønnsramme", "Grunnlønn i plan", "Tillegg", "Sosiale kostnader", "Dekning ferie og fravær",
                     "Gap til ramme", "Tiltak (risikojustert)", "Uløst utfordring"]


def test_report_is_self_contained_with_a_waterfall_per_clinic(run_2025):
    _, out = run_2025
    text = (out / "plan-2025" / "plan.html").read_text(encoding="utf-8")
    assert text.count("<svg") == 8  # one waterfall per division
    assert "http://" not in text.replace("http://www.w3.org", "") and "<script" not in text
    assert "Bemanningsbudsjett 2025" in text and "Uløst utfordring" in text
    assert "\u00a0" in text  # Norwegian thousands separator in the numbers


def test_recorded_in_the_store(run_2025):
    _, out = run_2025
    con = duckdb.connect(str(out / "history.duckdb"), read_only=True)
    try:
        runs = con.execute("SELECT run_id, year, tariff_version FROM plan_runs").fetchall()
        assert len(runs) == 1 and runs[0][1] == 2025 and runs[0][2] == "spekter-a2-2025"
        n = con.execute("SELECT count(*) FROM plan_gap WHERE run_id = ?", [runs[0][0]]).fetchone()[0]
        assert n == len(pd.read_csv(out / "plan-2025" / "gap.csv"))
        kinds = dict(con.execute("SELECT run_id, kind FROM runs").fetchall())
        assert kinds == {runs[0][0]: "plan"}  # in the run history through the commit protocol, as a plan
    finally:
        con.close()
    from benchmark.store import list_runs

    assert list_runs(out / "history.duckdb").empty  # a plan is not a benchmark run
    con = duckdb.connect(str(out / "history.duckdb"), read_only=True)
    try:
        pass
    finally:
        con.close()


def test_a_failed_plan_leaves_earlier_outputs(run_2025, tmp_path, capsys):
    _, out = run_2025
    before = (out / "plan-2025" / "gap.csv").read_bytes()
    bad = tmp_path / "tariff.toml"
    text = (ROOT / "criteria" / "tariff.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace('id = "sykepleier"', 'id = "sykepleiar"'), encoding="utf-8")
    assert main(["plan", str(DEMO), "--year", "2025", "--out", str(out), "--tariff", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "'sykepleier'" in err and "(rule unknown_role)" in err and "rota rows" in err
    assert (out / "plan-2025" / "gap.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".plan-2025")]


def test_bad_tariff_lists_every_problem(tmp_path, capsys):
    bad = tmp_path / "tariff.toml"
    text = (ROOT / "criteria" / "tariff.toml").read_text(encoding="utf-8")
    bad.write_text(text.replace("employer_tax = 0.141", "employer_tax = -1").replace('id = "weekend"', 'id = "helg"')
                   .replace('absence = "unit"', 'absence = "enhet"'), encoding="utf-8")
    assert main(["plan", str(DEMO), "--year", "2026", "--tariff", str(bad), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "3 error(s)" in err and "social_costs.employer_tax" in err and "cover.absence" in err and "'helg'" in err
