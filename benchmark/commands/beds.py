"""``benchmark beds DATA --year YYYY``: the bed-capacity draft (SPEC §6, §12)."""

from __future__ import annotations

import argparse


def weeks(text: str) -> tuple[int, ...]:
    """'28-31' or '28,29,30' or '27,30-31' → ISO week numbers 1–53."""
    out: list[int] = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        try:
            lo, _, hi = part.partition("-")
            a, b = int(lo), int(hi or lo)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{part}' is not a week or a range of weeks (like 28-31)") from None
        if not (1 <= a <= b <= 53):
            raise argparse.ArgumentTypeError(f"'{part}': weeks run from 1 to 53, low to high")
        out += range(a, b + 1)
    return tuple(sorted(set(out)))


def service_level(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number (like 0.95)") from None
    if not 0.5 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text}: the service level is a share from 0.5 up to (not including) 1")
    return value


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "beds", help="draft bed capacity per ward and week for a budget year",
        description="Forecast each ward's midnight census per day of the budget year from its daily history "
        "(weekday, season, Norwegian holidays, trend; at least two years), recommend beds per ISO week so the "
        "ward is full on at most 1 - service level of the days, backtest against seasonal naive and the 85 % "
        "occupancy rule, and write OUT/beds-YYYY/ bed_plan.csv, backtest.csv, beds.xlsx, beds.html. Wards "
        "with only monthly bed_days get a monthly-mean draft, marked as such.")
    parser.add_argument("data", metavar="DATA", help="dataset folder or workbook (with the daily table)")
    parser.add_argument("--year", type=int, required=True, help="budget year (ISO weeks of that year)")
    parser.add_argument("--service-level", type=service_level, default=0.95,
                        help="share of days the ward has a bed for every patient (default 0.95)")
    parser.add_argument("--closed-weeks", type=weeks, default=(), help="closure weeks, e.g. 28-31 or 27,30-31")
    parser.add_argument("--closed-units", default=None,
                        help="comma-separated unit ids closed in those weeks (default: every ward); their "
                        "patients go to the open wards of the department")
    parser.add_argument("--extra-beds", type=int, default=2, help="'+N beds' rows in the trade-off table (default 2)")
    parser.add_argument("--out", default="benchmark-out", help="output folder (default ./benchmark-out)")
    parser.add_argument("--store", default=None, help="run history file (default benchmark-out/history.duckdb)")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"), help="language of outputs (default nb)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from benchmark.beds.run import run_beds
    from benchmark.explanation import numbers as fmt
    from benchmark.issues import UsageError

    if args.year < 2000 or args.year > 2100:
        raise UsageError(f"--year {args.year}: give the budget year, like 2027")
    if args.extra_beds < 0 or args.extra_beds > 50:
        raise UsageError("--extra-beds must be between 0 and 50")
    from benchmark.outputs.targets import check_output_dir, check_store_path

    check_output_dir(args.out)  # --out and --store are checked before any work (docs/DESIGN.md §7)
    if args.store:
        check_store_path(args.store)
    units = [u.strip() for u in args.closed_units.split(",") if u.strip()] if args.closed_units else None
    info = run_beds(args.data, args.year, args.service_level, args.closed_weeks, units, args.extra_beds,
                    args.out, args.store, args.lang)
    bd = info.result
    if units:
        unknown = sorted(set(units) - set(bd.bed_plan["unit_id"]))
        if unknown:
            print(f"note: --closed-units not among the forecast wards: {', '.join(unknown)}")
    plan = bd.bed_plan
    daily = plan[plan["basis"] == "daily"]["unit_id"].nunique()
    monthly = plan[plan["basis"] == "monthly_mean"]["unit_id"].nunique()
    print(f"Bed draft {bd.year} (run {info.run_id}), service level {fmt.number(bd.service_level, 2, 'en')}: "
          f"{daily} wards from daily census, {monthly} from monthly means (marked), "
          f"{int((bd.status['basis'] == 'none').sum())} left out")
    for line in bd.messages_en:
        print(f"  - {line}")
    if len(bd.backtest):
        means = bd.backtest.groupby("method", sort=False)[["share_days_covered", "bed_days_planned"]].mean()
        print("  backtest (last full year, mean over wards): " + "; ".join(
            f"{m} {fmt.percent(r['share_days_covered'], 1, 'en')} of days covered, "
            f"{fmt.number(r['bed_days_planned'], 0, 'en')} bed-days" for m, r in means.iterrows()))
    if len(bd.unplaced):
        print(f"  warning: {bd.unplaced['unit_id'].nunique()} closed wards have no open ward in their division "
              "for their patients; choose the wards that close with --closed-units")
    print(f"  outputs: {info.folder}")
    print(f"  store:   {info.store}")
    return 0
