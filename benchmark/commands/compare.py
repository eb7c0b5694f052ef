"""``benchmark compare RUN_A RUN_B`` (or ``--period-a P --period-b Q``): what moved between runs."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser("compare", help="show how scores, ranks and potentials moved between two runs",
                            description="Compare two runs (by id, or the latest run of two periods): "
                            "rank, composite score and improvement potential per entity, largest movers first.")
    parser.add_argument("run_a", nargs="?", default=None, metavar="RUN_A")
    parser.add_argument("run_b", nargs="?", default=None, metavar="RUN_B")
    parser.add_argument("--period-a", default=None, help="use the latest run of this period as A")
    parser.add_argument("--period-b", default=None, help="use the latest run of this period as B")
    parser.add_argument("--store", default=None, help="run history file (default benchmark-out/history.duckdb)")
    parser.add_argument("--top", type=int, default=20, help="rows to show (default 20)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from benchmark.issues import UsageError
    from benchmark.store import compare, default_store_path

    if not ((args.run_a and args.run_b) or (args.period_a and args.period_b)):
        raise UsageError("give two run ids (see 'benchmark history') or --period-a and --period-b")
    from benchmark.outputs.targets import check_store_path

    store = check_store_path(args.store or default_store_path(), write=False)
    a, b, moved = compare(store, args.run_a, args.run_b, args.period_a, args.period_b)
    print(f"A: {a['run_id']} ({a['period']}, {a['level']}, catalogue {a['catalogue_version']})")
    print(f"B: {b['run_id']} ({b['period']}, {b['level']}, catalogue {b['catalogue_version']})")
    cols = ["entity_id", "entity_name", "rank", "rank_b", "rank_change", "composite_change", "potential_knok",
            "potential_knok_b"]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(moved[cols].head(args.top).round(2).to_string(index=False))
    return 0
