"""The bad-input corpus: one valid dataset, one mutation per rule, each asserting where and what.

Every case writes a small dataset folder (CSV as Norwegian Excel exports it where that matters)
and checks the exact table/file, row as the user sees it, column, value and rule of the issue.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.dataset import load_dataset, validate_dataset
from benchmark.issues import DataError

UNITS = """unit_id,unit_name,division,department,care_level,specialty,peer_group,active_from,active_to
A1,Sengepost A,Div 1,Dept 1,Sengepost,med,,,
A2,Poliklinikk B,Div 1,Dept 1,poliklinikk,med,,,
A3,Stab C,Div 2,Dept 2,support,stab,,2025-02-01,
"""
MONTHLY_HEAD = ("unit_id,month,drg_points,fte_worked,fte_contracted,pay_fixed,pay_overtime,pay_extra_shifts,"
                "pay_shift_displacement,pay_call_out,pay_other_variable,agency_cost,sick_leave_days,possible_days")
MONTHLY_ROWS = [
    "A1,2025-01,80.5,15,15,900,30,20,5,3,2,10,20,325",
    "A1,2025-02,82,15,15,900,30,20,5,3,2,10,21,325",
    "A2,2025-01,0,8,8,480,10,5,1,1,1,0,8,173",
    "A2,2025-02,0,8,8,480,10,5,1,1,1,0,9,173",
    "A3,2025-02,0,5,5,300,0,0,0,0,0,0,4,108",
]
MEASURES = """measure_id,report_month,division,department,unit_id,kind,description,progress,fte_reduction_planned,start,effect_planned,risk,status,effect_realised
M1,2025-02,Div 1,Dept 1,A1,cost,Redusere overtid,Pågår,1.5,01.01.2025,1200,Høy,gul,100
M2,2025-02,Div 1,Dept 1,,income,Økt aktivitet,in_progress,,andre halvår,800,lav,grønn,0
"""


def write(folder: Path, units: str = UNITS, monthly: list[str] | None = None, measures: str | None = MEASURES,
          encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.csv").write_text(units, encoding=encoding)
    rows = MONTHLY_ROWS if monthly is None else monthly
    (folder / "monthly.csv").write_text("\n".join([MONTHLY_HEAD, *rows]) + "\n", encoding=encoding)
    if measures is not None:
        (folder / "measures.csv").write_text(measures, encoding=encoding)
    return folder


def only_issue(path: Path):
    ds, issues = validate_dataset(path)
    errors = [i for i in issues if i.level == "error"]
    assert ds is None and len(errors) >= 1, issues
    return errors


def test_the_valid_fixture_loads_and_maps_norwegian_categories(tmp_path):
    ds = load_dataset(write(tmp_path / "ok"))
    assert list(ds.units["care_level"]) == ["inpatient", "outpatient", "support"]
    assert list(ds.measures["progress"]) == ["in_progress", "in_progress"]
    assert list(ds.measures["risk"]) == ["high", "low"]
    assert ds.monthly["drg_points"].iloc[0] == 80.5


def test_a_file_that_is_not_a_table(tmp_path):
    folder = write(tmp_path / "d")
    (folder / "monthly.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    errors = only_issue(folder)
    assert (errors[0].source, errors[0].rule) == ("monthly.csv", "not_a_table")


def test_an_empty_file(tmp_path):
    folder = write(tmp_path / "d")
    (folder / "units.csv").write_text("", encoding="utf-8")
    errors = only_issue(folder)
    assert any(e.source == "units.csv" and e.rule == "not_a_table" for e in errors)


def test_missing_required_table(tmp_path):
    folder = write(tmp_path / "d")
    (folder / "monthly.csv").unlink()
    errors = only_issue(folder)
    assert any(e.rule == "missing_table" and "monthly" in e.message for e in errors)


def test_missing_column(tmp_path):
    folder = write(tmp_path / "d", units=UNITS.replace("care_level", "omsorg"))
    e = only_issue(folder)[0]
    assert (e.source, e.row, e.column, e.rule) == ("units.csv", None, "care_level", "missing_column")


def test_duplicate_key(tmp_path):
    e = only_issue(write(tmp_path / "d", monthly=[*MONTHLY_ROWS, MONTHLY_ROWS[0]]))
    dup = [x for x in e if x.rule == "duplicate_key"]
    assert {(x.source, x.row, x.column, x.value) for x in dup} == {
        ("monthly.csv", 2, "unit_id + month", "A1 / 2025-01"), ("monthly.csv", 7, "unit_id + month", "A1 / 2025-01")}


def test_unknown_unit(tmp_path):
    rows = [*MONTHLY_ROWS, "ZZ9,2025-01,1,1,1,60,0,0,0,0,0,0,1,21"]
    e = only_issue(write(tmp_path / "d", monthly=rows))[0]
    assert (e.source, e.row, e.column, e.value, e.rule) == ("monthly.csv", 7, "unit_id", "ZZ9", "unknown_unit")


def test_negative_fte(tmp_path):
    rows = list(MONTHLY_ROWS)
    rows[1] = rows[1].replace(",15,15,", ",-15,15,")
    e = only_issue(write(tmp_path / "d", monthly=rows))
    neg = [x for x in e if x.rule == "negative"]
    assert (neg[0].source, neg[0].row, neg[0].column, neg[0].value) == ("monthly.csv", 3, "fte_worked", -15.0)


def test_text_in_a_number_column(tmp_path):
    rows = list(MONTHLY_ROWS)
    rows[0] = rows[0].replace(",80.5,", ",åtti,")
    e = only_issue(write(tmp_path / "d", monthly=rows))[0]
    assert (e.source, e.row, e.column, e.value, e.rule) == ("monthly.csv", 2, "drg_points", "åtti", "not_a_number")


def test_impossible_month(tmp_path):
    rows = list(MONTHLY_ROWS)
    rows[3] = rows[3].replace("2025-02", "2025-13")
    e = [x for x in only_issue(write(tmp_path / "d", monthly=rows)) if x.rule == "bad_month"][0]
    assert (e.source, e.row, e.column, e.value) == ("monthly.csv", 5, "month", "2025-13")


def test_fte_zero_with_activity(tmp_path):
    rows = list(MONTHLY_ROWS)
    rows[0] = "A1,2025-01,41.5,0,15,900,30,20,5,3,2,10,20,325"
    e = only_issue(write(tmp_path / "d", monthly=rows))[0]
    assert (e.source, e.row, e.column, e.rule) == ("monthly.csv", 2, "fte_worked", "fte_zero_with_activity")
    assert e.render() == ("monthly.csv, row 2, column 'fte_worked' = '0': activity needs worked FTE "
                          "(drg_points = 41,5) (rule fte_zero_with_activity). Check the HR export for this month")


def test_active_span_reversed_and_months_outside(tmp_path):
    units = UNITS.replace("A3,Stab C,Div 2,Dept 2,support,stab,,2025-02-01,", "A3,Stab C,Div 2,Dept 2,support,stab,,2025-03-01,2025-01-31")
    errors = only_issue(write(tmp_path / "d", units=units))
    rules = {(e.source, e.row, e.rule) for e in errors}
    assert ("units.csv", 4, "active_span_reversed") in rules
    assert ("monthly.csv", 6, "outside_active_span") in rules


def test_unknown_category_lists_allowed_values(tmp_path):
    e = only_issue(write(tmp_path / "d", units=UNITS.replace("poliklinikk", "kantine")))[0]
    assert (e.source, e.row, e.column, e.value, e.rule) == ("units.csv", 3, "care_level", "kantine", "unknown_category")
    assert "inpatient" in e.message


def test_unknown_division_in_measures(tmp_path):
    e = only_issue(write(tmp_path / "d", measures=MEASURES.replace("M2,2025-02,Div 1", "M2,2025-02,Div 9")))[0]
    assert (e.source, e.row, e.column, e.value, e.rule) == ("measures.csv", 3, "division", "Div 9", "unknown_division")


def test_blank_progress_is_a_warning(tmp_path):
    ds, issues = validate_dataset(write(tmp_path / "d", measures=MEASURES.replace(",Pågår,", ",,")))
    assert ds is not None
    assert [(i.source, i.row, i.column, i.rule, i.level) for i in issues] == [
        ("measures.csv", 2, "progress", "blank_progress", "warning")]
    assert ds.measures["progress"].iloc[0] == "unknown"


def test_windows_1252_semicolons_decimal_comma_and_spaces(tmp_path):
    units = UNITS.replace("Sengepost A", "Sengepost Ærøy").replace(",", ";")
    rows = [r.replace(",", ";") for r in MONTHLY_ROWS]
    rows[0] = "A1;2025-01;80,5;15;15;1\u00a0900;30;20;5;3;2;10;20;325"
    measures = MEASURES.replace(",", ";").replace("1200", "1 200")
    folder = write(tmp_path / "d", units=units, monthly=rows, measures=measures, encoding="cp1252")
    (folder / "monthly.csv").write_text("\n".join([MONTHLY_HEAD.replace(",", ";"), *rows]) + "\n", encoding="cp1252")
    ds = load_dataset(folder)
    assert ds.units["unit_name"].iloc[0] == "Sengepost Ærøy"
    assert ds.monthly["drg_points"].iloc[0] == 80.5 and ds.monthly["pay_fixed"].iloc[0] == 1900
    assert ds.measures["effect_planned"].iloc[0] == 1200


def test_excel_workbook_with_a_missing_sheet(tmp_path):
    ds = load_dataset(write(tmp_path / "d"))
    path = tmp_path / "trust.xlsx"
    with pd.ExcelWriter(path) as writer:
        ds.units.to_excel(writer, sheet_name="units", index=False)
    e = only_issue(path)
    assert any(x.rule == "missing_table" and "monthly" in x.message and x.source == str(path) for x in e)


def test_excel_rows_are_excel_row_numbers(tmp_path):
    ds = load_dataset(write(tmp_path / "d"))
    path = tmp_path / "trust.xlsx"
    monthly = ds.monthly.copy().astype(object)
    monthly.loc[2, "pay_fixed"] = "mye"
    with pd.ExcelWriter(path) as writer:
        ds.units.drop(columns=["active_from", "active_to"]).to_excel(writer, sheet_name="units", index=False)
        monthly.to_excel(writer, sheet_name="monthly", index=False)
    e = only_issue(path)[0]
    assert (e.source, e.row, e.column, e.value, e.rule) == ("sheet 'monthly' of trust.xlsx", 4, "pay_fixed", "mye",
                                                           "not_a_number")


def test_several_problems_in_several_tables_are_all_reported_at_once(tmp_path, capsys):
    rows = list(MONTHLY_ROWS)
    rows[0] = rows[0].replace(",80.5,", ",x,")           # not a number
    rows[1] = rows[1].replace("2025-02", "2025-14")      # impossible month
    rows.append("Q1,2025-01,1,1,1,60,0,0,0,0,0,0,1,21")   # unknown unit
    units = UNITS.replace("poliklinikk", "ukjent")        # unknown category
    measures = MEASURES.replace("M2,2025-02,Div 1", "M2,2025-02,Div 7")  # unknown division
    folder = write(tmp_path / "d", units=units, monthly=rows, measures=measures)
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    found = {(i.source, i.row, i.rule) for i in caught.value.issues}
    assert {("monthly.csv", 2, "not_a_number"), ("monthly.csv", 3, "bad_month"), ("monthly.csv", 7, "unknown_unit"),
            ("units.csv", 3, "unknown_category"), ("measures.csv", 3, "unknown_division")} <= found
    assert main(["validate", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "5 error(s)" in err or "error(s) found" in err
    for needle in ("monthly.csv, row 2", "monthly.csv, row 3", "monthly.csv, row 7", "units.csv, row 3",
                   "measures.csv, row 3"):
        assert needle in err


def test_validate_prints_a_summary_for_the_demo_trust(capsys):
    root = Path(__file__).resolve().parents[2]
    assert main(["validate", str(root / "fixtures" / "demo")]) == 0
    out = capsys.readouterr().out
    assert "units: 161 in 8 divisions" in out and "months: 36 (2022-10 to 2025-09)" in out
