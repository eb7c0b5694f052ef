"""Status sheets that used to lose data silently or end in a traceback (issue 14, item 3).

The CSV cases are files in ``tests/data/bad_sheets/`` (Windows-1252, ``;``, the seed's header
with line breaks); the workbook cases are real .xlsx files written here with openpyxl, which —
like any program that is not Excel — stores formulas without their results.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from benchmark.cli import main

SHEETS = Path(__file__).resolve().parents[1] / "data" / "bad_sheets"

CASES = {  # file → (exit code, {(source, row, column, rule)} of the errors)
    "valid.csv": (0, set()),
    "unknown_progress_word.csv": (1, {("unknown_progress_word.csv", 9, "progress", "unknown_category")}),
    "unknown_risk_word.csv": (1, {("unknown_risk_word.csv", 10, "risk", "unknown_category")}),
    "unknown_status_word.csv": (1, {("unknown_status_word.csv", 9, "status", "unknown_category")}),
    "row_above_first_section.csv": (1, {("row_above_first_section.csv", 5, None, "row_before_section")}),
    "impossible_start_date.csv": (1, {("impossible_start_date.csv", 9, "start", "bad_date")}),
    "huge_description_cell.csv": (0, set()),
    "old_format.xls": (1, {("old_format.xls", None, None, "old_excel_format")}),
    "password_protected.xlsx": (1, {("password_protected.xlsx", None, None, "encrypted_workbook")}),
    "corrupt.xlsx": (1, {("corrupt.xlsx", None, None, "not_a_workbook")}),
}


def run_import(path: Path, tmp_path: Path, *extra: str, division: str = "Indre") -> tuple[int, str, Path]:
    out = tmp_path / "measures.csv"
    code = main(["import-measures", str(path), "--division", division, "--report-month", "2025-06",
                 "-o", str(out), *extra])
    return code, out


def errors_of(path: Path, **kw):
    from benchmark.issues import DataError
    from benchmark.measures import import_status_sheet

    try:
        _, issues = import_status_sheet(path, "Indre", "2025-06", **kw)
    except DataError as exc:
        issues = exc.issues
    return {(i.source, i.row, i.column, i.rule) for i in issues if i.level == "error"}


def test_every_file_is_a_case():
    assert {p.name for p in SHEETS.iterdir()} == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_through_the_cli(name, tmp_path, capsys):
    code, expected = CASES[name]
    got, out = run_import(SHEETS / name, tmp_path)
    captured = capsys.readouterr()
    assert got == code, captured.err
    assert "Traceback" not in captured.err
    assert errors_of(SHEETS / name) == expected
    assert out.exists() == (code == 0)  # nothing is written when the sheet has errors


def test_a_huge_cell_is_cut_at_the_excel_limit_with_a_warning(tmp_path, capsys):
    import pandas as pd

    assert run_import(SHEETS / "huge_description_cell.csv", tmp_path)[0] == 0
    assert "text_too_long" in capsys.readouterr().out
    frame = pd.read_csv(tmp_path / "measures.csv")
    assert frame["description"].str.len().max() == 32_767


def test_a_blank_division_is_a_usage_error(tmp_path, capsys):
    assert run_import(SHEETS / "valid.csv", tmp_path, division=" ")[0] == 2
    assert "--division" in capsys.readouterr().err


def test_a_missing_file_and_a_missing_output_folder(tmp_path, capsys):
    assert run_import(tmp_path / "nosuch.xlsx", tmp_path)[0] == 1
    assert "nosuch.xlsx: there is no file at this path (rule missing_file)" in capsys.readouterr().err
    code = main(["import-measures", str(SHEETS / "valid.csv"), "--division", "Indre", "--report-month", "2025-06",
                 "-o", str(tmp_path / "nodir" / "measures.csv")])
    assert code == 2 and "the folder" in capsys.readouterr().err


def rows_of(name: str) -> list[list[str]]:
    with open(SHEETS / name, encoding="cp1252", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def workbook(path: Path, sheets: dict[str, list[list[object]]], active: int = 0) -> Path:
    wb = Workbook()
    del wb["Sheet"]
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append([None if c == "" else c for c in row] or [None])
    wb.active = active
    wb.save(path)
    return path


def test_the_status_sheet_is_found_when_another_sheet_is_active(tmp_path, capsys):
    path = workbook(tmp_path / "status.xlsx", {"Forside": [["Innhold"], ["Se arket Tiltak"]],
                                               "Tiltak": rows_of("valid.csv")}, active=0)
    assert run_import(path, tmp_path)[0] == 0
    assert "Imported 3 measures" in capsys.readouterr().out


def test_two_status_sheets_ask_for_sheet(tmp_path, capsys):
    path = workbook(tmp_path / "status.xlsx", {"Mai": rows_of("valid.csv"), "Juni": rows_of("valid.csv")})
    assert run_import(path, tmp_path)[0] == 2
    assert "'Mai', 'Juni'" in capsys.readouterr().err
    assert run_import(path, tmp_path, "--sheet", "Juni")[0] == 0


def test_a_sum_formula_without_a_stored_result_is_reported_not_read_as_zero(tmp_path, capsys):
    rows = rows_of("valid.csv")
    for row in rows:
        if row and row[0] == "Sum kostnadsreduserende tiltak":
            row[5] = "=SUM(F9:F10)"
    path = workbook(tmp_path / "status.xlsx", {"Tiltak": rows})
    assert run_import(path, tmp_path)[0] == 1
    err = capsys.readouterr().err
    assert "row 11, column 'Virkning 2025 (1000 kr)' = '=SUM(F9:F10)': the cell holds a formula whose result" in err
    assert "sum_mismatch" not in err


def test_an_excel_error_cell_in_a_measure_row(tmp_path, capsys):
    path = workbook(tmp_path / "status.xlsx", {"Tiltak": rows_of("valid.csv")})
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["Tiltak"]["F9"].value = "#REF!"
    wb["Tiltak"]["F9"].data_type = "e"
    wb.save(path)
    assert run_import(path, tmp_path)[0] == 1
    assert "row 9, column 'Virkning 2025 (1000 kr)' = '#REF!': the cell holds the Excel error #REF!" in \
        capsys.readouterr().err
