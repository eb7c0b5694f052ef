"""The analysis package of a clinic: numbers by hand, HTML = workbook, self-contained, CLI behaviour."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from benchmark.cli import main
from benchmark.pack import render_package_html, write_package
from benchmark.pack.series import weekday_profile
from benchmark.pack.source import UnknownDivision
from benchmark.pack.tables import cell_text
from benchmark.store import tables_dir


class Tables(HTMLParser):
    """Every ``<table data-table=…>`` of the page as {key: [[cell text, …], …]} (body rows), plus headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.heads: dict[str, list[str]] = {}
        self._key = None
        self._row = None
        self._cell = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-table" in a:
            self._key = a["data-table"]
            self.tables[self._key], self.heads[self._key] = [], []
        elif self._key and tag == "thead":
            self._in_head = True
        elif self._key and tag == "tr":
            self._row = []
        elif self._key and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._key = None
        elif tag == "thead":
            self._in_head = False
        elif self._key and tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif self._key and tag == "tr" and self._row is not None:
            (self.heads.__setitem__(self._key, self._row) if self._in_head else self.tables[self._key].append(self._row))
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def package(trust_run, tmp_path_factory):
    _, store, run_id = trust_run
    out = tmp_path_factory.mktemp("pkg")
    paths = write_package(store, "Klinikk A", out, run_id=run_id, analyst=True)
    return paths


def test_monthly_activity_and_fte_equal_hand_sums(trust_run):
    """Klinikk A's wards, by hand from the monthly table (tests/pack/conftest.py):
    2023-10 (i = 0): activity 100 + 60 + 10 = 170 DRG points, FTE 20 + 12 + 3 = 35;
    2023-11 (i = 1): 101 + 60 + 10 = 171, FTE 20 + 13 + 3 = 36; 2025-09 (i = 23): 123 + 60 + 10 = 193, FTE 36.
    Peer median 2023-10: ward ratios 5, 5, 3,33, 6, 4, 5 → median 5; expected 35 × 5 = 175, index 170/175.
    2023-11: ratios 5,05, 4,615, 3,33, 6, 4, 5 → median (4,615 + 5)/2 = 4,8077; index 171/(36 × 4,8077)."""
    _, store, run_id = trust_run
    tables = parse(render_package_html(store, "Klinikk A", run_id=run_id, analyst=True)).tables
    ev = {row[0]: row for row in tables["eval_inpatient"]}
    assert len(ev) == 24  # 24 months, 2023-10 … 2025-09
    assert ev["okt. 2023"][1:3] == ["170", "35,0"]
    assert ev["nov. 2023"][1:3] == ["171", "36,0"]
    assert ev["sep. 2025"][1:3] == ["193", "36,0"]
    assert ev["okt. 2023"][3:6] == [cell_text(170 / 35, "num2", "nb"), "5,00", cell_text(170 / 175, "num2", "nb")]
    median = (60 / 13 + 5) / 2
    assert ev["nov. 2023"][5] == cell_text(171 / (36 * median), "num2", "nb")
    # care hours per patient day: bed_days were made as FTE × 1 950/12 ÷ 6, so exactly 6,0 for every ward
    assert {row[6] for row in ev.values()} == {"6,0"}


def test_year_index_sums_before_dividing(trust_run):
    """The 12-month index sums each ward's 12 months first: A-W1 Σdrg = Σ(112…123) = 1 410, FTE 240;
    A-W2 720 / 150; A-W3 120 / 36 (months 2024-10 … 2025-09, i = 12 … 23)."""
    from benchmark.pack.content import build_package
    from benchmark.pack.source import gather

    _, store, run_id = trust_run
    pkg = build_package(gather(store, "Klinikk A", None, run_id), "Klinikk A", analyst=True)
    last = next(p for p in pkg.parts if p.care_level == "inpatient").year["last"]
    assert last["activity"] == pytest.approx(1410 + 720 + 120)
    assert last["fte"] == pytest.approx(240 + 150 + 36)
    # ward ratios over the 12 months: 1410/240 = 5,875, 720/150 = 4,8, 120/36 = 3,33, B: 6, 4, 5 → median 4,9
    assert last["index"] == pytest.approx(2250 / (426 * 4.9))


