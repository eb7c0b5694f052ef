"""Scopes, the notebook helpers and the AST lock, without a server."""

from __future__ import annotations

import ast
import builtins
import threading

import pandas as pd
import pytest

from benchmark.service import astlock
from benchmark.service.auth import LoginLimiter, safe_next
from benchmark.service.scopes import Forbidden, check_division, check_entity, in_scope
from benchmark.service.users import User, parse_scope

RANKING = pd.DataFrame({"entity_id": ["u1", "u2", "u3", "u4"], "division": ["A", "A", "A", "B"],
                        "department": ["a1", "a1", "a2", "b1"], "peer_group": ["ward", "clinic", "ward", "ward"]})


def leader(*scopes: str) -> User:
    return User("x", "leader", tuple(parse_scope(s) for s in scopes))


def test_scopes_at_unit_level():
    assert in_scope(leader("division:A"), RANKING).tolist() == [True, True, True, False]
    assert in_scope(leader("department:a1"), RANKING).tolist() == [True, True, False, False]
    assert in_scope(leader("unit:u3", "unit:u4"), RANKING).tolist() == [False, False, True, True]
    assert in_scope(User("a", "analyst"), RANKING).all()
    with pytest.raises(Forbidden, match="Du har ikke tilgang til enheten u3"):
        check_entity(leader("department:a1"), RANKING, "u3")
    with pytest.raises(LookupError):
        check_entity(leader("department:a1"), RANKING, "nope")


def test_scopes_at_department_and_division_level():
    deps = pd.DataFrame({"entity_id": ["a1", "a2", "b1"], "division": ["A", "A", "B"], "department": ["a1", "a2", "b1"]})
    assert in_scope(leader("department:a1"), deps, "department").tolist() == [True, False, False]
    assert in_scope(leader("division:B"), deps, "department").tolist() == [False, False, True]
    assert not in_scope(leader("unit:a1"), deps, "department").any()  # a unit scope opens no department
    divs = pd.DataFrame({"entity_id": ["A", "B"], "division": ["A", "B"], "department": ["", ""]})
    assert in_scope(leader("department:a1"), divs, "division").tolist() == [False, False]
    assert in_scope(leader("division:A"), divs, "division").tolist() == [True, False]
    check_division(leader("division:A"), "A")
    with pytest.raises(Forbidden):
        check_division(leader("department:a1"), "A")


def test_leader_view_of_a_result_is_masked_and_cut_to_its_peer_groups(demo_path):
    import benchmark as bm
    from benchmark.service import context

    res = bm.score(bm.load_dataset(demo_path), bm.load_criteria(), period="2025Q3", sensitivity_analysis=False)
    user = leader("unit:D7-127")
    view = context.for_user(res, user)
    groups = set(res.ranking.loc[res.ranking["entity_id"] == "D7-127", "peer_group"])
    assert set(view.ranking["peer_group"]) == groups and len(view.ranking) < len(res.ranking)
    row = view.scores[(view.scores["entity_id"] == "D7-127") & (view.scores["criterion"] == "sick_leave_rate")]
    assert row["masked"].all() and row["value"].isna().all()
    choices = context.scoped_choices(view, {"a": "D7-127", "b": "D1-001"}, user)
    assert choices == {"a": "D7-127"}
    assert context.for_user(res, User("a", "analyst")) is res


def test_limiter_counts_per_user_and_per_client():
    lim = LoginLimiter(max_failures=2, window=60)
    keys = ["user:k", "client:1"]
    lim.failed(keys)
    assert lim.wait(keys) == 0
    lim.failed(keys)
    assert lim.wait(["user:k"]) > 0 and lim.wait(["client:1"]) == 0  # 4 × 2 per client
    lim.succeeded(["user:k"])
    assert lim.wait(keys) == 0


def test_safe_next_keeps_the_user_on_this_site():
    assert safe_next("/enhet/") == "/enhet/"
    for bad in ("//evil.example/", "https://evil.example/", "\\\\evil", "", None):
        assert safe_next(bad) == "/"


def test_ast_lock_serialises_ast_work_only():
    astlock.install(force=True)
    try:
        assert builtins.compile is astlock._locked_compile
        held = []
        original = astlock._ORIGINAL

        def spy(*args, **kwargs):
            held.append(astlock._LOCK._is_owned())
            return original(*args, **kwargs)

        astlock._ORIGINAL = spy
        try:
            tree = ast.parse("x = 1")  # PyCF_ONLY_AST: under the lock
            exec(compile(tree, "<t>", "exec"), {})  # an AST: under the lock
            exec(compile("y = 2", "<t>", "exec"), {})  # plain source: not
        finally:
            astlock._ORIGINAL = original
        assert held == [True, True, False]
        errors = []

        def work():
            try:
                for _ in range(50):
                    compile(ast.parse("def f(a):\n    return [i for i in range(a)]"), "<t>", "exec")
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert not errors
    finally:
        if not astlock.needed():
            astlock.uninstall()


def test_runmode_parses_a_notebook_once_per_file_state(tmp_path):
    import os

    from marimo._ast import compiler
    from marimo._runtime import runtime

    from benchmark.service import runmode

    original = compiler._build_source_position_map
    assert runmode.install()
    try:
        assert compiler._build_source_position_map is runtime._build_source_position_map is not original
        nb = tmp_path / "nb.py"
        nb.write_text("import marimo\napp = marimo.App()\n\n@app.cell\ndef _():\n    x = 1\n    return (x,)\n")
        first = compiler._build_source_position_map(str(nb))
        runtime._build_source_position_map.cache_clear()  # what every new session's kernel does
        assert compiler._build_source_position_map(str(nb)) is first  # not parsed again
        assert first and "x = 1" in first[0][0]
        nb.write_text(nb.read_text().replace("x = 1", "x = 22"))
        os.utime(nb, ns=(1, 10**18))
        again = compiler._build_source_position_map(str(nb))
        assert again is not first and "x = 22" in again[0][0]  # an edited file is read again
    finally:
        runmode.uninstall()
    assert compiler._build_source_position_map is original and runtime._build_source_position_map is original


def test_a_served_leader_is_offered_stored_runs_only():
    """What a leader types is cut to run:<id> (context.source_text), and the box says so."""
    from benchmark.service import context

    leader = User("kari", "leader", (parse_scope("department:Kirurgisk avdeling Hamar"),))
    analyst = User("ada", "analyst")
    assert context.source_text("/srv/data/lonn.xlsx", leader) == ""  # the latest run instead
    assert context.source_text("run:20261202T1", leader) == "run:20261202T1"
    assert context.source_text("/srv/data", analyst) == "/srv/data"
    assert context.source_label("nb", leader).startswith("Lagret kjøring") and "mappe" not in context.source_label(
        "nb", leader)
    assert "datamappe" in context.source_label("nb", analyst)
    assert context.source_label("en", leader).startswith("Stored run")
