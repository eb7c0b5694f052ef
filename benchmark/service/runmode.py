"""Keep marimo from re-parsing a served notebook file for every new session.

marimo 0.25 maps each cell's code to its place in the notebook file (for tracebacks) by parsing
the whole file — ``marimo._ast.compiler._build_source_position_map``, an ``lru_cache`` — and
clears that cache each time a kernel's graph changes (``Kernel.mutate_graph``), so that an edited
file is seen in edit mode. In the service every new session instantiates its kernel, so every
session parsed the notebook again, twice (about 55 ms of Python for notebooks/unit.py, holding
the interpreter lock that all sessions share).

:func:`install` replaces the map with one cached by the file's (mtime, size) stamp: a changed
file is still seen, an unchanged one is parsed once per process. The replacement keeps the
function's interface (``__call__(filename)`` and ``cache_clear()``); if marimo's internals have
moved, nothing is patched and sessions pay the parse as before (checked by a test).
"""

from __future__ import annotations

import functools
import os
import threading

_INSTALLED: dict[str, object] = {}
_LOCK = threading.Lock()


class _StampedMap:
    """``_build_source_position_map`` cached per (filename, mtime, size); ``cache_clear`` is a no-op."""

    def __init__(self, build) -> None:
        self._build = build
        self._cached = functools.lru_cache(maxsize=64)(self._by_stamp)

    def _by_stamp(self, filename: str, stamp: tuple[int, int]):
        return self._build(filename)

    def __call__(self, filename: str):
        try:
            st = os.stat(filename)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            return self._build(filename)
        return self._cached(filename, stamp)

    def cache_clear(self) -> None:
        """Nothing to clear: a changed file has a new stamp."""


def install() -> bool:
    """Patch marimo (idempotent); returns whether the patch is active."""
    with _LOCK:
        if _INSTALLED:
            return True
        try:
            from marimo._ast import compiler
            from marimo._runtime import runtime
        except ImportError:
            return False
        original = getattr(compiler, "_build_source_position_map", None)
        build = getattr(original, "__wrapped__", None)
        if build is None or getattr(runtime, "_build_source_position_map", None) is not original:
            return False  # marimo changed: leave it alone
        stamped = _StampedMap(build)
        compiler._build_source_position_map = stamped
        runtime._build_source_position_map = stamped
        _INSTALLED["original"] = original
        return True


def uninstall() -> None:
    with _LOCK:
        original = _INSTALLED.pop("original", None)
        if original is None:
            return
        from marimo._ast import compiler
        from marimo._runtime import runtime

        compiler._build_source_position_map = original
        runtime._build_source_position_map = original
