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


_SUMMARY = {
    "nb": {"run": "Kjøring {id}: {period}, nivå {level}, kriteriekatalog {version}",
           "scored": "  enheter med score: {scored}, uten score: {unscored}",
           "flags": "  utenfor grensene: klart over (99,8 %) {a998}, over (95 %) {a95}, under (95 %) {b95}, "
                    "klart under (99,8 %) {b998}",
           "potential": "  størst forbedringspotensial (kNOK i året = årsverk til lønnskostnad + andre kNOK i året):",
           "outputs": "  resultater: {folder}", "store": "  historikk:  {store}",
           "note": "  ryddet opp: {note}", "warning": "  ADVARSEL: {warning}",
           "levels": {"unit": "enhet", "department": "avdeling", "division": "klinikk"}},
    "en": {"run": "Run {id}: {period}, level {level}, catalogue {version}",
           "scored": "  entities scored: {scored}, not scored: {unscored}",
           "flags": "  outside the limits: well above (99.8 %) {a998}, above (95 %) {a95}, below (95 %) {b95}, "
                    "well below (99.8 %) {b998}",
           "potential": "  largest improvement potentials (total kNOK/yr = staffing FTE at pay cost + other kNOK/yr):",
           "outputs": "  outputs: {folder}", "store": "  store:   {store}",
           "note": "  cleaned up: {note}", "warning": "  WARNING: {warning}",
           "levels": {"unit": "unit", "department": "department", "division": "division"}},
}


def print_summary(info, lang: str = "nb") -> None:
    """The run on the console in the run's language: Norwegian words and numbers (9 677 kNOK) by
    default, as everything else a user of the trust reads; English with ``--lang en``."""
    from benchmark.explanation import numbers as fmt

    t = _SUMMARY["en" if lang == "en" else "nb"]
    res = info.result
    r = res.ranking
    scored = int(r["rank"].notna().sum())
    flags = res.scores["flag"].value_counts()
    print(t["run"].format(id=info.run_id, period=res.period.label, level=t["levels"].get(res.level, res.level),
                          version=res.catalogue.version))
    print(t["scored"].format(scored=fmt.number(scored, lang=lang), unscored=fmt.number(len(r) - scored, lang=lang)))
    print(t["flags"].format(**{key: fmt.number(int(flags.get(flag, 0)), lang=lang) for key, flag in (
        ("a998", "above_99.8"), ("a95", "above_95"), ("b95", "below_95"), ("b998", "below_99.8"))}))
    print(t["potential"])
    for _, x in r.sort_values("potential_rank").head(5).iterrows():  # numbers first, the whole name last
        print(f"    {int(x['potential_rank']):>3}. {fmt.knok(x['potential_total_knok'], lang):>12} = "
              f"{fmt.fte(x['potential_fte'], lang):>13} + {fmt.knok(x['potential_knok'], lang):>11}  {x['entity_name']}")
    print(t["outputs"].format(folder=info.folder))
    print(t["store"].format(store=info.store))
    for note in getattr(info, "notes", []):
        print(t["note"].format(note=note))
    for warning in getattr(info, "warnings", []):
        print(t["warning"].format(warning=warning))


def run(args: argparse.Namespace) -> int:
    from benchmark.runner import run_benchmark

    info = run_benchmark(args.data, args.period, criteria=args.criteria, level=args.level, out=args.out,
                         store=args.store, seed=args.seed, lang=args.lang, quiet=args.quiet, verbose=args.verbose,
                         allow_partial=args.allow_partial)
    print_summary(info, args.lang)
    return 0
