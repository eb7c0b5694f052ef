"""Keep marimo from redoing per session what is the same for every session of a served notebook.

marimo 0.25 is built for one person editing one notebook; in run mode every new session of the
service repeated work whose result depends only on the notebook file or the installation, all of
it holding the interpreter lock that the sessions (threads of one process) share. Profiled with
py-spy on 30 concurrent leader sessions of notebooks/unit.py, well over half of the server's CPU
went to:

- **loading the notebook** (``AppFileManager`` → ``load_app``, on the event loop): tokenising and
  parsing the file into cells (``marimo._ast.parse.parse_notebook``), then compiling every cell
  (``compile_cell``: ``ast.parse`` twice, a scope visitor, ``compile`` of body and last expression);
- **compiling the cells again** in the session's kernel (``Kernel._try_compiling_cell``) and the
  **source-position map** (``_build_source_position_map``: the file parsed again for tracebacks),
  whose ``lru_cache`` every kernel clears (``Kernel.mutate_graph``);
- **the "recent files" list** of marimo's edit-mode home page: read, edited and rewritten as TOML
  in the user's marimo folder for every session created — meaningless for a service;
- **decoding every kernel message** for the session's replay view with
  ``msgspec.json.decode(buf, type=NotificationMessage)``, which builds the decoder of a union of
  some sixty message types anew on each call (75 µs; a reused decoder takes under 1 µs);
- **rendering the same markdown** (headings, help texts, callouts) and **scanning the installed
  distributions' entry points** (2 ms a scan, several per session).

:func:`install` patches these (idempotent, undone by :func:`uninstall`):

- the parse of a notebook's text is cached per (text, path): each caller gets its own deep copy;
- ``compile_cell`` is cached per (code, cell id, file and its (mtime, size) stamp, carried
  imports): each caller gets a *fresh* ``CellImpl`` — its own sets, state objects and import data,
  sharing only the AST module, code objects and strings, which nothing mutates (code objects are
  immutable; marimo only reads ``cell.mod``) — so a kernel that mutates its cells
  (``defs.clear()``, status, config, outputs) never touches another session's. A cell given an
  explicit source position (debugging) or an unknown argument is compiled as before;
- the source-position map is cached per file stamp: a changed file is seen, an unchanged one is
  parsed once per process;
- kernel messages are decoded by one reused ``msgspec`` decoder (same types, same errors);
- ``_render_markdown(text)`` (one shared converter, reset before each use: a pure function of the
  text) is cached for texts up to 64 kB;
- entry points are read once per group (installing a plugin needs a restart, as any code does);
- the recent-files tracker does nothing on session creation or resumption.

Concurrent misses of one key compute it once. Any patch whose target has moved in a newer marimo
is skipped (sessions then pay for that work as before); tests (tests/service/test_warm.py) check
that each is active with the installed marimo, that a cached cell equals a freshly compiled one
yet is its own object, and that the decoder and the markdown cache give what marimo gives.
"""

from __future__ import annotations

import copy
import dataclasses
import linecache
import os
import threading
import types
from collections import OrderedDict

EXPECTED = 12  # the eleven patches below and the installed marker
_INSTALLED: dict[str, tuple] = {}  # name → (module, attribute, original) for uninstall
_LOCK = threading.Lock()


def _stamp(filename: str | None) -> tuple[int, int] | None:
    if filename is None:
        return None
    try:
        st = os.stat(filename)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class _StampedMap:
    """``_build_source_position_map`` cached per (filename, mtime, size); ``cache_clear`` is a no-op."""

    def __init__(self, build) -> None:
        self._build = build
        self.memo = _Memo(build, lambda value: value, maxsize=64)  # a tuple of tuples: shared as is

    def __call__(self, filename: str):
        stamp = _stamp(filename)
        if stamp is None:
            return self._build(filename)
        return self.memo.get((filename, stamp), filename)

    def cache_clear(self) -> None:
        """Nothing to clear: a changed file has a new stamp."""


class _Memo:
    """A small thread-safe LRU of pristine templates; callers get copies made by ``fresh``.
    Concurrent misses of one key compute it once (the others wait), as when thirty sessions open
    at the same moment."""

    def __init__(self, compute, fresh, maxsize: int = 1024) -> None:
        self._compute, self._fresh, self._maxsize = compute, fresh, maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._inflight: dict = {}
        self.hits = self.misses = 0

    def _lookup(self, key):
        with self._lock:
            template = self._data.get(key)
            if template is not None:
                self._data.move_to_end(key)
                self.hits += 1
            return template

    def get(self, key, *args, **kwargs):
        template = self._lookup(key)
        if template is None:
            with self._lock:
                gate = self._inflight.setdefault(key, threading.Lock())
            with gate:
                template = self._lookup(key)
                if template is None:
                    try:
                        template = self._compute(*args, **kwargs)
                    except BaseException:
                        with self._lock:
                            self._inflight.pop(key, None)
                        raise
                    with self._lock:  # stored before the gate goes: a later caller finds it
                        self.misses += 1
                        self._data[key] = template
                        self._inflight.pop(key, None)
                        while len(self._data) > self._maxsize:
                            self._data.popitem(last=False)
        return self._fresh(template)


