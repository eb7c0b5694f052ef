"""``summary.html`` drawn in a second process while the run writes its tables and records itself.

The page's charts are rendered to SVG by vl-convert, which holds the GIL for the whole render
(about 1,2–1,9 s of CPU for a national run: eight rank charts of 61 rows, three funnels of 800
points), and starting vl-convert's JavaScript engine costs another 0,4–1 s. In the run's own
process that time adds to the writing. So :func:`start` launches a helper process as the run
begins: it imports altair and vl-convert, warms the engine up and builds the page's chart
templates (:func:`benchmark.outputs.summary.warm_steps`) while the run validates and scores
(mostly one core of two), then waits. :meth:`Renderer.submit` hands it the page's data
(:class:`benchmark.outputs.summary_data.SummaryInput`, a few MB pickled) and :meth:`Renderer.wait`
collects the result, re-raising the helper's exception (a full disk, a bug) as if it had
happened here — so the run's guarantees on failure are those of rendering in-process.

The page is the same bytes whichever process renders it (tests/run compares the two). If the
helper cannot be started, or dies, the page is rendered in-process, so a run never fails for
want of a helper. The helper dies with the run: it asks the kernel for SIGKILL when its parent
dies (Linux), ignores Ctrl-C (which reaches the whole process group; the run decides), and is
killed by :meth:`Renderer.close` when the run stops early.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ENV = "BENCHMARK_RENDER_IN_PROCESS"  # set to 1: render in the run's own process (debugging, comparisons)


@dataclass
class Job:
    data: object  # SummaryInput
    path: str
    lang: str
    run_id: str | None


@dataclass
class Renderer:
    """The helper process, or None when rendering falls back to the run's process."""

    proc: subprocess.Popen | None
    job: Job | None = None
    _sender: threading.Thread | None = None
    _send_error: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)  # seconds, cpu, peak memory of the helper (MiB)

    def submit(self, data, path: Path, lang: str, run_id: str | None) -> None:
        """Start rendering ``data`` into ``path`` (returns at once; the page is written by the helper)."""
        self.job = Job(data, str(path), lang, run_id)
        if self.proc is None:
            return
        payload = pickle.dumps(self.job, protocol=pickle.HIGHEST_PROTOCOL)

        def send() -> None:  # the pipe holds 64 KiB: the helper may still be warming up, so not here
            try:
                self.proc.stdin.write(payload)
                self.proc.stdin.close()
            except OSError as exc:
                self._send_error.append(exc)

        self._sender = threading.Thread(target=send, name="summary-sender", daemon=True)
        self._sender.start()

    def wait(self) -> None:
        """Block until the page is written; re-raise what the helper raised; fall back when it died."""
        if self.job is None:
            raise RuntimeError("nothing was submitted to the summary renderer")
        if self.proc is not None:
            reply = self._reply()
            if reply is not None:
                ok, value = reply
                if not ok:
                    raise value
                self.stats = value
                return
        self._in_process()

    def _reply(self):
        """The helper's (ok, stats | exception), or None when it died without answering."""
        try:
            if self._sender is not None:
                self._sender.join()
            if self._send_error:
                return None
            raw = self.proc.stdout.read()
            self.proc.wait()
            return pickle.loads(raw) if raw else None
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        finally:
            self.close()

    def _in_process(self) -> None:
        from benchmark.outputs.summary import write_page

        job = self.job
        start, cpu = time.perf_counter(), time.process_time()
        write_page(job.data, Path(job.path), job.lang, job.run_id)
        self.stats = {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "in_process": True}

    def close(self) -> None:
        """Stop the helper if it still runs (the run failed or was interrupted)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                pipe.close()


def start(lang: str | None = None) -> Renderer:
    """Launch the helper (it warms up while the caller goes on, building the charts' templates for
    ``lang``, the page's language); in-process when that fails."""
    if os.environ.get(ENV) == "1":
        return Renderer(None)
    root = str(Path(__file__).resolve().parents[2])  # the folder holding the benchmark package
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    try:
        proc = subprocess.Popen([sys.executable, "-m", "benchmark.outputs.render_worker", str(os.getpid()),
                                 *([lang] if lang else [])],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=False)
    except OSError:
        return Renderer(None)
    return Renderer(proc)


def _die_with_parent(parent: int) -> None:
    """SIGKILL when the run's process dies (Linux prctl); a no-op elsewhere."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _warm_up(lang: str | None) -> None:
    """Start vl-convert's engine, load altair and build the page's chart templates now, while the
    run is still validating and scoring (mostly one core of two); the templates stop as soon as the
    page's data arrive on stdin (what is not built yet is built when needed)."""
    import select

    import vl_convert as vlc

    from benchmark.outputs import summary  # altair, pandas, the chart builders

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"a": 1}]},
                         "encoding": {"x": {"field": "a", "type": "quantitative"}}})
    if lang not in ("nb", "en"):
        return
    for step in summary.warm_steps(lang):
        if select.select([sys.stdin], [], [], 0)[0]:  # the job is here (or the run ended): stop warming
            return
        step()


def main() -> None:  # pragma: no cover - runs in the helper process
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the group; the run decides
    _die_with_parent(int(sys.argv[1]))
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, not into the reply
    try:
        _warm_up(sys.argv[2] if len(sys.argv) > 2 else None)
        job = pickle.load(sys.stdin.buffer)
    except EOFError:  # the run ended before submitting (bad data, interrupted)
        return
    from benchmark.outputs.summary import write_page

    start, cpu = time.perf_counter(), time.process_time()
    try:
        write_page(job.data, Path(job.path), job.lang, job.run_id)
        import resource

        reply = (True, {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the run
        try:
            pickle.dumps(exc)
            reply = (False, exc)
        except Exception:  # noqa: BLE001
            reply = (False, RuntimeError(f"{type(exc).__name__}: {exc}"))
    out.write(pickle.dumps(reply))
    out.close()


if __name__ == "__main__":  # pragma: no cover
    main()
