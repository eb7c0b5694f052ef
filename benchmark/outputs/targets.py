"""Check where a command will write *before* it does any work.

A run that validates and scores for a minute and then finds that ``--out`` is a file, or on a
read-only disk, wastes the user's time and (before version 2) ended in a traceback. Every command
that writes calls one of these first, with the option name the user typed, so the message points
at the argument to change:

- :func:`check_output_dir` — ``--out DIR``: a folder (created later if missing) that can be
  written;
- :func:`check_output_file` — ``-o FILE``: a file name (not a folder) in an existing, writable
  folder;
- :func:`check_store_path` — ``--store FILE``: a DuckDB file (or a new file) in a writable folder,
  not a folder and not some other file.

Each raises :class:`TargetError` (a :class:`~benchmark.issues.UsageError`; exit 2 when the user
named the wrong thing, exit 1 when the place cannot be written).
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmark.issues import UsageError

DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


class TargetError(UsageError):
    """An output path that cannot be used; ``exit_code`` 2 (wrong argument) or 1 (not writable)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _existing_ancestor(path: Path) -> Path:
    p = path.absolute()
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    return p


def writable_reason(folder: Path) -> str | None:
    """Why files cannot be created in the existing ``folder`` (None when they can)."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError as exc:
        return exc.strerror or str(exc)
    if not os.access(folder, os.W_OK | os.X_OK):
        return "you do not have permission to write there"
    return None


def check_output_dir(path: str | Path, option: str = "--out") -> Path:
    """``path`` as a folder the command may create and fill; raises :class:`TargetError`."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise TargetError(f"{option} {p}: this is a file, not a folder; give a folder for the outputs")
    base = _existing_ancestor(p)
    if not base.is_dir():
        raise TargetError(f"{option} {p}: {base} is a file, so no folder can be made inside it")
    reason = writable_reason(base)
    if reason:
        raise TargetError(f"{option} {p}: cannot write in {base}: {reason}", exit_code=1)
    return p


def check_output_file(path: str | Path, option: str = "-o") -> Path:
    """``path`` as a file to (re)write in an existing, writable folder; raises :class:`TargetError`."""
    p = Path(path)
    if p.is_dir():
        raise TargetError(f"{option} {p}: this is a folder; give a file name, e.g. {p / 'out'}")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise TargetError(f"{option} {p}: the folder {parent} does not exist; create it first or choose "
                          "another place")
    if not parent.is_dir():
        raise TargetError(f"{option} {p}: {parent} is a file, not a folder")
    reason = writable_reason(parent)
    if reason is None and p.exists() and not os.access(p, os.W_OK):
        reason = "the file is write-protected"
    if reason:
        raise TargetError(f"{option} {p}: cannot write {p.name} in {parent}: {reason}", exit_code=1)
    return p


def is_duckdb_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return False
    return head[8:12] == DUCKDB_MAGIC


def check_store_path(path: str | Path, option: str = "--store", write: bool = True) -> Path:
    """``path`` as a run history the command may open (and, with ``write``, change)."""
    p = Path(path)
    if p.is_dir():
        raise TargetError(f"{option} {p}: this is a folder; the run history is a file, e.g. {p / 'history.duckdb'}")
    if p.exists():
        if not os.access(p, os.R_OK):
            raise TargetError(f"{option} {p}: the run history cannot be read (permission denied)", exit_code=1)
        if not is_duckdb_file(p):
            raise TargetError(f"{option} {p}: this file is not a run history (not a DuckDB database); "
                              "give another --store or move the file away")
    if not write:
        return p
    if p.exists():
        reason = writable_reason(p.parent if str(p.parent) else Path("."))
        if reason is None and not os.access(p, os.W_OK):
            reason = "the file is write-protected"
        if reason:
            raise TargetError(f"{option} {p}: the run history cannot be changed: {reason}", exit_code=1)
        return p
    base = _existing_ancestor(p.parent if str(p.parent) else Path("."))
    if not base.is_dir():
        raise TargetError(f"{option} {p}: {base} is a file, so the run history cannot be made there")
    reason = writable_reason(base)
    if reason:
        raise TargetError(f"{option} {p}: cannot create the run history in {base}: {reason}", exit_code=1)
    return p
