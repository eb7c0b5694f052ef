"""``benchmark app NAME [--host H] [--port N] [--headless] [-- --source PATH|run:ID --store FILE --lang en]``."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    from benchmark.launch import NOTEBOOKS

    parser = sub.add_parser(
        "app", usage="benchmark app [-h] [--host H] [--port N] [--headless] [--no-warm] NAME [-- APP ARGUMENTS]",
        help="open one of the apps on this machine, warmed up so that its first page opens at once",
        description="Serve notebooks/NAME.py as 'marimo run' does, after running it once in this process "
        "with the same arguments: the imports, the stored run and the first charts are ready before "
        "the first page is asked for (with plain 'marimo run' the first session pays for them). "
        "Arguments after '--' go to the app: --source PATH|run:ID, --store FILE, --lang en. Serves "
        "this machine only (no login); use 'benchmark serve' for others.",
    )
    parser.add_argument("name", choices=NOTEBOOKS, metavar="NAME", help=f"the app: {', '.join(NOTEBOOKS)}")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default: marimo's, 2718 or the next free)")
    parser.add_argument("--headless", action="store_true", help="do not open a browser")
    parser.add_argument("--no-warm", action="store_true", help="serve at once, without the warm-up")
    parser.set_defaults(handler=run, passed_on=[])


def run(args: argparse.Namespace) -> int:
    import sys

    from benchmark.issues import UsageError
    from benchmark.launch import LOOPBACK, marimo_run_args, notebook_path, warm

    if args.host not in LOOPBACK:
        raise UsageError(f"benchmark app serves this machine only (--host {args.host} refused): the apps have "
                         "no login; let other people in with 'benchmark serve'")
    path = notebook_path(args.name)
    if not args.no_warm:
        print(f"Varmer opp {path.name} (importer, les kilden, tegn første side) …", flush=True)
        seconds, problem = warm(path, list(args.passed_on))
        if problem:
            print(f"  oppvarmingen stoppet: {problem} (appen viser det samme på siden)", file=sys.stderr, flush=True)
        print(f"  klar etter {seconds:.1f} s".replace(".", ","), flush=True)
    import contextlib

    from marimo._cli.cli import main as marimo_main  # marimo's own console script, in this process

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops the server: not a failure
        marimo_main(marimo_run_args(path, args.host, args.port, args.headless, list(args.passed_on)),
                    prog_name="marimo", standalone_mode=False)
    return 0