def test_workbook_holds_the_html_numbers(package):
    html_path, xlsx_path = package
    html = parse(html_path.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(xlsx_path)
    seen = 0
    for key, rows in html.tables.items():
        defined = book.defined_names[f"t_{key}"]
        (sheet, ref), = defined.destinations
        cells = book[sheet][ref.replace("$", "")]
        header, body = [c.value for c in cells[0]], cells[1:]
        assert header == html.heads[key], key
        assert len(body) == len(rows), key
        for xrow, hrow in zip(body, rows, strict=True):
            for cell, text in zip(xrow, hrow, strict=True):
                v = cell.value
                if isinstance(v, int | float):
                    kind = _kind(cell.number_format)
                    assert cell_text(float(v), kind, "nb") == text, (key, cell.coordinate, v, text)
                else:
                    assert (v if v is not None else "–") == text, (key, cell.coordinate)
                seen += 1
    assert seen > 500


def _kind(number_format: str) -> str:
    return {"#,##0": "int", "#,##0.0": "num1", "#,##0.00": "num2", "0.0 %": "pct", "0 %": "pct0"}[number_format]


def test_html_has_no_external_resources(package):
    html = package[0].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.I)
    assert "<script" not in html.lower() and "<link" not in html.lower() and "<iframe" not in html.lower()
    assert "<svg" in html  # the charts are inline
    assert "@page { size: A4 landscape" in html and "break-before: page" in html


