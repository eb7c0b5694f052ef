"""One commit protocol for a command's output folder and its row in the run history.

A run is *visible* in the store (history, ``load_run``, latest-run defaults) if and only if its
outputs are in place. Every command that writes an output folder and records itself in the store
(``run`` today; ``plan`` and ``beds`` can use the same call) commits through :func:`commit`:

1. the outputs are written to ``tmp`` (``DIR/.<name>.tmp-<run id>/``);
2. ``record_pending`` — in one transaction: the run's tables are inserted, the last output
   file is awaited (``ready``: ``benchmark run``'s summary page is drawn by a helper process
   meanwhile), the manifest (``.manifest.json``: kind, run id, sha256 of every file) is written
   last into ``tmp``, and the run's row is inserted with status ``pending`` (invisible);
3. ``swap`` — ``DIR/<name>`` → ``DIR/.<name>.old-<run id>``, then ``tmp`` → ``DIR/<name>``; from
   the second rename on, the run is visible (its manifest is in place);
4. ``mark_complete`` — status ``complete``;
5. ``cleanup`` — the old folder is deleted.

Ctrl-C and SIGTERM are held back during steps 2–5 (:func:`benchmark.interrupts.deferred_signals`):
an interrupt noticed before the swap rolls the run back (old state, "nothing was changed"); one
noticed after it lets the run finish (new state, and the message says so). A kill -9 cannot be
held back; :func:`reconcile` — run at the start of the next commit and of the next run — finishes
a half-done run whose manifest is in place, rolls back any other (restoring the old folder if the
kill fell between the two renames) and removes the ``.tmp-``/``.old-`` leftovers of dead runs.

Only one process commits to a store at a time: steps 2–5 and the reconciliation hold an exclusive
``flock`` on ``.<store>.lock`` beside the store. The lock dies with its process, so a pending run
found while holding it belongs to a process that is gone. A run's temporary folder is likewise
guarded by a ``flock`` on ``DIR/.<name>.lock-<run id>`` for as long as the run lives, so a second
run cleaning leftovers never removes the folder of a run that is still writing.

Fault injection (:mod:`benchmark.faults`) marks the steps ``record_pending``, ``swap_first_rename``
(between the two renames), ``swap``, ``mark_complete`` and ``cleanup``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmark import faults
from benchmark.interrupts import NOTHING_CHANGED, Interrupted, deferred_signals
from benchmark.store import LOCK_TIMEOUT, MANIFEST, StoreBusy

LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|old|lock)-(?P<run_id>[^./]+)$")


@dataclass
class Workspace:
    """Where a run writes before committing, and the lock that says the run is alive."""

    run_id: str
    final: Path
    tmp: Path
    old: Path
    lock_path: Path
    _fd: int | None = None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.lock_path.unlink(missing_ok=True)


def workspace(final: str | Path, run_id: str) -> Workspace:
    """A fresh temporary folder beside ``final``, locked for this process's lifetime."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    ws = Workspace(run_id, final, final.parent / f".{final.name}.tmp-{run_id}",
                   final.parent / f".{final.name}.old-{run_id}", final.parent / f".{final.name}.lock-{run_id}")
    fd = os.open(ws.lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    ws._fd = fd
    if ws.tmp.exists():
        shutil.rmtree(ws.tmp)
    ws.tmp.mkdir()
    return ws


def discard(ws: Workspace) -> None:
    shutil.rmtree(ws.tmp, ignore_errors=True)
    ws.release()


def manifest_of(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` except the manifest (relative path → hash)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def write_manifest(folder: Path, kind: str, run_id: str) -> dict[str, str]:
    files = manifest_of(folder)
    text = json.dumps({"kind": kind, "run_id": run_id, "files": files}, indent=1, sort_keys=True)
    tmp = folder / (MANIFEST + ".part")
    tmp.write_text(text + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(folder / MANIFEST)
    return files


@contextmanager
def store_lock(store: Path, timeout: float = LOCK_TIMEOUT, wait: bool = True):
    """Exclusive lock for committing to ``store``; yields False (no wait) or raises StoreBusy."""
    store.parent.mkdir(parents=True, exist_ok=True)
    path = store.parent / f".{store.name}.lock"
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    yield False
                    return
                if time.monotonic() > deadline:
                    raise StoreBusy(f"the run history {store} is in use by another run that is recording its "
                                    f"results; waited {timeout:.0f} s. Try again when that run has finished.") from None
                time.sleep(0.2)
        yield True
    finally:
        os.close(fd)  # releases the lock


def _alive(lock_path: Path) -> bool:
    """Is the run owning ``lock_path`` still running (it holds the flock)?"""
    from benchmark.store import lock_held

    return lock_held(lock_path)


def _swap(ws: Workspace) -> None:
    if ws.final.exists():
        ws.final.rename(ws.old)
    faults.point("after", "swap_first_rename")
    try:
        ws.tmp.rename(ws.final)
    except BaseException:
        if ws.old.exists() and not ws.final.exists():
            ws.old.rename(ws.final)
        raise


def _unswap(ws: Workspace) -> None:
    """Undo :func:`_swap` (used when the store cannot be marked complete)."""
    if ws.final.exists() and not ws.tmp.exists():
        ws.final.rename(ws.tmp)
    if ws.old.exists() and not ws.final.exists():
        ws.old.rename(ws.final)


def commit(store: str | Path, kind: str, ws: Workspace, meta: Mapping[str, object],
           tables: Mapping[str, pd.DataFrame], timeout: float = LOCK_TIMEOUT,
           ready: Callable[[], None] | None = None, early=None) -> dict[str, str]:
    """Record the run and put its outputs in place, all or nothing; returns the file hashes.

    ``ready`` (optional) blocks until the last output file is complete — ``benchmark run``'s
    summary page, drawn by a helper process. It is called inside the recording transaction, after
    the result tables are inserted and before the manifest is written and the run's row inserted,
    so the store's inserts overlap the drawing; if it raises, the transaction is rolled back.
    ``early``: a :class:`benchmark.store.EarlyTables` already writing the Parquet tables of ``tables``."""
    from benchmark.store import delete_run, mark_complete, record_pending

    store = Path(store)
    manifest: dict[str, str] = {}

    def bookkeeping() -> dict[str, object]:
        if ready is not None:
            ready()
        manifest.update(write_manifest(ws.tmp, kind, ws.run_id))
        return {"output_dir": str(ws.final.absolute()), "tmp_dir": str(ws.tmp.absolute()),
                "old_dir": str(ws.old.absolute()), "outputs_manifest": json.dumps(manifest, sort_keys=True),
                "pid": os.getpid()}

    with ExitStack() as held:
        try:  # a store that cannot be locked or reconciled: nothing recorded, no folder left behind
            held.enter_context(store_lock(store, timeout))
            reconcile(store, locked=True)
        except BaseException:
            if early is not None:
                early.discard()
            discard(ws)
            raise
        with deferred_signals() as sig:
            recorded = swapped = False
            try:
                with faults.step("record_pending"):
                    record_pending(store, kind, ws.run_id, dict(meta), dict(tables), bookkeeping, timeout, early)
                    recorded = True
                if sig.received:
                    raise Interrupted(NOTHING_CHANGED, sig.signum or 2)
                with faults.step("swap"):
                    _swap(ws)
                    swapped = True
                with faults.step("mark_complete"):
                    mark_complete(store, ws.run_id, timeout)
            except BaseException:
                if swapped:
                    _unswap(ws)
                if recorded:
                    delete_run(store, ws.run_id, timeout)  # its Parquet tables too
                elif early is not None:
                    early.discard()  # record_pending rolled back and removed them; a failure before it did not
                discard(ws)
                raise
            with faults.step("cleanup"):
                shutil.rmtree(ws.old, ignore_errors=True)
                ws.release()
        if sig.received:
            raise Interrupted(f"the run had already been recorded and its outputs put in place when the "
                              f"interrupt came, so it was completed: run {ws.run_id}, outputs in {ws.final}",
                              sig.signum or 2)
    return manifest


def reconcile(store: str | Path, locked: bool = False, folders: tuple[Path, ...] = ()) -> list[str]:
    """Finish or roll back the runs of dead processes; clean leftovers. Returns what was done.

    Without ``locked`` it takes the store lock without waiting and does nothing if another process
    holds it (that process is committing and will reconcile itself). ``folders`` are output parent
    folders whose leftovers to clean even if the store does not know them.
    """
    store = Path(store)
    if not store.exists():  # nothing recorded there yet: only leftovers of dead runs to remove
        return [note for parent in folders for note in clean_leftovers(Path(parent))]
    if not locked:
        with store_lock(store, wait=False) as got:
            return reconcile(store, locked=True, folders=folders) if got else []
    from benchmark.store import delete_run, mark_complete, output_dirs, pending_runs

    done: list[str] = []
    parents = set(folders)
    if store.exists():
        # a run killed before it was recorded left only folders: look where outputs usually are
        parents |= {Path(d).parent for d in output_dirs(store)} | {store.parent.absolute()}
        for _, run in pending_runs(store).iterrows():
            if not all(isinstance(run.get(k), str) and run.get(k) for k in ("output_dir", "tmp_dir", "old_dir")):
                delete_run(store, run["run_id"])  # recorded without an output folder (API use)
                done.append(f"rolled back run {run['run_id']} (interrupted while being recorded)")
                continue
            final, tmp, old = (Path(str(run[k])) for k in ("output_dir", "tmp_dir", "old_dir"))
            parents.add(final.parent)
            manifest = final / MANIFEST
            ours = manifest.exists() and json.loads(manifest.read_text(encoding="utf-8")).get("run_id") == run["run_id"]
            if ours:
                mark_complete(store, run["run_id"])
                shutil.rmtree(old, ignore_errors=True)
                done.append(f"completed run {run['run_id']} (its outputs were in place)")
            else:
                if old.exists() and not final.exists():
                    old.rename(final)
                shutil.rmtree(tmp, ignore_errors=True)
                delete_run(store, run["run_id"])
                done.append(f"rolled back run {run['run_id']} (interrupted before its outputs were in place)")
    from benchmark.store import connect, remove_orphan_tables, tables_dir

    if tables_dir(store).is_dir():  # Parquet tables of a run killed before it was recorded
        with connect(store) as con:
            done += remove_orphan_tables(con, store)
    for parent in parents:
        done += clean_leftovers(parent)
    return done


def clean_leftovers(parent: Path) -> list[str]:
    """Remove ``.X.tmp-ID``/``.X.old-ID`` folders of runs that are no longer alive."""
    done: list[str] = []
    if not parent.is_dir():
        return done
    entries = []
    for p in parent.iterdir():
        m = LEFTOVER.match(p.name)
        if m:
            entries.append((p, m["name"], m["what"], m["run_id"]))
    for p, name, what, run_id in entries:
        if what == "lock" or _alive(parent / f".{name}.lock-{run_id}"):
            continue
        if what == "old" and not (parent / name).exists():
            p.rename(parent / name)  # killed between the two renames: the old output comes back
            done.append(f"restored {parent / name} from an interrupted run")
            continue
        shutil.rmtree(p, ignore_errors=True)
        done.append(f"removed {p.name} left by an interrupted run")
    for p, _name, what, _run_id in entries:
        if what == "lock" and not _alive(p):
            p.unlink(missing_ok=True)
    return done
