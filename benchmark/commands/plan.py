"""``benchmark plan DATA --year YYYY``: the staffing budget from GAT plans and its gap to the frame (SPEC §11)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "plan", help="price the staffing plans of a budget year and set them against the frame",
        description="Roll out every unit's GAT rota onto the budget year (public holidays and the §10-10 "
        "holiday windows), split the shifts into day, evening/night, weekend and holiday hours, price them "
        "with the tariff (criteria/tariff.toml), add social costs and cover, and set the plan cost against "
        "the frame per unit, department and division, with the year's risk-adjusted measures and the "
        "unresolved challenge. Writes OUT/plan-YYYY/ staffing_budget.csv, gap.csv, indicators.csv, "
        "plan.xlsx and plan.html and records the plan in the store.")
    parser.add_argument("data", metavar="DATA", help="dataset folder or workbook (with rota and shift_codes, frames, "
                        "activity_plans)")
    parser.add_argument("--year", required=True, type=int, help="the budget year, e.g. 2027")
    parser.add_argument("--tariff", default=None, help="tariff file (default criteria/tariff.toml)")
    parser.add_argument("--out", default="benchmark-out", help="output folder (default ./benchmark-out)")
    parser.add_argument("--store", default=None, help="run history (default benchmark-out/history.duckdb, or "
                        "OUT/history.duckdb); the latest benchmark run of the same data gives the peer productivity")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"), help="language of outputs (default nb)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from benchmark.dataset import load_dataset
    from benchmark.explanation.numbers import number
    from benchmark.outputs.targets import check_output_dir, check_store_path
    from benchmark.plan import load_tariff, plan
    from benchmark.plan.benchmark_source import latest_benchmark
    from benchmark.plan.outputs import write_plan
    from benchmark.store import default_store_path

    out = check_output_dir(args.out)  # --out and --store are checked before any work (docs/DESIGN.md §7)
    store = check_store_path(Path(args.store or os.environ.get("BENCHMARK_STORE") or (
        out / "history.duckdb" if out != Path("benchmark-out") else default_store_path())))
    ds = load_dataset(args.data)
    tariff = load_tariff(args.tariff)
    res, how = latest_benchmark(ds, store)
    pl = plan(ds, args.year, tariff, benchmark=res)
    pl = type(pl)(**{**pl.__dict__, "notes": (*pl.notes, f"Produktivitet i likeverdige enheter: {how}.")})
    info = write_plan(pl, out=out, store=store, lang=args.lang, data_source=str(args.data))
    div = pl.gap[pl.gap["level"] == "division"]
    print(f"Staffing budget {args.year}: plan run {info.run_id} written to {info.folder} and recorded in {info.store}")
    print(f"  plan cost {number(div['cost_total'].sum())} kNOK, frame {number(div['pay_frame'].sum())} kNOK, "
          f"gap {number(div['gap'].sum())} kNOK, unresolved {number(div['unresolved'].sum())} kNOK")
    ind = pl.indicators
    print(f"  units with a GAT rota: {int(ind['units_with_rota'].sum())} of {int(ind['units'].sum())}; "
          f"with an activity plan: {int(ind['units_with_activity_plan'].sum())}")
    for note in pl.notes:
        print(f"  note: {note}")
    return 0
