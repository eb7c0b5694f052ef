"""``summary.html``: one self-contained page for the quarter (charts inlined as SVG, no network).

Sections: key figures; the ranking with rank intervals (caterpillar) for each peer group; the
largest improvement potentials with intervals; funnel plots of the main criteria (the most
weighted ones) in the largest peer group; and the measures' risk-adjusted coverage of the
remaining challenge per division.
"""

from __future__ import annotations

import html
from pathlib import Path

from benchmark import charts
from benchmark.explanation import numbers as fmt
from benchmark.outputs.summary_data import SummaryInput, summary_input  # noqa: F401 (re-exported)

SUMMARY_POINTS = 800  # per funnel (a 340 × 240 px picture): every flagged entity, an even sample of the rest
# per rank chart: a longer peer group is drawn as its 30 best, its 30 weakest and a sentence on the
# chart saying of how many (charts.long_group); drawing a row costs vl-convert about 2 ms, and a
# national run has eight groups of 500–3 000 units. The apps show any group in full or as 60 + 60.
SUMMARY_RANK_ROWS = 30

CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 24px auto; max-width: 1150px; color: #1b1b1b; }
h1 { color: #1f4e9c; margin-bottom: 4px; } h2 { color: #1f4e9c; border-bottom: 1px solid #c9d3e0; margin-top: 28px; }
.meta { color: #555; font-size: 13px; } .grid { display: flex; flex-wrap: wrap; gap: 18px; }
.card { background: #f4f6fa; padding: 10px 16px; border-radius: 6px; min-width: 150px; }
.card b { display: block; font-size: 22px; color: #1f4e9c; } table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 3px 8px; border-bottom: 1px solid #e1e6ee; text-align: right; } td:first-child, th:first-child { text-align: left; }
.note { color: #555; font-size: 13px; max-width: 900px; } svg { max-width: 100%; height: auto; }
"""

WORDS = {
    "nb": {"title": "Benchmark av enhetene", "entities": "enheter scoret", "not_scored": "ikke scoret",
           "flags": "avvik utenfor 95 %-grensen", "potential": "forbedringspotensial i alt (kNOK per år)",
           "ranking": "Rangering med intervall", "ranking_note": "Punktet er plassen, streken intervallet (95 %). "
           "Enheter med overlappende streker kan ikke skilles fra hverandre.", "top": "Størst forbedringspotensial",
           "funnels": "Traktplott for hovedkriteriene", "funnel_note": "Linjene viser normal variasjon (95 % stiplet, "
           "99,8 % hel) rundt målet for en enhet av den størrelsen. Fargen er enhetens egen vurdering, mot grenser "
           "regnet uten enheten selv; nær en linje kan de to havne på hver sin side.", "measures": "Tiltakenes dekning av restutfordringen",
           "entity": "Enhet", "fte": "Årsverk", "knok": "kNOK/år", "interval": "intervall", "period": "Periode",
           "level": "Nivå", "catalogue": "Kriteriesett", "run": "Kjøring", "no_measures": "Ingen tiltak i datagrunnlaget."},
    "en": {"title": "Benchmark of the units", "entities": "entities scored", "not_scored": "not scored",
           "flags": "flags beyond the 95 % limit", "potential": "improvement potential in total (kNOK a year)",
           "ranking": "Ranking with intervals", "ranking_note": "The dot is the rank, the bar its 95 % interval. "
           "Entities whose bars overlap cannot be told apart.", "top": "Largest improvement potential",
           "funnels": "Funnel plots of the main criteria", "funnel_note": "Lines show normal variation (95 % dashed, "
           "99.8 % solid) around the target for an entity of that size. The colour is the entity's own verdict, "
           "against limits computed without the entity itself; near a line the two can fall on either side.", "measures": "Measures' coverage of the remaining challenge",
           "entity": "Entity", "fte": "FTE", "knok": "kNOK/yr", "interval": "interval", "period": "Period",
           "level": "Level", "catalogue": "Criteria", "run": "Run", "no_measures": "No measures in the data."},
}


LEVEL_WORDS = {"nb": {"unit": "enhet", "department": "avdeling", "division": "divisjon"},
               "en": {"unit": "unit", "department": "department", "division": "division"}}


def _svg(chart) -> str:
    """The chart as inline SVG, like :func:`benchmark.charts.to_svg` but without altair's JSON-schema
    validation of the spec (about a second for the page's twelve charts; every builder's spec is
    validated by tests/charts), so the page costs only vl-convert's rendering."""
    return charts.to_svg(chart, validate=False)


def _group_name(group: str, lang: str) -> str:
    return charts.group_label(group, lang)


FUNNEL_SIZE = (340, 240)
RANK_WIDTH = 380


def warm_steps(lang: str):
    """The page's chart templates, one per step (a generator), built before the data exist.

    The helper process (:mod:`benchmark.outputs.render_worker`) runs these while the run validates
    and scores, and stops as soon as the page's data arrive: every template depends only on the
    language, the sizes, the kind of value and whether a sentence is drawn, so the page's own
    charts later only fill in texts and rows. The likeliest first: national funnels are thinned
    (a subtitle says so), small trusts' are not."""
    # drawn once each as well: vega's first drawing of a kind of chart costs more than later ones
    yield lambda: charts.svg_of(charts.caterpillar_template(lang, RANK_WIDTH, note=True))
    yield lambda: charts.caterpillar_template(lang, RANK_WIDTH, note=False)
    for subtitle in (True, False):
        for kind in ("percent", "number", "index"):
            yield lambda kind=kind, subtitle=subtitle: charts.funnel_template(lang, *FUNNEL_SIZE, kind, subtitle)
        if subtitle:
            yield lambda: charts.svg_of(charts.funnel_template(lang, *FUNNEL_SIZE, "percent", True))


def render_summary(res, lang: str = "nb", run_id: str | None = None) -> str:
    return render(summary_input(res), lang, run_id)


def render(d: SummaryInput, lang: str = "nb", run_id: str | None = None) -> str:
    """The page of :func:`summary_input`'s data (charts rendered here, one after the other)."""
    w = WORDS[lang]
    r, s = d.ranking, d.scores
    scored = int(r["rank"].notna().sum())
    cards = [(fmt.number(scored, 0, lang), w["entities"]), (fmt.number(len(r) - scored, 0, lang), w["not_scored"]),
             (fmt.number(d.n_flags, 0, lang), w["flags"]),
             (fmt.number(r["potential_total_knok"].sum(), 0, lang), w["potential"])]  # 10 000, not 10000
    parts = [f"<h1>{w['title']} – {html.escape(d.period)}</h1>",
             f"<div class='meta'>{w['level']}: {LEVEL_WORDS[lang].get(d.level, d.level)} · {w['catalogue']}: "
             f"{html.escape(d.catalogue.version)} ({d.catalogue_hash[:8]})"
             + (f" · {w['run']}: {html.escape(run_id)}" if run_id else "") + "</div>",
             "<div class='grid'>" + "".join(f"<div class='card'><b>{v}</b>{html.escape(t)}</div>" for v, t in cards) + "</div>",
             f"<h2>{w['ranking']}</h2><p class='note'>{w['ranking_note']}</p><div class='grid'>"]
    for group in sorted(r["peer_group"].dropna().unique()):
        rows, note = charts.caterpillar_frame(r, group, None, lang, SUMMARY_RANK_ROWS)
        svg = (charts.svg_of(charts.caterpillar_spec(rows, note, lang, width=RANK_WIDTH)) if len(rows) else  # altair once
               _svg(charts.caterpillar_chart(r, peer_group=group, lang=lang, width=RANK_WIDTH)))  # "no entity has a score"
        parts.append(f"<div><h3>{html.escape(_group_name(group, lang))}</h3>{svg}</div>")
    parts.append("</div>")
    parts.append(f"<h2>{w['top']}</h2>{_svg(charts.potential_chart(r, lang=lang, top=15))}")
    parts.append(_top_table(r, lang))
    parts.append(f"<h2>{w['funnels']}</h2><p class='note'>{w['funnel_note']}</p><div class='grid'>")
    largest = r["peer_group"].value_counts().index[0] if len(r) else None
    for cid in d.main:
        group = largest if (s[(s["criterion"] == cid)]["peer_group"] == largest).any() else None
        spec = charts.funnel_spec(s, cid, peer_group=group, catalogue=d.catalogue, lang=lang, width=FUNNEL_SIZE[0],
                                  height=FUNNEL_SIZE[1], max_points=SUMMARY_POINTS, period=d.period)  # = funnel_chart's, built faster
        parts.append(f"<div><h3>{html.escape(d.catalogue.get(cid).name[lang])} – "
                     f"{html.escape(_group_name(group, lang) if group else '')}</h3>{charts.svg_of(spec)}</div>")
    parts.append("</div>")
    parts.append(f"<h2>{w['measures']}</h2>")
    m = d.measures
    if m is not None and not m.empty:
        divisions = m[m["department"].fillna("") == ""]
        parts.append(_svg(charts.measures_chart(divisions, lang=lang)))
    else:
        parts.append(f"<p>{w['no_measures']}</p>")
    body = "\n".join(parts)
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{w['title']} – "
            f"{html.escape(d.period)}</title><style>{CSS}</style></head><body>{body}</body></html>\n")


def _top_table(r, lang: str) -> str:
    """The ten largest potentials: the total (the chart's bar, the card's sum) and its two parts."""
    from benchmark.labels import heading

    w = WORDS[lang]
    rows = []
    for _, x in r.sort_values("potential_rank").head(10).iterrows():
        rows.append(f"<tr><td>{html.escape(str(x['entity_name']))}</td><td>{fmt.knok(x['potential_total_knok'], lang)}</td>"
                    f"<td>{fmt.fte(x['potential_fte'], lang)} "
                    f"({fmt.interval(x['potential_fte_low'], x['potential_fte_high'], fmt.fte, lang)})</td>"
                    f"<td>{fmt.knok(x['potential_knok'], lang)} "
                    f"({fmt.interval(x['potential_knok_low'], x['potential_knok_high'], fmt.knok, lang)})</td></tr>")
    heads = [w["entity"], heading("potential_total_knok", lang), heading("potential_fte", lang),
             heading("potential_knok", lang)]
    return "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + f"</tr>{''.join(rows)}</table>"


def write_summary(res, path: Path, lang: str = "nb", run_id: str | None = None) -> Path:
    path.write_text(render_summary(res, lang, run_id), encoding="utf-8")
    return path


def write_page(d: SummaryInput, path: Path, lang: str = "nb", run_id: str | None = None) -> Path:
    path.write_text(render(d, lang, run_id), encoding="utf-8")
    return path
