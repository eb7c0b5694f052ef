"""``beds.html``: the self-contained report of the bed draft (inline SVG, no scripts, no CDN).

Per ward: the plain explanation, the chart (history, forecast band, recommended beds, beds today)
and the trade-off table beds ↔ overflow days. On top: what the draft is, the wards that are not
forecast from daily census and why, and the backtest against the baselines. Charts are drawn for
at most ``MAX_CHARTS`` wards — the report says so when there are more; every ward is in the tables
and the workbook.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from benchmark.beds.chart import to_svg, ward_chart
from benchmark.beds.messages import explain_week, odds_text
from benchmark.beds.workbook import BASIS, METHOD
from benchmark.explanation import numbers as fmt

MAX_CHARTS = 60
CSS = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#2e3440}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:3px 10px;border-bottom:1px solid #d8dee9;
text-align:right}th{background:#eceff4}td:first-child,th:first-child{text-align:left}
.note{background:#fff4e0;padding:.6em 1em;border-left:4px solid #d08770}.ward{page-break-inside:avoid}
.mark{color:#bf616a;font-weight:600}"""
W = {
    "nb": {"title": "Utkast til sengekapasitet {year}", "lead": (
        "Senger per uke slik at belegget ved midnatt overstiger sengetallet høyst {share} av ukens dager "
        "(servicenivå {s}). Prognosen bygger på hver posts daglige belegg: ukedag, sesong, fellesferie, jul, "
        "påske, helligdager og trend. Beleggsprosenten er et resultat, ikke et mål; 85 %-regelen vises bare "
        "som sammenligning i tilbaketesten."),
        "notes": "Merknader", "backtest": "Tilbaketest på siste hele år (snitt over postene)",
        "method": "Metode", "covered": "Andel dager med plass", "bed_days": "Planlagte sengedøgn",
        "pinball": "Pinball-tap", "wards": "Poster", "tradeoff": "Avveining: senger og dager over fullt i året",
        "beds": "Senger", "beds_mean": "Senger i snitt", "overflow": "Dager over fullt", "service": "Servicenivå",
        "occupancy": "Belegg", "recommended": "anbefalt", "current": "dagens senger",
        "limit": "Diagrammer vises for {n} av {total} poster; alle står i bed_plan.csv og beds.xlsx.",
        "basis": "Grunnlag", "closed": "Stengte uker: {weeks}.", "busiest": "Travleste uke:",
        "staff": "Bemanning: {hours} pleietimer per liggedøgn gir i snitt {fte} årsverk.",
        "erlang": ("Erlang-kontroll (liten post, liggetid {los} døgn): i uke {week} gir {beds} senger at {block} av "
                   "innleggelsene ikke får seng; Erlang-modellen trenger {erlang} senger for høyst {target}."),
        "unplaced": "Pasienter uten seng: post {unit} uke {week} (ingen åpen post i divisjonen).",
        "monthly": "månedssnitt – uten variasjonsanalyse"},
    "en": {"title": "Bed-capacity draft {year}", "lead": (
        "Beds per week so that the midnight census exceeds the beds on at most {share} of the week's days "
        "(service level {s}). The forecast uses each ward's daily census: weekday, season, summer holiday, "
        "Christmas, Easter, public holidays and trend. Occupancy is a result, not a target; the 85 % rule "
        "appears only as a baseline in the backtest."),
        "notes": "Notes", "backtest": "Backtest on the last full year (mean over wards)",
        "method": "Method", "covered": "Share of days covered", "bed_days": "Bed-days planned",
        "pinball": "Pinball loss", "wards": "Wards", "tradeoff": "Trade-off: beds and overflow days in the year",
        "beds": "Beds", "beds_mean": "Mean beds", "overflow": "Overflow days", "service": "Service level",
        "occupancy": "Occupancy", "recommended": "recommended", "current": "beds today",
        "limit": "Charts are shown for {n} of {total} wards; all are in bed_plan.csv and beds.xlsx.",
        "basis": "Basis", "closed": "Closed weeks: {weeks}.", "busiest": "Busiest week:",
        "staff": "Staffing: {hours} care hours per patient day means {fte} FTE on average.",
        "erlang": ("Erlang check (small ward, stay {los} days): in week {week}, {beds} beds turn away {block} of "
                   "admissions; the Erlang model needs {erlang} beds for at most {target}."),
        "unplaced": "Patients without a bed: ward {unit} week {week} (no open ward in the division).",
        "monthly": "monthly mean – no variation analysis"},
}


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def tradeoff_rows(bd, unit_id: str, lang: str) -> list[list[str]]:
    """Rows of the trade-off table of one ward (recommended ± k, and today's beds)."""
    w = W[lang]
    t = bd.tradeoff[bd.tradeoff["unit_id"] == unit_id]
    rows = []
    for _, r in t.iterrows():
        k = int(r["beds_offset"])
        label = w["recommended"] if k == 0 else f"{w['recommended']} {'+' if k > 0 else '−'}{abs(k)}"
        rows.append([html.escape(label), fmt.number(r["beds_mean"], 1, lang), fmt.number(r["bed_days_planned"], 0, lang),
                     fmt.number(r["overflow_days_expected"], 1, lang), fmt.percent(r["service_level_expected"], 1, lang),
                     fmt.percent(r["occupancy_expected"], 0, lang)])
    plan = bd.ward(unit_id)
    open_ = plan[~plan["closed"]]
    if open_["beds_current"].notna().any():
        days = open_["days"].sum()
        overflow = float(((1 - open_["service_level_current"]) * open_["days"]).sum())
        bed_days = float((open_["beds_current"] * open_["days"]).sum())
        rows.append([w["current"], fmt.number(bed_days / days, 1, lang), fmt.number(bed_days, 0, lang),
                     fmt.number(overflow, 1, lang), fmt.percent(1 - overflow / days, 1, lang),
                     fmt.percent(float((open_["census_mean"] * open_["days"]).sum()) / bed_days, 0, lang)])
    return rows


