"""The analysis app at national scale: what a weight change costs. Prints a table.

    .venv/bin/python tests/perf/perf_app.py [n_units]

Runs, on generated 10 000-unit data, every computation the cells of notebooks/analysis.py
re-run when a weight slider moves — rescore, the ranking table, the caterpillar and potential
charts, the sensitivity table and the download buttons — including building the marimo UI
elements (which serialise the data for the browser). The funnel is not among them: its values do
not depend on the weights and the picked unit is kept in state; its cost is printed apart. The first load (validate + score) is
timed too. Not a test: timings on shared machines are noisy; the figures go into the README.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import marimo as mo

from benchmark import charts, views
from benchmark.dataset import dataset_from_frames, write_dataset
from benchmark.demo_data import generate_national


def weight_change(base, weights: dict) -> list[tuple[str, float]]:
    steps: list[tuple[str, float]] = []

    def step(label, fn):
        start = time.perf_counter()
        out = fn()
        steps.append((label, time.perf_counter() - start))
        return out

    result = step("rescore (composite, rank intervals)", lambda: base.rescore(weights=weights))
    table = step("ranking table (mo.ui.table)", lambda: mo.ui.table(
        views.ranking_view(result, "nb", None), selection="single", page_size=15))
    selected = table.value.iloc[0]["Id"] if len(table.value) else None
    step("caterpillar and potential charts", lambda: mo.vstack([
        charts.caterpillar_chart(result.ranking, highlight=selected, lang="nb"),
        charts.potential_chart(result.ranking, highlight=selected, lang="nb")]))
    step("sensitivity table", lambda: mo.ui.table(views.sensitivity_view(result, "nb"), selection=None))
    step("download buttons (lazy)", lambda: mo.hstack([
        mo.download(data=lambda: views.csv_bytes(result.ranking), filename="ranking.csv"),
        mo.download(data=lambda: views.csv_bytes(result.scores), filename="scores.csv")]))
    return steps


def main(n_units: int = 10_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tables = generate_national(n_units, 36, seed=1)
        data = write_dataset(dataset_from_frames(tables["units"], tables["monthly"]), Path(tmp) / "data", "csv")
        start = time.perf_counter()
        base = views.result_for(str(data), "2025Q3", "unit")
        first = time.perf_counter() - start
        print(f"\nAnalysis app, {n_units} units × 36 months: first load (read, validate, score) {first:.1f} s")
        crit = base.catalogue.criteria[0].id
        start = time.perf_counter()
        mo.ui.altair_chart(charts.funnel_chart(base.scores, crit, peer_group=views.funnel_group(base, "", None),
                                               catalogue=base.catalogue, lang="nb", selectable=True))
        print(f"{'funnel plot (drawn on a new pick or criterion, not on a weight change)':<72}"
              f"{1000 * (time.perf_counter() - start):>6.0f} ms")
        print(f"{'a weight change re-runs':<44}{'ms':>8}")
        for i, w in enumerate((2.0, 0.5, 1.25)):
            weights = {**base.catalogue.weights(), "sick_leave_rate": w}
            steps = weight_change(base, weights)
            if i == 0:
                for label, seconds in steps:
                    print(f"  {label:<42}{1000 * seconds:>8.0f}")
            print(f"{'total, change ' + str(i + 1):<44}{1000 * sum(s for _, s in steps):>8.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
