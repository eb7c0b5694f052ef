"""The package as a workbook (xlsxwriter): the same tables as the HTML, with the same headings.

One sheet for the clinic (reading notes, overview, measures, planning) and one per care level
(notes, then its tables one under the other). Cells hold the full values; each column's number
format shows the decimals the HTML prints (``#,##0.0``, ``0.0 %`` …), which Norwegian Excel
displays as ``14 000,0`` and ``7,2 %``. Suppressed cells hold the mask text, not the number. Every
table is also a defined name (``t_<table key>``) so that analysts — and the tests — find it.
"""

from __future__ import annotations

import math
from pathlib import Path

from benchmark.pack.content import Package
from benchmark.pack.tables import Table, excel_format
from benchmark.pack.words import w


def _sheet_name(text: str, used: set[str]) -> str:
    base = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Ark"
    name, i = base, 2
    while name.lower() in used:
        name = f"{base[:28]}_{i}"
        i += 1
    used.add(name.lower())
    return name


def _col(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


class _Writer:
    def __init__(self, book) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 11, "font_color": "#1f4e9c"})
        self.h1 = book.add_format({"bold": True, "font_size": 14, "font_color": "#1f4e9c"})
        self.head = book.add_format({"bold": True, "bg_color": "#e8edf4", "border": 1, "text_wrap": True, "valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.note = book.add_format({"italic": True, "font_color": "#555555", "text_wrap": True})
        self.masked = book.add_format({"italic": True, "font_color": "#6a4a00"})
        self.formats: dict[tuple[str, bool], object] = {}

    def fmt(self, kind: str, bold: bool = False):
        key = (kind, bold)
        if key not in self.formats:
            props = {"num_format": excel_format(kind)} if kind != "text" else {}
            if bold:
                props["bold"] = True
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def table(self, ws, sheet: str, row: int, t: Table | None) -> int:
        """Write ``t`` from ``row``; returns the next free row."""
        if t is None or t.empty:
            return row
        ws.write(row, 0, t.title, self.title)
        row += 1
        ws.write_row(row, 0, [c.heading for c in t.columns], self.head)
        first = row
        last_i = len(t.rows) - 1
        for i, values in enumerate(t.rows.itertuples(index=False, name=None)):
            row += 1
            bold = t.total_last and i == last_i
            for j, (c, v) in enumerate(zip(t.columns, values, strict=True)):
                if isinstance(v, str):
                    ws.write_string(row, j, v, self.masked if c.kind != "text" else self.fmt("text", bold))
                elif v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
                    ws.write_blank(row, j, None, self.fmt(c.kind, bold))
                else:
                    try:
                        ws.write_number(row, j, float(v), self.fmt(c.kind, bold))
                    except (TypeError, ValueError):
                        ws.write_string(row, j, str(v), self.fmt("text", bold))
        ref = f"'{sheet}'!${_col(0)}${first + 1}:${_col(len(t.columns) - 1)}${row + 1}"
        self.book.define_name(f"t_{t.key}", f"={ref}")
        if t.note:
            row += 1
            ws.write(row, 0, t.note, self.note)
        return row + 2

    def notes(self, ws, row: int, items) -> int:
        if not items:
            return row
        ws.write(row, 0, w("notes", self.lang), self.title)
        for n in items:
            row += 1
            ws.write(row, 0, "• " + n)
        return row + 2


def write_workbook(pkg: Package, path: str | Path) -> Path:
    import xlsxwriter

    path = Path(path)
    lang = pkg.lang
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    try:
        wr = _Writer(book)
        wr.lang = lang
        used: set[str] = set()
        name = _sheet_name(w("overview", lang), used)
        ws = book.add_worksheet(name)
        _layout(ws)
        ws.write(0, 0, f"{w('title', lang)}: {pkg.division}", wr.h1)
        ws.write(1, 0, f"{w('period', lang)}: {pkg.period} · {w('run', lang)}: {pkg.run.get('run_id')} · "
                       f"{w('catalogue', lang)}: {pkg.catalogue_version}")
        ws.write(2, 0, w("source", lang, run=pkg.run.get("run_id"), period=pkg.period,
                         source=pkg.run.get("data_source") or "–"))
        row = 4
        if pkg.analyst:
            ws.write(row, 0, w("analyst_note", lang), wr.note)
            row += 1
        for p in pkg.problems:
            ws.write(row, 0, p, wr.note)
            row += 1
        row = wr.notes(ws, row, pkg.notes)
        for t in (pkg.overview, pkg.measures, pkg.gap, pkg.beds):
            row = wr.table(ws, name, row, t)
        for part in pkg.parts:
            name = _sheet_name(part.name, used)
            ws = book.add_worksheet(name)
            _layout(ws)
            ws.write(0, 0, f"{part.name} – {pkg.division}", wr.h1)
            row = wr.notes(ws, 2, part.notes)
            for t in (part.units_table, part.evaluation, part.execution, part.staffing, part.weekday):
                row = wr.table(ws, name, row, t)
    finally:
        book.close()
    return path


def _layout(ws) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 16, 14)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
