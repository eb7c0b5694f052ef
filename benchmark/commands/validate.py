"""``benchmark validate DATA``: every problem at once (exit 1), or a short summary (exit 0)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "validate",
        help="check a dataset against the data contract",
        description="Check a dataset (a folder of CSV or Parquet files, or an Excel workbook) against "
        "the data contract. Prints every problem (file, row, column, value, rule) and exits 1, or "
        "prints a short summary and exits 0. Warnings are shown but do not fail.",
    )
    parser.add_argument("data", metavar="DATA", help="dataset folder or workbook")
    parser.set_defaults(handler=run)


def summary(ds) -> str:
    months = ds.months
    care = ds.units["care_level"].value_counts().sort_index()
    lines = [
        f"Dataset {ds.source}: valid.",
        f"  units: {len(ds.units)} in {ds.units['division'].nunique()} divisions and "
        f"{ds.units['department'].nunique()} departments",
        f"  months: {len(months)} ({months[0]} to {months[-1]}), {len(ds.monthly)} unit-months",
        "  care levels: " + ", ".join(f"{k} {v}" for k, v in care.items()),
        "  divisions: " + ", ".join(sorted(ds.units["division"].unique())),
    ]
    if ds.measures is not None:
        lines.append(f"  measures: {ds.measures['measure_id'].nunique()} measures in "
                     f"{ds.measures['report_month'].nunique()} report months "
                     f"({ds.measures['report_month'].min()} to {ds.measures['report_month'].max()})")
    for name in ("division_results", "staffing_plans", "daily"):
        frame = getattr(ds, name)
        if frame is not None:
            lines.append(f"  {name}: {len(frame)} rows")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import sys

    from benchmark.dataset import validate_dataset
    from benchmark.issues import errors, render_report

    ds, issues = validate_dataset(args.data)
    if ds is None:
        print(render_report(issues, title=f"{args.data}: {len(errors(issues))} error(s) found; "
                            "nothing was loaded."), file=sys.stderr)
        return 1
    print(summary(ds))
    if issues:
        print(render_report(issues, limit=20))
    return 0
