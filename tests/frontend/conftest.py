"""Serve marimo apps and drive them in Debian's headless Chromium (no browser download).

A session fixture starts ``marimo run NB --headless --no-token`` with the venv's own python,
logging to a file (never an unread pipe: marimo's logs would fill it and freeze the server), and
waits for ``/health``. Screenshots go to tests/artifacts/ so a person can look at them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MarimoServer:
    def __init__(self, notebook: str, args: list[str] | None = None, launcher: str = "marimo") -> None:
        self.notebook = notebook
        self.launcher = launcher  # "marimo": `marimo run`; "benchmark": `benchmark app` (warmed first)
        self.args = list(args or [])  # passed to the notebook after `--` (mo.cli_args)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"{launcher}-{Path(notebook).stem}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> MarimoServer:
        log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self._log = log
        if self.launcher == "benchmark":
            command = [sys.executable, "-m", "benchmark", "app", Path(self.notebook).stem, "--headless",
                       "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            command = [sys.executable, "-m", "marimo", "run", str(ROOT / "notebooks" / self.notebook), "--headless",
                       "--host", "127.0.0.1", "--port", str(self.port), "--no-token"]
        self.proc = subprocess.Popen(
            [*command, *(["--", *self.args] if self.args else [])],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"marimo exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"marimo did not become healthy in {timeout} s; see {self.log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


@pytest.fixture(scope="module")
def browser():
    # module scope: a sync Playwright left running for the whole session keeps its event loop
    # alive in the main thread, and the later tests that start Playwright or asyncio themselves
    # (tests/plan, tests/service) would fail with "Sync API inside the asyncio loop"
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/setup.sh --test (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def serve():
    servers: dict[tuple[str, ...], MarimoServer] = {}

    def _serve(notebook: str, args: list[str] | None = None, launcher: str = "marimo") -> MarimoServer:
        key = (launcher, notebook, *(args or []))
        if key not in servers:
            servers[key] = MarimoServer(notebook, args, launcher).start()
        return servers[key]

    yield _serve
    for server in servers.values():
        server.stop()


def wait_until_settled(page, timeout_ms: int = 60_000) -> None:
    """Wait until no marimo output is stale or loading (cells finished re-running)."""
    page.wait_for_function(
        "() => document.querySelectorAll('.marimo-output-stale, .marimo-output-loading').length === 0",
        timeout=timeout_ms,
    )


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def settle():
    return wait_until_settled
