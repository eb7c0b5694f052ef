"""The ``benchmark`` command line: parse arguments, call the package API, print, exit 0/1/2.

Each command lives in ``benchmark/commands/<name>.py`` with two functions, ``add_parser(sub)``
and ``run(args) -> int``. Heavy libraries are imported inside ``run`` so ``benchmark --help``
stays instant. Errors carrying issues (``DataError``, ``CriteriaError``) print their report and
exit 1; ``UsageError`` (unknown period, entity, run) exits 2, as does a bad argument.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from benchmark.issues import BenchmarkError, UsageError

COMMANDS = (
    "demo",
    "validate",
    "run",
    "explain",
    "sheet",
    "history",
    "compare",
    "import_measures",
    "criteria",
    "pack",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="benchmark",
        description=(
            "Benchmark hospital units within peer groups: criteria, funnel limits, "
            "shrinkage, rank intervals and improvement potential in FTE and kNOK."
        ),
    )
    from benchmark import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"benchmark.commands.{name}")
        except ModuleNotFoundError as exc:  # a command still being built: leave it out
            if exc.name != f"benchmark.commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except BenchmarkError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"benchmark: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("benchmark: interrupted; nothing was changed.", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
