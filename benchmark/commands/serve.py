"""``benchmark serve [--store FILE] [--host H] [--port N] [--users FILE | --trusted-header NAME] [--access FILE]``."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser(
        "serve",
        help="run the web service for leaders (apps, sheets, packages, downloads) with login",
        description="Serve the stored runs to leaders and analysts: the marimo apps (run mode, code "
        "hidden), dialogue sheets and analysis packages on demand, CSV downloads and /healthz. Every "
        "route except /healthz and /login needs a login (local accounts from 'benchmark users add', "
        "or --trusted-header behind a single-sign-on proxy). One process; put a reverse proxy in "
        "front for TLS (see README, 'Deployment').",
    )
    parser.add_argument("--store", default=None, help="run history file (default: $BENCHMARK_STORE or "
                        "benchmark-out/history.duckdb); only read")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--users", default=None, help="users file (default: $BENCHMARK_USERS or benchmark-out/users.toml)")
    who.add_argument("--trusted-header", default=None, metavar="NAME",
                     help="believe the user name in this request header (only behind a proxy that sets it); "
                     "roles and scopes still come from the users file ($BENCHMARK_USERS)")
    parser.add_argument("--access", default=None, help="audit log (default: access.jsonl beside the store)")
    parser.add_argument("--session-hours", type=float, default=8.0, help="a login lasts this long (default 8)")
    parser.add_argument("--https-only", action="store_true", help="send the session cookie over HTTPS only")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from benchmark.issues import UsageError
    from benchmark.service.users import default_users_path, read_users
    from benchmark.store import default_store_path

    store = Path(args.store or os.environ.get("BENCHMARK_STORE") or default_store_path())
    if not store.exists():
        raise UsageError(f"there is no run history at {store}: run 'benchmark demo' or 'benchmark run' first")
    users = Path(args.users) if args.users else default_users_path()
    if not read_users(users):
        raise UsageError(f"no users in {users}: add one with 'benchmark users add NAME --role analyst "
                         f"--users {users}'")
    import uvicorn

    from benchmark.service import create_app

    app = create_app(store, users=users, trusted_header=args.trusted_header, access=args.access,
                     session_hours=args.session_hours, https_only=args.https_only)
    if args.trusted_header and args.host not in ("127.0.0.1", "localhost", "::1"):
        import sys

        print(f"benchmark serve: warning: --trusted-header believes {args.trusted_header} from anyone who "
              f"reaches {args.host}:{args.port}; let only the proxy reach it (firewall), and make the "
              "proxy overwrite the header.", file=sys.stderr)
    from benchmark.service import warm
    from benchmark.service.app import ROOT, notebook_apps

    warm.before_serving(store, users, notebooks=notebook_apps(ROOT / "notebooks").values())  # the latest run loaded, the heap frozen, the unit pages warming
    print(f"Serving {store} on http://{args.host}:{args.port}/ "
          f"({'trusted header ' + args.trusted_header if args.trusted_header else 'users ' + str(users)})")
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level="warning", proxy_headers=True)
    return 0
