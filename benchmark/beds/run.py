"""``benchmark beds``: load → draft → write OUT/beds-YYYY/ atomically → record in the store.

The files are written to a temporary folder beside the final one and swapped into place only
after the draft is recorded (benchmark/outputs/atomic.py), so bad data, a full disk or Ctrl-C
leave the earlier draft and the store as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class BedsRun:
    run_id: str
    folder: Path
    store: Path
    result: object
    files: list[Path]


def run_beds(data: str | Path, year: int, service_level: float = 0.95, closed_weeks=(), closed_units=None,
             extra_beds: int = 2, out: str | Path = "benchmark-out", store: str | Path | None = None,
             lang: str = "nb", seed: int = 1) -> BedsRun:
    from benchmark.beds.record import beds_tables
    from benchmark.beds.report import write_report
    from benchmark.beds.result import beds
    from benchmark.beds.workbook import write_tables, write_workbook
    from benchmark.dataset import load_dataset
    from benchmark.outputs.commit import commit, discard, workspace
    from benchmark.runner import sigterm_as_interrupt
    from benchmark.store import default_store_path, new_run_id

    out = Path(out)
    store = Path(store) if store else (out / "history.duckdb" if out != Path("benchmark-out") else default_store_path())
    run_id = new_run_id()
    started = datetime.now(UTC).isoformat()
    with sigterm_as_interrupt():
        ds = load_dataset(data)
        bd = beds(ds, year=year, service_level=service_level, closed_weeks=closed_weeks, seed=seed,
                  closed_units=closed_units, extra_beds=extra_beds)
        final = out / f"beds-{year}"
        out.mkdir(parents=True, exist_ok=True)
        ws = workspace(final, run_id)
        try:
            files = write_tables(bd, ws.tmp)
            files.append(write_workbook(bd, ws.tmp / "beds.xlsx", lang=lang))
            files.append(write_report(bd, ws.tmp / "beds.html", lang=lang, run_id=run_id))
        except BaseException:
            discard(ws)
            raise
        # one commit protocol: the draft is in the store iff beds-YYYY/ is in place (docs/DESIGN.md §7)
        meta = {"started_at": started, "data_source": str(data), "lang": lang, "folder": str(final)}
        commit(store, "beds", ws, {"started_at": started, "data_source": str(data), "period": str(year)},
               beds_tables(bd, meta))
    return BedsRun(run_id, final, store, bd, [final / p.name for p in files])
