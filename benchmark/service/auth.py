"""Authentication: the login page, signed session cookies, login rate limiting, a trusted header.

:class:`AuthMiddleware` is plain ASGI so that it guards HTTP requests *and* websockets (the
marimo apps talk over a websocket under their own prefix): every path except ``/healthz`` and
``/login`` needs a user. A browser is sent to the login page; an API call gets 401; a websocket
is closed before it is accepted (the client sees HTTP 403). The session lives in a cookie signed
with itsdangerous by Starlette's ``SessionMiddleware`` (its ``max_age`` ends it); the login time
in the session makes the expiry absolute, not sliding. With ``trusted_header`` (a reverse proxy
doing single sign-on) the user name is read from that header — and only then: without the
option the header is ignored. The user is looked up in the users file on every request, so a
removed user is out at once.
"""

from __future__ import annotations

import html
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote

from benchmark.service.users import User, UsersFile, dummy_verify, verify_password

PUBLIC = ("/healthz", "/login")
ANALYST_ONLY = ("/analyse",)


@dataclass
class LoginLimiter:
    """At most ``max_failures`` failed logins per user name (and four times that per client address)
    in ``window`` seconds; then every attempt, even with the right password, is refused (429)."""

    max_failures: int = 5
    window: float = 300.0
    _failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))

    def _recent(self, key: str, now: float) -> deque:
        q = self._failures[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def limit(self, key: str) -> int:
        """Per user name ``max_failures``; per client four times that (several people share an address)."""
        return self.max_failures * (4 if key.startswith("client:") else 1)

    def wait(self, keys: list[str]) -> float:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        waits = [q[-self.limit(k)] + self.window - now for k in keys
                 if len(q := self._recent(k, now)) >= self.limit(k)]
        return max(waits, default=0.0)

    def failed(self, keys: list[str]) -> None:
        now = time.monotonic()
        for k in keys:
            self._recent(k, now).append(now)

    def succeeded(self, keys: list[str]) -> None:
        for k in keys:
            self._failures.pop(k, None)


@dataclass
class AuthConfig:
    users: UsersFile
    trusted_header: str | None = None
    session_seconds: int = 8 * 3600
    limiter: LoginLimiter = field(default_factory=LoginLimiter)


def _header(scope, name: str) -> str | None:
    want = name.lower().encode("latin-1")
    for key, value in scope.get("headers", []):
        if key.lower() == want:
            return value.decode("latin-1").strip()
    return None


def scope_user(scope, config: AuthConfig) -> User | None:
    """The user of a request or websocket, or None."""
    if config.trusted_header:
        name = _header(scope, config.trusted_header)
        return config.users.get(name) if name else None
    session = scope.get("session") or {}
    name, since = session.get("user"), session.get("login_at", 0)
    if not name or time.time() - float(since) > config.session_seconds:
        return None
    return config.users.get(name)


async def _send_text(send, status: int, body: str, content_type: str = "text/html; charset=utf-8",
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = body.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(data)).encode()),
                            (b"cache-control", b"no-store"), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


class AuthMiddleware:
    """Refuses every request and websocket without a user (see the module docstring)."""

    def __init__(self, app, config: AuthConfig) -> None:
        self.app, self.config = app, config

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if scope["type"] == "http" and (path in PUBLIC or path.startswith("/login")):
            return await self.app(scope, receive, send)
        user = scope_user(scope, self.config)
        if user is None:
            return await self._refuse(scope, send, path)
        if any(path == p or path.startswith(p + "/") for p in ANALYST_ONLY) and not user.is_analyst:
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            from benchmark.service.pages import error_page

            return await _send_text(send, 403, error_page(
                403, "Analyseappen er bare for analyseavdelingen. Du har ikke tilgang til denne siden.", user))
        scope["user"] = user.as_scope_dict()
        scope["benchmark_user"] = user
        return await self.app(scope, receive, send)

    async def _refuse(self, scope, send, path: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if self.config.trusted_header:
            await _send_text(send, 401, "Ikke innlogget: påloggingen skjer i portalen foran tjenesten.",
                             "text/plain; charset=utf-8")
            return
        accept = _header(scope, "accept") or ""
        if path.startswith("/api/") or "text/html" not in accept:
            await _send_text(send, 401, "Ikke innlogget.", "text/plain; charset=utf-8")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        target = path + (f"?{query}" if query else "")
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", f"/login?next={quote(target, safe='')}".encode()),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def safe_next(target: str | None) -> str:
    """Only a path of this site (no //host, no scheme) may follow the login."""
    t = (target or "/").strip()
    return t if t.startswith("/") and not t.startswith("//") and "\\" not in t else "/"


def login_page(message: str = "", next_path: str = "/", status_hint: str = "") -> str:
    msg = f'<p class="msg" role="alert">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Logg inn – enhetsbenchmark</title>
<style>body{{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0}}
main{{max-width:22rem;margin:12vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}}
h1{{font-size:1.3rem;margin-top:0}} label{{display:block;margin:.8rem 0 .2rem}}
input{{width:100%;padding:.5rem;box-sizing:border-box;font-size:1rem}}
button{{margin-top:1.2rem;padding:.6rem 1.2rem;font-size:1rem;background:#1f4e79;color:#fff;border:0;border-radius:4px}}
.msg{{color:#a00000}}</style></head><body><main>
<h1>Enhetsbenchmark – logg inn</h1>{msg}
<form method="post" action="/login">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label for="username">Brukernavn</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Passord</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Logg inn</button></form>{status_hint}</main></body></html>"""


def parse_form(body: bytes) -> dict[str, str]:
    """An urlencoded form (no multipart: the login form needs none)."""
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


def check_login(config: AuthConfig, name: str, password: str) -> User | None:
    user = config.users.get(name)
    if user is None or not user.password_hash:
        dummy_verify(password)  # the same cost as a wrong password
        return None
    return user if verify_password(user.password_hash, password) else None
