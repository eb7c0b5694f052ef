"""``benchmark demo``: the whole pipeline on the demo trust, into ./benchmark-out."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser("demo", help="run the benchmark on the demo trust",
                            description="Run the latest whole quarter of the demo trust (fixtures/demo) into "
                            "./benchmark-out: outputs, run history, the top of the ranking, and where to look next.")
    parser.add_argument("--out", default="benchmark-out", help="output folder (default ./benchmark-out)")
    parser.add_argument("--store", default=None, help="run history file (default OUT/history.duckdb)")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"))
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    parser.set_defaults(handler=run)


def demo_path():
    import tempfile
    from pathlib import Path

    from benchmark.views import DEMO

    if DEMO.exists():
        return DEMO
    from benchmark.demo_data import write_demo

    return write_demo(Path(tempfile.mkdtemp(prefix="benchmark-demo-")) / "demo")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from benchmark.commands.run import print_summary
    from benchmark.dataset import load_dataset
    from benchmark.explanation import numbers as fmt
    from benchmark.periods import latest_quarter
    from benchmark.runner import run_benchmark

    data = demo_path()
    period = latest_quarter(load_dataset(data).months).label
    store = args.store or str(Path(args.out) / "history.duckdb")
    info = run_benchmark(data, period, out=args.out, store=store, lang=args.lang, quiet=args.quiet,
                         verbose=args.verbose)
    print_summary(info, args.lang)
    from benchmark.labels import peer_group_label

    nb = args.lang != "en"
    r = info.result.ranking.dropna(subset=["rank"])
    print("\n  " + ("beste enhet i hver sammenligningsgruppe (plass med 95 %-intervall):" if nb
                    else "top of the ranking per peer group (rank with 95 % interval):"))
    # the name last, in full: a long name never runs into the numbers
    labels = {g: peer_group_label(g, args.lang) for g in r["peer_group"].unique()}
    width = max((len(v) for v in labels.values()), default=14)
    for group, part in r.groupby("peer_group", sort=True):
        best = part.sort_values("rank").iloc[0]
        rank = fmt.rank_interval(best["rank"], best["rank_low"], best["rank_high"], best["peer_n"], args.lang)
        print(f"    {labels[group]:<{width}} {rank:<36} {best['entity_name']}")
    summary = Path(info.folder).resolve() / "summary.html"
    from benchmark.store import default_store_path

    # the apps open the latest run of the default store; another store is named after --
    same = Path(store).resolve() == Path(default_store_path()).resolve()
    app = "benchmark app analysis" + ("" if same else f" -- --store {store}")
    if nb:
        print(f"\nÅpne {summary} i en nettleser.")
        print("Forklar en enhet: benchmark explain <unit_id> --period " f"{period} --store {store}")
        print(f"Appene:           {app}   (også unit, criteria, measures, plan, beds)")
        print("Tjenesten:        benchmark users add NAVN --role analyst && benchmark serve")
    else:
        print(f"\nOpen {summary} in a browser.")
        print("Explain a unit:  benchmark explain <unit_id> --period " f"{period} --store {store}")
        print(f"The apps:        {app}   (also unit, criteria, measures, plan, beds)")
        print("The service:     benchmark users add NAME --role analyst && benchmark serve")
    return 0
