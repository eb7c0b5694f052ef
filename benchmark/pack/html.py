"""The package as one self-contained, printable HTML page (A4 landscape).

No external resources: the CSS is inline, charts are inline SVG, there are no scripts, fonts or
links to other files, so the file opens and prints offline and can be mailed as it is. Print CSS
starts every care level on a new page and keeps table rows and charts whole.
"""

from __future__ import annotations

import html as _html
from datetime import UTC, datetime

from benchmark.pack import charts
from benchmark.pack.content import Package, Part
from benchmark.pack.tables import Table, cell_text
from benchmark.pack.words import month_label, w

CSS = """
@page { size: A4 landscape; margin: 9mm 10mm 10mm 10mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.6pt; line-height: 1.28; color: #1b1b1b;
       margin: 0 auto; max-width: 277mm; }
header { border-bottom: 2px solid #1f4e9c; padding-bottom: 1.5mm; margin-bottom: 2mm; }
h1 { font-size: 15pt; margin: 0; color: #1f4e9c; }
h1 small { font-size: 10pt; color: #333; font-weight: normal; }
h2 { font-size: 12pt; color: #1f4e9c; margin: 0 0 1.5mm 0; border-bottom: 1.5px solid #1f4e9c; }
h2 small { font-size: 8pt; color: #555; font-weight: normal; }
h3 { font-size: 9pt; color: #1f4e9c; margin: 2.5mm 0 1mm 0; border-bottom: 1px solid #c9d3e0; break-after: avoid; }
h4 { font-size: 8pt; margin: 1.5mm 0 0.5mm 0; break-after: avoid; }
.meta { color: #555; font-size: 7.4pt; }
.banner { background: #fff4e0; border: 1px solid #b35806; padding: 1mm 2mm; margin: 1mm 0; }
.notes { background: #eef3f9; border-left: 3px solid #1f4e9c; padding: 1mm 3mm; margin: 1mm 0 1.5mm 0; }
.notes ul { margin: 0; padding-left: 4mm; } .notes li { margin: 0.4mm 0; }
.part { break-before: page; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 0 5mm; align-items: start; }
.grid3 { display: grid; grid-template-columns: 1fr 1fr 1.15fr; gap: 0 4mm; align-items: start; }
.chart { break-inside: avoid; } .chart svg { width: 100%; height: auto; display: block; }
.chart .cap { font-size: 7pt; color: #444; font-weight: bold; margin-bottom: 0.5mm; }
.note { color: #555; font-size: 6.8pt; margin: 0.6mm 0 0 0; }
table { border-collapse: collapse; width: 100%; font-size: 7pt; margin-bottom: 1mm; }
thead { display: table-header-group; }
th { background: #e8edf4; font-weight: bold; text-align: right; vertical-align: bottom; padding: 0.6mm 1mm;
     border-bottom: 1px solid #9fb0c8; }
td { text-align: right; padding: 0.35mm 1mm; border-bottom: 1px solid #e3e8ef; white-space: nowrap; }
th.t, td.t { text-align: left; white-space: normal; }
td.t { white-space: nowrap; }
tr { break-inside: avoid; }
tr.total td { font-weight: bold; border-top: 1px solid #555; }
td[data-col="month_label"], td[data-col="rank"], td[data-col="potential_fte_interval"] { white-space: nowrap; }
td.masked { color: #6a4a00; font-style: italic; white-space: nowrap; }
footer { margin-top: 3mm; color: #666; font-size: 6.8pt; border-top: 1px solid #c9d3e0; padding-top: 1mm; }
@media screen { body { padding: 6mm; } .part { border-top: 4px solid #c9d3e0; margin-top: 8mm; padding-top: 4mm; } }
"""


def group_label(group: str, lang: str) -> str:
    """The peer group in words: issue 12's ``benchmark.labels.peer_group_label`` when present, else the
    care level's plural ("sengeposter")."""
    try:
        from benchmark.labels import peer_group_label
    except ImportError:
        from benchmark.explanation.messages import CARE_LEVEL_PLURAL

        return CARE_LEVEL_PLURAL.get(group, {}).get(lang, group)
    return peer_group_label(group, lang)


def esc(text: object) -> str:
    return _html.escape(str(text), quote=True)


def render_table(t: Table, lang: str, heading: bool = True) -> str:
    """A table with ``data-table``/``data-col`` attributes (tests read the HTML's numbers by them)."""
    if t is None or t.empty:
        return ""
    head = "".join(f'<th class="{"t" if c.kind == "text" else "n"}" data-col="{esc(c.key)}">{esc(c.heading)}</th>'
                   for c in t.columns)
    body = []
    last = len(t.rows) - 1
    for i, row in enumerate(t.rows.itertuples(index=False, name=None)):
        cells = []
        for c, v in zip(t.columns, row, strict=True):
            text = cell_text(v, c.kind, lang)
            cls = "t" if c.kind == "text" else "n"
            if isinstance(v, str) and c.kind != "text":
                cls += " masked"
            cells.append(f'<td class="{cls}" data-col="{esc(c.key)}">{esc(text)}</td>')
        cls = ' class="total"' if t.total_last and i == last else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    title = f"<h4>{esc(t.title)}</h4>" if heading and t.title else ""
    note = f'<p class="note">{esc(t.note)}</p>' if t.note else ""
    return (f'{title}<table data-table="{esc(t.key)}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{note}')


