"""``benchmark import-measures SHEET --division D --report-month YYYY-MM -o measures.csv``."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "import-measures", help="import a division's status sheet of budget measures",
        description="Import a 'Status tiltak - budsjett' sheet (xlsx, or ;-separated csv in UTF-8 or "
        "Windows-1252) into the measures table. Every declared sum row is checked against the rows it "
        "covers; problems are listed with the sheet row; warnings (blank progress, text starts) are shown.")
    parser.add_argument("sheet_path", metavar="SHEET", help="the status sheet (xlsx or csv)")
    parser.add_argument("--division", required=True, help="the division the sheet belongs to")
    parser.add_argument("--report-month", required=True, help="YYYY-MM of the report")
    parser.add_argument("--sheet", default=None,
                        help="the worksheet to read when a workbook has several status sheets (default: the one "
                        "sheet with a status header, whichever is active)")
    parser.add_argument("-o", "--output", required=True, help="measures.csv to write")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    from benchmark.issues import render_report
    from benchmark.measures.status_sheet import import_status_sheet
    from benchmark.outputs.atomic import atomic_file
    from benchmark.outputs.targets import check_output_file

    path = check_output_file(args.output)  # before reading: a wrong -o is named at once
    frame, warnings = import_status_sheet(args.sheet_path, args.division, args.report_month, sheet=args.sheet)
    with atomic_file(path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    kinds = frame.groupby("kind")["effect_planned"].sum().to_dict()
    print(f"Imported {len(frame)} measures from {args.sheet_path} ({args.division}, {args.report_month}) to {path}: "
          + ", ".join(f"{k} {v:,.0f} kNOK" for k, v in sorted(kinds.items())))
    if warnings:
        print(render_report(warnings, limit=50))
    return 0
