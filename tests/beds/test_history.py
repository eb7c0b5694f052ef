"""Too little history, no daily table, bad daily input: clear messages naming ward, file, row, column."""

from __future__ import annotations

import pandas as pd
import pytest

import benchmark as bm
from benchmark.dataset import validate_dataset
from benchmark.dataset.load import dataset_from_frames

from .conftest import demo_slice, write_folder


def test_a_ward_with_one_year_gets_a_clear_message_and_the_marked_monthly_draft(slice_tables):
    t = {k: v.copy() for k, v in slice_tables.items()}
    ward = t["units"]["unit_id"].iloc[0]
    name = t["units"]["unit_name"].iloc[0]
    t["daily"] = t["daily"][(t["daily"]["unit_id"] != ward) | (t["daily"]["date"] >= "2024-10-01")]
    bd = bm.beds(dataset_from_frames(t["units"], t["monthly"], daily=t["daily"]), year=2026, backtest=False)
    text = " ".join(bd.messages)
    assert f"{name} ({ward}): daglig belegg bare fra 2024-10-01 til 2025-09-30 (365 dager)" in text
    assert "minst to år (730 dager)" in text and "månedssnitt" in text
    assert set(bd.bed_plan.loc[bd.bed_plan["unit_id"] == ward, "basis"]) == {"monthly_mean"}
    assert set(bd.bed_plan.loc[bd.bed_plan["unit_id"] != ward, "basis"]) == {"daily"}


def test_without_daily_table_every_ward_gets_the_monthly_mean_draft(slice_tables):
    t = slice_tables
    bd = bm.beds(dataset_from_frames(t["units"], t["monthly"]), year=2026)
    assert not bd.has_daily_table
    assert "trenger daglig belegg" in bd.messages[0] and "månedssnitt" in bd.messages[0]
    assert set(bd.bed_plan["basis"]) == {"monthly_mean"}
    assert bd.backtest.empty
    # monthly mean draft: the census mean of a January week is the January bed-days per day
    m = t["monthly"].astype({"bed_days": float})
    ward = t["units"]["unit_id"].iloc[0]
    jan = m[(m["unit_id"] == ward) & (m["month"] == "2025-01")]["bed_days"].iloc[0] / 31
    row = bd.bed_plan[(bd.bed_plan["unit_id"] == ward) & (bd.bed_plan["week"] == "2026-W03")].iloc[0]
    assert row["census_mean"] == pytest.approx(jan)


def test_no_history_at_all_is_a_data_error_saying_why(slice_tables):
    t = {k: v.copy() for k, v in slice_tables.items()}
    t["monthly"] = t["monthly"][t["monthly"]["month"] >= "2025-01"]  # 9 months of bed_days
    t["daily"] = t["daily"][t["daily"]["date"] >= "2025-01-01"]
    ds = dataset_from_frames(t["units"], t["monthly"], daily=t["daily"])
    with pytest.raises(bm.DataError) as err:
        bm.beds(ds, year=2026)
    report = err.value.report()
    assert "no ward has enough history" in report and "730 days" in report and "9 found" in report


def test_bad_daily_rows_are_all_reported_with_file_row_column_value(tmp_path):
    t = demo_slice()
    daily = t["daily"].reset_index(drop=True).copy()
    daily.loc[0, "date"] = "2024-13-45"
    daily.loc[1, "census"] = "-3"
    daily.loc[2, "admissions"] = "mange"  # (a column with an unreadable cell is not range-checked too)
    daily.loc[3, "unit_id"] = "NO-SUCH"
    daily.loc[5, ["unit_id", "date"]] = daily.loc[4, ["unit_id", "date"]].to_numpy()
    t["daily"] = daily
    _, issues = validate_dataset(write_folder(t, tmp_path / "bad"))
    found = {(i.source, i.row, i.column, i.rule) for i in issues}
    assert ("daily.csv", 2, "date", "bad_date") in found
    assert ("daily.csv", 3, "census", "negative") in found
    assert ("daily.csv", 4, "admissions", "not_a_number") in found
    assert ("daily.csv", 5, "unit_id", "unknown_unit") in found
    assert any(i.source == "daily.csv" and i.rule == "duplicate_key" and i.row in (6, 7) for i in issues)


def test_daily_without_census_column_is_reported(tmp_path):
    t = demo_slice()
    t["daily"] = t["daily"].drop(columns="census")
    _, issues = validate_dataset(write_folder(t, tmp_path / "nocensus"))
    assert any(i.source == "daily.csv" and i.rule == "missing_column" and i.column == "census" for i in issues)


def test_gaps_in_the_history_are_said(slice_tables):
    t = {k: v.copy() for k, v in slice_tables.items()}
    ward = t["units"]["unit_id"].iloc[1]
    gap = (t["daily"]["unit_id"] == ward) & t["daily"]["date"].between("2024-03-01", "2024-03-10")
    t["daily"] = t["daily"][~gap]
    bd = bm.beds(dataset_from_frames(t["units"], t["monthly"], daily=t["daily"]), year=2026, backtest=False)
    assert any(f"({ward}): 10 dager mangler" in m for m in bd.messages)
    assert pd.notna(bd.bed_plan.loc[bd.bed_plan["unit_id"] == ward, "beds_recommended"]).all()
