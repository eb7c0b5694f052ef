"""``plan.html``: the staffing budget for controllers and clinic leaders, self-contained (inline SVG).

One page: what the figures rest on (notes and assumptions), the audit's indicators per clinic
(units with a GAT rota, with an activity plan), the trust's divisions, then one section per clinic
with its waterfall and the departments and units that drive the gap.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from benchmark.explanation.numbers import number
from benchmark.plan.charts import to_svg, waterfall_chart
from benchmark.plan.core import BASIS_NB
from benchmark.plan.waterfall import breakdown, waterfall

TEXT = {
    "nb": {"title": "Bemanningsbudsjett {year}", "lead": "Bemanningsplanene i GAT priset for budsjettåret og satt opp "
           "mot lønnsrammen. Beløp i 1000 kr (kNOK).", "notes": "Merk", "assumptions": "Forutsetninger",
           "indicators": "Oppfølging (revisjonens tiltak 1): enheter med bemanningsplan i GAT og aktivitetsplan",
           "division": "Divisjon", "units": "Enheter", "with_rota": "Med turnus i GAT", "with_activity": "Med aktivitetsplan",
           "without": "Uten turnus", "divisions": "Divisjonene", "frame": "Ramme", "cost": "Plankostnad", "gap": "Gap",
           "measures": "Tiltak (risikojustert)", "unresolved": "Uløst", "fte_plan": "Årsverk i plan",
           "fte_frame": "Årsverk i ramme", "fte_needed": "Årsverk aktiviteten krever", "departments": "Avdelinger",
           "drivers": "Enhetene som driver gapet (største gap først)", "unit": "Enhet", "basis": "Grunnlag",
           "department": "Avdeling", "no_frame": "ingen ramme", "generated": "Kjøring {run_id}, tariff {tariff}."},
    "en": {"title": "Staffing budget {year}", "lead": "The GAT staffing plans priced for the budget year and set "
           "against the pay frame. Amounts in kNOK.", "notes": "Notes", "assumptions": "Assumptions",
           "indicators": "Follow-up (audit measure 1): units with a staffing plan in GAT and an activity plan",
           "division": "Division", "units": "Units", "with_rota": "With GAT rota", "with_activity": "With activity plan",
           "without": "Without rota", "divisions": "Divisions", "frame": "Frame", "cost": "Plan cost", "gap": "Gap",
           "measures": "Measures (risk-adjusted)", "unresolved": "Unresolved", "fte_plan": "FTE in plan",
           "fte_frame": "FTE in frame", "fte_needed": "FTE the activity needs", "departments": "Departments",
           "drivers": "The units that drive the gap (largest gap first)", "unit": "Unit", "basis": "Basis",
           "department": "Department", "no_frame": "no frame", "generated": "Run {run_id}, tariff {tariff}."},
}
STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{padding:3px 8px;border-bottom:1px solid #ddd}
th{text-align:left;background:#f3f5f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
.pos{color:#b02a27}.neg{color:#2f6b2a}section{page-break-inside:avoid;margin-top:2em}
.note{background:#fff8e1;padding:.5em 1em;border-left:4px solid #e0a800}"""


def _n(x, decimals: int = 0, lang: str = "nb") -> str:
    return number(x, decimals, lang)


def _gap_cell(x, lang: str) -> str:
    if pd.isna(x):
        return '<td class="n">–</td>'
    cls = "pos" if x > 0 else "neg"
    return f'<td class="n {cls}">{_n(x, 0, lang)}</td>'


