"""What a notebook needs to know about the person looking at it, when served by ``benchmark serve``.

The service's middleware puts the user in the request (``scope["user"]``), which marimo hands to
the notebook as ``mo.app_meta().request.user``. Notebooks stay thin: they call these helpers.

- :func:`current_user` — the :class:`~benchmark.service.users.User`, or None when the notebook is
  not served (``marimo run`` on one's own machine: the analyst's view).
- :func:`for_user` — a result as the user may see it: masked and cut to the leader's peer groups.
- :func:`scoped_choices` — the entity choices of a picker, cut to the leader's scope.
- :func:`denied` — None when the user may open an entity (and the opening is written to the audit
  log), else a Norwegian callout to ``mo.stop`` with. This is where scope is enforced in the apps:
  a value sent by a client for an entity outside its scope is refused here, not only hidden.
- :func:`logged_download` — a download button's data, written to the audit log when pressed.
- :func:`measures_for_user`, :func:`measures_denied` — /tiltak's measure rows cut to the scope,
  and the refusal (in words) of a division outside it.
- :func:`stored_result` — when served, the latest stored run of the period and level (the service
  reads stored runs, it does not score raw data per session).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from benchmark.service.users import User, parse_scope


def served() -> bool:
    return os.environ.get("BENCHMARK_SERVE") == "1"


def current_user() -> User | None:
    """The logged-in user of this session; None when not served."""
    if not served():
        return None
    try:
        import marimo as mo

        request = mo.app_meta().request
    except Exception:  # noqa: BLE001 - outside a marimo session
        request = None
    info = getattr(request, "user", None) if request is not None else None
    if not isinstance(info, dict) or not info.get("is_authenticated"):
        # served, yet no user: the middleware lets no such request through; fail closed anyway
        return User(name="", role="leader", scopes=())
    return User(name=str(info.get("username", "")), role=str(info.get("role", "leader")),
                scopes=tuple(parse_scope(s) for s in info.get("scopes", [])))


def for_user(res, user: User | None = None):
    """``res`` as the user may see it (unchanged for analysts and when not served)."""
    user = current_user() if user is None else user
    if user is None or user.is_analyst:
        return res
    from benchmark.privacy import mask_result
    from benchmark.service.data import restrict

    if getattr(res, "run_id", None) and served():
        reader = _reader()  # cached: the masked run, and one view object per distinct scope view
        return reader.view(reader.masked(res.run_id), user)
    return restrict(mask_result(res), user)


def scoped_choices(res, choices: dict[str, str], user: User | None = None) -> dict[str, str]:
    """The picker's {label: entity_id} cut to the entities the user may open."""
    user = current_user() if user is None else user
    if user is None or user.is_analyst:
        return choices
    from benchmark.service.scopes import in_scope

    r = res.ranking
    allowed = set(r.loc[in_scope(user, r, res.level), "entity_id"].astype(str))
    return {label: eid for label, eid in choices.items() if str(eid) in allowed}


def may_save(user: User | None = None) -> bool:
    """Writing files on the server (a tuned catalogue) is for analysts, or a local run of the app."""
    user = current_user() if user is None else user
    return user is None or user.is_analyst


def first_choice(choices: dict[str, str], user: User | None = None) -> str | None:
    """A leader's picker opens on its first unit; an analyst's (and a local one) on none."""
    user = current_user() if user is None else user
    if user is None or user.is_analyst or not choices:
        return None
    return next(iter(choices))


def denied(res, entity_id: str, action: str = "unit_page", user: User | None = None):
    """None if the user may open ``entity_id`` (logged), else a callout saying why not."""
    user = current_user() if user is None else user
    if user is None:
        return None
    import marimo as mo

    from benchmark.service.access import log_access
    from benchmark.service.scopes import Forbidden, check_entity

    access = os.environ.get("BENCHMARK_ACCESS")
    period = res.period.label if getattr(res, "period", None) is not None else ""
    try:
        check_entity(user, res.ranking, entity_id, res.level)
    except (Forbidden, LookupError) as exc:
        log_access(access, user.name, user.role, action, str(entity_id), period=period,
                   run_id=res.run_id or "", status=403)
        text = str(exc) if isinstance(exc, Forbidden) else f"Fant ikke {entity_id}."
        return mo.callout(mo.md(text), kind="danger")
    log_access(access, user.name, user.role, action, str(entity_id), period=period, run_id=res.run_id or "")
    return None