def _chart(svg: str | None, caption: str) -> str:
    return f'<div class="chart"><div class="cap">{esc(caption)}</div>{svg}</div>' if svg else ""


def _notes(items) -> str:
    if not items:
        return ""
    return '<div class="notes"><ul>' + "".join(f"<li>{esc(n)}</li>" for n in items) + "</ul></div>"


def render_part(p: Part, pkg: Package) -> str:
    lang = pkg.lang
    groups = sorted({group_label(g, lang) for g in p.funnel.loc[p.funnel["mine"], "peer_group"].astype(str)}) \
        if not p.funnel.empty else []
    sub = w("units_of_level", lang, n=len(p.units)) + (f" · {w('peer_group', lang)}: {', '.join(groups)}" if groups else "")
    out = [f'<section class="part" data-care-level="{esc(p.care_level)}"><h2>{esc(p.name)} <small>{esc(sub)}</small></h2>',
           _notes(p.notes)]
    if not p.activity:
        out.append(f'<p class="note">{esc(w("no_activity", lang))}</p>')
    out.append(f"<h3>{esc(w('evaluation', lang))}</h3>")
    chart_cells = [_chart(charts.index_chart(p.monthly, lang), w("chart_index", lang)),
                   _chart(charts.activity_fte_chart(p.monthly, p.activity, lang), w("chart_activity", lang)),
                   _chart(charts.funnel_chart(p.funnel, lang), w("funnel", lang))]
    if any(chart_cells):
        out.append('<div class="grid3">' + "".join(chart_cells) + "</div>")
        if chart_cells[2]:
            out.append(f'<p class="note">{esc(w("funnel_note", lang))}</p>')
    out.append(render_table(p.units_table, lang))
    if p.weekday is None and p.weekday_problem:  # said here, so it never sits alone on a last page
        out.append(f'<p class="note">{esc(p.weekday_problem)}</p>')
    n = len(p.monthly)
    out.append(f"<h3>{esc(w('monthly', lang))} ({n} {'måneder' if lang == 'nb' else 'months'})</h3>")
    out.append('<div class="grid2"><div>' + render_table(p.evaluation, lang) + "</div><div>"
               + render_table(p.execution, lang) + "</div></div>")
    out.append(render_table(p.staffing, lang))
    if p.weekday is not None:
        out.append('<div class="grid2"><div>' + render_table(p.weekday, lang) + "</div>"
                   + _chart(charts.weekday_chart(p.weekday.rows, lang), w("weekday_profile", lang)) + "</div>")
    out.append("</section>")
    return "".join(out)


def render(pkg: Package) -> str:
    lang = pkg.lang
    run = pkg.run
    span = f"{month_label(pkg.months[0], lang)}–{month_label(pkg.months[-1], lang)}" if pkg.months else "–"
    meta = (f"{esc(w('period', lang))}: {esc(pkg.period)} · {esc(w('window', lang))}: {esc(span)} · "
            f"{esc(w('run', lang))}: {esc(run.get('run_id'))} · {esc(w('catalogue', lang))}: {esc(pkg.catalogue_version)} · "
            f"{esc(w('made', lang))}: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC")
    parts = [f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "nb"}"><head><meta charset="utf-8">',
             f"<title>{esc(w('title', lang))} – {esc(pkg.division)} – {esc(pkg.period)}</title>",
             f"<style>{CSS}</style></head><body>",
             f"<header><h1>{esc(w('title', lang))}: {esc(pkg.division)} <small>{esc(w('subtitle', lang))}</small></h1>"
             f'<div class="meta">{meta}</div></header>']
    if pkg.analyst:
        parts.append(f'<div class="banner">{esc(w("analyst_note", lang))}</div>')
    for problem in pkg.problems:
        parts.append(f'<div class="banner">{esc(problem)}</div>')
    parts.append(f"<section><h2>{esc(w('overview', lang))}</h2>{_notes(pkg.notes)}")
    parts.append(f'<p class="note">{w("how_to_read_text", lang)}</p>')  # trusted text with <b> tags
    parts.append(render_table(pkg.overview, lang))
    parts.append('<div class="grid2"><div>')
    parts.append(f"<h3>{esc(w('measures', lang))}</h3>")
    parts.append(render_table(pkg.measures, lang, heading=False) if pkg.measures is not None
                 else f'<p class="note">{esc(w("measures_none", lang))}</p>')
    parts.append(f"</div><div><h3>{esc(w('planning', lang))} {pkg.plan_year}</h3>")
    if pkg.gap is None and pkg.beds is None:
        parts.append(f'<p class="note">{esc(w("planning_none", lang, year=pkg.plan_year))}</p>')
    parts.append(render_table(pkg.gap, lang) + render_table(pkg.beds, lang))
    parts.append("</div></div></section>")
    parts += [render_part(p, pkg) for p in pkg.parts]
    source = run.get("data_source") or "–"
    parts.append(f"<footer>{esc(w('source', lang, run=run.get('run_id'), period=pkg.period, source=source))}</footer>")
    parts.append("</body></html>")
    return "".join(parts)
