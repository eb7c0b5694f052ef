"""The service as one ASGI app: routes, the marimo apps, authentication, sessions.

One process (marimo's run-mode sessions are stateful threads; several workers would split them),
with a reverse proxy in front for TLS and single sign-on. The middleware order, outermost
first: sessions (signed cookie) → authentication and the analysts-only guard → the routes and,
under their prefixes, the marimo apps (run mode, code hidden), whose websockets pass the same
guard.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from benchmark.service.auth import AuthConfig, AuthMiddleware, LoginLimiter
from benchmark.service.data import RunReader, reader_for
from benchmark.service.users import UsersFile

ROOT = Path(__file__).resolve().parents[2]

# route → notebook files, the first that exists (issue 13 renames benchmark.py → analysis.py)
APP_FILES = {
    "enhet": ("unit.py",),
    "kriterier": ("criteria.py",),
    "tiltak": ("measures.py",),
    "plan": ("plan.py",),
    "senger": ("beds.py",),
    "analyse": ("analysis.py", "benchmark.py"),
}


@dataclass
class ServiceState:
    store: Path
    access: Path
    auth: AuthConfig
    reader: RunReader
    apps: set[str]


def session_secret(path: Path) -> str:
    """A random key kept in a file (mode 0600), so sessions survive a restart."""
    env = os.environ.get("BENCHMARK_SESSION_SECRET")
    if env:
        return env
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def notebook_apps(notebooks: Path) -> dict[str, Path]:
    found = {}
    for route, names in APP_FILES.items():
        for name in names:
            if (notebooks / name).is_file():
                found[route] = notebooks / name
                break
    return found


def create_app(store: str | Path, users: str | Path | None = None, trusted_header: str | None = None,
               access: str | Path | None = None, notebooks: str | Path | None = None,
               session_hours: float = 8.0, https_only: bool = False, max_failures: int = 5,
               failure_window: float = 300.0, secret: str | None = None):
    """Build the ASGI app of ``benchmark serve`` (see the module docstring)."""
    import marimo
    from starlette.applications import Starlette
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.routing import Mount

    from benchmark.service import astlock, runmode
    from benchmark.service.access import default_access_path
    from benchmark.service.routes import ROUTES
    from benchmark.service.users import default_users_path

    astlock.install()
    runmode.install()  # parse each served notebook once per process, not per session
    store = Path(store).resolve()
    users_path = Path(users) if users else default_users_path()
    access_path = Path(access) if access else default_access_path(store)
    # the notebooks read the same store and log to the same file (benchmark/service/context.py)
    os.environ["BENCHMARK_STORE"] = str(store)
    os.environ["BENCHMARK_ACCESS"] = str(access_path)
    os.environ["BENCHMARK_SERVE"] = "1"
    auth = AuthConfig(users=UsersFile(users_path), trusted_header=trusted_header,
                      session_seconds=int(session_hours * 3600),
                      limiter=LoginLimiter(max_failures=max_failures, window=failure_window))
    apps = notebook_apps(Path(notebooks) if notebooks else ROOT / "notebooks")
    builder = marimo.create_asgi_app(include_code=False, quiet=True)
    for route, path in apps.items():
        builder = builder.with_app(path=f"/{route}", root=str(path))
    routes = [*ROUTES, Mount("", app=builder.build())] if apps else list(ROUTES)
    inner = Starlette(routes=routes)
    inner.state.service = ServiceState(store=store, access=access_path, auth=auth, reader=reader_for(store),
                                       apps=set(apps))
    guarded = AuthMiddleware(inner, auth)
    key = secret or session_secret(users_path.parent / ".session-secret")
    return SessionMiddleware(guarded, secret_key=key, session_cookie="benchmark_session",
                             max_age=int(session_hours * 3600), same_site="lax", https_only=https_only)
