"""Fault injection for tests: make a command fail at a named step, deterministically.

Interrupt and crash tests must hit one exact step of a run (between the two renames of a swap,
right after the run is recorded as pending, …) — not whatever step a timer happens to land on.
Code that has such steps marks them with :func:`point`; a test sets the environment variable

    BENCHMARK_FAULT="after:record_pending:SIGTERM"          (one fault)
    BENCHMARK_FAULT="before:swap:sleep=3,after:swap:SIGKILL" (several, comma-separated)

``when`` is ``before`` or ``after``; the step names are listed in docs/DESIGN.md ("How a command
handles failure"). The action is a signal the process sends itself (``SIGTERM``, ``SIGINT``,
``SIGKILL``), ``sleep=SECONDS`` (to line up concurrent runs), ``ENOSPC`` / ``EACCES`` (an
``OSError`` as a full disk or a refused write raises it) or ``bug`` (an unexpected exception, to
test the "please report" path). Without the variable :func:`point` costs one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal
import time
from contextlib import contextmanager

ENV = "BENCHMARK_FAULT"


def _faults() -> list[tuple[str, str, str]]:
    spec = os.environ.get(ENV, "").strip()
    out = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        when, _, rest = part.partition(":")
        step, _, action = rest.partition(":")
        out.append((when, step, action))
    return out


def point(when: str, step: str) -> None:
    """Run the fault configured for ``when:step`` (if any)."""
    if ENV not in os.environ:
        return
    for w, s, action in _faults():
        if w == when and s == step:
            _act(action, f"{when}:{step}")


def _act(action: str, where: str) -> None:
    if action.startswith("sleep="):
        time.sleep(float(action.split("=", 1)[1]))
    elif action in ("SIGTERM", "SIGINT", "SIGKILL"):
        os.kill(os.getpid(), getattr(signal, action))
        time.sleep(0.05)  # let the handler run here, at this step
    elif action in ("ENOSPC", "EACCES"):
        code = getattr(errno, action)
        raise OSError(code, os.strerror(code), f"<fault injected {where}>")
    elif action == "bug":
        raise RuntimeError(f"fault injected {where}")
    else:
        raise ValueError(f"unknown fault action {action!r} in {ENV}")


@contextmanager
def step(name: str):
    """``with step("swap"): …`` marks the step for ``before:swap`` and ``after:swap`` faults."""
    point("before", name)
    yield
    point("after", name)
