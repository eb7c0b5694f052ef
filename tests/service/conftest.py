"""A real ``benchmark serve`` (uvicorn subprocess on a free port) on a store of the demo trust.

The store is made once per test session with ``benchmark run`` on fixtures/demo; users are added
with ``benchmark users add`` (password on standard input, as a script would). Servers log to files
under tests/artifacts/ (never an unread pipe) and are stopped by their own PID.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
PASSWORDS = {"ada": "analyst-pass-1", "kari": "kirurgi-pass-1", "rehab": "rehab-pass-1", "solo": "solo-pass-1",
             "target": "target-pass-1", "klinikk": "klinikk-pass-1"}
# the demo trust: D7-127 (3 employees) is masked; D7-131 is its department's complement
USERS = {
    "ada": ("analyst", []),
    "kari": ("leader", ["department:Kirurgisk avdeling Hamar"]),
    "rehab": ("leader", ["department:Fysikalsk medisin og rehabilitering"]),
    "solo": ("leader", ["unit:D7-127"]),
    "target": ("leader", ["unit:D1-001"]),  # the rate-limit test locks this one out
    "klinikk": ("leader", ["division:Elverum-Hamar"]),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmark", *args], input=stdin, capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=600)


class Service:
    def __init__(self, folder: Path, store: Path, users: Path, extra: list[str], name: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.store, self.users, self.access = store, users, folder / f"access-{name}.jsonl"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log_path = ARTIFACTS / f"serve-{name}.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "BENCHMARK_USERS": str(users)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmark", "serve", "--store", str(store), "--port", str(self.port),
             "--access", str(self.access), *extra],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=folder, env=env)

    def wait(self, timeout: float = 180.0) -> Service:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited early; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError(f"serve did not become healthy; see {self.log_path}")

    def client(self, forwarded_for: str = "10.0.0.1", **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, follow_redirects=False,
                            headers={"x-forwarded-for": forwarded_for, **kw.pop("headers", {})}, **kw)

    def login(self, name: str, forwarded_for: str = "10.0.0.1") -> httpx.Client:
        c = self.client(forwarded_for)
        r = c.post("/login", data={"username": name, "password": PASSWORDS[name], "next": "/"})
        assert r.status_code == 303, r.text[:300]
        return c

    def wait_warm(self, timeout: float = 300.0) -> str:
        """The server's line saying it has warmed the leaders' first screens (benchmark/service/warm.py)."""
        from benchmark.service.warm import WARMED

        deadline = time.time() + timeout
        while time.time() < deadline:
            line = next((x for x in self.log_path.read_text(encoding="utf-8").splitlines() if WARMED in x), None)
            if line:
                return line
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited; see {self.log_path}")
            time.sleep(0.3)
        raise RuntimeError(f"serve did not warm up; see {self.log_path}")

    def app_session(self, name: str, route: str, forwarded_for: str = "10.0.0.1", timeout: float = 240.0) -> list[dict]:
        """Log ``name`` in, open the app at ``route`` over its websocket (as a browser does) and
        return every message until each cell the kernel queued has run: the first screen."""
        import asyncio
        import json

        from websockets.asyncio.client import connect

        cookie = self.login(name, forwarded_for).cookies["benchmark_session"]
        url = self.url.replace("http", "ws") + f"/{route}/ws?session_id=s-{name}-{route}-{time.time_ns()}"

        async def go() -> list[dict]:
            messages, status, queued = [], {}, set()
            async with connect(url, additional_headers={"Cookie": f"benchmark_session={cookie}"}, max_size=None,
                               open_timeout=60) as ws:
                while True:
                    msg = json.loads(await asyncio.wait_for(ws.recv(), timeout))
                    messages.append(msg)
                    data = msg.get("data") or {}
                    if msg.get("op") == "cell-op" and data.get("status"):
                        status[data["cell_id"]] = data["status"]
                        if data["status"] in ("queued", "running"):
                            queued.add(data["cell_id"])
                        if queued and all(status.get(c) == "idle" for c in queued):
                            return messages

        return asyncio.run(go())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


@pytest.fixture(scope="session")
def service_store(tmp_path_factory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("service")
    store = folder / "history.duckdb"
    r = cli("run", str(ROOT / "fixtures" / "demo"), "--period", "2025Q3", "--out", str(folder / "out"),
            "--store", str(store), "--quiet")
    assert r.returncode == 0, r.stderr
    users = folder / "users.toml"
    for name, (role, scopes) in USERS.items():
        args = ["users", "add", name, "--role", role, "--users", str(users)]
        for s in scopes:
            args += ["--scope", s]
        r = cli(*args, stdin=PASSWORDS[name] + "\n")
        assert r.returncode == 0, r.stderr
    from benchmark.store import list_runs

    return folder, users, str(list_runs(store)["run_id"].iloc[-1])


@pytest.fixture(scope="session")
def service(service_store):
    folder, users, _ = service_store
    svc = Service(folder, folder / "history.duckdb", users, ["--users", str(users)], "local").wait()
    yield svc
    svc.stop()


@pytest.fixture(scope="session")
def sso_service(service_store):
    folder, users, _ = service_store
    svc = Service(folder, folder / "history.duckdb", users, ["--trusted-header", "X-Remote-User"], "sso").wait()
    yield svc
    svc.stop()
