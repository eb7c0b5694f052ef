"""The process-wide cache of the unit page's pieces: shared between sessions with the same view,
never between an analyst's unmasked view and a leader's masked one.

Runs in the served mode of the notebooks' helpers (``BENCHMARK_SERVE=1``) on the demo store, in
this process — the same code paths the service's sessions (threads of one process) take."""

from __future__ import annotations

import json

import pytest

from benchmark import sources
from benchmark.explanation import explain, unitpage
from benchmark.explanation.shared import PIECES
from benchmark.service import context
from benchmark.service.users import User, parse_scope

MASKED_UNIT = "D7-127"  # 3 employees: sick leave and turnover are masked for leaders


def _pieces(res, lang: str = "nb", unit: str = MASKED_UNIT) -> str:
    head, table = unitpage.measures_html(res, unit, lang)
    return "\n".join([unitpage.explanation_html(res, unit, lang), unitpage.scores_html(res, unit, lang),
                      unitpage.trend_json(res, unit, lang), unitpage.contribution_json(res, unit, lang),
                      head, table, explain(res, unit, lang)])


@pytest.fixture()
def served(service_store, monkeypatch):
    folder, _, run_id = service_store
    store = folder / "history.duckdb"
    monkeypatch.setenv("BENCHMARK_SERVE", "1")
    monkeypatch.setenv("BENCHMARK_STORE", str(store))
    return store, run_id


def _sick_months(res) -> list[str]:
    """D7-127's monthly sick-leave values as json.dumps writes them into a chart spec."""
    m = res.monthly
    rows = m[(m["entity_id"] == MASKED_UNIT) & (m["criterion"] == "sick_leave_rate") & m["value"].notna()]
    return [json.dumps(float(v)) for v in rows["value"]]


def test_the_analysts_cached_pieces_never_reach_a_leader(served):
    store, run_id = served
    full = sources.stored_result(run_id, str(store))
    analyst = context.for_user(full, User("ada", "analyst"))
    assert analyst is full
    months = _sick_months(full)
    assert len(months) >= 6
    seen = _pieces(analyst)  # the analyst's pieces are cached first ...
    assert [v for v in months if v in seen] and "skjermet" not in seen  # (the check can fail)
    for scope in ("unit:D7-127", "department:Fysikalsk medisin og rehabilitering"):
        leader = context.for_user(full, User("x", "leader", (parse_scope(scope),)))
        assert leader is not full
        text = _pieces(leader)  # ... and the leader's, from the same cache, have none of them
        assert not [v for v in months if v in text], scope
        assert "skjermet (færre enn 5 ansatte)" in text, scope
        assert not _sick_months(leader)


def test_leaders_with_the_same_view_share_one_object_and_its_pieces(served):
    store, run_id = served
    full = sources.stored_result(run_id, str(store))
    a = context.for_user(full, User("a", "leader", (parse_scope("unit:D7-127"),)))
    b = context.for_user(full, User("b", "leader", (parse_scope("unit:D7-127"),)))
    other = context.for_user(full, User("c", "leader", (parse_scope("department:Kirurgisk avdeling Hamar"),)))
    assert a is b and a is not other
    _pieces(a, "en")
    misses = PIECES.misses
    assert _pieces(b, "en") == _pieces(a, "en") and PIECES.misses == misses  # b reuses a's work
    _pieces(other, "en", "D1-001")
    assert PIECES.misses > misses  # another view is computed for itself


def test_a_leaders_view_holds_only_the_measures_in_its_scope(served):
    store, run_id = served
    full = sources.stored_result(run_id, str(store))
    division = context.for_user(full, User("k", "leader", (parse_scope("division:Elverum-Hamar"),)))
    assert set(division.measures["division"]) == {"Elverum-Hamar"}
    department = context.for_user(full, User("d", "leader", (parse_scope("department:Kirurgisk avdeling Hamar"),)))
    assert department.measures.empty  # the demo reports measures per division ("Flere avdelinger")
    head, table = unitpage.measures_html(department, "D1-001", "nb")
    assert "Ingen tiltak du har tilgang til" in table
