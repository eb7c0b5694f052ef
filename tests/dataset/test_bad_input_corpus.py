"""The bad-input corpus of issue 14: one small file per defect, checked through the CLI.

Each case under ``tests/data/bad_input/<case>/`` holds the one file that is broken; the test lays
it over a copy of ``tests/data/tiny_trust`` (a small trust that is not the demo, written as
Norwegian Excel exports CSV) and runs ``benchmark validate`` as a user would, asserting the exit
code and the exact file, row, column, value and rule of every error — and that no traceback is
printed. ``bm.load_dataset`` must raise :class:`bm.DataError` for the same inputs (never an
ArrowInvalid, KeyError or TypeError).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import benchmark as bm
from benchmark.cli import main
from benchmark.dataset import validate_dataset

DATA = Path(__file__).resolve().parents[1] / "data"
TINY, CORPUS = DATA / "tiny_trust", DATA / "bad_input"

# case → (exit code, the errors expected: {(file, row, column, rule)}, or None to allow warnings only)
CASES: dict[str, tuple[int, set[tuple[str, int | None, str | None, str]]]] = {
    "care_level_no_known_value": (1, {("units.csv", r, "care_level", "unknown_category") for r in range(2, 12)}),
    "measures_status_column_empty": (0, set()),
    "duplicate_unit_id": (1, {("units.csv", 4, "unit_id", "duplicate_key"), ("units.csv", 12, "unit_id", "duplicate_key")}),
    "delimiter_only_rows": (0, set()),
    "header_only_units": (1, {("units.csv", None, None, "empty_table")}),
    "header_only_monthly": (1, {("monthly.csv", None, None, "empty_table")}),
    "blank_line_then_error": (1, {("monthly.csv", 8, "drg_points", "not_a_number")}),
    "impossible_month": (1, {("monthly.csv", 4, "month", "bad_month")}),
    "title_row_above_header": (1, {("units.csv", 1, None, "header_not_on_first_row")}),
    "duplicate_column_header": (1, {("monthly.csv", 1, "fte_worked", "duplicate_column")}),
    "closed_unit_with_later_months": (1, {("monthly.csv", r, "month", "outside_active_span") for r in (17, 18, 19)}),
    "utf16_units": (0, set()),
    "ambiguous_numbers": (1, {("monthly.csv", 2, "pay_fixed", "ambiguous_number")}),
    "impossible_date": (1, {("units.csv", 5, "active_from", "bad_date")}),
    "impossible_start_date": (1, {("measures.csv", 2, "start", "bad_date")}),
    "text_over_excel_limit": (0, set()),
    "old_xls_workbook": (1, {("trust.xls", None, None, "old_excel_format")}),
    "encrypted_workbook": (1, {("trust.xlsx", None, None, "encrypted_workbook")}),
    "five_problems": (1, {("units.csv", 5, "care_level", "unknown_category"),
                          ("monthly.csv", 2, "drg_points", "not_a_number"),
                          ("monthly.csv", 3, "month", "bad_month"),
                          ("monthly.csv", 4, "fte_worked", "negative"),
                          ("monthly.csv", 92, "unit_id", "unknown_unit")}),
}


def dataset_for(case: str, tmp_path: Path) -> Path:
    folder = tmp_path / case
    shutil.copytree(TINY, folder, ignore=shutil.ignore_patterns("*.md"))
    files = list((CORPUS / case).iterdir())
    for f in files:
        shutil.copy(f, folder / f.name)
    workbook = [f for f in files if f.suffix in (".xls", ".xlsx")]
    return folder / workbook[0].name if workbook else folder


def test_every_case_of_the_corpus_is_listed():
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} == set(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_through_the_cli(case, tmp_path, capsys):
    code, expected = CASES[case]
    path = dataset_for(case, tmp_path)
    assert main(["validate", str(path)]) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    ds, issues = validate_dataset(path)
    found = {(i.source, i.row, i.column, i.rule) for i in issues if i.level == "error"}
    assert found == expected
    if code:
        with pytest.raises(bm.DataError):
            bm.load_dataset(path)
        for source, row, column, rule in expected:  # the report names each place as the analyst sees it
            where = source + (f", row {row}" if row else "") + (f", column '{column}'" if column else "")
            assert where in captured.err and f"(rule {rule})" in captured.err
    else:
        assert ds is not None


def test_an_empty_status_column_loads_as_blank(tmp_path):
    ds = bm.load_dataset(dataset_for("measures_status_column_empty", tmp_path))
    assert ds.measures["status"].tolist() == ["", ""] and ds.measures["kind"].tolist() == ["cost", "income"]


def test_delimiter_only_rows_are_skipped(tmp_path):
    ds = bm.load_dataset(dataset_for("delimiter_only_rows", tmp_path))
    assert len(ds.units) == 10


def test_utf16_is_read_not_called_binary(tmp_path):
    ds = bm.load_dataset(dataset_for("utf16_units", tmp_path))
    assert ds.units["department"].iloc[1] == "Avdeling Sør"


def test_the_title_row_hint_names_row_2(tmp_path, capsys):
    main(["validate", str(dataset_for("title_row_above_header", tmp_path))])
    err = capsys.readouterr().err
    assert "the header seems to be on row 2" in err and err.count("missing_column") == 0


def test_a_closed_unit_is_described_without_nan(tmp_path, capsys):
    main(["validate", str(dataset_for("closed_unit_with_later_months", tmp_path))])
    err = capsys.readouterr().err
    assert "active until 2025-06" in err and "nan" not in err


def test_an_ambiguous_number_names_both_cells(tmp_path):
    _, issues = validate_dataset(dataset_for("ambiguous_numbers", tmp_path))
    (issue,) = [i for i in issues if i.rule == "ambiguous_number"]
    assert issue.value == "14.000" and "row 3 has '1.234,5'" in issue.message


def test_a_bad_month_is_reported_once(tmp_path):
    _, issues = validate_dataset(dataset_for("impossible_month", tmp_path))
    assert [(i.row, i.rule) for i in issues if i.level == "error"] == [(4, "bad_month")]


def test_over_long_text_is_cut_at_the_excel_limit_with_a_warning(tmp_path):
    ds, issues = validate_dataset(dataset_for("text_over_excel_limit", tmp_path))
    assert ds.units["unit_name"].str.len().max() == 32_767
    assert [(i.source, i.row, i.column, i.rule, i.level) for i in issues] == [
        ("units.csv", 6, "unit_name", "text_too_long", "warning")]


def test_excel_error_cells_are_named_not_called_blank(tmp_path, capsys):
    from openpyxl import Workbook

    ds = bm.load_dataset(TINY)
    path = tmp_path / "trust.xlsx"
    wb = Workbook()
    for name, frame in (("units", ds.units.drop(columns=["active_from", "active_to"])), ("monthly", ds.monthly)):
        sheet = wb.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
    del wb["Sheet"]
    col = list(ds.monthly.columns).index("drg_points") + 1
    wb["monthly"].cell(row=5, column=col).value = "#REF!"
    wb["monthly"].cell(row=5, column=col).data_type = "e"
    wb.save(path)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "sheet 'monthly' of trust.xlsx, row 5, column 'drg_points' = '#REF!': the cell holds the Excel error #REF!" in err
    assert "blank" not in err


def test_a_corrupt_workbook_gives_one_message_and_no_missing_tables(tmp_path, capsys):
    path = tmp_path / "trust.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "missing_table" not in err and "Traceback" not in err
