"""The service against a running server: login, scopes, masking, rate limit, trusted header, audit.

Real uvicorn subprocess, real HTTP (httpx) and a real websocket client (``websockets``)."""

from __future__ import annotations

import asyncio
import io
import json

import pandas as pd
import pytest

from tests.service.conftest import PASSWORDS, cli

ROUTES = ["/", "/enhet/", "/kriterier/", "/tiltak/", "/analyse/", "/ark/2025Q3/D1-001",
          "/pakke/2025Q3/Elverum-Hamar", "/api/runs", "/logout"]


def _run_route(run_id: str) -> str:
    return f"/api/runs/{run_id}/scores.csv"


def test_every_route_refuses_without_login(service, service_store):
    _, _, run_id = service_store
    c = service.client()
    for path in [*ROUTES, _run_route(run_id), "/enhet/api/kernel/instantiate", "/enhet/@file/x.js"]:
        r = c.get(path, headers={"accept": "text/html"})
        assert r.status_code in (303, 401), (path, r.status_code)
        assert "Enhetsbenchmark – logg inn" not in r.text or path == "/login"
        if r.status_code == 303:
            assert r.headers["location"].startswith("/login?next=")
        api = c.get(path)  # not a browser: 401, no redirect
        assert api.status_code == 401 and "Sengepost" not in api.text, path
    assert c.get("/healthz").json() == {"status": "ok"}
    assert c.get("/login").status_code == 200


def _ws(url: str, cookie: str | None):
    from websockets.asyncio.client import connect

    async def go():
        headers = {"Cookie": f"benchmark_session={cookie}"} if cookie else {}
        async with connect(url, additional_headers=headers, open_timeout=60) as ws:
            return await asyncio.wait_for(ws.recv(), 120)

    return asyncio.run(go())


def test_websockets_refuse_without_login_and_open_with_it(service):
    from websockets.exceptions import InvalidStatus

    url = service.url.replace("http", "ws") + "/enhet/ws?session_id=s-test-1"
    with pytest.raises(InvalidStatus) as info:
        _ws(url, None)
    assert info.value.response.status_code == 403
    with pytest.raises(InvalidStatus):
        _ws(url, "forged.value.signature")
    kari = service.login("kari")
    first = _ws(url, kari.cookies["benchmark_session"])
    assert "kernel-ready" in first or "op" in first
    # a leader's cookie does not open the analysts' app, over HTTP or websocket
    with pytest.raises(InvalidStatus):
        _ws(service.url.replace("http", "ws") + "/analyse/ws?session_id=s-test-2", kari.cookies["benchmark_session"])


def test_leader_gets_403_outside_scope_and_200_inside(service, service_store):
    _, _, run_id = service_store
    kari = service.login("kari", "10.0.0.2")
    assert kari.get("/ark/2025Q3/D1-001").status_code == 200  # Kirurgisk avdeling Hamar
    out = kari.get("/ark/2025Q3/D7-127")
    assert out.status_code == 403 and "Du har ikke tilgang til enheten D7-127" in out.text
    assert "Sykefravær" not in out.text
    r = kari.get("/analyse/")
    assert r.status_code == 403 and "bare for analyseavdelingen" in r.text
    pack = kari.get("/pakke/2025Q3/Elverum-Hamar")
    assert pack.status_code == 403 and "analysepakken" in pack.text
    for path in ("/", "/enhet/", "/kriterier/", "/tiltak/", "/api/runs"):
        assert kari.get(path).status_code == 200, path
    landing = kari.get("/").text
    assert "Sengepost kirurgi 1 (Kirurgisk avdeling Hamar)" in landing and "D7-127" not in landing
    # downloads only within scope
    frame = pd.read_csv(io.StringIO(kari.get(_run_route(run_id)).content.decode("utf-8-sig")))
    assert set(frame["department"]) == {"Kirurgisk avdeling Hamar"}
    ranking = pd.read_csv(io.StringIO(kari.get(f"/api/runs/{run_id}/ranking.csv").content.decode("utf-8-sig")))
    assert set(ranking["department"]) == {"Kirurgisk avdeling Hamar"}
    assert kari.get(f"/api/runs/{run_id}/secrets.csv").status_code == 404


