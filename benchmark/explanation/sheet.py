"""The one-page dialogue sheet (A4, print-ready, self-contained HTML) for management dialogues.

The sheet shows, for one entity and period: a header (unit, division, period, catalogue version),
the plain-language explanation, a small dot plot per main criterion placing the unit among its
peers (funnel limits at the unit's size drawn as a band), sparklines of the monthly values, the
division's measures, and the definitions of the criteria used, from the catalogue. Charts are
rendered to inline SVG with vl-convert, so the file needs no network to open or print.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from benchmark.charts import locale
from benchmark.explanation import numbers as fmt
from benchmark.explanation.messages import CARE_LEVEL_PLURAL
from benchmark.explanation.narrative import _entity_rows, criterion_name, explanation_sections
from benchmark.explanation.numbers import Lang

MAX_PLOTS = 6
SPARK_MONTHS = 24
# Colours: the unit in a strong blue, peers in grey, limits as a pale band. No red/green value
# judgement: whether "above" is good depends on the criterion's direction, which the text says.
UNIT_COLOUR = "#1f4e9c"
PEER_COLOUR = "#9aa3ad"
BAND_COLOUR = "#dfe6ee"
TARGET_COLOUR = "#444444"

WORDS = {
    "nb": {
        "period": "Periode", "catalogue": "Kriteriesett", "run": "Kjøring",
        "explanation": "Forklaring", "peers": "Enheten blant sammenlignbare enheter",
        "peers_note": "Blå prikk: enheten. Grå: sammenlignbare enheter. Skravert felt: normal variasjon "
        "(95 %) rundt målet for enhetens størrelse. Strek: målet.",
        "trend": "Utvikling siste {n} måneder", "measures": "Tiltak i divisjonen",
        "definitions": "Kriteriene", "department": "Område/avdeling", "planned": "Planlagt",
        "risk_adjusted": "Risikojustert", "realised": "Realisert", "vs_risk": "Realisert mot risiko",
        "high_risk": "Høy risiko", "division_total": "Divisjonen samlet", "no_measures": "Ingen tiltak registrert.",
        "lower": "lavere er bedre", "higher": "høyere er bedre", "title": "Dialogark",
    },
    "en": {
        "period": "Period", "catalogue": "Criteria set", "run": "Run",
        "explanation": "Explanation", "peers": "The unit among comparable units",
        "peers_note": "Blue dot: the unit. Grey: comparable units. Shaded band: normal variation (95 %) "
        "around the target for the unit's size. Line: the target.",
        "trend": "Last {n} months", "measures": "Measures in the division",
        "definitions": "The criteria", "department": "Department", "planned": "Planned",
        "risk_adjusted": "Risk-adjusted", "realised": "Realised", "vs_risk": "Realised vs risk",
        "high_risk": "High risk", "division_total": "Division total", "no_measures": "No measures recorded.",
        "lower": "lower is better", "higher": "higher is better", "title": "Dialogue sheet",
    },
}

CSS = """
@page { size: A4 portrait; margin: 8mm 10mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 7.6pt; line-height: 1.17; color: #1b1b1b; margin: 0;
       width: 190mm; }
