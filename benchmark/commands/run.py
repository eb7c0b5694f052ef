"""``benchmark run DATA --period P``: the quarterly run, from data to outputs and run history."""

from __future__ import annotations

import argparse


def add_run_options(parser: argparse.ArgumentParser, with_period: bool = True) -> None:
    if with_period:
        parser.add_argument("--period", required=True, help="2025Q3, 2025-09, 2025 or R12-2025-09")
    parser.add_argument("--criteria", default=None, help="criteria catalogue (default criteria/default.toml)")
    parser.add_argument("--level", default="unit", choices=("unit", "department", "division"), help="default unit")
    parser.add_argument("--out", default="benchmark-out", help="output folder (default ./benchmark-out)")
    parser.add_argument("--store", default=None,
                        help="run history file (default benchmark-out/history.duckdb, or OUT/history.duckdb)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the rank-interval bootstrap (default 1)")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"), help="language of outputs (default nb)")
    parser.add_argument("--allow-partial", action="store_true",
                        help="score a period the data cover only in part (a warning is printed and written to "
                        "OUT/<period>/WARNINGS.txt); without it such a period is an error")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument("--verbose", action="store_true", help="print the time of every step")


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "run", help="run the benchmark for a period and record it",
        description="Validate the data, compute the criteria, score within peer groups and write "
        "OUT/<period>/ scores.csv, ranking.csv, measures.csv, benchmark.xlsx, summary.html and "
        "parquet/*.parquet; record the run in the history store and print its id. A run that fails "
        "leaves earlier outputs and the store unchanged.")
    parser.add_argument("data", metavar="DATA", help="dataset folder or workbook")
    add_run_options(parser)
    parser.set_defaults(handler=run)


def print_summary(info, lang: str = "nb") -> None:
    from benchmark.explanation import numbers as fmt

    res = info.result
    r = res.ranking
    scored = int(r["rank"].notna().sum())
    flags = res.scores["flag"].value_counts()
    print(f"Run {info.run_id}: {res.period.label}, level {res.level}, catalogue {res.catalogue.version}")
    print(f"  entities scored: {scored}, not scored: {len(r) - scored}")
    outside = {k: int(flags.get(k, 0)) for k in ("above_99.8", "above_95", "below_95", "below_99.8")}
    print("  flags: " + ", ".join(f"{k} {v}" for k, v in outside.items()))
    print("  largest improvement potentials (total kNOK/yr = staffing FTE at pay cost + other kNOK/yr):")
    for _, x in r.sort_values("potential_rank").head(5).iterrows():  # numbers first, the whole name last
        print(f"    {int(x['potential_rank']):>3}. {fmt.knok(x['potential_total_knok'], 'en'):>12} = "
              f"{fmt.fte(x['potential_fte'], 'en'):>9} + {fmt.knok(x['potential_knok'], 'en'):>11}  {x['entity_name']}")
    print(f"  outputs: {info.folder}")
    print(f"  store:   {info.store}")
    for note in getattr(info, "notes", []):
        print(f"  cleaned up: {note}")
    for warning in getattr(info, "warnings", []):
        print(f"  WARNING: {warning}")


def run(args: argparse.Namespace) -> int:
    from benchmark.runner import run_benchmark

    info = run_benchmark(args.data, args.period, criteria=args.criteria, level=args.level, out=args.out,
                         store=args.store, seed=args.seed, lang=args.lang, quiet=args.quiet, verbose=args.verbose,
                         allow_partial=args.allow_partial)
    print_summary(info, args.lang)
    return 0
