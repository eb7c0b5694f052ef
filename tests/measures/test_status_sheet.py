"""Status sheets exactly in the layout of seed 004, as xlsx and as Windows-1252 CSV with semicolons.

Each sheet is built from the seed's own rows (benchmark/demo_seed.py), with the title rows, the
header with line breaks inside cells, the two sections and the "Sum" rows the seed states.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from benchmark.cli import main
from benchmark.demo_seed import SEED_2024
from benchmark.issues import DataError
from benchmark.measures import import_status_sheet

HEADER = ["Område/avdeling", "Beskivelse", "Fremdrift", "Planlagt \nnedtak \nårsverk", "Innslagstids-\npunkt",
          "Virkning 2024 \n(1000 kr)", "Risiko-\nvurdering", "Status (grønn, \ngul og rødt)"]
# the seed's own "Sum" rows: (income, cost, total, total FTE)
DECLARED = {"Elverum-Hamar": ("23 200", "58 559", "81 759", "28,0"), "Tynset": ("1 520", "2 100", "3 620", "-"),
            "Prehospitale tjenester": ("-", "19 200", "19 200", "14,5")}
TITLE = {"Elverum-Hamar": "Divisjon Elverum - Hamar", "Tynset": "Divisjon Tynset",
         "Prehospitale tjenester": "Divisjon Prehospitale tjenester"}


def nor(x: float | None) -> str:
    if x is None:
        return ""
    text = f"{x:,.1f}" if x != int(x) else f"{int(x):,}"
    return text.replace(",", " ").replace(".", ",")


def sheet_rows(division: str, alter_sum: str | None = None) -> list[list[str]]:
    rows = [["Status tiltak - budsjett 2024 Måned: Per mars"], [TITLE[division]], [], HEADER]
    income, cost, total, fte = DECLARED[division]
    if alter_sum:
        cost = alter_sum
    for kind, label, declared in (("income", "Inntektsøkende tiltak", income), ("cost", "Kostnadsreduserende tiltak", cost)):
        rows.append([label])
        for r in SEED_2024:
            if r[0] == division and r[1] == kind:
                rows.append([r[2], r[3], r[4], nor(r[5]), r[6], nor(r[7]), r[8], ""])
        rows.append([f"Sum {label.lower()}", "", "", "", "", declared, "", ""])
    rows.append(["Sum tiltak", "", "", fte, "", total, "-", ""])
    return rows


def write_xlsx(path: Path, rows) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row or [None])
    wb.save(path)
    return path


def write_csv(path: Path, rows) -> Path:
    with open(path, "w", encoding="cp1252", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


@pytest.fixture(params=["xlsx", "csv"])
def make(request, tmp_path):
    def _make(division: str, alter_sum: str | None = None) -> Path:
        rows = sheet_rows(division, alter_sum)
        path = tmp_path / f"{division}.{request.param}"
        return write_xlsx(path, rows) if request.param == "xlsx" else write_csv(path, rows)
    return _make


def test_elverum_hamar_counts_sums_and_risk(make):
    frame, warnings = import_status_sheet(make("Elverum-Hamar"), "Elverum-Hamar", "2024-03")
    assert len(frame) == 23
    assert frame.groupby("kind")["effect_planned"].sum().to_dict() == {"cost": 58559.0, "income": 23200.0}
    assert frame.groupby("risk")["effect_planned"].sum().to_dict() == {"high": 50000.0, "low": 13500.0,
                                                                     "medium": 18259.0}
    assert frame["fte_reduction_planned"].sum() == pytest.approx(28.0)
    assert (frame["fte_reduction_planned"] < 0).sum() == 5  # more FTE for more activity
    blank = [w for w in warnings if w.rule == "blank_progress"]
    assert len(blank) == 4 and (frame["progress"] == "unknown").sum() == 4
    assert set(frame["progress"]) == {"in_progress", "delayed", "not_started", "unknown"}


def test_tynset_and_prehospital(make):
    ty, _ = import_status_sheet(make("Tynset"), "Tynset", "2024-03")
    assert ty.groupby("kind")["effect_planned"].sum().to_dict() == {"cost": 2100.0, "income": 1520.0}
    ph, warnings = import_status_sheet(make("Prehospitale tjenester"), "Prehospitale tjenester", "2024-03")
    assert ph["effect_planned"].sum() == 19200 and ph["fte_reduction_planned"].sum() == pytest.approx(14.5)
    imprecise = ph[ph["start_imprecise"]]
    assert sorted(imprecise["start"]) == ["andre halvår", "senere i året"]
    assert sorted(imprecise["start_month"]) == ["2024-07", "2024-09"]
    assert {w.rule for w in warnings} >= {"imprecise_start"}


def test_an_altered_sum_row_is_an_error_naming_the_row_and_both_values(make, tmp_path):
    with pytest.raises(DataError) as caught:
        import_status_sheet(make("Elverum-Hamar", alter_sum="58 000"), "Elverum-Hamar", "2024-03")
    issue = next(i for i in caught.value.issues if i.rule == "sum_mismatch")
    # title, title, blank, header, income section (1 + 9 rows + sum = 11) → cost section starts on row 16
    assert issue.row == 16 + 14 + 1 and issue.value == "sum kostnadsreduserende tiltak"
    assert "58 000" in issue.message and "58 559" in issue.message


def test_measure_ids_are_stable_across_report_months(make):
    march, _ = import_status_sheet(make("Elverum-Hamar"), "Elverum-Hamar", "2024-03")
    april, _ = import_status_sheet(make("Elverum-Hamar"), "Elverum-Hamar", "2024-04")
    assert march["measure_id"].tolist() == april["measure_id"].tolist()
    assert march["measure_id"].is_unique  # the two identical "legevikarer" rows differ by risk


def test_the_command_writes_a_measures_csv(make, tmp_path, capsys):
    out = tmp_path / "measures.csv"
    assert main(["import-measures", str(make("Tynset")), "--division", "Tynset", "--report-month", "2024-03",
                 "-o", str(out)]) == 0
    frame = pd.read_csv(out)
    assert {"measure_id", "report_month", "division", "department", "kind", "description", "progress", "start",
            "effect_planned", "risk"} <= set(frame.columns)
    assert "Imported 3 measures" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    write_csv(bad, sheet_rows("Tynset", alter_sum="2 000"))
    assert main(["import-measures", str(bad), "--division", "Tynset", "--report-month", "2024-03", "-o",
                 str(tmp_path / "x.csv")]) == 1
    assert "sum_mismatch" in capsys.readouterr().err and not (tmp_path / "x.csv").exists()
