"""``benchmark explain ENTITY [--period P] [--run ID] [--store FILE] [--lang nb|en]``."""

from __future__ import annotations

import argparse


def add_common(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``explain`` and ``sheet``: which run to read the result from."""
    parser.add_argument("entity", metavar="ENTITY", help="entity id (unit id, department or division)")
    parser.add_argument("--period", default=None,
                        help="period of the run, e.g. 2025Q3 (default: the latest run in the store)")
    parser.add_argument("--run", dest="run_id", default=None,
                        help="run id (default: the latest run of the period in the store)")
    parser.add_argument("--level", default=None, choices=("unit", "department", "division"),
                        help="level of the run (default: the level of the latest run of the period)")
    parser.add_argument("--store", default=None,
                        help="run history file (default: $BENCHMARK_STORE, else benchmark-out/history.duckdb)")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"), help="language (default nb)")
    parser.add_argument("--analyst", action="store_true",
                        help="show sensitive criteria of small units too (default: masked for leaders, SPEC §10)")


def load_result(args: argparse.Namespace):
    """The stored result the user asked for; a clear usage error when there is none."""
    from benchmark.sources import store_path, stored_runs
    from benchmark.store import load_run

    store = store_path(args.store)
    run_id = args.run_id
    if run_id is None and args.period is None:  # the latest run in the store (at --level if given)
        runs = stored_runs(store)
        if args.level:
            runs = runs[runs["level"] == args.level]
        if runs.empty:
            load_run(store, period="", level=args.level)  # the store's own message: no store / no run
        run_id = str(runs["run_id"].iloc[-1])
    res = load_run(store, run_id=run_id, period=args.period, level=args.level)
    if getattr(args, "analyst", False):
        return res
    from benchmark.privacy import mask_result

    return mask_result(res)


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "explain",
        help="explain an entity's score in plain language",
        description="Explain an entity's score in plain Norwegian (or English with --lang en): "
        "its rank with interval, the criteria that pull it down and up, the improvement potential, "
        "trends, the division's measures and caveats. Reads the latest run of the period from the "
        "store, or the run given with --run.",
    )
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmark.explanation import explain

    res = load_result(args)
    print(explain(res, args.entity, lang=args.lang))
    return 0
