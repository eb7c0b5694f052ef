"""Ctrl-C and SIGTERM: turned into one exception that says what was (and was not) changed.

A user who interrupts a command must be told the truth: "nothing was changed" only when nothing
was. :class:`Interrupted` carries that sentence; the CLI prints it (SPEC §7). Two tools:

- :func:`signals_as_interrupt` makes SIGTERM behave like Ctrl-C (``KeyboardInterrupt``) for the
  whole command, so the same cleanup runs for both; the CLI wraps every command in it.
- :func:`deferred_signals` holds SIGINT/SIGTERM back during a critical section (recording a run,
  swapping folders): the signal is noted, the step finishes, and the caller decides whether to roll
  back or to complete, then raises :class:`Interrupted` with the state it left behind. Without it a
  signal inside a DuckDB query gives "Query interrupted" half-way through a commit.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

NOTHING_CHANGED = "nothing was changed (outputs and the run history are as they were)"


class Interrupted(KeyboardInterrupt):
    """An interrupt, with the truth about the state left behind (``message``)."""

    def __init__(self, message: str = NOTHING_CHANGED, signum: int = signal.SIGINT) -> None:
        super().__init__(message)
        self.message, self.signum = message, signum


def exit_code(exc: BaseException) -> int:
    """128 + signal number, as shells report a command stopped by a signal (130 for Ctrl-C)."""
    signum = getattr(exc, "signum", None) or signal.SIGINT
    return 128 + int(signum)


def _raise(signum, frame):
    raise Interrupted(NOTHING_CHANGED, signum)


@contextmanager
def signals_as_interrupt():
    """SIGTERM and SIGINT raise :class:`Interrupted` (only in the main thread; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _raise) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@dataclass
class Deferred:
    signum: int | None = None

    @property
    def received(self) -> bool:
        return self.signum is not None


@contextmanager
def deferred_signals():
    """Note SIGINT/SIGTERM instead of raising; the caller checks ``.received`` at safe points."""
    state = Deferred()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def note(signum, frame):
        state.signum = state.signum or signum

    old = {s: signal.signal(s, note) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield state
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
