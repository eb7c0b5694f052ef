"""Where a package's numbers come from: the stored run, the dataset it was made from, plan/beds files.

A package is made from a run in the store (its scores, ranking, measures and the 24-month monthly
criterion series the run recorded), so it always agrees with the sheets and apps of that run. What a
run does not record — bed days, budgeted FTE, the activity plan, daily census and headcount for
disclosure control — is read from the dataset recorded with the run (``runs.data_source``), and only
when its content fingerprint still equals the run's: numbers from changed data would not belong to
the run. When the dataset cannot be used the package says why in its text, and disclosure control
uses the headcount recorded with the run (``ranking.headcount``), failing closed where it is missing. The staffing budget and the bed draft are the
files ``plan-YYYY/gap.csv`` and ``beds-YYYY/bed_plan.csv`` next to the store (SPEC §6).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark.issues import UsageError


class UnknownDivision(UsageError):
    """The division asked for is not in the run; the message lists the known ones (CLI exit 1)."""


@dataclass(frozen=True)
class Sources:
    res: object            # benchmark.scoring.Result of the run (unit level)
    run: dict              # the run's row in ``runs``
    dataset: object | None  # the validated dataset the run was made from, or None
    dataset_problem: tuple[str, str] | None  # (word key, data source) when the dataset is not used
    gap: pd.DataFrame | None
    bed_plan: pd.DataFrame | None
    plan_year: int


def store_path(store: str | Path | None) -> Path:
    """``--store``, else ``BENCHMARK_STORE``, else ``benchmark-out/history.duckdb`` (SPEC §8's order)."""
    from benchmark.store import default_store_path

    if store:
        return Path(store)
    env = os.environ.get("BENCHMARK_STORE")
    return Path(env) if env else default_store_path()


def resolve_run(store: Path, period: str | None, run_id: str | None) -> dict:
    """The run's row: ``run_id``, else the latest unit-level run of ``period``, else the latest unit-level run."""
    from benchmark.periods import parse_period
    from benchmark.store import connect

    with connect(store, read_only=True) as con:
        if run_id:
            rows = con.execute("SELECT * FROM runs WHERE run_id = ?", [run_id]).df()
            if rows.empty:
                raise UsageError(f"there is no run '{run_id}' in the store {store}; see 'benchmark history'")
        else:
            sql, args = "SELECT * FROM runs WHERE level = 'unit'", []
            if period:
                sql, args = sql + " AND period = ?", [parse_period(period).label]
            rows = con.execute(sql + " ORDER BY started_at DESC, run_id DESC LIMIT 1", args).df()
            if rows.empty:
                what = f"for period {period} " if period else ""
                raise UsageError(f"no unit-level run {what}in the store {store}: run 'benchmark run DATA --period P' first")
    run = rows.iloc[0].to_dict()
    if run["level"] != "unit":
        raise UsageError(f"run {run['run_id']} scored {run['level']}s; a package needs a unit-level run")
    return run


def known_divisions(res) -> list[str]:
    return sorted(str(d) for d in res.ranking["division"].dropna().unique())


def check_division(res, division: str) -> None:
    known = known_divisions(res)
    if division not in known:
        listing = "\n".join(f"  - {d}" for d in known)
        raise UnknownDivision(f"there is no division '{division}' in run {res.run_id}; the known divisions are:\n"
                              f"{listing}")


def load_dataset_of_run(run: dict, store: Path):
    """(dataset, None) when the run's dataset is there and unchanged, else (None, (reason key, source))."""
    from benchmark.dataset import load_dataset
    from benchmark.issues import BenchmarkError

    source = str(run.get("data_source") or "")
    if not source:
        return None, ("ds_none", source)
    path = Path(source)
    if not path.exists() and not path.is_absolute() and (store.parent / path).exists():
        path = store.parent / path
    if not path.exists():
        return None, ("ds_missing", source)
    key = _signature(path)
    if key not in _CACHE:
        try:
            ds = load_dataset(path)
        except BenchmarkError:
            return None, ("ds_invalid", source)
        _CACHE.clear()  # one dataset kept: the service renders many packages of the same run
        _CACHE[key] = (ds, ds.fingerprint())
    ds, fingerprint = _CACHE[key]
    if fingerprint != run.get("data_fingerprint"):
        return None, ("ds_changed", source)
    return ds, None


_CACHE: dict[tuple, tuple] = {}


def _signature(path: Path) -> tuple:
    """The dataset's files with size and modification time: a changed file is read again."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return (str(path.resolve()),) + tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def read_planning_files(store: Path, year: int) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """``plan-YYYY/gap.csv`` and ``beds-YYYY/bed_plan.csv`` next to the store, when they exist."""
    out = []
    for folder, name in ((f"plan-{year}", "gap.csv"), (f"beds-{year}", "bed_plan.csv")):
        path = store.parent / folder / name
        out.append(pd.read_csv(path, dtype={"entity_id": str, "unit_id": str, "level": str, "week": str})
                   if path.exists() else None)
    return out[0], out[1]


def plan_year(period_label: str) -> int:
    """The budget year a package plans for: the year after the run's period (budgets are set in autumn)."""
    return int(period_label[:4]) + 1


def gather(store: str | Path | None, division: str, period: str | None, run_id: str | None) -> Sources:
    from benchmark.store import load_run

    path = store_path(store)
    run = resolve_run(path, period, run_id)
    res = load_run(path, run_id=run["run_id"])
    check_division(res, division)
    ds, problem = load_dataset_of_run(run, path)
    year = plan_year(res.period.label)
    gap, beds = read_planning_files(path, year)
    if gap is None and beds is None:  # no budget for next year yet: the running year's, if any
        gap, beds = read_planning_files(path, year - 1)
        year = year - 1 if (gap is not None or beds is not None) else year
    return Sources(res=res, run=run, dataset=ds, dataset_problem=problem, gap=gap, bed_plan=beds, plan_year=year)
