"""``benchmark sheet ENTITY --period P [--run ID] -o FILE.html`` and ``--division D -o FOLDER``."""

from __future__ import annotations

import argparse

from benchmark.commands.explain import add_common, load_result


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "sheet",
        help="write a one-page dialogue sheet (A4 HTML)",
        description="Write a one-page, print-ready dialogue sheet for an entity: the explanation, "
        "the entity among its peers per main criterion, trend sparklines, the division's measures "
        "and the definitions of the criteria. Self-contained HTML (no network needed). With "
        "--all-in-division, ENTITY is a division name and -o a folder: one sheet per entity.",
    )
    add_common(parser)
    parser.add_argument("-o", "--output", required=True, help="FILE.html (or a folder with --all-in-division)")
    parser.add_argument("--all-in-division", action="store_true",
                        help="ENTITY is a division: write a sheet for each of its entities into the folder -o")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmark.explanation.sheet import write_division_sheets, write_sheet

    res = load_result(args)
    run_id = getattr(res, "run_id", None) or args.run_id
    if args.all_in_division:
        paths = write_division_sheets(res, args.entity, args.output, lang=args.lang, run_id=run_id)
        print(f"Wrote {len(paths)} sheets to {args.output}")
    else:
        path = write_sheet(res, args.entity, args.output, lang=args.lang, run_id=run_id)
        print(f"Wrote {path}")
    return 0