def logged_download(res, entity_id: str, action: str, make, user: User | None = None):
    """``make`` (the bytes of a download, built when the button is pressed) wrapped so that each
    download is written to the audit log, like the service's own /ark and /api downloads.

    The user is read now, in the cell (a download callback runs outside the cell's context)."""
    user = current_user() if user is None else user
    if user is None:
        return make
    from benchmark.service.access import log_access

    access = os.environ.get("BENCHMARK_ACCESS")
    period = res.period.label if getattr(res, "period", None) is not None else ""

    def logged():
        data = make()
        log_access(access, user.name, user.role, action, str(entity_id), period=period, run_id=res.run_id or "")
        return data

    return logged


def measures_for_user(measures, user: User | None = None):
    """The measure rows (aggregated or raw) the user may read: all for analysts and a local run."""
    user = current_user() if user is None else user
    if user is None or user.is_analyst or measures is None or measures.empty:
        return measures
    from benchmark.service.scopes import measures_in_scope

    return measures[measures_in_scope(user, measures)].reset_index(drop=True)


def measures_denied(measures, division: str | None, user: User | None = None, res=None):
    """None if the user may read the measures of ``division`` (logged when served), else a callout
    saying why not — checked where /tiltak reads them, whatever value the client sent."""
    user = current_user() if user is None else user
    if user is None or division is None:
        return None
    import marimo as mo

    from benchmark.service.access import log_access
    from benchmark.service.scopes import Forbidden, check_measures_division

    access = os.environ.get("BENCHMARK_ACCESS")
    period = res.period.label if getattr(res, "period", None) is not None else ""
    run_id = getattr(res, "run_id", None) or ""
    try:
        check_measures_division(user, measures, division)
    except Forbidden as exc:
        log_access(access, user.name, user.role, "measures", str(division), period=period, run_id=run_id, status=403)
        return mo.callout(mo.md(str(exc)), kind="danger")
    log_access(access, user.name, user.role, "measures", str(division), period=period, run_id=run_id)
    return None


def stored_result(period: str, level: str = "unit"):
    """When served: the latest stored run of ``period`` and ``level`` (None otherwise, or if none)."""
    if not served():
        return None

    reader = _reader()
    try:
        return reader.result(reader.latest(period, level))
    except LookupError:
        return None


def stored_periods(level: str = "unit") -> list[str] | None:
    """When served: the periods with a stored run at ``level``, newest first (None otherwise)."""
    if not served():
        return None
    runs = _reader().runs()
    periods = list(dict.fromkeys(runs.loc[runs["level"] == level, "period"].astype(str)))
    return periods or None


def _reader():
    from benchmark.service.data import reader_for

    return reader_for(os.environ.get("BENCHMARK_STORE", "benchmark-out/history.duckdb"))


def source_text(text: str, user: User | None = None) -> str:
    """What a served leader may open: stored runs only (``run:<id>``), never a path on the server.

    A leader typing a folder would make the app read and score raw data the service does not
    mask by run; so anything but ``run:<id>`` falls back to the default, the latest stored run.
    Analysts, and a local ``marimo run``, open what they type.
    """
    user = current_user() if user is None else user
    if user is None or user.is_analyst:
        return text
    return text if str(text or "").strip().startswith("run:") else ""


def source_label(lang: str = "nb", user: User | None = None) -> str:
    """The source box's label: a served leader is offered stored runs only (:func:`source_text`),
    so the label does not invite them to type a folder or a workbook."""
    from benchmark import views

    user = current_user() if user is None else user
    return views.app_word("source" if user is None or user.is_analyst else "source_runs", lang)


