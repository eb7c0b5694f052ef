"""The analysis app at national scale: what a weight change costs in Python, cell by cell.

    .venv/bin/python tests/perf/perf_app.py [n_units] [--store FILE --run ID] [--moves N]

On a stored 10 000-unit run (made first unless ``--store``/``--run`` are given), runs the work of
every cell notebooks/analysis.py re-runs when a weight slider moves, in the app's order —
the slider panel, ``Result.rescore`` (through ``views.reweighted``), the ranking table
(``mo.ui.table``), the rank chart (``views.rank_chart``), the sensitivity table and the lazy
download buttons — and prints figure, best, median, target and share. The funnel, the potential
and the picked unit's months do not depend on the weights and are not re-run. Not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import marimo as mo
from perf_app_common import machine, national_store, table

from benchmark import sources, views
from benchmark.explanation import numbers as fmt


def weight_change(base, weights: dict) -> list[tuple[str, float]]:
    steps: list[tuple[str, float]] = []

    def step(label, fn):
        start = time.perf_counter()
        out = fn()
        steps.append((label, time.perf_counter() - start))
        return out

    step("slider panel (values as text)", lambda: mo.vstack([
        mo.Html(f"<span>{fmt.number(weights[c.id], 2, 'nb')}</span>") for c in base.catalogue.criteria]).text)
    result = step("rescore (views.reweighted → Result.rescore)", lambda: views.reweighted(base, weights))

    def ranking():
        view, formats = views.ranking_table(result, "nb", None)
        return views.ui_table(view, formats, lang="nb", selection="single", page_size=15)

    step("ranking table (frame + mo.ui.table)", ranking)
    group = views.funnel_group(result, "", None)
    step("rank chart (views.rank_chart)", lambda: views.rank_chart(result.ranking, peer_group=group, lang="nb")._mime_())
    step("sensitivity table", lambda: views.ui_table(*views.sensitivity_table(result, "nb"), lang="nb", page_size=10))
    step("download buttons (lazy)", lambda: mo.hstack([
        mo.download(data=lambda: views.csv_bytes(result.ranking), filename="ranking.csv"),
        mo.download(data=lambda: views.csv_bytes(result.scores), filename="scores.csv")]))
    return steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_units", nargs="?", type=int, default=10_000)
    ap.add_argument("--store")
    ap.add_argument("--run")
    ap.add_argument("--moves", type=int, default=6)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.store:
            store, run_id = Path(a.store), a.run
        else:
            _, store, run_id = national_store(Path(tmp), a.n_units)
        start = time.perf_counter()
        import benchmark.stored  # noqa: F401 - the imports (scipy, altair, …) apart from the reading
        imported = time.perf_counter() - start
        start = time.perf_counter()
        base = sources.stored_result(run_id, store)
        opened = time.perf_counter() - start
        per_step: dict[str, list[float]] = {}
        totals, to_table = [], []
        for i in range(a.moves + 1):
            w = (3.0, 0.0)[i % 2]
            steps = weight_change(base, {**base.catalogue.weights(), "sick_leave_rate": w})
            if i == 0:
                continue  # the first move builds the rank chart's spec and the normalised values once
            for label, seconds in steps:
                per_step.setdefault(label, []).append(seconds)
            totals.append(sum(s for _, s in steps))
            to_table.append(sum(s for _, s in steps[:3]))
    rows = [(label, values, 0.05 if label.startswith("rescore") else 0.0) for label, values in per_step.items()]
    rows += [("until the ranking table is built (first three)", to_table, 0.3),
             ("every re-run cell", totals, 0.3)]
    print(f"\nStored run of {a.n_units:_} units read in {opened:.2f} s (ranking and scores; the rest lazily), "
          f"after {imported:.1f} s of imports".replace("_", " ").replace(".", ","))
    print(table(f"A weight change in notebooks/analysis.py, Python side ({machine()})", rows, unit="ms"))


if __name__ == "__main__":
    main()
