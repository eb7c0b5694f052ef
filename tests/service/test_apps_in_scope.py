"""The apps of a running ``benchmark serve``, opened over their websockets as a browser would:
/tiltak shows a leader only the measures in its scope, /enhet's first screen holds no masked value,
also when it comes from the warm-up.

Real uvicorn subprocess, real login over HTTP, real websocket client (``websockets``)."""

from __future__ import annotations

import json

from benchmark.service.warm import WARMED
from tests.service.test_service import _masked_truth

DIVISIONS = ["Elverum-Hamar", "Gjøvik-Lillehammer", "Tynset", "Prehospitale tjenester", "Psykisk helsevern",
             "Medisinsk service", "Habilitering og rehabilitering", "Eiendom og internservice"]


def _text(messages: list[dict]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def _access(service) -> list[dict]:
    return [json.loads(x) for x in service.access.read_text(encoding="utf-8").splitlines()]


def test_tiltak_shows_a_leader_only_the_measures_in_its_scope(service):
    analyst = _text(service.app_session("ada", "tiltak", "10.3.0.1"))
    assert all(d in analyst for d in DIVISIONS)  # the check can fail: the analyst sees every division
    division = _text(service.app_session("klinikk", "tiltak", "10.3.0.2"))
    assert "Elverum-Hamar" in division and "Realisert mot risiko" in division
    assert not [d for d in DIVISIONS[1:] if d in division]
    assert "Internal error" not in division and "internal error" not in division
    department = _text(service.app_session("kari", "tiltak", "10.3.0.3"))
    assert "hører til ditt ansvarsområde" in department
    # no division's totals; the raw measures' quality notes only of kari's own department
    assert not [d for d in DIVISIONS[1:] if d in department]
    assert "Flere avdelinger" not in department and "Divisjonsledelse" not in department
    log = _access(service)
    assert any(x["user"] == "klinikk" and x["action"] == "measures" and x["what"] == "Elverum-Hamar"
               and x["status"] == 200 for x in log)


def test_a_leaders_first_screen_of_its_unit_holds_no_masked_value(service):
    truth = _masked_truth(service.store)
    text = _text(service.app_session("solo", "enhet", "10.3.0.4"))
    assert "Rehabiliteringspost 3" in text and "Samlet score" in text  # the unit and its explanation
    assert "skjermet (færre enn 5 ansatte)" in text
    assert not [v for v in truth.values() if v in text]
    assert any(x["user"] == "solo" and x["action"] == "unit_page" and x["what"] == "D7-127" for x in _access(service))


def test_a_warmed_first_screen_is_the_leaders_own_masked_page(service):
    line = service.wait_warm()  # the server has computed the leaders' first screens at start
    assert int(line.split(WARMED)[1].split()[0]) > 0, line
    truth = _masked_truth(service.store)
    solo = _text(service.app_session("solo", "enhet", "10.3.0.5"))
    assert "Rehabiliteringspost 3" in solo and "Samlet score" in solo
    assert "skjermet (færre enn 5 ansatte)" in solo and not [v for v in truth.values() if v in solo]
    kari = _text(service.app_session("kari", "enhet", "10.3.0.6"))
    assert "Samlet score" in kari and "Rehabiliteringspost 3" not in kari  # her own department's unit
    assert "internal error" not in (solo + kari).lower()
