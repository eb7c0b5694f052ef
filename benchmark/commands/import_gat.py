"""``benchmark import-gat FILE [--layout long|wide|auto] [--shift-codes FILE] -o DIR`` (SPEC §6, §11)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "import-gat", help="import a GAT roster export into rota.csv and shift_codes.csv",
        description="Read a roster exported from GAT (xlsx, or ;-separated csv in UTF-8 or Windows-1252), in the "
        "long layout (one row per date and employee) or the wide layout (one row per employee, one column per "
        "date, month headers in merged cells), skipping title, sum and page rows. Employee numbers become "
        "pseudonymous position ids. Every problem is listed with the file row: unknown shift codes, employees "
        "without a position percentage, dates outside the plan's validity, shifts ending before they start "
        "without crossing midnight.")
    parser.add_argument("file", metavar="FILE", help="the GAT export (.xlsx or .csv)")
    parser.add_argument("--layout", default="auto", choices=("long", "wide", "auto"), help="default: auto")
    parser.add_argument("--shift-codes", default=None, help="the shift-code table (csv/xlsx: vaktkode, fra, til, pause, "
                        "arbeid, kategori); default: a sheet 'Vaktkoder' in the workbook")
    parser.add_argument("--unit", default=None, help="the unit id when the export has no Enhet column or line")
    parser.add_argument("--plan-id", default=None, help="the plan id (default: the export's 'Turnus:' line, else GAT-<unit>)")
    parser.add_argument("--valid-from", default=None, help="first day of the plan's validity (default: the export's "
                        "'Periode:' line)")
    parser.add_argument("--valid-to", default=None, help="last day of the plan's validity")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for rota.csv and shift_codes.csv")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from benchmark.plan.gat import import_gat

    imp = import_gat(args.file, layout=args.layout, shift_codes=args.shift_codes, unit=args.unit,
                     plan_id=args.plan_id, valid_from=args.valid_from, valid_to=args.valid_to)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("rota", imp.rota), ("shift_codes", imp.shift_codes)):
        tmp = out / f".{name}.csv.tmp"
        frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
        tmp.replace(out / f"{name}.csv")
    r = imp.rota
    span = f"{r['date'].min()} – {r['date'].max()}" if len(r) else "no days"
    print(f"Imported {len(r)} days of {r['position_id'].nunique()} positions in {r['unit_id'].nunique()} unit(s) "
          f"({imp.layout} layout, {span}) and {len(imp.shift_codes)} shift codes to {out}")
    if imp.validity:
        print(f"  every date checked against the plan's validity {imp.validity[0]:%d.%m.%Y} – {imp.validity[1]:%d.%m.%Y}")
    else:
        print("  the export states no validity period (Periode:); dates were not checked against one")
    if imp.skipped:
        rows = ", ".join(map(str, imp.skipped[:15])) + (" …" if len(imp.skipped) > 15 else "")
        print(f"  skipped {len(imp.skipped)} sum, page or repeated-header rows: {rows}")
    return 0
