"""import-gat: long and wide exports of the same rota give the same rota; one bad file per rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.demo_plan import EXPORT_FIRST, EXPORT_LAST
from benchmark.plan.gat import import_gat

ROOT = Path(__file__).resolve().parents[2]
GAT = ROOT / "fixtures" / "gat"
BAD = ROOT / "tests" / "data" / "bad_gat"
CODES = GAT / "vaktkoder.csv"


def _exported_ward() -> str:
    """The first ward with a rota in the demo (the generator exports that one)."""
    units = pd.read_csv(ROOT / "fixtures" / "demo" / "units.csv", keep_default_na=False)
    rota = pd.read_parquet(ROOT / "fixtures" / "demo" / "rota.parquet")
    return units[(units["care_level"] == "inpatient") & units["unit_id"].isin(set(rota["unit_id"]))]["unit_id"].iloc[0]


def test_the_committed_exports_are_the_generators(tmp_path):
    from benchmark.demo_plan import write_gat_exports

    for path in write_gat_exports(tmp_path, ROOT / "fixtures" / "demo"):
        if path.suffix == ".csv":
            assert path.read_bytes() == (GAT / path.name).read_bytes(), path.name
        else:
            a, b = import_gat(path), import_gat(GAT / path.name)
            pd.testing.assert_frame_equal(a.rota, b.rota)


def test_long_and_wide_exports_give_the_same_rota():
    long_xlsx = import_gat(GAT / "gat_long.xlsx")  # shift codes from the workbook's 'Vaktkoder' sheet
    long_csv = import_gat(GAT / "gat_long.csv", shift_codes=CODES)
    wide_xlsx = import_gat(GAT / "gat_wide.xlsx")  # month header in merged cells
    wide_csv = import_gat(GAT / "gat_wide_cp1252.csv", shift_codes=CODES)  # Windows-1252, 'lø'/'sø' day names
    assert long_xlsx.layout == long_csv.layout == "long" and wide_xlsx.layout == wide_csv.layout == "wide"
    for other in (long_csv, wide_xlsx, wide_csv):
        pd.testing.assert_frame_equal(long_xlsx.rota, other.rota)
        pd.testing.assert_frame_equal(long_xlsx.shift_codes, other.shift_codes)
    assert long_xlsx.skipped == [484, 961, 1438]  # two repeated headers at page breaks and the sum row
    r = long_xlsx.rota
    days = pd.date_range(EXPORT_FIRST, EXPORT_LAST).size
    assert len(r) == r["position_id"].nunique() * days
    ward = _exported_ward()
    assert r["plan_id"].unique().tolist() == [f"GAT-2026-{ward}"] and r["unit_id"].unique().tolist() == [ward]
    assert not r["position_id"].str.contains("41000").any()  # employee numbers are pseudonymised


def test_the_export_is_the_demo_base_rotation_rolled_out():
    imp = import_gat(GAT / "gat_long.xlsx")
    rota = pd.read_parquet(ROOT / "fixtures" / "demo" / "rota.parquet")
    base = rota[rota["unit_id"] == _exported_ward()]
    # 5 Jan 2026 is a Monday in week 1 of the six-week base rotation laid on from that Monday
    first_line = base[base["position_id"] == base["position_id"].iloc[0]].sort_values(["rota_week", "weekday"])
    pattern = first_line["shift_code"].tolist()
    pct = first_line["position_pct"].iloc[0]
    role = first_line["role"].iloc[0]
    lines = imp.rota[(imp.rota["role"] == role) & (imp.rota["position_pct"] == pct)]
    got = {pid: g.sort_values("date")["shift_code"].tolist()[:42] for pid, g in lines.groupby("position_id")}
    assert pattern in got.values()


def test_imported_rota_loads_as_a_dataset_table(tmp_path):
    out = tmp_path / "imp"
    assert main(["import-gat", str(GAT / "gat_wide_cp1252.csv"), "--shift-codes", str(CODES), "-o", str(out)]) == 0
    rota = pd.read_csv(out / "rota.csv")
    assert set(rota.columns) == {"unit_id", "plan_id", "position_id", "role", "position_pct", "date", "shift_code"}
    assert (pd.read_csv(out / "shift_codes.csv")["category"].isin(["day", "evening", "night", "off", "leave",
                                                                  "absence"])).all()


CASES = [  # file, shift codes, rule, row, value (the corpus: one small file per rule)
    ("unknown_code.csv", "vaktkoder.csv", "unknown_shift_code", 7, "'X'"),
    ("no_position_pct.csv", "vaktkoder.csv", "no_position_pct", 7, "employee 102"),
    ("outside_validity.csv", "vaktkoder.csv", "outside_validity", 7, "'01.01.2027'"),
    ("fraction_pct.csv", "vaktkoder.csv", "bad_position_pct", 6, "'0,8'"),
    ("bad_date.csv", "vaktkoder.csv", "bad_date", 7, "'32.01.2026'"),
    ("ends_before_start.csv", "vaktkoder_midnight.csv", "ends_before_start", 5, "'07:30'"),
    ("wide_blank_code.csv", "vaktkoder.csv", "blank_shift_code", 6, "column 'ti 06'"),
]


@pytest.mark.parametrize(("name", "codes", "rule", "row", "value"), CASES)
def test_bad_export(name, codes, rule, row, value, tmp_path, capsys):
    code = main(["import-gat", str(BAD / name), "--shift-codes", str(BAD / codes), "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1
    line = next(ln for ln in err.splitlines() if f"(rule {rule})" in ln)
    source = codes if rule == "ends_before_start" else name
    assert line.strip().startswith(f"- {source}, row {row}") and value in line
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_five_problems_at_once(tmp_path, capsys):
    code = main(["import-gat", str(BAD / "five_problems.csv"), "--shift-codes", str(BAD / "vaktkoder.csv"),
                 "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 1 and "5 error(s)" in err
    for rule in ("unknown_shift_code", "no_position_pct", "outside_validity", "bad_date", "bad_position_pct"):
        assert f"(rule {rule})" in err


@pytest.mark.parametrize(("name", "words"), [("no_unit.csv", "--unit"), ("no_header.csv", "no header row")])
def test_usage_errors_exit_2(name, words, tmp_path, capsys):
    assert main(["import-gat", str(BAD / name), "--shift-codes", str(BAD / "vaktkoder.csv"), "-o",
                 str(tmp_path / "o")]) == 2
    assert words in capsys.readouterr().err


def test_shift_codes_are_required(tmp_path, capsys):
    assert main(["import-gat", str(BAD / "unknown_code.csv"), "-o", str(tmp_path / "o")]) == 2
    assert "--shift-codes" in capsys.readouterr().err
