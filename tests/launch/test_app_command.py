"""``benchmark app``: the warm-up runs the notebook with the app's own arguments before serving,
reports a failing cell in one line, and the command serves loopback addresses only."""

from __future__ import annotations

import json
import textwrap

import pytest

from benchmark import launch
from benchmark.cli import main

NOTEBOOK = '''
import marimo

app = marimo.App()

with app.setup:
    import json
    from pathlib import Path

    import marimo as mo


@app.cell
def _():
    args = mo.cli_args()
    Path(args["out"]).write_text(json.dumps(dict(args)), encoding="utf-8")
    return (args,)


@app.cell
def _(args):
    if args.get("fail"):
        raise ValueError("the source did not open")
    return
'''


@pytest.fixture
def notebook(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(textwrap.dedent(NOTEBOOK), encoding="utf-8")
    return path


def test_the_warm_up_runs_every_cell_with_the_apps_own_arguments(notebook, tmp_path):
    out = tmp_path / "args.json"
    seconds, problem = launch.warm(notebook, ["--out", str(out), "--source", "run:20260101T000000-1"])
    assert problem is None
    assert json.loads(out.read_text(encoding="utf-8")) == {"out": str(out), "source": "run:20260101T000000-1"}
    assert seconds > 0


def test_a_failing_cell_is_one_line_and_the_command_line_is_restored(notebook, tmp_path):
    import sys

    before = list(sys.argv)
    _, problem = launch.warm(notebook, ["--out", str(tmp_path / "a.json"), "--fail", "1"])
    assert sys.argv == before
    assert problem is not None and "\n" not in problem
    assert "the source did not open" in problem


def test_marimo_gets_the_apps_arguments_after_the_separator(tmp_path):
    path = tmp_path / "analysis.py"
    assert launch.marimo_run_args(path, "127.0.0.1", 2800, True, ["--source", "x"]) == [
        "run", str(path), "--host", "127.0.0.1", "--port", "2800", "--headless", "--", "--source", "x"]
    assert launch.marimo_run_args(path, "::1", None, False, []) == ["run", str(path), "--host", "::1"]


def test_every_app_of_the_spec_is_installed():
    for name in launch.NOTEBOOKS:
        assert launch.notebook_path(name).is_file()
    assert launch.notebook_path("analysis.py") == launch.notebook_path("analysis")


def test_other_addresses_than_this_machine_are_refused(capsys):
    assert main(["app", "analysis", "--host", "0.0.0.0", "--", "--source", "demo"]) == 2
    err = capsys.readouterr().err
    assert "--host 0.0.0.0" in err and "benchmark serve" in err and "Traceback" not in err


def test_an_unknown_app_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["app", "benchmark"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
