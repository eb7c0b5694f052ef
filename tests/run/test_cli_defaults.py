"""CLI friction (SPEC §6 version 2): explain/sheet read the latest run without --period, criteria
docs prints without -o, and the run summary keeps whole names out of the numbers."""

from __future__ import annotations

from pathlib import Path

from benchmark.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_explain_and_sheet_default_to_the_latest_run(tmp_path, capsys, monkeypatch):
    store = tmp_path / "history.duckdb"
    assert main(["run", str(ROOT / "fixtures" / "demo"), "--period", "2025Q3", "--quiet", "--out",
                 str(tmp_path / "out"), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "Rehabiliteringspost 4 (Fysikalsk medisin og rehabilitering)" in out  # the whole name, last
    monkeypatch.setenv("BENCHMARK_STORE", str(store))
    assert main(["explain", "D1-001"]) == 0
    assert capsys.readouterr().out.startswith("Sengepost kirurgi 1 (Kirurgisk avdeling Hamar) – 2025Q3")
    assert main(["sheet", "D1-001", "-o", str(tmp_path / "ark.html")]) == 0
    assert "2025Q3" in (tmp_path / "ark.html").read_text(encoding="utf-8")


def test_explain_without_a_store_is_a_usage_error(tmp_path, capsys):
    assert main(["explain", "D1-001", "--store", str(tmp_path / "none.duckdb")]) == 2
    assert "no run history" in capsys.readouterr().err


def test_criteria_docs_prints_to_standard_output(capsys):
    assert main(["criteria", "docs", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# ") and "Sick leave" in text
