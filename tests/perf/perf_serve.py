"""Load: N concurrent leader sessions of ``benchmark serve`` on the demo trust (SPEC §9).

Starts a real server (uvicorn subprocess) on a store made by ``benchmark run`` of the demo trust,
adds one leader per department (scope ``department:D``), logs them all in over HTTP (timed apart: argon2id), then opens the
unit app's websocket for all of them at once. A session's *first screen is complete* when every
cell the kernel queued has run and is idle again; its time runs from opening the websocket to
that moment (the login before it is timed separately) — the page's header, controls, the unit's
name and its explanation; the sections below the fold (charts, tables, measures) are ``mo.lazy``
and load when scrolled into view, so they are not part of it. Each leader has its own
department, so the sessions open different units (no two share a page). Cells whose output is an
error (marimo's "An internal error occurred", e.g. CPython 3.11's AST threading bug, gh-106905)
are counted. The server's resident memory (with its children) is sampled every 0.2 s.

The server warms the leaders' first screens in a background thread when it starts
(benchmark/service/warm.py); the sessions open once it says so in its output (the time and CPU
of the warm-up are reported apart). ``--cold`` turns the warm-up off (``BENCHMARK_NO_WARM=1``):
the sessions then compute their explanations themselves, as on a server whose users file does
not name them.

    python tests/perf/perf_serve.py [--sessions 30] [--cold] [--no-ast-lock]

The machine line gives the cores, Python, the OS and the load average (1 min) before and after:
on a shared machine the figures move with the load; repeat and report the best and the median.

Targets: p95 first screen ≤ 5 s, resident memory ≤ 6 GiB. Prints a table (figure, target, share).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from benchmark.service.warm import WARMED

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_store(folder: Path) -> Path:
    store = folder / "history.duckdb"
    subprocess.run([sys.executable, "-m", "benchmark", "run", str(ROOT / "fixtures" / "demo"), "--period", "2025Q3",
                    "--out", str(folder / "out"), "--store", str(store), "--quiet"], check=True, cwd=ROOT)
    return store


def make_users(folder: Path, n: int) -> tuple[Path, list[tuple[str, str]]]:
    import pandas as pd

    from benchmark.service.users import User, hash_password, parse_scope, write_users

    units = pd.read_csv(ROOT / "fixtures" / "demo" / "units.csv")
    departments = sorted(units["department"].unique())
    pw = "perf-password-1"
    h = hash_password(pw)
    users = {f"leader{i:02d}": User(f"leader{i:02d}", "leader", (parse_scope(f"department:{departments[i % len(departments)]}"),), h)
             for i in range(n)}
    path = folder / "users.toml"
    write_users(path, users)
    return path, [(name, pw) for name in users]


async def login(base: str, name: str, password: str, index: int) -> tuple[str, float]:
    """Log in over HTTP as a browser's form does; (session cookie, seconds)."""
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=120, headers={"x-forwarded-for": f"10.2.0.{index}"}) as c:
        r = await c.post("/login", data={"username": name, "password": password})
        assert r.status_code == 303, r.status_code
        return c.cookies["benchmark_session"], time.perf_counter() - t0


async def session(base: str, name: str, cookie: str, index: int) -> dict:
    """Open /enhet's websocket with a logged-in cookie and wait for the complete first screen."""
    from websockets.asyncio.client import connect

    t1 = time.perf_counter()
    url = base.replace("http", "ws") + f"/enhet/ws?session_id=s-perf-{index}-{int(time.time() * 1000)}"
    status: dict[str, str] = {}
    queued: set[str] = set()
    errors = 0
    async with connect(url, additional_headers={"Cookie": f"benchmark_session={cookie}"}, max_size=None,
                       open_timeout=120) as ws:
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 180))
            if msg.get("op") != "cell-op":
                continue
            data = msg["data"]
            out = data.get("output") or {}
            if isinstance(out, dict) and "error" in str(out.get("mimetype", "")):
                text = json.dumps(out.get("data", ""))
                if "internal error" in text.lower() or "SystemError" in text:
                    errors += 1
            if data.get("status"):
                status[data["cell_id"]] = data["status"]
                if data["status"] in ("queued", "running"):
                    queued.add(data["cell_id"])
            if queued and all(status.get(c) == "idle" for c in queued):
                break
    return {"name": name, "first_screen": time.perf_counter() - t1, "errors": errors, "cells": len(queued)}