_SHARED = (str, bytes, int, float, bool, type(None), types.CodeType)


def _recipe(template) -> tuple:
    """How to copy each field of a pristine ``CellImpl``: share it (the AST module, code objects,
    strings, numbers), copy it (sets), make it anew (a state object still equal to its default:
    run status, staleness, output, config) or deep-copy it (the rest: small)."""
    factories = {
        f.name: f.default_factory
        for f in dataclasses.fields(template)
        if f.default_factory is not dataclasses.MISSING
    }
    plan = []
    for name, value in template.__dict__.items():
        if name == "mod" or isinstance(value, _SHARED):
            plan.append((name, "share", None))
        elif type(value) is set:
            plan.append((name, "set", None))
        elif name in factories and type(value) is type(made := factories[name]()) and value == made:
            plan.append((name, "new", factories[name]))
        else:
            plan.append((name, "deep", None))
    return tuple(plan)


def _fresh_cell(entry):
    """A new ``CellImpl`` equal to the template (see :func:`_recipe`): whatever a kernel mutates
    (definitions, status, config, outputs, import data) is the copy's own."""
    template, linecache_name, plan = entry
    if linecache_name is not None and linecache_name not in linecache.cache:
        from marimo._ast import compiler

        compiler.cache(
            linecache_name, template.code
        )  # what compile_cell did: source for tracebacks
    state = template.__dict__
    fresh = {}
    for name, how, factory in plan:
        value = state[name]
        if how == "share":
            fresh[name] = value
        elif how == "set":
            fresh[name] = set(value)
        elif how == "new":
            fresh[name] = factory()
        else:
            fresh[name] = copy.deepcopy(value)
    cell = object.__new__(type(template))
    cell.__dict__.update(fresh)
    return cell


class _CachedCompile:
    """``compile_cell`` with a cache (see the module docstring); same signature."""

    def __init__(self, original) -> None:
        self._original = original
        self.memo = _Memo(self._compile, _fresh_cell)

    def _compile(self, code, cell_id, carried_imports, test_rewrite, filename):
        from marimo._ast import compiler

        cell = self._original(
            code,
            cell_id,
            carried_imports=carried_imports,
            test_rewrite=test_rewrite,
            filename=filename,
        )
        name = compiler.get_filename(cell_id)
        entry = linecache.cache.get(name)
        written = entry is not None and entry[2] == [line + "\n" for line in cell.code.splitlines()]
        return cell, (name if written else None), _recipe(cell)

    def __call__(
        self,
        code,
        cell_id,
        source_position=None,
        carried_imports=None,
        test_rewrite=False,
        filename=None,
        **kwargs,
    ):
        if source_position is not None or kwargs:
            return self._original(
                code,
                cell_id,
                source_position=source_position,
                carried_imports=carried_imports,
                test_rewrite=test_rewrite,
                filename=filename,
                **kwargs,
            )
        imports = (
            None
            if carried_imports is None
            else tuple(
                (d.module, d.definition, d.imported_symbol, d.import_level) for d in carried_imports
            )
        )
        key = (code, cell_id, imports, bool(test_rewrite), filename, _stamp(filename))
        return self.memo.get(key, code, cell_id, carried_imports, test_rewrite, filename)


class _CachedParse:
    """``parse_notebook(contents, filepath)`` cached per (contents, filepath); callers get deep copies."""

    def __init__(self, original) -> None:
        self._original = original
        self.memo = _Memo(
            lambda contents, filepath: (self._original(contents, filepath=filepath),),
            lambda entry: copy.deepcopy(entry[0]),
            maxsize=64,
        )

    def __call__(self, contents, filepath="<marimo>"):
        return self.memo.get((contents, filepath), contents, filepath)


class _Decoder:
    """``deserialize_kernel_message`` with one reusable msgspec decoder: ``msgspec.json.decode(buf,
    type=NotificationMessage)`` rebuilt the decoder of that union of some sixty message types on
    every call (75 µs; the reused decoder takes under 1 µs). Same result, same errors."""

    def __init__(self, original, union) -> None:
        import msgspec

        self._original = original
        self._decoder = msgspec.json.Decoder(union, strict=True)

    def __call__(self, message):
        return self._decoder.decode(message)