def _table(rows: pd.DataFrame, t: dict, lang: str, name_col: str = "entity_name", extra: tuple = ()) -> str:
    head = [t["department"] if name_col == "entity_name" else t["unit"], *[t[e] for e in extra], t["frame"],
            t["cost"], t["gap"], t["measures"], t["unresolved"], t["fte_plan"], t["fte_needed"]]
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for _, r in rows.iterrows():
        cells = [f"<td>{html.escape(str(r[name_col]))}</td>"]
        for e in extra:
            value = BASIS_NB.get(r[e], r[e]) if e == "basis" and lang == "nb" else r[e]
            cells.append(f"<td>{html.escape(str(value))}</td>")
        cells += [f'<td class="n">{_n(r["pay_frame"], 0, lang)}</td>', f'<td class="n">{_n(r["cost_total"], 0, lang)}</td>',
                  _gap_cell(r["gap"], lang), f'<td class="n">{_n(r["measures_risk_adjusted"], 0, lang)}</td>',
                  _gap_cell(r["unresolved"], lang), f'<td class="n">{_n(r["fte_plan"], 1, lang)}</td>',
                  f'<td class="n">{_n(r["fte_needed_for_activity"], 1, lang)}</td>']
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(out) + "</table>"


def render_plan_html(pl, lang: str = "nb", run_id: str | None = None, top_units: int = 8) -> str:
    t = TEXT[lang]
    b = breakdown(pl)
    parts = [f"<!doctype html><html lang=\"{'nb' if lang == 'nb' else 'en'}\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(t['title'].format(year=pl.year))}</title><style>{STYLE}</style></head><body>",
             f"<h1>{html.escape(t['title'].format(year=pl.year))}</h1><p>{html.escape(t['lead'])}</p>"]
    if pl.notes:
        parts.append(f'<div class="note"><strong>{t["notes"]}</strong><ul>'
                     + "".join(f"<li>{html.escape(n)}</li>" for n in pl.notes) + "</ul></div>")
    ind = pl.indicators
    parts.append(f"<h2>{html.escape(t['indicators'])}</h2><table><tr><th>{t['division']}</th><th>{t['units']}</th>"
                 f"<th>{t['with_rota']}</th><th>{t['with_activity']}</th><th>{t['without']}</th></tr>")
    for _, r in ind.iterrows():
        parts.append(f"<tr><td>{html.escape(r['division'])}</td><td class=n>{r['units']}</td>"
                     f"<td class=n>{r['units_with_rota']}</td><td class=n>{r['units_with_activity_plan']}</td>"
                     f"<td class=n>{r['units'] - r['units_with_rota']}</td></tr>")
    parts.append("</table>")
    divisions = b[b["level"] == "division"].sort_values("unresolved", ascending=False, na_position="last")
    parts.append(f"<h2>{t['divisions']}</h2>")
    parts.append(_table(divisions.assign(entity_name=divisions["entity_id"]), t, lang).replace(
        f"<th>{t['department']}</th>", f"<th>{t['division']}</th>", 1))
    for _, d in divisions.iterrows():
        parts.append(f"<section><h2>{html.escape(d['entity_id'])}</h2>")
        if pd.notna(d["pay_frame"]):
            parts.append(to_svg(waterfall_chart(waterfall(d, lang), lang=lang)))
        else:
            parts.append(f"<p>{t['no_frame']}</p>")
        depts = b[(b["level"] == "department") & (b["division"] == d["entity_id"])].sort_values(
            "gap", ascending=False, na_position="last")
        parts.append(f"<h3>{t['departments']}</h3>" + _table(depts, t, lang))
        units = b[(b["level"] == "unit") & (b["division"] == d["entity_id"])].sort_values(
            "gap", ascending=False, na_position="last").head(top_units)
        parts.append(f"<h3>{t['drivers']}</h3>" + _table(units, t, lang, extra=("basis",)).replace(
            f"<th>{t['department']}</th>", f"<th>{t['unit']}</th>", 1) + "</section>")
    parts.append(f"<h2>{t['assumptions']}</h2><table>" + "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in pl.tariff.assumptions()) + "</table>")
    parts.append(f"<p><small>{html.escape(t['generated'].format(run_id=run_id or '–', tariff=pl.tariff.version))}"
                 "</small></p></body></html>")
    return "\n".join(parts)


def write_plan_html(pl, path: Path, lang: str = "nb", run_id: str | None = None) -> Path:
    Path(path).write_text(render_plan_html(pl, lang, run_id), encoding="utf-8")
    return Path(path)
