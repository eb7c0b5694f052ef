"""The two public verbs of the package: render the HTML, or write HTML and workbook to a folder."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from benchmark.issues import UsageError


def _package(store, division: str, period: str | None, run_id: str | None, lang: str, analyst: bool):
    from benchmark.pack.content import build_package
    from benchmark.pack.source import gather

    if lang not in ("nb", "en"):
        raise UsageError(f"unknown language '{lang}': use nb or en")
    return build_package(gather(store, division, period, run_id), division, lang=lang, analyst=analyst)


def render_package_html(store, division: str, period: str | None = None, run_id: str | None = None,
                        lang: str = "nb", analyst: bool = False) -> str:
    """The analysis package of ``division`` as self-contained HTML (SPEC §13).

    From the run ``run_id``, else the latest unit-level run of ``period``, else the latest
    unit-level run in ``store``. Raises :class:`~benchmark.pack.source.UnknownDivision` (a
    ``UsageError``) listing the known divisions when ``division`` is not in the run. Unless
    ``analyst``, sensitive values of small units are suppressed (:mod:`benchmark.pack.disclosure`).

    >>> html = render_package_html("benchmark-out/history.duckdb", "Elverum-Hamar")  # doctest: +SKIP
    """
    from benchmark.pack.html import render

    return render(_package(store, division, period, run_id, lang, analyst))


def slug(text: str) -> str:
    """``Elverum-Hamar`` → ``elverum-hamar``; ``Psykisk helsevern`` → ``psykisk-helsevern``."""
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a").replace("Æ", "Ae").replace("Ø", "O").replace("Å", "A")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "divisjon"


def write_package(store, division: str, out_dir, period: str | None = None, run_id: str | None = None,
                  lang: str = "nb", analyst: bool = False) -> list[Path]:
    """Write ``analysepakke-<division>-<period>.html`` and ``.xlsx`` into ``out_dir``; returns the paths.

    Both files are written to a temporary folder inside ``out_dir`` first and renamed into place only
    when both are complete, so a failure leaves earlier packages as they were.
    """
    from benchmark.outputs.atomic import discard, temp_dir
    from benchmark.pack.html import render
    from benchmark.pack.workbook import write_workbook
    from benchmark.store import new_run_id

    pkg = _package(store, division, period, run_id, lang, analyst)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"analysepakke-{slug(division)}-{pkg.period}" + ("-analytiker" if analyst else "")
    tmp = temp_dir(out / stem, new_run_id())
    try:
        html_path, xlsx_path = tmp / f"{stem}.html", tmp / f"{stem}.xlsx"
        html_path.write_text(render(pkg), encoding="utf-8")
        write_workbook(pkg, xlsx_path)
        finals = []
        for p in (html_path, xlsx_path):
            final = out / p.name
            os.replace(p, final)
            finals.append(final)
    finally:
        discard(tmp)
    return finals
