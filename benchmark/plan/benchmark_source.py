"""Which benchmark gives the peer productivity for ``fte_needed_for_activity``.

The latest benchmark run in the store of the *same data* (same fingerprint) when there is one —
"the latest benchmark run" of the audit's budget process; otherwise the latest whole quarter of the
data scored now with the shipped catalogue (and the plan says so).
"""

from __future__ import annotations

from pathlib import Path


def latest_benchmark(ds, store: str | Path | None):
    """(result, how) where how is a Norwegian phrase for the notes."""
    from benchmark.store import connect, load_run

    if store and Path(store).exists():
        try:
            with connect(store, read_only=True, timeout=5) as con:
                exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'runs'"
                                     ).fetchone()[0]
                rows = con.execute("SELECT run_id FROM runs WHERE data_fingerprint = ? AND level = 'unit' "
                                   "ORDER BY started_at DESC, run_id DESC LIMIT 1", [ds.fingerprint()]).fetchall() \
                    if exists else []
        except Exception:  # a store in use or of another layout: fall back to scoring now
            rows = []
        if rows:
            res = load_run(store, run_id=rows[0][0])
            return res, f"benchmark-kjøring {res.run_id} ({res.period.label}) i {store}"
    from benchmark.catalogue import default_catalogue_path, load_criteria
    from benchmark.periods import latest_quarter
    from benchmark.scoring import score

    period = latest_quarter(ds.months)
    res = score(ds, load_criteria(default_catalogue_path()), period, level="unit", seed=1)
    return res, f"siste hele kvartal {period.label} beregnet nå med standard kriteriesett (ingen lagret kjøring av disse dataene)"
