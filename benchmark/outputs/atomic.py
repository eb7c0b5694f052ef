"""Write a folder (or a file) completely somewhere else, then swap it into place.

A command writes ``DIR/.<name>.tmp-<id>/`` and, when every file is there, swaps it with
``DIR/<name>/`` by two renames (old → ``.<name>.old-<id>``, new → ``<name>``), then deletes the old
folder. A folder in ``DIR`` is therefore always either the previous complete output or the new
complete one. If anything fails before the swap, the temporary folder is removed and the previous
output is untouched. Ctrl-C and SIGTERM are held back during the two renames.

The temporary folder is guarded by a lock that dies with the process
(:func:`benchmark.outputs.commit.workspace`), so leftovers of a killed command are recognised and
removed by the next run (:func:`benchmark.outputs.commit.clean_leftovers`), never those of a command
that is still writing. Commands that also record themselves in the run history use
:func:`benchmark.outputs.commit.commit` instead of :func:`swap_into_place`, which keeps the folder
and the history in step.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmark.interrupts import Interrupted, deferred_signals

_WORKSPACES: dict[Path, object] = {}


def temp_dir(final: Path, run_id: str) -> Path:
    """A fresh, locked ``.<final>.tmp-<run_id>`` folder beside ``final``."""
    from benchmark.outputs.commit import workspace

    ws = workspace(Path(final), run_id)
    _WORKSPACES[ws.tmp] = ws
    return ws.tmp


def swap_into_place(tmp: Path, final: Path, run_id: str) -> None:
    """Replace ``final`` by ``tmp`` (two renames, signals held back); the old folder is deleted."""
    old = final.parent / f".{final.name}.old-{run_id}"
    with deferred_signals() as sig:
        if final.exists():
            final.rename(old)
        try:
            tmp.rename(final)
        except OSError:
            if old.exists() and not final.exists():
                old.rename(final)
            raise
        shutil.rmtree(old, ignore_errors=True)
        _release(tmp)
    if sig.received:
        raise Interrupted(f"the new outputs had already been put in place when the interrupt came: {final}",
                          sig.signum or 2)


def discard(tmp: Path) -> None:
    if tmp.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    _release(tmp)


def _release(tmp: Path) -> None:
    ws = _WORKSPACES.pop(tmp, None)
    if ws is not None:
        ws.release()  # type: ignore[attr-defined]


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """``with atomic_file("x.csv") as tmp: write tmp`` — ``x.csv`` is replaced only when complete.

    The temporary file is ``.x.csv.tmp-<pid>`` in the same folder (so the rename is atomic) and is
    removed if writing fails or is interrupted.
    """
    path = Path(path)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