def test_analyst_sees_everything(service, service_store):
    _, _, run_id = service_store
    ada = service.login("ada", "10.0.0.3")
    for path in ("/", "/enhet/", "/kriterier/", "/tiltak/", "/analyse/", "/ark/2025Q3/D7-127",
                 "/ark/2025Q3/D1-001", "/api/runs"):
        assert ada.get(path).status_code == 200, path
    landing = ada.get("/").text
    assert "<td>enhet</td>" in landing and "<td>unit</td>" not in landing  # the level in words
    pack = ada.get("/pakke/2025Q3/Elverum-Hamar")
    assert pack.status_code in (200, 503)
    if pack.status_code == 503:
        assert "analysepakker er ikke installert" in pack.text
    frame = pd.read_csv(io.StringIO(ada.get(_run_route(run_id)).content.decode("utf-8-sig")))
    assert frame["entity_id"].nunique() > 100 and frame["division"].nunique() > 3


def _masked_truth(store) -> dict[str, str]:
    """The unmasked numbers of D7-127's sick leave, as a serialiser would write them."""
    from benchmark.store import load_run

    res = load_run(store, period="2025Q3")
    row = res.scores[(res.scores["entity_id"] == "D7-127") & (res.scores["criterion"] == "sick_leave_rate")].iloc[0]
    return {k: repr(float(row[k]))[:7] for k in ("value", "numerator", "denominator", "shrunk")}


def test_masked_values_are_absent_from_the_leaders_html_and_csv(service, service_store):
    folder, _, run_id = service_store
    truth = _masked_truth(service.store)
    ada = service.login("ada", "10.0.0.4")
    analyst_csv = ada.get(_run_route(run_id)).text
    assert all(v in analyst_csv for v in truth.values())  # the check can fail: the analyst sees them
    for name in ("rehab", "solo"):
        leader = service.login(name, "10.0.0.5")
        csv = leader.get(_run_route(run_id)).content.decode("utf-8-sig")
        assert not [v for v in truth.values() if v in csv], name
        frame = pd.read_csv(io.StringIO(csv))
        hit = frame[(frame["entity_id"] == "D7-127") & (frame["criterion"] == "sick_leave_rate")]
        assert len(hit) == 1 and hit["masked"].iloc[0] and pd.isna(hit["value"].iloc[0])
        for table in ("trend", "monthly"):
            t = leader.get(f"/api/runs/{run_id}/{table}.csv").content.decode("utf-8-sig")
            assert not [v for v in truth.values() if v in t], (name, table)
        sheet = leader.get("/ark/2025Q3/D7-127")
        assert sheet.status_code == 200
        assert not [v for v in truth.values() if v in sheet.text]
    # the complement: the department's other small unit is masked too for the leader
    rehab = service.login("rehab", "10.0.0.6")
    frame = pd.read_csv(io.StringIO(rehab.get(_run_route(run_id)).content.decode("utf-8-sig")))
    comp = frame[(frame["entity_id"] == "D7-131") & (frame["criterion"] == "sick_leave_rate")]
    assert comp["masked"].iloc[0] and comp["mask_reason"].iloc[0] == "complementary"


def test_login_is_rate_limited(service):
    c = service.client("10.9.9.9")
    for _ in range(5):
        r = c.post("/login", data={"username": "target", "password": "wrong-password"})
        assert r.status_code == 401 and "Feil brukernavn eller passord" in r.text
    blocked = c.post("/login", data={"username": "target", "password": PASSWORDS["target"]})
    assert blocked.status_code == 429 and "For mange mislykkede forsøk" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    # from another address too: the limit is per user name
    again = service.client("10.9.9.7").post("/login", data={"username": "target", "password": PASSWORDS["target"]})
    assert again.status_code == 429
    # an unknown user name is refused like a wrong password (no enumeration)
    other = service.client("10.9.9.8").post("/login", data={"username": "nobody", "password": "x"})
    assert other.status_code == 401 and "Feil brukernavn eller passord" in other.text


