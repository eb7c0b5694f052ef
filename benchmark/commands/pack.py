"""``benchmark pack --division D [--period P] [--run ID] [--store FILE] [--lang nb|en] [--analyst] -o DIR``."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "pack",
        help="write a clinic's analysis package (HTML + workbook)",
        description="Write the analysis package (analysepakke) of one clinic (division): per care level, activity "
        "and worked FTE month by month for 24 months against the peer median, care hours per patient day and the "
        "weekday profile for wards, variable pay, agency and sick leave, staffing plan against actual FTE, the units "
        "with their funnel positions, rank intervals and potentials, and the clinic's budget measures against risk, "
        "with reading notes; for planning, the staffing budget and bed draft of the budget year when "
        "'benchmark plan'/'benchmark beds' wrote them next to the store. A self-contained printable HTML "
        "(A4 landscape) and a workbook with the same numbers. Reads the latest unit-level run in the store unless "
        "--period or --run says otherwise.",
    )
    parser.add_argument("--division", required=True, help="the division (klinikk/divisjon) as in units.division")
    parser.add_argument("--period", default=None, help="period of the run, e.g. 2025Q3 (default: the latest run)")
    parser.add_argument("--run", dest="run_id", default=None, help="run id (default: the latest run)")
    parser.add_argument("--store", default=None,
                        help="run history file (default: $BENCHMARK_STORE, else benchmark-out/history.duckdb)")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"), help="language (default nb)")
    parser.add_argument("--analyst", action="store_true",
                        help="the analysis department's copy: suppressed values of small units are shown")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the package to")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmark.pack import write_package
    from benchmark.pack.source import UnknownDivision

    try:
        paths = write_package(args.store, args.division, args.output, period=args.period, run_id=args.run_id,
                              lang=args.lang, analyst=args.analyst)
    except UnknownDivision as exc:  # invalid input, not a usage error: exit 1 with the known divisions
        print(f"benchmark: {exc}", file=sys.stderr)
        return 1
    for p in paths:
        print(f"Wrote {p}")
    return 0