class _CachedMarkdown:
    """``marimo._output.md._render_markdown(text)`` — a pure function of the text (one shared
    converter, reset before each use) — cached for texts up to 64 kB: the headings, help texts and
    callouts every session renders again."""

    def __init__(self, original) -> None:
        self._original = original
        self.memo = _Memo(original, lambda html: html, maxsize=512)

    def __call__(self, text: str) -> str:
        if not isinstance(text, str) or len(text) > 65536:
            return self._original(text)
        return self.memo.get(text, text)


class _EntryPoints:
    """``marimo._entrypoints.registry.get_entry_points(group)`` once per group and process: it
    scanned the metadata of every installed distribution (2 ms) several times per session (kernel
    lifespans, executors, cache stores). Installing a plugin needs a restart of the service, as
    any change of installed code does."""

    def __init__(self, original) -> None:
        self._original = original
        self.memo = _Memo(
            original, lambda found: found, maxsize=64
        )  # EntryPoints: an immutable tuple

    def __call__(self, group):
        return self.memo.get(group, group)


async def _no_recents(self, *args, **kwargs) -> None:
    """The service has no marimo home page; do not rewrite its recent-files list per session."""


def _patch(name: str, module, attribute: str, replacement) -> None:
    _INSTALLED[name] = (module, attribute, getattr(module, attribute))
    setattr(module, attribute, replacement)


def install() -> bool:
    """Patch marimo (idempotent); returns whether every patch is active."""
    with _LOCK:
        if _INSTALLED:
            return len(_INSTALLED) == EXPECTED
        try:
            from marimo._ast import compiler, parse
            from marimo._runtime import runtime
            from marimo._server.session import listeners
        except ImportError:
            return False
        original = getattr(compiler, "_build_source_position_map", None)
        build = getattr(original, "__wrapped__", None)
        if build is not None and getattr(runtime, "_build_source_position_map", None) is original:
            stamped = _StampedMap(build)
            _patch("map.compiler", compiler, "_build_source_position_map", stamped)
            _patch("map.runtime", runtime, "_build_source_position_map", stamped)
        compile_cell = getattr(compiler, "compile_cell", None)
        if compile_cell is not None and getattr(runtime, "compile_cell", None) is compile_cell:
            cached = _CachedCompile(compile_cell)
            _patch("compile.compiler", compiler, "compile_cell", cached)
            _patch("compile.runtime", runtime, "compile_cell", cached)
        if callable(getattr(parse, "parse_notebook", None)):
            _patch("parse", parse, "parse_notebook", _CachedParse(parse.parse_notebook))
        try:
            from marimo._messaging import notification, serde
            from marimo._session.state import session_view
        except ImportError:
            serde = None
        if (
            serde is not None
            and getattr(session_view, "deserialize_kernel_message", None)
            is getattr(serde, "deserialize_kernel_message", False)
            and hasattr(notification, "NotificationMessage")
        ):
            decoder = _Decoder(serde.deserialize_kernel_message, notification.NotificationMessage)
            _patch("decode.serde", serde, "deserialize_kernel_message", decoder)
            _patch("decode.view", session_view, "deserialize_kernel_message", decoder)
        try:
            from marimo._output import md
        except ImportError:
            md = None
        if md is not None and callable(getattr(md, "_render_markdown", None)):
            _patch("markdown", md, "_render_markdown", _CachedMarkdown(md._render_markdown))
        try:
            from marimo._entrypoints import registry
        except ImportError:
            registry = None
        if registry is not None and callable(getattr(registry, "get_entry_points", None)):
            _patch(
                "entry_points",
                registry,
                "get_entry_points",
                _EntryPoints(registry.get_entry_points),
            )
        tracker = getattr(listeners, "RecentsTrackerListener", None)
        if (
            tracker is not None
            and hasattr(tracker, "on_session_created")
            and hasattr(tracker, "on_session_resumed")
        ):
            _patch("recents.created", tracker, "on_session_created", _no_recents)
            _patch("recents.resumed", tracker, "on_session_resumed", _no_recents)
        _INSTALLED["installed"] = (None, None, None)
        return len(_INSTALLED) == EXPECTED


def uninstall() -> None:
    with _LOCK:
        for module, attribute, original in reversed(list(_INSTALLED.values())):
            if module is not None:
                setattr(module, attribute, original)
        _INSTALLED.clear()


def compile_cache():
    """The active ``compile_cell`` cache (None if not installed), for tests and the load script."""
    entry = _INSTALLED.get("compile.compiler")
    return entry and getattr(entry[0], entry[1])
