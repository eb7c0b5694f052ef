"""One app on this machine, warmed before it serves: what ``benchmark app NAME`` does.

Why: ``marimo run notebooks/NAME.py`` runs each session's cells in a thread of the server
process, so the *first* session after the server starts pays for everything a process does once
— importing pandas, pyarrow, altair and the package (about 1 s of CPU), loading altair's schema,
reading the stored run into the process-wide caches of :mod:`benchmark.sources` — and a stored
national run's first screen took 5,0–5,4 s there against 3,5–3,7 s for every later session.
:func:`warm` does that work before the server takes its first request, through the very calls a
session makes: it runs the notebook once as a script (``App.run``) with the same arguments the
sessions get (``mo.cli_args``), so the same sources are read and cached and the same charts built.
The first session then opens like every later one.

A warm-up that fails (a source that does not open, a bug in a cell) is reported in one line and
the server starts anyway: the app shows the same problem in its page, where the user can fix the
source. Only loopback addresses are served — the apps have no login; ``benchmark serve`` is the
way to let other people in.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ("analysis", "unit", "criteria", "measures", "plan", "beds")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def notebook_path(name: str) -> Path:
    """``notebooks/NAME.py`` of this installation (``NAME`` as listed in :data:`NOTEBOOKS`)."""
    from benchmark.issues import UsageError

    stem = Path(name).stem if name.endswith(".py") else name
    if stem not in NOTEBOOKS:
        raise UsageError(f"unknown app {name!r}: choose one of {', '.join(NOTEBOOKS)}")
    path = ROOT / "notebooks" / f"{stem}.py"
    if not path.is_file():
        raise UsageError(f"the app {stem} is not installed here ({path} is missing)")
    return path


def warm(path: Path, app_args: list[str]) -> tuple[float, str | None]:
    """Run the notebook once as a script with ``app_args`` as its command line; (seconds, problem).

    ``problem`` is None when every cell ran, else one line naming the first failure. The notebook's
    own output (a script run prints nothing but warnings) is swallowed."""
    start = time.perf_counter()
    saved = sys.argv
    sys.argv = [str(path), *app_args]  # mo.cli_args() of a script run parses sys.argv[1:]
    try:
        spec = importlib.util.spec_from_file_location(f"_warm_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            spec.loader.exec_module(module)  # the setup cell: the imports
            module.app.run()
        problem = None
    except Exception as exc:  # noqa: BLE001 - the page shows it again, where it can be fixed
        problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    finally:
        sys.argv = saved
    return time.perf_counter() - start, problem


def marimo_run_args(path: Path, host: str, port: int | None, headless: bool, app_args: list[str]) -> list[str]:
    """The ``marimo run`` command line for the warmed process (the apps' own arguments after ``--``)."""
    args = ["run", str(path), "--host", host]
    if port is not None:
        args += ["--port", str(port)]
    if headless:
        args.append("--headless")
    return [*args, "--", *app_args] if app_args else args
