"""What the service does once at start so that sessions do not (benchmark/service/warm.py and
benchmark/service/runmode.py): the warmed first screens are each leader's own masked view, never
an analyst's; marimo's per-session work, cached, gives what marimo itself gives, and every cached
cell is a fresh object.

In-process, in the served mode of the notebooks' helpers (``BENCHMARK_SERVE=1``) on the demo
store — the same code paths the service's sessions (threads of one process) take."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from benchmark import sources
from benchmark.explanation import explain, unitpage
from benchmark.explanation.shared import PIECES
from benchmark.service import context, runmode, warm
from benchmark.service.users import User, parse_scope, read_users, write_users
from tests.service.conftest import ROOT

MASKED_UNIT = "D7-127"  # 3 employees: sick leave and turnover are masked for leaders


@pytest.fixture()
def served(service_store, monkeypatch):
    folder, users, run_id = service_store
    store = folder / "history.duckdb"
    monkeypatch.setenv("BENCHMARK_SERVE", "1")
    monkeypatch.setenv("BENCHMARK_STORE", str(store))
    return store, users, run_id


def _sick_months(res) -> list[str]:
    m = res.monthly
    rows = m[
        (m["entity_id"] == MASKED_UNIT) & (m["criterion"] == "sick_leave_rate") & m["value"].notna()
    ]
    return [json.dumps(float(v)) for v in rows["value"]]


def _session_user(user: User) -> User:
    """The user as a session sees it (context.current_user: from the request, no password hash)."""
    return User(
        name=user.name,
        role=user.role,
        scopes=tuple(parse_scope(s) for s in user.as_scope_dict()["scopes"]),
    )


def test_warming_fills_each_leaders_own_masked_view_and_never_an_analysts(served):
    store, users_path, run_id = served
    users = read_users(users_path)
    full = sources.stored_result(run_id, str(store))
    months = _sick_months(full)
    assert len(months) >= 6  # the unmasked values exist (so the checks below can fail)
    PIECES.clear()
    assert warm.warm_unit_pages(store, users) > 0
    warmed_misses = PIECES.misses
    src = context.open_source("", store, "nb")[0]
    for name in ("solo", "rehab", "kari", "klinikk"):
        user = _session_user(users[name])
        view = context.for_user(full, user)  # what the session's cells compute
        units = list(context.scoped_source_choices(src, context.entity_choices(src), user).values())
        assert units, name
        first = units[0]
        page = unitpage.explanation_html(view, first, "nb") + explain(view, first, lang="en")
        assert PIECES.misses == warmed_misses, name  # served from the warm-up, nothing recomputed
        if MASKED_UNIT in units:
            text = unitpage.explanation_html(view, MASKED_UNIT, "nb") + explain(
                view, MASKED_UNIT, lang="nb"
            )
            assert "skjermet (færre enn 5 ansatte)" in text and not [
                v for v in months if v in text
            ], name
        assert page
    # the analyst's (unmasked) object got nothing from the warm-up: its first piece is computed now
    analyst = context.for_user(full, User("ada", "analyst"))
    assert analyst is full
    unitpage.explanation_html(analyst, MASKED_UNIT, "nb")
    assert PIECES.misses > warmed_misses


def test_the_warmed_pieces_equal_those_of_an_independent_masked_view(served):
    """The cached text of the warm-up equals a fresh computation on a masked, scope-cut copy made
    outside every cache (benchmark/privacy.py + restrict), so warming changes nothing shown."""
    from benchmark.privacy import mask_result
    from benchmark.service.data import restrict
    from benchmark.store import load_run

    store, users_path, run_id = served
    users = read_users(users_path)
    warm.warm_unit_pages(store, users)
    user = _session_user(users["solo"])
    view = context.for_user(sources.stored_result(run_id, str(store)), user)
    fresh = restrict(mask_result(load_run(store, run_id=run_id)), user)
    for lang in ("nb", "en"):
        assert explain(view, MASKED_UNIT, lang=lang) == explain(fresh, MASKED_UNIT, lang=lang)


def test_the_warmer_warms_again_when_the_users_file_changes(served, tmp_path):
    store, users_path, _ = served
    users = read_users(users_path)
    mine = tmp_path / "users.toml"
    write_users(mine, {"solo": users["solo"]})
    w = warm.Warmer(store, mine, interval=0.05)
    w.start()
    try:
        assert w.done.wait(120) and w.passes == 1
        solo_pages = w.warmed
        assert solo_pages >= 1
        w.done.clear()
        time.sleep(0.05)  # a later mtime on coarse file systems
        write_users(mine, {"solo": users["solo"], "klinikk": users["klinikk"]})
        assert w.done.wait(120) and w.passes == 2
        assert w.warmed > solo_pages  # the division's units too
    finally:
        w.stopped.set()
        w.join(10)


# ---- runmode: marimo's per-session work, cached ---------------------------------------------------


@pytest.fixture()
def patched():
    from marimo._ast import compiler, parse

    originals = (compiler.compile_cell, parse.parse_notebook)
    assert runmode.install()  # every patch finds its target in the installed marimo
    yield originals
    runmode.uninstall()
    assert (compiler.compile_cell, parse.parse_notebook) == originals


def _fields(cell) -> dict:
    out = {}
    for f in dataclasses.fields(cell):
        v = getattr(cell, f.name)
        if f.name == "mod":
            continue
        if f.name in ("body", "last_expr") and v is not None:
            v = (v.co_code, v.co_consts, v.co_names, v.co_filename, v.co_firstlineno)
        out[f.name] = v
    return out


def test_a_cached_cell_equals_a_compiled_one_and_is_its_own_object(patched):
    from marimo._ast import compiler, parse

    original_compile, original_parse = patched
    path = str(ROOT / "notebooks" / "unit.py")
    code = (ROOT / "notebooks" / "unit.py").read_text(encoding="utf-8")
    ir = parse.parse_notebook(code, filepath=path)
    assert ir == original_parse(code, filepath=path) and ir is not parse.parse_notebook(
        code, filepath=path
    )
    assert len(ir.cells) > 5
    for i, cell in enumerate(ir.cells):
        for filename in (None, path):
            truth = original_compile(cell.code, f"c{i}", filename=filename)
            first = compiler.compile_cell(cell.code, f"c{i}", filename=filename, carried_imports=[])
            second = compiler.compile_cell(
                cell.code, f"c{i}", filename=filename, carried_imports=[]
            )
            assert _fields(first) == _fields(truth) == _fields(second)
            # what a kernel mutates is per object: its definitions, status, config, output
            first.defs.clear()
            first.configure({"disabled": True})
            first._status.state = "running"
            assert (
                second.defs == truth.defs
                and not second.config.disabled
                and second._status.state is None
            )
            assert compiler.compile_cell(cell.code, f"c{i}", filename=filename).defs == truth.defs
    assert runmode.compile_cache().memo.hits > 0


def test_the_decoder_and_the_markdown_cache_give_what_marimo_gives(patched):
    import msgspec
    from marimo._messaging import serde
    from marimo._messaging.notification import CellNotification
    from marimo._output import md

    decode = runmode._INSTALLED["decode.serde"][2]  # marimo's own
    render = runmode._INSTALLED["markdown"][2]
    for note in (
        CellNotification(cell_id="abc", status="idle"),
        CellNotification(cell_id="x", status="queued"),
    ):
        raw = serde.serialize_kernel_message(note)
        assert serde.deserialize_kernel_message(raw) == decode(raw) == note
    for fn in (serde.deserialize_kernel_message, decode):
        with pytest.raises(msgspec.ValidationError):
            fn(b'{"op": "cell-op"}')
    for text in ("# Min enhet\n\nVelg **enheten** din.", "- a\n- b [x](https://example.org)", ""):
        assert md._render_markdown(text) == render(text) == md._render_markdown(text)


def test_marimo_no_longer_rewrites_its_recent_files_list_per_session(patched, tmp_path):
    import asyncio

    from marimo._server.session.listeners import RecentsTrackerListener

    class Recents:
        touched = 0

        def touch(self, filename):
            Recents.touched += 1

    class Session:
        class app_file_manager:  # noqa: N801 - the attribute marimo reads
            path = str(tmp_path / "nb.py")

    asyncio.run(RecentsTrackerListener(Recents()).on_session_created(Session()))
    assert Recents.touched == 0


def test_concurrent_misses_of_one_key_compute_it_once_and_failures_are_not_kept():
    import threading

    calls = []
    started = threading.Event()

    def compute(x):
        calls.append(x)
        started.set()
        time.sleep(0.05)  # the others arrive while this one computes
        return [x]

    memo = runmode._Memo(compute, lambda v: list(v))
    out = []
    threads = [threading.Thread(target=lambda: out.append(memo.get("k", 1))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and out == [[1]] * 8 and len({id(o) for o in out}) == 8  # each its own copy

    def broken(x):
        raise ValueError(x)

    bad = runmode._Memo(broken, lambda v: v)
    for _ in range(2):
        with pytest.raises(ValueError):
            bad.get("k", 2)
    assert bad.misses == 0 and not bad._inflight