def _ward_section(bd, unit_id: str, name: str, lang: str, chart: bool) -> str:
    w = W[lang]
    plan = bd.ward(unit_id)
    parts = [f"<div class='ward'><h2>{html.escape(name)} <small>({html.escape(unit_id)})</small></h2>"]
    basis = plan["basis"].iloc[0]
    if basis != "daily":
        parts.append(f"<p class='mark'>{w['basis']}: {html.escape(w['monthly'])}</p>")
    open_ = plan[~plan["closed"]]
    if len(open_):
        week5 = open_[open_["week"].str.endswith("-W05")]
        first = (week5 if len(week5) else open_).iloc[0]
        busiest = open_.loc[open_["census_mean"].idxmax()]
        parts.append(f"<p>{html.escape(explain_week(first, lang))} {w['busiest']} "
                     f"{html.escape(explain_week(busiest, lang))}</p>")
        hours = plan["care_hours_per_patient_day"].iloc[0]
        if pd.notna(hours):
            parts.append(f"<p>{w['staff'].format(hours=fmt.number(hours, 1, lang), fte=fmt.number(open_['fte_expected'].mean(), 1, lang))}</p>")
    if plan["closed"].any():
        weeks = ", ".join(str(int(x[-2:])) for x in plan.loc[plan["closed"], "week"])
        parts.append(f"<p>{w['closed'].format(weeks=weeks)}</p>")
    er = bd.erlang[bd.erlang["unit_id"] == unit_id]
    if len(er):
        same = er[er["week"].str.endswith("-W05")]
        r = (same if len(same) else er).iloc[0]
        text = w["erlang"].format(los=fmt.number(r["length_of_stay"], 1, lang), week=int(r["week"][-2:]),
                                  beds=fmt.number(r["beds_recommended"], 0, lang),
                                  block=fmt.percent(r["blocking_at_recommended"], 1, lang),
                                  erlang=fmt.number(r["beds_erlang"], 0, lang),
                                  target=fmt.percent(1 - bd.service_level, 0, lang))
        parts.append(f"<p>{html.escape(text)}</p>")
    if chart:
        parts.append(to_svg(ward_chart(bd, unit_id, lang)))
    parts.append(f"<h3>{w['tradeoff']}</h3>")
    parts.append(_table([w["beds"], w["beds_mean"], w["bed_days"], w["overflow"], w["service"], w["occupancy"]],
                        tradeoff_rows(bd, unit_id, lang)))
    return "".join(parts) + "</div>"


def render_report(bd, lang: str = "nb", run_id: str | None = None) -> str:
    """The whole report as one HTML string."""
    w = W[lang]
    s = bd.service_level
    parts = [f"<!doctype html><html lang='{'nb' if lang == 'nb' else 'en'}'><head><meta charset='utf-8'>"
             f"<title>{html.escape(w['title'].format(year=bd.year))}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(w['title'].format(year=bd.year))}</h1>",
             f"<p>{html.escape(w['lead'].format(share=odds_text(1 - s, lang), s=fmt.number(s, 2, lang)))}</p>"]
    if run_id:
        parts.append(f"<p><small>run {html.escape(run_id)}</small></p>")
    notes = list(bd.messages if lang == "nb" else bd.messages_en)
    for _, u in bd.unplaced.drop_duplicates("unit_id").iterrows():
        notes.append(w["unplaced"].format(unit=u["unit_id"], week=u["week"]))
    if notes:
        parts.append(f"<div class='note'><h3>{w['notes']}</h3><ul>"
                     + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul></div>")
    if len(bd.backtest):
        g = bd.backtest.groupby("method", sort=False)
        rows = [[html.escape(METHOD[lang].get(m, m)), fmt.number(len(p), 0, lang),
                 fmt.percent(p["share_days_covered"].mean(), 1, lang), fmt.number(p["bed_days_planned"].mean(), 0, lang),
                 fmt.number(p["pinball_loss"].mean(), 2, lang)] for m, p in g]
        parts.append(f"<h2>{w['backtest']}</h2>" + _table([w["method"], w["wards"], w["covered"], w["bed_days"],
                                                            w["pinball"]], rows))
    names = bd.units.set_index("unit_id")["unit_name"]
    wards = list(dict.fromkeys(bd.bed_plan["unit_id"]))
    if len(wards) > MAX_CHARTS:
        parts.append(f"<p class='note'>{w['limit'].format(n=MAX_CHARTS, total=len(wards))}</p>")
    for i, unit_id in enumerate(wards):
        parts.append(_ward_section(bd, unit_id, str(names.get(unit_id, unit_id)), lang, chart=i < MAX_CHARTS))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(bd, path: Path, lang: str = "nb", run_id: str | None = None) -> Path:
    path.write_text(render_report(bd, lang, run_id), encoding="utf-8")
    return path


__all__ = ["BASIS", "render_report", "write_report"]
