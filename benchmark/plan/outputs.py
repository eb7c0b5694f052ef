"""Write ``OUT/plan-YYYY/`` atomically and record the plan in the store (like a benchmark run).

Files: staffing_budget.csv, gap.csv, indicators.csv (SPEC §6 columns), plan.xlsx and plan.html.
They are written to a temporary folder and committed with the store record through the one commit
protocol (benchmark/outputs/commit.py: pending → swap → complete); a failure or Ctrl-C leaves the
earlier folder and the store as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FILES = ("staffing_budget.csv", "gap.csv", "indicators.csv", "plan.xlsx", "plan.html")


@dataclass
class PlanRun:
    run_id: str
    folder: Path
    store: Path


def write_plan_files(pl, folder: Path, lang: str = "nb", run_id: str | None = None, metadata: dict | None = None) -> None:
    from benchmark.plan.report import write_plan_html
    from benchmark.plan.workbook import write_plan_xlsx

    for name, frame in (("staffing_budget", pl.staffing_budget), ("gap", pl.gap), ("indicators", pl.indicators)):
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", float_format="%.6f")
    write_plan_xlsx(pl, folder / "plan.xlsx", lang=lang, metadata=metadata)
    write_plan_html(pl, folder / "plan.html", lang=lang, run_id=run_id)


def write_plan(pl, out: str | Path = "benchmark-out", store: str | Path | None = None, lang: str = "nb",
               data_source: str = "") -> PlanRun:
    from benchmark.outputs.commit import commit, discard, workspace
    from benchmark.plan.record import plan_tables
    from benchmark.runner import sigterm_as_interrupt
    from benchmark.store import default_store_path, new_run_id

    out = Path(out)
    store = Path(store) if store else (out / "history.duckdb" if out != Path("benchmark-out") else default_store_path())
    run_id = new_run_id()
    started = datetime.now(UTC).isoformat()
    final = out / f"plan-{pl.year}"
    out.mkdir(parents=True, exist_ok=True)
    with sigterm_as_interrupt():
        ws = workspace(final, run_id)
        try:
            write_plan_files(pl, ws.tmp, lang, run_id, {"Kjøring": run_id, "Datakilde": data_source})
        except BaseException:
            discard(ws)
            raise
        # one commit protocol: the plan is in the store iff plan-YYYY/ is in place (docs/DESIGN.md §7)
        commit(store, "plan", ws, {"started_at": started, "data_source": data_source, "period": str(pl.year)},
               plan_tables(pl, {"started_at": started, "data_source": data_source, "lang": lang}))
    return PlanRun(run_id, final, store)