def scoped_source_choices(src, choices: dict[str, str], user: User | None = None) -> dict[str, str]:
    """A period-independent picker (the source's units) cut to the user's scope."""
    user = current_user() if user is None else user
    if user is None or user.is_analyst or src is None:
        return choices
    from benchmark import sources
    from benchmark.service.scopes import in_scope

    if src.kind == "run":
        frame = sources.stored_result(src.run_id, src.store).ranking
    else:
        frame = sources.dataset(src).units.rename(columns={"unit_id": "entity_id"})
    allowed = set(frame.loc[in_scope(user, frame, "unit"), "entity_id"].astype(str))
    return {label: eid for label, eid in choices.items() if str(eid) in allowed}


def scoped_measure_divisions(src, divisions: list[str], user: User | None = None) -> list[str]:
    """/tiltak's division picker cut to the divisions the user may read some measures of."""
    user = current_user() if user is None else user
    if user is None or user.is_analyst or src is None:
        return divisions
    from benchmark import sources
    from benchmark.service.scopes import measures_in_scope

    if src.kind == "run":
        measures = sources.stored_result(src.run_id, src.store).measures
    else:
        ds = sources.dataset(src)
        measures = ds.measures if ds is not None else None
    if measures is None or measures.empty or "division" not in measures:
        return []
    allowed = set(measures.loc[measures_in_scope(user, measures), "division"].astype(str))
    return [d for d in divisions if d in allowed]


# ---- what a session asks of the run store, answered once per store state ------------------------
# Each new session resolved the latest run, listed the periods and the recent runs: four DuckDB
# opens per session, all under the one interpreter lock. When served, these answers are cached per
# store *state* — the (mtime, size) of the store file and of its write-ahead log — so a new run
# written by ``benchmark run`` is seen by the next session. Only run-store sources are cached (a
# dataset path an analyst types is opened as before).

_STORE_ANSWERS: dict[tuple, object] = {}
_STORE_LOCK = threading.Lock()


def _store_stamp(path: Path) -> tuple:
    out = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def _by_store(key: tuple, store, compute):
    from benchmark import sources

    path = sources.store_path(store)
    full = (*key, str(path), _store_stamp(path))
    with _STORE_LOCK:
        if full in _STORE_ANSWERS:
            return _STORE_ANSWERS[full]
    value = compute()
    with _STORE_LOCK:
        if len(_STORE_ANSWERS) > 256:
            _STORE_ANSWERS.clear()
        _STORE_ANSWERS[full] = value
    return value


def open_source(text: str | None, store=None, lang: str = "nb"):
    """``sources.open_source``; when served, a run-store source ("" / latest / run:<id>) is resolved
    once per store state."""
    from benchmark import sources

    t = (text or "").strip()
    if not served() or not (t in ("", "latest") or t.startswith(sources.RUN_PREFIX)):
        return sources.open_source(text, store, lang)
    return _by_store(("open", t, lang), store, lambda: sources.open_source(text, store, lang))


def period_choices(src) -> list[str]:
    """``sources.period_choices``; for a stored run when served, once per store state."""
    from benchmark import sources

    if not served() or src is None or src.kind != "run":
        return sources.period_choices(src)
    return list(_by_store(("periods", src.text), src.store, lambda: tuple(sources.period_choices(src))))


def entity_choices(src, level: str = "unit") -> dict[str, str]:
    """``sources.entity_choices``; for a stored run when served, once per store state (each caller
    gets its own copy of the dict)."""
    from benchmark import sources

    if not served() or src is None or src.kind != "run":
        return sources.entity_choices(src, level)
    return dict(_by_store(("entities", src.run_id, level), src.store, lambda: sources.entity_choices(src, level)))


def recent_runs_text(store=None, lang: str = "nb") -> str:
    """``sources.recent_runs_text``; when served, once per store state."""
    from benchmark import sources

    if not served():
        return sources.recent_runs_text(store, lang)
    return _by_store(("recent", lang), store, lambda: sources.recent_runs_text(store, lang))