header { border-bottom: 2px solid #1f4e9c; padding-bottom: 2mm; margin-bottom: 2mm; }
h1 { font-size: 14pt; margin: 0 0 1mm 0; color: #1f4e9c; }
h2 { font-size: 9.5pt; margin: 2.5mm 0 1mm 0; color: #1f4e9c; border-bottom: 1px solid #c9d3e0; }
.meta { color: #555; font-size: 7.8pt; }
.expl p { margin: 0 0 0.7mm 0; }
.expl ul { margin: 0 0 0.8mm 4mm; padding: 0; columns: 2; column-gap: 6mm; }
.expl li { break-inside: avoid; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1mm 3mm; }
.cell { break-inside: avoid; }
.cell .name { font-weight: bold; font-size: 7.6pt; }
.cell .dir { color: #666; font-size: 7pt; }
.cell svg { width: 100%; height: auto; display: block; }
.note { color: #666; font-size: 7pt; margin-top: 0.5mm; }
table { border-collapse: collapse; width: 100%; font-size: 7.6pt; }
th, td { border-bottom: 1px solid #e1e6ee; padding: 0.6mm 1mm; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.total td { font-weight: bold; }
dl { margin: 0; columns: 3; column-gap: 4mm; font-size: 6.8pt; }
dt { font-weight: bold; break-after: avoid; }
dd { margin: 0 0 1mm 0; break-inside: avoid; }
"""


def _svg(chart: alt.Chart) -> str:
    from benchmark.charts import to_svg

    return to_svg(chart)


def dot_plot(res, entity_id: str, criterion_id: str, lang: Lang) -> str:
    """The entity among its peers on one criterion, with the 95 % band at its size, as SVG."""
    scores = res.scores
    me = scores[(scores["entity_id"].astype(str) == str(entity_id)) & (scores["criterion"] == criterion_id)].iloc[0]
    peers = scores[(scores["criterion"] == criterion_id) & (scores["peer_group"] == me["peer_group"])
                   & scores["scored"].astype(bool)]
    data = pd.DataFrame({"value": peers["value"].astype(float),
                         "who": (peers["entity_id"].astype(str) == str(entity_id)).map({True: "unit", False: "peer"})})
    data = data.sort_values("who")  # draw the unit last, on top
    # the band clipped to what the value can be, as in the funnels: a share in [0, 100 %], the other
    # criteria not below 0 (a turnover band reaching −10 % would be read as a possible value)
    top = 1.0 if _is_percent(res, criterion_id) else np.inf
    band_lo, band_hi = (float(np.clip(me[c], 0.0, top)) for c in ("lower95", "upper95"))
    lo, hi = float(min(data["value"].min(), band_lo)), float(max(data["value"].max(), band_hi))
    pad = (hi - lo) * 0.05 or 1.0
    scale = alt.Scale(domain=[lo - pad, hi + pad], nice=False)
    # shares in whole per cent, or with one decimal when the strip spans less than 5 points (an
    # agency share of 0–1,2 % read "0 %  0 %  1 %" in whole per cent)
    share_format = ".0%" if (hi - lo) >= 0.05 else ".1~%"
    x = alt.X("value:Q", title=None, scale=scale,
              axis=alt.Axis(labelFontSize=8, tickCount=4, format=share_format if _is_percent(res, criterion_id)
                            else ",.3~r"))
    band = alt.Chart(pd.DataFrame({"a": [band_lo], "b": [band_hi]})).mark_rect(
        color=BAND_COLOUR).encode(x=alt.X("a:Q", scale=scale), x2="b:Q")
    target = alt.Chart(pd.DataFrame({"t": [me["target"]]})).mark_rule(color=TARGET_COLOUR).encode(
        x=alt.X("t:Q", scale=scale))
    dots = alt.Chart(data).mark_circle(opacity=0.85).encode(
        x=x,
        size=alt.Size("who:N", scale=alt.Scale(domain=["peer", "unit"], range=[18, 90]), legend=None),
        color=alt.Color("who:N", scale=alt.Scale(domain=["peer", "unit"], range=[PEER_COLOUR, UNIT_COLOUR]),
                        legend=None),
    )
    chart = (band + target + dots).properties(width=170, height=22).configure_view(stroke=None).configure(
        locale=locale(lang))  # nb-NO numbers on the axis (0,95; 7 %)
    return _svg(chart)


def _is_percent(res, criterion_id: str) -> bool:
    return res.catalogue.get(criterion_id).value_format == "percent"


def sparkline(res, entity_id: str, criterion_id: str) -> str:
    monthly = getattr(res, "monthly", None)
    if monthly is None or monthly.empty:
        return ""
    series = monthly[(monthly["entity_id"].astype(str) == str(entity_id)) & (monthly["criterion"] == criterion_id)]
    series = series.dropna(subset=["value"]).sort_values("month").tail(SPARK_MONTHS)
    if len(series) < 3:
        return ""
    chart = alt.Chart(series).mark_line(color=UNIT_COLOUR, strokeWidth=1.2).encode(
        x=alt.X("month:O", axis=None), y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=False)),
    ).properties(width=170, height=16).configure_view(stroke=None)
    return _svg(chart)


def main_criteria(res, entity_id: str) -> list[str]:
    """Scored criteria of the entity, largest absolute contribution first (at most MAX_PLOTS)."""
    _, scores = _entity_rows(res, entity_id)
    scored = scores[scores["scored"].astype(bool)].copy()
    scored["weight_abs"] = scored["contribution"].abs().fillna(0)
    order = scored.sort_values(["weight_abs", "criterion"], ascending=[False, True])
    return list(order["criterion"].head(MAX_PLOTS))


def _measures_table(res, division: str, lang: Lang) -> str:
    w = WORDS[lang]
    measures = getattr(res, "measures", None)
    if measures is None or measures.empty:
        return f"<p>{w['no_measures']}</p>"
    rows = measures[measures["division"] == division].copy()
    if rows.empty:
        return f"<p>{w['no_measures']}</p>"
    rows["is_total"] = rows["department"].fillna("") == ""
    rows = rows.sort_values(["is_total", "effect_planned"], ascending=[True, False])
    body = []
    for _, r in rows.iterrows():
        name = w["division_total"] if r["is_total"] else html.escape(str(r["department"]))
        body.append(
            f"<tr class='{'total' if r['is_total'] else ''}'><td>{name}</td>"
            f"<td>{fmt.number(r['effect_planned'], 0, lang)}</td>"
            f"<td>{fmt.number(r['effect_risk_adjusted'], 0, lang)}</td>"
            f"<td>{fmt.number(r['effect_realised'], 0, lang)}</td>"
            f"<td>{fmt.percent(r['realisation_vs_risk'], 0, lang)}</td>"
            f"<td>{fmt.percent(r['high_risk_share'], 0, lang)}</td></tr>"
        )
    head = (f"<tr><th>{w['department']}</th><th>{w['planned']} (kNOK)</th><th>{w['risk_adjusted']}</th>"
            f"<th>{w['realised']}</th><th>{w['vs_risk']}</th><th>{w['high_risk']}</th></tr>")
    return f"<table>{head}{''.join(body[:9])}</table>"


def _definitions(res, criteria: Iterable[str], lang: Lang) -> str:
    items = []
    for cid in criteria:
        crit = res.catalogue.get(cid)
        items.append(f"<dt>{html.escape(crit.name[lang])}</dt><dd>{html.escape(crit.description[lang])}</dd>")
    return f"<dl>{''.join(items)}</dl>"


def _explanation_html(res, entity_id: str, lang: Lang) -> str:
    """Sections in order: plain lines as paragraphs, consecutive "- " lines as one list."""
    parts: list[str] = []
    for section in explanation_sections(res, entity_id, lang):
        # the headline's first line (the title) is the page heading already
        lines = section.lines[1:] if section.id == "headline" else section.lines
        if section.id in ("headline", "coverage"):
            lines = (" ".join(lines),)
        bullets: list[str] = []
        for line in [*lines, ""]:
            if line.startswith("- "):
                bullets.append(f"<li>{html.escape(line[2:])}</li>")
                continue
            if bullets:
                parts.append("<ul>" + "".join(bullets) + "</ul>")
                bullets = []
            if line:
                parts.append(f"<p>{html.escape(line)}</p>")
    return "".join(parts)


def render_sheet(res, entity_id: str, lang: Lang = "nb", run_id: str | None = None) -> str:
    """The dialogue sheet of ``entity_id`` as one self-contained HTML page."""
    w = WORDS[lang]
    row, _ = _entity_rows(res, entity_id)
    criteria = main_criteria(res, entity_id)
    cells = []
    for cid in criteria:
        crit = res.catalogue.get(cid)
        direction = w["higher"] if crit.direction == "higher_is_better" else w["lower"]
        cells.append(
            f"<div class='cell'><div class='name'>{html.escape(criterion_name(res, cid, lang))} "
            f"<span class='dir'>({direction})</span></div>{dot_plot(res, entity_id, cid, lang)}"
            f"{sparkline(res, entity_id, cid)}</div>"
        )
    care = CARE_LEVEL_PLURAL.get(str(row.get("care_level")), {}).get(lang, "")
    meta = [
        html.escape(" · ".join(str(x) for x in (row.get("division"), row.get("department"), care) if isinstance(x, str) and x)),
        f"{w['period']}: {html.escape(res.period.label)}",
        f"{w['catalogue']}: {html.escape(str(res.catalogue.version))} ({res.catalogue.hash()[:8]})",
    ]
    if run_id:
        meta.append(f"{w['run']}: {html.escape(run_id)}")
    return f"""<!DOCTYPE html>
<html lang="{'nb' if lang == 'nb' else 'en'}"><head><meta charset="utf-8">
<title>{w['title']} – {html.escape(str(row['entity_name']))} – {html.escape(res.period.label)}</title>
<style>{CSS}</style></head>
<body>
<header><h1>{html.escape(str(row['entity_name']))}</h1><div class="meta">{' · '.join(meta)}</div></header>
<section class="expl"><h2>{w['explanation']}</h2>{_explanation_html(res, entity_id, lang)}</section>
<section><h2>{w['peers']}</h2><div class="grid">{''.join(cells)}</div>
<div class="note">{w['peers_note']} {w['trend'].format(n=SPARK_MONTHS)}: {'linjen under hver prikkplott' if lang == 'nb' else 'the line under each dot plot'}.</div></section>
<section><h2>{w['measures']}</h2>{_measures_table(res, str(row.get('division')), lang)}</section>
<section><h2>{w['definitions']}</h2>{_definitions(res, criteria, lang)}</section>
</body></html>
"""


def write_sheet(res, entity_id: str, path: str | Path, lang: Lang = "nb", run_id: str | None = None) -> Path:
    """Write the sheet atomically (temp file, then rename) and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_sheet(res, entity_id, lang, run_id), encoding="utf-8")
    tmp.replace(path)
    return path


def write_division_sheets(res, division: str, folder: str | Path, lang: Lang = "nb",
                          run_id: str | None = None) -> list[Path]:
    """One sheet per entity of ``division`` into ``folder`` (the batch option)."""
    entities = res.ranking[res.ranking["division"] == division]["entity_id"].astype(str)
    if entities.empty:
        from benchmark.issues import UsageError

        raise UsageError(f"no entities of division '{division}' in this result")
    folder = Path(folder)
    return [write_sheet(res, e, folder / f"{_safe(e)}.html", lang, run_id) for e in sorted(entities)]


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
