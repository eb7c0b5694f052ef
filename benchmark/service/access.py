"""The audit log: who opened which unit page, sheet, package or download, and when.

One JSON object per line in a file beside the store (default ``benchmark-out/access.jsonl``,
``--access FILE``): appended with one ``write`` of a whole line under a lock, so lines of
concurrent requests never interleave, and the run store stays read-only for the service (DuckDB
allows one process per file; the service must not block ``benchmark run``).
``benchmark history --access`` lists it.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

_LOCK = threading.Lock()
COLUMNS = ["time", "user", "role", "action", "what", "period", "run_id", "status", "client"]


def default_access_path(store: str | Path | None = None) -> Path:
    env = os.environ.get("BENCHMARK_ACCESS")
    if env:
        return Path(env)
    base = Path(store).parent if store else Path("benchmark-out")
    return base / "access.jsonl"


def log_access(path: str | Path | None, user: str, role: str, action: str, what: str, *,
               period: str = "", run_id: str = "", status: int = 200, client: str = "") -> None:
    """Append one line: ``action`` is unit_page, sheet, package, download, login, login_failed …"""
    if not path:
        return
    record = {"time": datetime.now(UTC).isoformat(timespec="seconds"), "user": user, "role": role,
              "action": action, "what": what, "period": period, "run_id": run_id, "status": int(status),
              "client": client}
    line = json.dumps(record, ensure_ascii=False) + "\n"
    p = Path(path)
    with _LOCK:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def read_access(path: str | Path) -> pd.DataFrame:
    """The log as a table (a damaged line is skipped and counted in ``attrs['bad_lines']``)."""
    p = Path(path)
    rows, bad = [], 0
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                bad += 1
    frame = pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame(columns=COLUMNS)
    frame.attrs["bad_lines"] = bad
    return frame
