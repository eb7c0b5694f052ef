"""The quarterly run end to end on the demo trust: outputs, agreement, reproducibility, failures."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from benchmark.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
BENCHMARK = [sys.executable, "-m", "benchmark"]

SCORES = ["period", "level", "entity_id", "entity_name", "peer_group", "criterion", "value", "numerator",
          "denominator", "target", "z", "flag", "shrunk", "percentile", "potential", "potential_unit"]
RANKING = ["period", "level", "entity_id", "entity_name", "peer_group", "composite", "rank", "rank_low",
           "rank_high", "potential_fte", "potential_knok", "potential_rank"]
MEASURES = ["division", "department", "effect_planned", "effect_risk_adjusted", "effect_expected_to_date",
            "effect_realised", "realisation_vs_risk", "high_risk_share", "remaining_challenge",
            "risk_adjusted_coverage"]


def digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative path → hash)."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    store = out / "history.duckdb"
    code = main(["run", str(DEMO), "--period", "2025Q3", "--out", str(out), "--store", str(store), "--quiet"])
    assert code == 0
    return out, store


def test_every_output_file_has_the_spec_columns(first_run):
    out, _ = first_run
    folder = out / "2025Q3"
    for name in ("scores.csv", "ranking.csv", "measures.csv", "benchmark.xlsx", "summary.html",
                 "parquet/scores.parquet", "parquet/ranking.parquet"):
        assert (folder / name).is_file(), name
    assert set(SCORES) <= set(pd.read_csv(folder / "scores.csv").columns)
    ranking = pd.read_csv(folder / "ranking.csv")
    assert set(RANKING) <= set(ranking.columns)
    assert set(MEASURES) <= set(pd.read_csv(folder / "measures.csv").columns)
    scored = ranking.dropna(subset=["rank"])
    assert ((scored["rank_low"] <= scored["rank"]) & (scored["rank"] <= scored["rank_high"])).all()
    flags = set(pd.read_csv(folder / "scores.csv", keep_default_na=False)["flag"])
    assert flags <= {"above_99.8", "above_95", "within", "below_95", "below_99.8", ""}


def test_csv_xlsx_and_store_agree(first_run):
    out, store = first_run
    csv = pd.read_csv(out / "2025Q3" / "ranking.csv").set_index("entity_id")
    book = openpyxl.load_workbook(out / "2025Q3" / "benchmark.xlsx", read_only=True)
    assert {"Rangering", "Kriterier per enhet", "Tiltak", "Kriteriesett", "Om kjøringen"} <= set(book.sheetnames)
    rows = list(book["Rangering"].iter_rows(values_only=True))
    header = rows[0]
    sheet = pd.DataFrame(rows[1:], columns=header).set_index("Id")
    with duckdb.connect(str(store), read_only=True) as con:
        stored = con.execute("SELECT * FROM ranking").df().set_index("entity_id")
        runs = con.execute("SELECT * FROM runs").df()
    assert len(runs) == 1 and runs["period"].iloc[0] == "2025Q3"
    for entity in csv.index[:40]:
        assert sheet.loc[entity, "Forbedringspotensial i alt, kNOK/år"] == pytest.approx(csv.loc[entity, "potential_total_knok"])
        assert stored.loc[entity, "potential_knok"] == pytest.approx(csv.loc[entity, "potential_knok"])
        if pd.notna(csv.loc[entity, "rank"]):
            assert sheet.loc[entity, "Plass"] == csv.loc[entity, "rank"] == stored.loc[entity, "rank"]


def test_workbook_reads_in_words_and_prints_its_lead_columns(first_run):
    """A controller opens and prints the workbook: peer groups and headings in words (no codes such
    as ``diagnostics:somatic`` or ``headcount``), whole numbers of employees, and the printed area
    of the wide sheets is their lead columns, one page wide (27 columns on one page is unreadable)."""
    from benchmark.labels import peer_group_label

    out, _ = first_run
    csv = pd.read_csv(out / "2025Q3" / "ranking.csv")
    book = openpyxl.load_workbook(out / "2025Q3" / "benchmark.xlsx")
    ws = book["Rangering"]
    header = [c.value for c in ws[1]]
    assert "headcount" not in header and "Ansatte (snitt i perioden)" in header
    groups = {ws.cell(row=i, column=header.index("Sammenligningsgruppe") + 1).value for i in range(2, ws.max_row + 1)}
    assert groups == {peer_group_label(g) for g in csv["peer_group"].dropna().unique()}
    assert not any(":" in str(g) for g in groups)
    j = header.index("Ansatte (snitt i perioden)") + 1
    assert ws.cell(row=2, column=j).number_format == "0"
    assert ws.print_area is not None and "$K$" in ws.print_area  # name … potential rank: columns A–K
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToHeight == 0
    for name in ("Kriteriesett", "Om kjøringen"):
        assert book[name].page_setup.orientation == "landscape", name


def test_same_inputs_and_seed_give_byte_identical_csv(first_run, tmp_path):
    out, _ = first_run
    assert main(["run", str(DEMO), "--period", "2025Q3", "--out", str(tmp_path), "--quiet"]) == 0
    for name in ("scores.csv", "ranking.csv", "measures.csv"):
        assert (tmp_path / "2025Q3" / name).read_bytes() == (out / "2025Q3" / name).read_bytes(), name


def test_history_and_compare(first_run, capsys):
    out, store = first_run
    assert main(["run", str(DEMO), "--period", "2025Q2", "--out", str(out), "--store", str(store), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["history", "--store", str(store)]) == 0
    listing = capsys.readouterr().out
    assert "2025Q3" in listing and "2025Q2" in listing
    assert main(["compare", "--period-a", "2025Q2", "--period-b", "2025Q3", "--store", str(store)]) == 0
    assert "rank_change" in capsys.readouterr().out


def _prepare(tmp_path: Path) -> tuple[Path, Path]:
    out, store = tmp_path / "out", tmp_path / "out" / "history.duckdb"
    assert main(["run", str(DEMO), "--period", "2025Q3", "--out", str(out), "--store", str(store), "--quiet"]) == 0
    return out, store


def test_bad_data_leaves_outputs_and_store_unchanged(tmp_path, capsys):
    out, store = _prepare(tmp_path)
    before = digest(out)
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in DEMO.glob("*.csv"):
        (bad / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    monthly = (bad / "monthly.csv").read_text(encoding="utf-8").splitlines()
    parts = monthly[5].split(",")
    parts[2] = "abc"  # drg_points: not a number
    monthly[5] = ",".join(parts)
    (bad / "monthly.csv").write_text("\n".join(monthly) + "\n", encoding="utf-8")
    assert main(["run", str(bad), "--period", "2025Q3", "--out", str(out), "--store", str(store), "--quiet"]) == 1
    assert "monthly.csv, row 6, column 'drg_points' = 'abc'" in capsys.readouterr().err
    assert digest(out) == before


def test_bad_catalogue_leaves_outputs_and_store_unchanged(tmp_path, capsys):
    out, store = _prepare(tmp_path)
    before = digest(out)
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "criteria" / "default.toml").read_text(encoding="utf-8").replace(
        'direction = "lower_is_better"', 'direction = "smaller"', 1), encoding="utf-8")
    assert main(["run", str(DEMO), "--period", "2025Q3", "--criteria", str(bad), "--out", str(out),
                 "--store", str(store), "--quiet"]) == 1
    assert "criterion 'variable_pay_share', field 'direction' = 'smaller'" in capsys.readouterr().err
    assert digest(out) == before


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_run_killed_while_writing_leaves_everything_as_it_was(tmp_path, sig):
    out, store = _prepare(tmp_path)
    before = digest(out)
    env = {**os.environ, "BENCHMARK_FAULT": "after:write:sleep=30"}
    proc = subprocess.Popen([*BENCHMARK, "run", str(DEMO), "--period", "2025Q3", "--out", str(out), "--store",
                             str(store), "--quiet"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and not list(out.glob(".2025Q3.tmp-*/scores.csv")):
        time.sleep(0.2)
    assert list(out.glob(".2025Q3.tmp-*/scores.csv")), "the run never reached the write step"
    proc.send_signal(sig)
    proc.wait(30)
    assert proc.returncode != 0
    # the output folder's half-written folder, and the store's tables written early (EarlyTables)
    leftovers = list(out.glob(".2025Q3.tmp-*")) + list(out.glob("history.duckdb.tables/.*"))
    if sig == signal.SIGTERM:
        assert leftovers == []  # cleaned up on SIGTERM
    for path in leftovers:  # SIGKILL cannot clean up: the half-written folders are hidden and never used
        assert path.name.startswith(".")
    hidden = (".2025Q3.tmp-", ".2025Q3.lock-", "history.duckdb.tables/.")
    after = {k: v for k, v in digest(out).items() if not k.startswith(hidden)}
    assert after == before
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    if sig == signal.SIGKILL:  # the next run removes what the killed one left
        from benchmark.outputs.commit import reconcile

        reconcile(store, folders=(out,))
        assert list(out.glob(".2025Q3.tmp-*")) + list(out.glob("history.duckdb.tables/.*")) == []
        assert digest(out) == before


def test_two_runs_at_once_on_one_store(tmp_path):
    out_a, out_b, store = tmp_path / "a", tmp_path / "b", tmp_path / "history.duckdb"
    procs = [subprocess.Popen([*BENCHMARK, "run", str(DEMO), "--period", "2025Q3", "--out", str(o), "--store",
                               str(store), "--quiet"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for o in (out_a, out_b)]
    results = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    for code, (_, err) in zip(codes, results, strict=True):
        assert code == 0 or "in use by another run" in err, err
    with duckdb.connect(str(store), read_only=True) as con:
        runs = con.execute("SELECT run_id FROM runs").df()
        per_run = con.execute("SELECT run_id, count(*) AS n FROM ranking GROUP BY run_id").df()
    assert len(runs) == codes.count(0) >= 1
    assert (per_run["n"] == 161).all()  # every recorded run is complete


def test_the_workbook_converts_with_libreoffice(first_run, tmp_path):
    import shutil

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed on this machine")
    src = first_run[0] / "2025Q3" / "benchmark.xlsx"
    proc = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "benchmark.pdf").stat().st_size > 10_000


def test_demo_command(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "summary.html" in text
    # the apps' command names this run's store (not the default one), so it opens this run
    assert f"benchmark app analysis -- --store {tmp_path / 'history.duckdb'}" in text
    assert (tmp_path / "2025Q3" / "summary.html").is_file()
    page = (tmp_path / "2025Q3" / "summary.html").read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org", "")


def test_explain_and_sheet_read_the_stored_run(first_run, capsys, tmp_path):
    out, store = first_run
    assert main(["explain", "D1-001", "--period", "2025Q3", "--store", str(store)]) == 0
    assert capsys.readouterr().out.startswith("Sengepost kirurgi 1 (Kirurgisk avdeling Hamar) – 2025Q3")
    sheet = tmp_path / "ark.html"
    assert main(["sheet", "D1-001", "--period", "2025Q3", "--store", str(store), "-o", str(sheet)]) == 0
    assert "<svg" in sheet.read_text(encoding="utf-8")
    assert main(["explain", "NOPE", "--period", "2025Q3", "--store", str(store)]) == 2
