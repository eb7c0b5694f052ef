"""``benchmark beds`` end to end on a real folder: files, workbook, report, store, exit codes."""

from __future__ import annotations

import duckdb
import openpyxl
import pandas as pd
import pytest

from benchmark.cli import main

from .conftest import write_folder


@pytest.fixture(scope="module")
def run_out(tmp_path_factory, slice_tables):
    base = tmp_path_factory.mktemp("beds")
    data = write_folder(slice_tables, base / "data")
    out = base / "out"
    code = main(["beds", str(data), "--year", "2026", "--closed-weeks", "28-29", "--closed-units",
                 slice_tables["units"]["unit_id"].iloc[0], "--out", str(out)])
    return code, data, out


def test_writes_the_four_files_and_records_the_draft(run_out, capsys):
    code, _, out = run_out
    assert code == 0
    folder = out / "beds-2026"
    assert sorted(p.name for p in folder.iterdir() if p.name != ".manifest.json") == ["backtest.csv", "bed_plan.csv", "beds.html", "beds.xlsx"]
    plan = pd.read_csv(folder / "bed_plan.csv")
    assert plan["week"].str.match(r"^2026-W\d\d$").all() and plan["unit_id"].nunique() == 3
    with duckdb.connect(str(out / "history.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT year, service_level, closed_weeks, n_wards FROM beds_runs").fetchall()
        rows = con.execute("SELECT count(*) FROM beds_bed_plan").fetchone()[0]
    assert runs == [(2026, 0.95, "[28, 29]", 3)] and rows == len(plan)
    assert not any(p.name.startswith(".beds-") for p in out.iterdir())  # no temporary folders left


def test_workbook_is_norwegian_with_a_sheet_per_ward(run_out, slice_tables):
    _, _, out = run_out
    wb = openpyxl.load_workbook(out / "beds-2026" / "beds.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[:3] == ["Avdelinger", "Avveining", "Tilbaketest"]
    for unit in slice_tables["units"]["unit_id"]:
        assert any(n.startswith(unit) for n in names)
    ward = wb[next(n for n in names if n.startswith(slice_tables["units"]["unit_id"].iloc[0]))]
    header = [c.value for c in next(ward.iter_rows(min_row=3, max_row=3))]
    assert header[:2] == ["Uke", "Forventet belegg"] and "Anbefalte senger" in header


def test_report_is_self_contained_norwegian_and_explains(run_out):
    _, _, out = run_out
    text = (out / "beds-2026" / "beds.html").read_text(encoding="utf-8")
    assert "<script" not in text and "http" not in text.split("<svg", 1)[0]
    assert text.count("<svg") == 3
    assert "Utkast til sengekapasitet 2026" in text and "Avveining" in text
    assert "vil posten være full om lag 1 av" in text
    assert "Stengte uker: 28, 29." in text
    assert "85\u00a0%" in text or "85 %" in text


def test_a_second_run_replaces_the_first_completely(run_out, slice_tables, tmp_path):
    _, data, out = run_out
    assert main(["beds", str(data), "--year", "2026", "--service-level", "0,9", "--out", str(out)]) == 0
    plan = pd.read_csv(out / "beds-2026" / "bed_plan.csv")
    assert not plan["closed"].any()
    with duckdb.connect(str(out / "history.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM beds_runs").fetchone()[0] == 2


@pytest.mark.parametrize("args, message", [
    (["--year", "2026", "--closed-weeks", "31-28"], "low to high"),
    (["--year", "2026", "--service-level", "1.2"], "service level"),
    (["--year", "2026", "--closed-weeks", "uke28"], "not a week"),
])
def test_bad_arguments_exit_2(run_out, args, message, capsys):
    _, data, out = run_out
    with pytest.raises(SystemExit) as exc:
        main(["beds", str(data), *args, "--out", str(out)])
    assert exc.value.code == 2 and message in capsys.readouterr().err


def test_bad_data_exit_1_and_leaves_the_earlier_draft(run_out, slice_tables, tmp_path, capsys):
    _, _, out = run_out
    before = (out / "beds-2026" / "bed_plan.csv").read_bytes()
    t = {k: v.copy() for k, v in slice_tables.items()}
    t["daily"] = t["daily"].reset_index(drop=True)
    t["daily"].loc[10, "census"] = "-1"
    bad = write_folder(t, tmp_path / "bad")
    assert main(["beds", str(bad), "--year", "2026", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "daily.csv" in err and "census" in err and "-1" in err
    assert (out / "beds-2026" / "bed_plan.csv").read_bytes() == before


def test_a_failure_while_recording_leaves_the_earlier_draft_and_no_temporary_folder(run_out, tmp_path):
    _, data, out = run_out
    before = (out / "beds-2026" / "bed_plan.csv").read_bytes()
    store = tmp_path / "store-is-a-folder"
    store.mkdir()  # DuckDB cannot open a folder: the record step fails after the files are written
    code = main(["beds", str(data), "--year", "2026", "--service-level", "0.8", "--out", str(out),
                 "--store", str(store)])
    assert code in (1, 2)
    assert (out / "beds-2026" / "bed_plan.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.startswith(".beds-2026")]
