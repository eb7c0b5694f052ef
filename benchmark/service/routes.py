"""The service's own routes (SPEC §10): landing page, sheets, packages, run list and downloads.

Every handler gets the user the middleware put in ``request.scope`` and checks scope where the
data are read: the sheet of a unit outside the leader's scope is refused before anything is
rendered, a download holds only the leader's rows, and both come from a masked copy of the run.
Each opened sheet, package or download is written to the audit log.
"""

from __future__ import annotations

import json
import time

import pandas as pd
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from benchmark.service import pages
from benchmark.service.access import log_access
from benchmark.service.auth import check_login, login_page, parse_form, safe_next, scope_user
from benchmark.service.scopes import Forbidden, check_division, check_entity, in_scope
from benchmark.service.users import User

NOT_INSTALLED = "analysepakker er ikke installert"


def _state(request: Request):
    return request.app.state.service


def _user(request: Request) -> User:
    return request.scope["benchmark_user"]


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _audit(request: Request, action: str, what: str, status: int, **kw) -> None:
    user = _user(request)
    log_access(_state(request).access, user.name, user.role, action, what, status=status,
               client=_client(request), **kw)


def _fail(request: Request, status: int, message: str, api: bool = False) -> Response:
    if api:
        return PlainTextResponse(message, status_code=status)
    return HTMLResponse(pages.error_page(status, message, request.scope.get("benchmark_user")), status_code=status)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def login(request: Request) -> Response:
    svc = _state(request)
    cfg = svc.auth
    if cfg.trusted_header:
        return HTMLResponse(pages.error_page(
            401, "Påloggingen skjer i portalen foran tjenesten (enkel pålogging)."), status_code=401)
    next_path = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if scope_user(request.scope, cfg) is not None:
            return RedirectResponse(next_path, status_code=303)
        return HTMLResponse(login_page(next_path=next_path), headers={"cache-control": "no-store"})
    form = parse_form(await request.body())
    name, password = form.get("username", "").strip(), form.get("password", "")
    next_path = safe_next(form.get("next"))
    keys = [f"user:{name.lower()}", f"client:{_client(request)}"]
    wait = cfg.limiter.wait(keys)
    if wait > 0:
        log_access(svc.access, name, "", "login_blocked", name, status=429, client=_client(request))
        minutes = max(1, round(wait / 60))
        return HTMLResponse(login_page(f"For mange mislykkede forsøk. Prøv igjen om {minutes} min.", next_path),
                            status_code=429, headers={"retry-after": str(int(wait) + 1)})
    user = await run_in_threadpool(check_login, cfg, name, password)
    if user is None:
        cfg.limiter.failed(keys)
        log_access(svc.access, name, "", "login_failed", name, status=401, client=_client(request))
        return HTMLResponse(login_page("Feil brukernavn eller passord.", next_path), status_code=401)
    cfg.limiter.succeeded(keys[:1])
    request.session.clear()
    request.session.update({"user": user.name, "login_at": time.time()})
    log_access(svc.access, user.name, user.role, "login", user.name, status=200, client=_client(request))
    return RedirectResponse(next_path, status_code=303)


async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _latest(request: Request, period: str | None, level: str = "unit") -> str:
    run = request.query_params.get("run")
    return run if run else _state(request).reader.latest(period, level)


def home(request: Request) -> Response:
    svc, user = _state(request), _user(request)
    runs = svc.reader.runs()
    units, period, divisions = pd.DataFrame(), None, []
    unit_runs = runs[runs["level"] == "unit"]
    if not unit_runs.empty:
        run_id, period = str(unit_runs.iloc[0]["run_id"]), str(unit_runs.iloc[0]["period"])
        full = svc.reader.result(run_id).ranking
        units = full[in_scope(user, full, "unit")].sort_values(["division", "department", "entity_name"])
        divisions = sorted(full["division"].dropna().astype(str).unique()) if user.is_analyst else sorted(
            {s.value for s in user.scopes if s.kind == "division"})
    return HTMLResponse(pages.landing(user, runs, units, svc.apps, period, divisions))


def sheet(request: Request) -> Response:
    from benchmark.explanation.sheet import render_sheet

    svc, user = _state(request), _user(request)
    period, unit_id = request.path_params["period"], request.path_params["unit_id"]
    lang = "en" if request.query_params.get("lang") == "en" else "nb"
    try:
        run_id = _latest(request, period)
        full = svc.reader.result(run_id)
        check_entity(user, full.ranking, unit_id, full.level)
        res = svc.reader.result(run_id, user)
        body = render_sheet(res, unit_id, lang=lang, run_id=run_id)
    except Forbidden as exc:
        _audit(request, "sheet", unit_id, 403, period=period)
        return _fail(request, 403, str(exc))
    except LookupError as exc:
        return _fail(request, 404, f"Fant ikke {unit_id} for {period} ({exc}).")
    _audit(request, "sheet", unit_id, 200, period=period, run_id=run_id)
    return HTMLResponse(body)


def package(request: Request) -> Response:
    svc, user = _state(request), _user(request)
    period, division = request.path_params["period"], request.path_params["division"]
    try:
        check_division(user, division)
    except Forbidden as exc:
        _audit(request, "package", division, 403, period=period)
        return _fail(request, 403, str(exc))
    try:
        from benchmark.pack import render_package_html
    except ImportError:
        return _fail(request, 503, NOT_INSTALLED)
    from benchmark.issues import UsageError

    try:
        body = render_package_html(svc.store, division, period=period, run_id=request.query_params.get("run"),
                                   lang="en" if request.query_params.get("lang") == "en" else "nb",
                                   analyst=user.is_analyst)
    except UsageError as exc:
        return _fail(request, 404, str(exc))
    _audit(request, "package", division, 200, period=period)
    return HTMLResponse(body)


def api_runs(request: Request) -> Response:
    runs = _state(request).reader.runs()
    cols = [c for c in ("run_id", "started_at", "period", "level", "catalogue_version", "n_entities") if c in runs]
    rows = json.loads(runs[cols].to_json(orient="records", date_format="iso"))
    return JSONResponse(rows)


def api_table(request: Request) -> Response:
    from benchmark.service.data import download_table

    svc, user = _state(request), _user(request)
    run_id, table = request.path_params["run_id"], request.path_params["table"]
    try:
        res = svc.reader.result(run_id, user)
        frame = download_table(res, user, table)
    except LookupError:
        return _fail(request, 404, f"Fant ikke tabellen {table} i kjøring {run_id}.", api=True)
    _audit(request, "download", f"{table}.csv", 200, period=res.period.label, run_id=run_id)
    data = frame.to_csv(index=False).encode("utf-8-sig")
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{run_id}-{table}.csv"'})


ROUTES = [
    Route("/healthz", healthz),
    Route("/login", login, methods=["GET", "POST"]),
    Route("/logout", logout, methods=["GET", "POST"]),
    Route("/", home),
    Route("/ark/{period}/{unit_id}", sheet),
    Route("/pakke/{period}/{division}", package),
    Route("/api/runs", api_runs),
    Route("/api/runs/{run_id}/{table}.csv", api_table),
]