def test_unknown_division_lists_the_known_ones(trust_run, capsys):
    _, store, run_id = trust_run
    code = main(["pack", "--division", "Klinikk Z", "--store", str(store), "-o", str(Path(store).parent / "x")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Klinikk Z" in err and "Klinikk A" in err and "Klinikk B" in err
    with pytest.raises(UnknownDivision):
        render_package_html(store, "Klinikk Z", run_id=run_id)


def test_cli_writes_html_and_workbook_from_the_latest_run(trust_run, tmp_path, capsys):
    _, store, _ = trust_run
    code = main(["pack", "--division", "Klinikk B", "--store", str(store), "--lang", "en", "--analyst",
                 "-o", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["analysepakke-klinikk-b-2025Q3-analytiker.html", "analysepakke-klinikk-b-2025Q3-analytiker.xlsx"]
    html = (tmp_path / names[0]).read_text(encoding="utf-8")
    assert "Analysis package: Klinikk B" in html and "Inpatient wards" in html and "Outpatient clinics" in html


def test_planning_files_next_to_the_store_are_shown(trust_run, tmp_path):
    """plan-2026/gap.csv and beds-2026/bed_plan.csv (SPEC §6 shapes) beside a copy of the store."""
    import shutil

    _, store, run_id = trust_run
    shutil.copy(store, tmp_path / "history.duckdb")
    shutil.copytree(tables_dir(store), tables_dir(tmp_path / "history.duckdb"))  # the run's long tables
    (tmp_path / "plan-2026").mkdir()
    pd.DataFrame([
        {"level": "unit", "entity_id": "A-W1", "cost_total": 14000.0, "pay_frame": 13500.0, "gap": 500.0,
         "measures_risk_adjusted": 200.0, "unresolved": 300.0, "fte_plan": 20.0, "fte_frame": 19.5,
         "fte_needed_for_activity": 21.2, "has_rota": True, "has_activity_plan": False},
        {"level": "division", "entity_id": "Klinikk A", "cost_total": 30000.0, "pay_frame": 28000.0, "gap": 2000.0,
         "measures_risk_adjusted": 960.0, "unresolved": 1040.0, "fte_plan": 50.0, "fte_frame": 48.0,
         "fte_needed_for_activity": 49.0, "has_rota": True, "has_activity_plan": True},
        {"level": "unit", "entity_id": "B-W1", "cost_total": 9999.0, "pay_frame": 1.0, "gap": 9998.0,
         "measures_risk_adjusted": 0.0, "unresolved": 9998.0, "fte_plan": 1.0, "fte_frame": 1.0,
         "fte_needed_for_activity": 1.0, "has_rota": True, "has_activity_plan": False},
    ]).to_csv(tmp_path / "plan-2026" / "gap.csv", index=False)
    (tmp_path / "beds-2026").mkdir()
    weeks = [f"2026-W{w:02d}" for w in (1, 2, 3)]
    pd.DataFrame({"unit_id": "A-W1", "week": weeks, "census_mean": [8.0, 9.0, 7.0], "census_p50": [8.0, 9.0, 7.0],
                  "census_p90": [10.0, 11.0, 9.0], "census_p95": [11.0, 12.0, 10.0], "beds_recommended": [11, 12, 10],
                  "beds_current": [10, 10, 10], "occupancy_expected": [0.73, 0.75, 0.70],
                  "overflow_days_expected": [0.3, 0.4, 0.2], "service_level_expected": [0.95, 0.95, 0.95]}
                 ).to_csv(tmp_path / "beds-2026" / "bed_plan.csv", index=False)
    html = render_package_html(tmp_path / "history.duckdb", "Klinikk A", run_id=run_id, analyst=True)
    t = parse(html).tables
    assert [r[0] for r in t["gap"]] == ["Sengepost A-W1", "Klinikk A"]  # B-W1 belongs to another clinic
    assert t["gap"][1][2:7] == ["30\u00a0000", "28\u00a0000", "2\u00a0000", "960", "1\u00a0040"]
    # beds: 3 weeks, mean of 11, 12, 10 = 11,0; range 10–12; max p95 12,0; mean occupancy (0,73+0,75+0,70)/3 = 72,7 %
    assert t["beds"][0] == ["Sengepost A-W1", "3", "11,0", "10–12", "10,0", "72,7\u00a0%", "12,0"]
    assert "Bemanningsplanene for 2026 koster 30\u00a0000 kNOK mot en lønnsramme på 28\u00a0000 kNOK" in html


def test_weekday_profile_by_hand():
    """Two wards over one week (2025-09-01 is a Monday); census summed per day, then by weekday.
    Hours: 30 FTE-months in September × 1 950/12 = 4 875 h over 30 days = 162,5 h a day; Monday's
    census 10 + 5 = 15 → 10,83 h per patient; Sunday's 4 + 2 = 6 → 27,08 h."""
    days = pd.date_range("2025-09-01", "2025-09-07").strftime("%Y-%m-%d")
    daily = pd.concat([
        pd.DataFrame({"unit_id": "W1", "date": days, "census": [10, 10, 9, 9, 8, 5, 4], "beds_open": 10}),
        pd.DataFrame({"unit_id": "W2", "date": days, "census": [5, 5, 5, 5, 4, 3, 2], "beds_open": 6}),
    ])
    monthly = pd.DataFrame({"unit_id": ["W1", "W2"], "month": ["2025-09", "2025-09"], "fte_worked": [20.0, 10.0]})
    prof = weekday_profile(daily, monthly, ["W1", "W2"], ["2025-09"])
    assert prof["census"].tolist() == [15, 15, 14, 14, 12, 8, 6]
    assert prof["beds_open"].tolist() == [16] * 7
    assert prof.loc[0, "occupancy"] == pytest.approx(15 / 16)
    assert prof.loc[0, "hours_per_patient"] == pytest.approx(162.5 / 15)
    assert prof.loc[6, "hours_per_patient"] == pytest.approx(162.5 / 6)


def test_prints_one_care_level_per_page_in_a_reasonable_number_of_pages(package, tmp_path):
    """Chromium's own PDF of the HTML: the clinic page, then each care level from a new page."""
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    pdf = tmp_path / "pakke.pdf"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", package[0].as_uri()], check=True, capture_output=True, timeout=120)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert 3 <= pages <= 1 + 2 * 3, pages  # two care levels: at least a page each, at most about two


def _xlsx_values(path: Path) -> list[object]:
    book = openpyxl.load_workbook(path)
    return [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_disclosure_control_holds_in_html_and_workbook(trust_run, tmp_path):
    """A-W3 has 3 employees (< 5): its sick leave is suppressed; A-P2, the only other unit of its
    department (Kirurgi A), is suppressed too (complementary), and so are the care-level totals that
    hold a suppressed unit. The analyst's copy shows them."""
    from benchmark.store import load_run

    _, store, run_id = trust_run
    res = load_run(store, run_id=run_id)
    s = res.scores.set_index(["entity_id", "criterion"])
    hidden = {e: float(s.loc[(e, "sick_leave_rate"), "value"]) for e in ("A-W3", "A-P2")}
    leader = write_package(store, "Klinikk A", tmp_path / "leader", run_id=run_id)
    analyst = write_package(store, "Klinikk A", tmp_path / "analyst", run_id=run_id, analyst=True)
    mask = "skjermet (færre enn 5 ansatte)"

    html = leader[0].read_text(encoding="utf-8")
    t = parse(html)
    for key in ("staff_inpatient", "staff_outpatient"):
        col = t.heads[key].index("Sykefravær")
        by_unit = {row[0]: row[col] for row in t.tables[key]}
        for unit, value in by_unit.items():
            uid = unit.split()[-1]
            if uid in hidden:
                assert value == mask, (unit, value)
            else:
                assert value.endswith("%"), (unit, value)  # units of 5 or more keep their value
    for key in ("exec_inpatient", "exec_outpatient"):  # care-level totals hold a suppressed unit: not shown
        assert "Sykefravær" not in t.heads[key]
    assert html.count(f"Sykefravær: {mask} – vises ikke samlet for omsorgsnivået") == 2
    assert "Sykefraværet var" not in html  # the reading notes say nothing derived from it
    values = _xlsx_values(leader[1])
    for uid, v in hidden.items():
        shown = cell_text(v, "pct", "nb")
        for row in t.tables["staff_inpatient"] + t.tables["staff_outpatient"]:
            if row[0].endswith(uid):
                assert shown not in row
        assert not any(isinstance(x, float) and abs(x - v) < 1e-12 for x in values), uid
    assert mask in values

    # the analysis department's copy shows the values and says what it is
    t_an = parse(analyst[0].read_text(encoding="utf-8"))
    col = t_an.heads["staff_inpatient"].index("Sykefravær")
    row = next(r for r in t_an.tables["staff_inpatient"] if r[0].endswith("A-W3"))
    assert row[col] == cell_text(hidden["A-W3"], "pct", "nb")
    assert "Sykefravær" in t_an.heads["exec_inpatient"]
    assert any(isinstance(x, float) and abs(x - hidden["A-W3"]) < 1e-12 for x in _xlsx_values(analyst[1]))
    assert "Analytikerversjon" in analyst[0].read_text(encoding="utf-8")


def test_execution_against_activity_plan_and_weekday_profile_when_the_tables_exist(trust_run):
    """``activity_plans`` (SPEC §3) and ``daily`` (issue 16) are read when the dataset has them.
    Plan: each of Klinikk A's wards plans 50 DRG points a month → 150 for the care level; in
    2025-09 the wards delivered 193 (hand sum above), so 193/150 − 1 = 28,7 % above plan."""
    import dataclasses
    import types

    from benchmark.pack.content import build_package
    from benchmark.pack.html import render
    from benchmark.pack.source import gather

    _, store, run_id = trust_run
    src = gather(store, "Klinikk A", None, run_id)
    ds = src.dataset
    months = sorted(ds.monthly["month"].unique())
    plans = pd.DataFrame([{"unit_id": u, "month": m, "drg_points": 50.0} for u in ("A-W1", "A-W2", "A-W3")
                          for m in months])
    days = pd.date_range("2024-10-01", "2025-09-30").strftime("%Y-%m-%d")
    daily = pd.concat([pd.DataFrame({"unit_id": u, "date": days, "census": 8.0, "beds_open": 10.0})
                       for u in ("A-W1", "A-W2")])
    wrapped = types.SimpleNamespace(monthly=ds.monthly, units=ds.units, activity_plans=plans, daily=daily)
    pkg = build_package(dataclasses.replace(src, dataset=wrapped), "Klinikk A", analyst=True)
    t = parse(render(pkg)).tables
    heads = parse(render(pkg)).heads["exec_inpatient"]
    sep = next(r for r in t["exec_inpatient"] if r[0] == "sep. 2025")
    assert sep[heads.index("Planlagt aktivitet")] == "150"
    assert sep[heads.index("Aktivitet mot plan")] == cell_text(193 / 150 - 1, "pct", "nb")
    week = t["week_inpatient"]
    assert [r[0] for r in week] == ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
    assert {r[1] for r in week} == {"16,0"} and {r[3] for r in week} == {"80,0\u00a0%"}  # 2 × 8 of 2 × 10 beds


def test_charts_carry_the_norwegian_locale():
    """Axis labels in bokmål: decimal comma and Norwegian month names (config.locale in the spec)."""
    from benchmark.pack import charts

    months = [str(p) for p in pd.period_range("2023-10", "2025-09", freq="M")]
    frame = pd.DataFrame({"month": months, "index": [0.95 + 0.005 * i for i in range(24)]})
    nb, en = charts.index_chart(frame, "nb"), charts.index_chart(frame, "en")
    assert ">jan. 24<" in nb and ">juli 25<" in nb and ">1,00<" in nb
    assert ">Jan 24<" in en and ">1.00<" in en


def test_variable_pay_against_budget_is_a_ratio_of_sums(trust_run):
    """Execution: Σ variable pay ÷ Σ variable_pay_budget − 1 over Klinikk A's wards, from monthly.csv."""
    data, store, run_id = trust_run
    m = pd.read_csv(data / "monthly.csv")
    m = m[m["unit_id"].isin(["A-W1", "A-W2", "A-W3"]) & (m["month"] == "2025-09")]
    var = m[["pay_overtime", "pay_extra_shifts", "pay_shift_displacement", "pay_call_out", "pay_other_variable"]]
    expected = var.to_numpy().sum() / m["variable_pay_budget"].sum() - 1
    p = parse(render_package_html(store, "Klinikk A", run_id=run_id, analyst=True))
    col = p.heads["exec_inpatient"].index("Variabel lønn mot budsjett")
    sep = next(r for r in p.tables["exec_inpatient"] if r[0] == "sep. 2025")
    assert sep[col] == cell_text(expected, "pct", "nb")


def test_without_the_runs_dataset_the_package_says_what_is_missing(tmp_path):
    """The data folder moved after the run: the package is made from the store alone, says which parts
    are missing and why, and still suppresses A-W3's sick leave (headcount recorded with the run)."""
    import shutil

    from benchmark.runner import run_benchmark

    from .conftest import write_trust

    data = write_trust(tmp_path / "data")
    info = run_benchmark(data, "2025Q3", out=tmp_path / "out", store=tmp_path / "out" / "h.duckdb", quiet=True)
    shutil.rmtree(data)
    html = render_package_html(info.store, "Klinikk A")
    assert "Deler av pakken mangler fordi datakilden" in html and "finnes ikke lenger" in html
    t = parse(html)
    ev = {row[0]: row for row in t.tables["eval_inpatient"]}
    assert ev["okt. 2023"][1:3] == ["170", "35,0"]  # activity and FTE come from the run's own tables
    assert "Pleietimer per liggedøgn" not in t.heads["eval_inpatient"]  # bed days are in the dataset only
    col = t.heads["staff_inpatient"].index("Sykefravær")
    row = next(r for r in t.tables["staff_inpatient"] if r[0].endswith("A-W3"))
    assert row[col] == "skjermet (færre enn 5 ansatte)"