def sample_rss(pid: int, stop: threading.Event, out: list[float]) -> None:
    proc = psutil.Process(pid)
    while not stop.is_set():
        try:
            rss = proc.memory_info().rss + sum(ch.memory_info().rss for ch in proc.children(recursive=True))
            out.append(rss)
        except psutil.Error:
            pass
        time.sleep(0.2)


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def _os_name() -> str:
    try:
        info = platform.freedesktop_os_release()
        return info.get("PRETTY_NAME") or info.get("NAME", platform.system())
    except OSError:
        return platform.platform()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--no-ast-lock", action="store_true", help="leave CPython 3.11's AST bug unguarded")
    ap.add_argument("--cold", action="store_true", help="no warm-up of the first screens at start")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="perf-serve-"))
    store = make_store(folder)
    users, logins = make_users(folder, args.sessions)
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **({"BENCHMARK_NO_AST_LOCK": "1"} if args.no_ast_lock else {}),
           **({"BENCHMARK_NO_WARM": "1"} if args.cold else {})}
    log = open(folder / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "benchmark", "serve", "--store", str(store), "--users", str(users),
                               "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=folder, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit(f"server did not start; see {folder / 'serve.log'}")
            time.sleep(0.3)
        ready = time.perf_counter()
        warm_line = ""
        while not args.cold and not warm_line:  # the warm-up's line in the server's output
            warm_line = next((line for line in (folder / "serve.log").read_text(encoding="utf-8").splitlines()
                              if WARMED in line), "")
            if time.perf_counter() - ready > 600 or server.poll() is not None:
                raise SystemExit(f"the warm-up did not finish; see {folder / 'serve.log'}")
            time.sleep(0.2)
        warm_wait = time.perf_counter() - ready
        load_before = os.getloadavg()[0]
        idle_rss = psutil.Process(server.pid).memory_info().rss
        stop, rss = threading.Event(), []
        sampler = threading.Thread(target=sample_rss, args=(server.pid, stop, rss), daemon=True)
        sampler.start()

        async def all_logins():
            return await asyncio.gather(*(login(base, n, p, i) for i, (n, p) in enumerate(logins)))

        # the leaders log in first (argon2id, timed apart), then all open their unit page at once
        t0 = time.perf_counter()
        cookies = asyncio.run(all_logins())
        login_wall = time.perf_counter() - t0
        cpu0 = psutil.Process(server.pid).cpu_times()

        async def all_sessions():
            return await asyncio.gather(*(session(base, name, cookie, i)
                                          for i, ((name, _), (cookie, _)) in enumerate(zip(logins, cookies, strict=True))),
                                        return_exceptions=True)

        t0 = time.perf_counter()
        results = asyncio.run(all_sessions())
        wall = time.perf_counter() - t0
        cpu1 = psutil.Process(server.pid).cpu_times()
        cpu = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
        stop.set()
        sampler.join()
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    ok = [r for r in results if isinstance(r, dict)]
    failed = [r for r in results if not isinstance(r, dict)]
    times = [r["first_screen"] for r in ok]
    errors = sum(r["errors"] for r in ok)
    peak = max(rss, default=idle_rss) / 2**30
    print(f"benchmark serve, {args.sessions} concurrent leader sessions of /enhet on the demo trust "
          f"(AST lock {'off' if args.no_ast_lock else 'on'}, {'cold: no warm-up' if args.cold else 'warmed at start'})")
    if warm_line:
        print(f"warm-up after /healthz answered: {warm_wait:.1f} s wall; server said: {warm_line.strip()}")
    print(f"machine: {os.cpu_count()} cores (shared), Python {sys.version.split()[0]}, {_os_name()}, "
          f"load ≈ {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'figure':<46}{'value':>12}{'target':>10}{'share':>8}")
    rows = [("sessions completed", f"{len(ok)}/{args.sessions}", "", ""),
            ("sessions failed (exception)", f"{len(failed)}", "0", ""),
            ("cells with an internal error", f"{errors}", "0", "")]
    if times:
        rows += [("first screen p50 (s)", f"{statistics.median(times):.2f}", "", ""),
                 ("first screen p95 (s)", f"{p95(times):.2f}", "5.00", f"{p95(times) / 5:.0%}"),
                 ("first screen max (s)", f"{max(times):.2f}", "", ""),
                 ("first screen min (s)", f"{min(times):.2f}", "", ""),
                 ("login p50 (s), all logging in at once", f"{statistics.median(t for _, t in cookies):.2f}", "", ""),
                 ("logins, wall (s)", f"{login_wall:.2f}", "", "")]
    rows += [("all sessions, wall (s)", f"{wall:.2f}", "", ""),
             ("server CPU time, all sessions (s, logins apart)", f"{cpu:.2f}", "", ""),
             ("server CPU time per session (s)", f"{cpu / max(1, len(ok)):.3f}", "", ""),
             ("server RSS idle (GiB)", f"{idle_rss / 2**30:.2f}", "", ""),
             ("server RSS peak (GiB)", f"{peak:.2f}", "6.00", f"{peak / 6:.0%}")]
    for r in rows:
        print(f"{r[0]:<46}{r[1]:>12}{r[2]:>10}{r[3]:>8}")
    for f in failed[:3]:
        print("failed:", repr(f)[:200])
    return 0 if not failed and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
