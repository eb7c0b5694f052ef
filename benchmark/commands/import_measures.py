"""``benchmark import-measures SHEET --division D --report-month YYYY-MM -o measures.csv``."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "import-measures", help="import a division's status sheet of budget measures",
        description="Import a 'Status tiltak - budsjett' sheet (xlsx, or ;-separated csv in UTF-8 or "
        "Windows-1252) into the measures table. Every declared sum row is checked against the rows it "
        "covers; problems are listed with the sheet row; warnings (blank progress, text starts) are shown.")
    parser.add_argument("sheet", metavar="SHEET")
    parser.add_argument("--division", required=True, help="the division the sheet belongs to")
    parser.add_argument("--report-month", required=True, help="YYYY-MM of the report")
    parser.add_argument("-o", "--output", required=True, help="measures.csv to write")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from benchmark.issues import render_report
    from benchmark.measures.status_sheet import import_status_sheet

    frame, warnings = import_status_sheet(args.sheet, args.division, args.report_month)
    path = Path(args.output)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n")
    tmp.replace(path)
    kinds = frame.groupby("kind")["effect_planned"].sum().to_dict()
    print(f"Imported {len(frame)} measures from {args.sheet} ({args.division}, {args.report_month}) to {path}: "
          + ", ".join(f"{k} {v:,.0f} kNOK" for k, v in sorted(kinds.items())))
    if warnings:
        print(render_report(warnings, limit=50))
    return 0