def test_the_users_file_holds_no_password(service_store):
    _, users, _ = service_store
    text = users.read_text(encoding="utf-8")
    assert not [p for p in PASSWORDS.values() if p in text]
    assert text.count("$argon2id$") == len(PASSWORDS)
    assert (users.stat().st_mode & 0o077) == 0  # owner only


def test_trusted_header_is_believed_only_when_enabled(service, sso_service):
    # local-accounts server: the header is ignored
    r = service.client().get("/", headers={"x-remote-user": "ada", "accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert service.client().get("/api/runs", headers={"x-remote-user": "ada"}).status_code == 401
    # single-sign-on server: the header is the login; without it, refused
    sso = sso_service.client()
    assert sso.get("/api/runs").status_code == 401
    assert sso.get("/", headers={"accept": "text/html"}).status_code == 401
    assert sso.get("/", headers={"x-remote-user": "kari"}).status_code == 200
    assert sso.get("/ark/2025Q3/D7-127", headers={"x-remote-user": "kari"}).status_code == 403
    assert sso.get("/analyse/", headers={"x-remote-user": "ada"}).status_code == 200
    assert sso.get("/", headers={"x-remote-user": "stranger"}).status_code == 401  # not in the users file
    # a session cookie does not stand in for the header in SSO mode
    cookie = service.login("ada", "10.0.0.7").cookies["benchmark_session"]
    assert sso_service.client(cookies={"benchmark_session": cookie}).get("/api/runs").status_code == 401


def test_logout_ends_the_session(service):
    c = service.login("kari", "10.0.0.8")
    assert c.get("/api/runs").status_code == 200
    assert c.post("/logout").status_code == 303
    assert c.get("/api/runs").status_code == 401


def test_audit_log_and_history_access(service, service_store):
    folder, _, run_id = service_store
    kari = service.login("kari", "10.0.0.10")
    kari.get("/ark/2025Q3/D1-002")
    kari.get("/ark/2025Q3/D7-127")
    kari.get(_run_route(run_id))
    lines = [json.loads(x) for x in service.access.read_text(encoding="utf-8").splitlines()]
    mine = [x for x in lines if x["user"] == "kari"]
    assert {"action": "sheet", "what": "D1-002", "status": 200} in [
        {k: x[k] for k in ("action", "what", "status")} for x in mine]
    assert any(x["action"] == "sheet" and x["what"] == "D7-127" and x["status"] == 403 for x in mine)
    assert any(x["action"] == "download" and x["what"] == "scores.csv" and x["run_id"] == run_id for x in mine)
    assert all(PASSWORDS["kari"] not in line for line in service.access.read_text(encoding="utf-8").splitlines())
    r = cli("history", "--access", str(service.access))
    assert r.returncode == 0 and "D1-002" in r.stdout and "kari" in r.stdout and "sheet" in r.stdout


def test_users_command_refuses_bad_input(tmp_path):
    users = tmp_path / "u.toml"
    r = cli("users", "add", "x", "--role", "leader", "--users", str(users), stdin="long-enough-pw\n")
    assert r.returncode == 2 and "at least one --scope" in r.stderr
    r = cli("users", "add", "x", "--role", "leader", "--scope", "ward:1", "--users", str(users), stdin="long-enough-pw\n")
    assert r.returncode == 2 and "division:D" in r.stderr
    r = cli("users", "add", "x", "--role", "analyst", "--users", str(users), stdin="short\n")
    assert r.returncode == 2 and "at least 8" in r.stderr and not users.exists()
    r = cli("users", "add", "x", "--role", "analyst", "--users", str(users), stdin="long-enough-pw\n")
    assert r.returncode == 0 and "long-enough-pw" not in r.stdout + r.stderr
    assert cli("users", "list", "--users", str(users)).stdout.startswith("x\tanalyst")
