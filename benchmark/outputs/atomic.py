"""Write a folder completely somewhere else, then swap it into place.

A run writes ``DIR/.<period>.tmp-<run id>/`` and, when every file is there, swaps it with
``DIR/<period>/`` by two renames (old → ``.<period>.old-<run id>``, new → ``<period>``), then deletes
the old folder. A folder in ``DIR`` is therefore always either the previous complete output or the
new complete one. If anything fails before the swap, the temporary folder is removed and the
previous output is untouched.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def temp_dir(final: Path, run_id: str) -> Path:
    tmp = final.parent / f".{final.name}.tmp-{run_id}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    return tmp


def swap_into_place(tmp: Path, final: Path, run_id: str) -> None:
    old = final.parent / f".{final.name}.old-{run_id}"
    if final.exists():
        final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        if old.exists() and not final.exists():
            old.rename(final)
        raise
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


def discard(tmp: Path) -> None:
    if tmp.exists():
        shutil.rmtree(tmp, ignore_errors=True)
