"""Keep concurrent marimo kernels from building Python ASTs in parallel threads (CPython 3.11).

marimo's run-mode sessions are threads of one process. On CPython 3.11 the C code that converts
between C and Python AST objects keeps its recursion-depth counter in per-interpreter, not
per-thread, state (CPython issue gh-106905, fixed in 3.12.1 and 3.13): two threads that parse
(``ast.parse``) or compile an AST at the same time can make it fail with ``SystemError: AST
constructor recursion depth mismatch``, and marimo shows "An internal error occurred" for that
session — about 1 session in 30 under 30 concurrent sessions in a trial.

:func:`install` wraps the built-in ``compile`` (which ``ast.parse`` calls) with a process-wide
lock for exactly the calls that touch Python AST objects: an AST given as source, or the
``PyCF_ONLY_AST`` flag. Compiling ordinary source text (``exec``, ``eval``, imports) is not
serialised. The cost is that cells of different sessions are parsed one after another, a few
milliseconds each. Nothing is changed on Python ≥ 3.12.
"""

from __future__ import annotations

import ast
import builtins
import sys
import threading

_LOCK = threading.RLock()
_ORIGINAL = builtins.compile


def _locked_compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **kwargs):
    if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
        with _LOCK:
            return _ORIGINAL(source, filename, mode, flags, dont_inherit, optimize, **kwargs)
    return _ORIGINAL(source, filename, mode, flags, dont_inherit, optimize, **kwargs)


def needed() -> bool:
    return sys.version_info < (3, 12)


def install(force: bool = False) -> bool:
    """Install the lock (idempotent); returns whether it is active."""
    import os

    if os.environ.get("BENCHMARK_NO_AST_LOCK") == "1" and not force:  # to measure the bug (perf_serve.py)
        return False
    if not (needed() or force):
        return False
    if builtins.compile is not _locked_compile:
        builtins.compile = _locked_compile
    return True


def uninstall() -> None:
    builtins.compile = _ORIGINAL
