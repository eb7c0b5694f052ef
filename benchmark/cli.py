"""The ``benchmark`` command line: parse arguments, call the package API, print, exit 0/1/2.

Each command lives in ``benchmark/commands/<name>.py`` with two functions, ``add_parser(sub)``
and ``run(args) -> int``. Heavy libraries are imported inside ``run`` so ``benchmark --help``
stays instant. Errors carrying issues (``DataError``, ``CriteriaError``) print their report and
exit 1; ``UsageError`` (unknown period, entity, run) exits 2 (or its ``exit_code``), as does a bad
argument. :func:`main` turns every other foreseeable failure — an OS error (permission, read-only,
full disk, a folder where a file was expected), Ctrl-C or SIGTERM, a too deeply nested input —
into one message naming the path and the truth about what was changed (:func:`describe_failure`);
only a bug shows a traceback, with a request to report it.
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
    "import_gat",
    "plan",
    "beds",
    "serve",
    "users",
    "pack",
    "app",
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


PASSES_ON = ("app",)  # commands that hand what follows ``--`` to another program


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; for a command of :data:`PASSES_ON` (``benchmark app NAME -- --source X``)
    everything after the first ``--`` is ``args.passed_on``, not parsed here."""
    if argv[:1] and argv[0] in PASSES_ON and "--" in argv:
        cut = argv.index("--")
        args = parser.parse_args(argv[:cut])
        args.passed_on = argv[cut + 1:]
        return args
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, list(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from benchmark.interrupts import signals_as_interrupt

    try:
        with signals_as_interrupt():
            return int(args.handler(args) or 0)
    except BaseException as exc:  # every failure becomes one message and an exit code (SPEC §6, §7)
        message, code = describe_failure(exc)
        print(message, file=sys.stderr)
        return code


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """The message and exit code for a failure of any command (docs/DESIGN.md, "How a command
    handles failure"). Foreseeable failures get one plain message; only a bug shows a traceback."""
    import errno

    from benchmark.interrupts import NOTHING_CHANGED, exit_code

    match exc:
        case BenchmarkError():
            return exc.report(), 1
        case UsageError():
            return f"benchmark: {exc}", int(getattr(exc, "exit_code", 2))
        case KeyboardInterrupt():
            what = getattr(exc, "message", None) or NOTHING_CHANGED
            return f"benchmark: interrupted; {what}.", exit_code(exc)
        case SystemExit():
            raise exc
        case BrokenPipeError():  # the reader of our output went away (e.g. `| head`)
            return "", 0
        case OSError():
            where = exc.filename if exc.filename and not str(exc.filename).startswith("<") else None
            if exc.filename2:
                where = f"{where} → {exc.filename2}"
            reason = {errno.ENOSPC: "the disk is full (no space left on the device)",
                      errno.EDQUOT: "the disk quota is used up",
                      errno.EACCES: "permission denied", errno.EPERM: "the operation is not permitted",
                      errno.EROFS: "the file system is read-only",
                      errno.ENOTDIR: "a part of the path is a file, not a folder",
                      errno.EISDIR: "this is a folder, not a file",
                      errno.ENOENT: "there is no such file or folder",
                      errno.EEXIST: "it already exists"}.get(exc.errno or -1, exc.strerror or str(exc))
            place = f" {where}" if where else ""
            return (f"benchmark: cannot use{place}: {reason}. Nothing was changed: outputs are only replaced "
                    "once complete."), 1
        case RecursionError():
            return ("benchmark: the input is nested too deeply to be read (for example a formula with thousands "
                    "of terms or parentheses); simplify it."), 1
        case MemoryError():
            return "benchmark: the input is too large for the memory of this machine.", 1
    import traceback

    trace = "".join(traceback.format_exception(exc))
    return (f"{trace}\nbenchmark: this is a bug in benchmark ({type(exc).__name__}: {exc}). Please report it with "
            "the command you ran and the message above. Outputs and the run history were left as they were."), 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
