"""``benchmark history [--store FILE]``: the runs in the store."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser("history", help="list the runs in the run history",
                            description="List the runs recorded in the run history (DuckDB file).")
    parser.add_argument("--store", default=None, help="run history file (default benchmark-out/history.duckdb)")
    parser.add_argument("--access", nargs="?", const="", default=None, metavar="FILE",
                        help="list the service's audit log instead (who opened which unit page, sheet, "
                        "package or download, when); default FILE: access.jsonl beside the store")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    import pandas as pd

    from benchmark.outputs.commit import reconcile
    from benchmark.outputs.targets import check_store_path
    from benchmark.store import default_store_path, list_runs

    if args.access is not None:
        return _access(args)
    store = check_store_path(args.store or default_store_path(), write=False)
    if store.exists() and os.access(store, os.W_OK):
        for note in reconcile(Path(store)):  # a run killed half-way is finished or rolled back first
            print(f"cleaned up: {note}")
    runs = list_runs(store)
    if runs.empty:
        print("No runs yet.")
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(runs.to_string(index=False))
    return 0


def _access(args: argparse.Namespace) -> int:
    import pandas as pd

    from benchmark.service.access import default_access_path, read_access

    path = args.access or default_access_path(args.store)
    log = read_access(path)
    if log.empty:
        print(f"No access recorded in {path}.")
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_rows", None):
        print(log.to_string(index=False))
    if log.attrs.get("bad_lines"):
        print(f"({log.attrs['bad_lines']} damaged lines skipped)")
    return 0
