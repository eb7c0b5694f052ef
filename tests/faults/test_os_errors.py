"""OS errors, store errors and catalogue errors through the CLI: one message, the right exit
code, no traceback, and the checks of ``--out``/``-o``/``--store`` made before any work.

Read-only and full disks are real: a small tmpfs is mounted (we run as root in CI); where
``mount`` is not allowed the tests are skipped with the reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest

from benchmark.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
TINY = DATA / "tiny_trust"
BENCHMARK = [sys.executable, "-m", "benchmark"]
DEFAULT_TOML = Path(__file__).resolve().parents[2] / "criteria" / "default.toml"


def files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def tmpfs(tmp_path):
    """A 16 MB tmpfs (room for one run of the tiny trust with its store); yields (path, remount(options))."""
    mnt = tmp_path / f"mnt-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.strip() or 'mount failed'}); needs root")

    def remount(options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(mnt)], check=True)
    yield mnt, remount
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def bad_copy(tmp_path: Path) -> Path:
    """The tiny trust with one bad cell, so a test can tell whether validation ran at all."""
    folder = tmp_path / "bad"
    shutil.copytree(TINY, folder)
    text = (folder / "monthly.csv").read_text(encoding="utf-8").replace("T01;2025-01;", "T01;2025-01;x", 1)
    (folder / "monthly.csv").write_text(text, encoding="utf-8")
    return folder


def test_out_is_a_file_is_named_before_validating(tmp_path, capsys):
    target = tmp_path / "out.txt"
    target.write_text("not a folder")
    assert main(["run", str(bad_copy(tmp_path)), "--period", "2025Q3", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"--out {target}: this is a file, not a folder" in err
    assert "not_a_number" not in err and "Traceback" not in err  # the data were not even read


def test_out_inside_a_file(tmp_path, capsys):
    target = tmp_path / "out.txt"
    target.write_text("x")
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(target / "sub")]) == 2
    assert "is a file, so no folder can be made inside it" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["folder", "not_duckdb", "empty"])
def test_store_open_errors_say_what_they_are(tmp_path, capsys, kind):
    store = tmp_path / "history.duckdb"
    if kind == "folder":
        store.mkdir()
        expected = "this is a folder; the run history is a file"
    else:
        store.write_text("" if kind == "empty" else "unit_id;month\nA;2025-01\n")
        expected = "this file is not a run history (not a DuckDB database)"
    for argv in (["history", "--store", str(store)],
                 ["run", str(TINY), "--period", "2025Q3", "--out", str(tmp_path / "o"), "--store", str(store)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert expected in err and "in use by another run" not in err and "Traceback" not in err


def test_a_busy_store_waits_then_names_the_process(tmp_path):
    store = tmp_path / "history.duckdb"
    duckdb.connect(str(store)).close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(store)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        env = {**os.environ, "BENCHMARK_LOCK_TIMEOUT": "1"}
        proc = subprocess.run([*BENCHMARK, "history", "--store", str(store)], env=env, capture_output=True,
                              text=True, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 1
    assert f"is in use by another run (process {holder.pid}); waited 1 s" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_read_only_disk(tmpfs, tmp_path, capsys):
    mnt, remount = tmpfs
    out = mnt / "out"
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    before = files(out)
    remount("ro")
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "read-only file system" in err and "Traceback" not in err
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(tmp_path / "o"),
                 "--store", str(out / "history.duckdb")]) == 1
    assert "the run history cannot be changed: it is on a read-only file system" in capsys.readouterr().err
    assert main(["import-measures", str(DATA / "bad_sheets" / "valid.csv"), "--division", "Indre",
                 "--report-month", "2025-06", "-o", str(out / "measures.csv")]) == 1
    assert "read-only file system" in capsys.readouterr().err
    assert files(out) == before


def test_full_disk_leaves_the_earlier_outputs_and_store(tmpfs, tmp_path, capsys):
    mnt, _ = tmpfs
    out, store = mnt / "out", tmp_path / "history.duckdb"
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(out), "--store", str(store), "--quiet"]) == 0
    capsys.readouterr()
    before = files(out)
    with duckdb.connect(str(store), read_only=True) as con:
        n_runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
    (mnt / "filler").write_bytes(b"\0" * max(free - 40_000, 0))  # room for a few files, not a run
    assert main(["run", str(TINY), "--period", "2025Q3", "--out", str(out), "--store", str(store), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Traceback" not in err
    assert files(out) == before  # no .tmp- leftovers, outputs unchanged
    with duckdb.connect(str(store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs").fetchone()[0] == n_runs


def test_output_files_into_a_missing_folder(tmp_path, capsys):
    assert main(["criteria", "docs", "-o", str(tmp_path / "nodir" / "criteria.md")]) == 1
    err = capsys.readouterr().err
    assert "nodir" in err and "there is no such file or folder" in err and "Traceback" not in err


def test_an_unexpected_bug_shows_a_traceback_and_asks_for_a_report(tmp_path):
    env = {**os.environ, "BENCHMARK_FAULT": "after:validate:bug"}
    proc = subprocess.run([*BENCHMARK, "run", str(TINY), "--period", "2025Q3", "--out", str(tmp_path / "o")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "this is a bug in benchmark" in proc.stderr and "Please report" in proc.stderr
    assert not (tmp_path / "o" / "2025Q3").exists()


# -- catalogues that used to end in a traceback (issue 14, item 7) ---------------------------------

def catalogue(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


MINIMAL = '''version = "t1"
[[criterion]]
id = "sick_leave"
name = { nb = "Sykefravær", en = "Sick leave" }
description = { nb = "Sykefraværsdagsverk av mulige dagsverk", en = "Sick-leave days of possible days" }
rationale = { nb = "Høyt fravær gir merarbeid – også for ledere", en = "High absence means extra work" }
numerator = "sick_leave_days"
denominator = "possible_days"
direction = "lower_is_better"
model = "proportion"
'''


def test_a_windows_1252_catalogue_is_read(tmp_path, capsys):
    path = catalogue(tmp_path, "cp1252.toml", MINIMAL, encoding="cp1252")
    assert main(["criteria", "check", str(path)]) == 0


@pytest.mark.parametrize("change, field, rule", [
    (('model = "proportion"', 'model = "proportion"\nlevels = 3'), "levels", "wrong_type"),
    (('version = "t1"', 'version = "t1"\ncriterion = ["a"]'), None, "bad_toml"),
    (('denominator = "possible_days"', 'denominator = "(1/0)"'), "denominator", "bad_formula"),
    (('numerator = "sick_leave_days"', 'numerator = "' + " + ".join(["sick_leave_days"] * 5000) + '"'),
     "numerator", "bad_formula"),
    (('numerator = "sick_leave_days"', 'numerator = "' + "(sick_leave_days * " * 80 + "1" + ")" * 80 + '"'),
     "numerator", "bad_formula"),
    (('direction = "lower_is_better"', 'direction = 1'), "direction", "wrong_type"),
])
def test_bad_catalogues_are_issues_in_check_and_run(tmp_path, capsys, change, field, rule):
    path = catalogue(tmp_path, "bad.toml", MINIMAL.replace(*change))
    assert main(["criteria", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"(rule {rule})" in err and "Traceback" not in err
    if field:
        assert f"field '{field}'" in err
    assert main(["run", str(TINY), "--period", "2025Q3", "--criteria", str(path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert f"(rule {rule})" in err and "Traceback" not in err
    assert not (tmp_path / "o" / "2025Q3").exists()


def test_criterion_as_a_list_of_words(tmp_path, capsys):
    path = catalogue(tmp_path, "list.toml", 'version = "1"\ncriterion = ["a"]\n')
    assert main(["criteria", "check", str(path)]) == 1
    assert "criteria are written as [[criterion]] tables (rule wrong_type)" in capsys.readouterr().err.replace(
        ", each with id = \"…\" and its fields", "")
