"""Altair chart builders shared by the marimo apps, summary.html and the dialogue sheets.

Colours: flags are shown in a blue–grey–orange scheme, not red/green. Whether "above the limit"
is good or bad depends on the criterion's direction; colour encodes only how far from the target
a value is, and the text says whether that is better or worse. The selected entity is drawn in a
strong blue everywhere. Labels are Norwegian by default (``lang="en"`` for English). Charts stay
below altair's 5 000-row limit by construction (peer groups, top lists).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from benchmark.explanation.messages import CARE_LEVEL_PLURAL

FLAG_ORDER = ["below_99.8", "below_95", "within", "above_95", "above_99.8"]
FLAG_COLOURS = ["#b35806", "#f1a340", "#b8bcc2", "#8e9fd1", "#2d3f8f"]
HIGHLIGHT = "#0b5cad"
LIMIT_COLOURS = {"95": "#7a7a7a", "99.8": "#3a3a3a"}
FLAG_LABELS = {
    "nb": {"below_99.8": "klart under (99,8 %)", "below_95": "under (95 %)", "within": "innenfor",
           "above_95": "over (95 %)", "above_99.8": "klart over (99,8 %)"},
    "en": {"below_99.8": "clearly below (99.8 %)", "below_95": "below (95 %)", "within": "within",
           "above_95": "above (95 %)", "above_99.8": "clearly above (99.8 %)"},
}
WORDS = {
    "nb": {"size": "Størrelse (nevner)", "value": "Verdi", "unit": "Enhet", "flag": "Avvik", "target": "Mål",
           "rank": "Plass (1 = best)", "potential": "Potensial", "entity": "Enhet", "division": "Divisjon",
           "fte": "årsverk", "knok": "kNOK per år", "contribution": "Bidrag til samlet score", "criterion": "Kriterium",
           "month": "Måned", "planned": "Planlagt", "risk_adjusted": "Risikojustert", "realised": "Realisert hittil",
           "challenge": "Restutfordring", "kNOK": "kNOK", "amount": "Beløp (kNOK)", "group": "Gruppe"},
    "en": {"size": "Size (denominator)", "value": "Value", "unit": "Unit", "flag": "Flag", "target": "Target",
           "rank": "Rank (1 = best)", "potential": "Potential", "entity": "Entity", "division": "Division",
           "fte": "FTE", "knok": "kNOK a year", "contribution": "Contribution to the score", "criterion": "Criterion",
           "month": "Month", "planned": "Planned", "risk_adjusted": "Risk-adjusted", "realised": "Realised to date",
           "challenge": "Remaining challenge", "kNOK": "kNOK", "amount": "Amount (kNOK)", "group": "Group"},
}


MAX_POINTS = 4000  # altair refuses more than 5 000 rows per chart


def thin(d: pd.DataFrame, keep: pd.Series, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """At most ``max_points`` rows: every row where ``keep`` is true, and an even sample (by size
    order) of the others. A funnel of thousands of entities looks the same; flagged ones all show."""
    if len(d) <= max_points:
        return d
    kept = d[keep]
    rest = d[~keep].sort_values("denominator")
    room = max(max_points - len(kept), 0)
    step = int(np.ceil(len(rest) / room)) if room else len(rest) + 1
    return pd.concat([kept, rest.iloc[::step]])


def flag_scale(lang: str = "nb") -> alt.Scale:
    return alt.Scale(domain=[FLAG_LABELS[lang][f] for f in FLAG_ORDER], range=FLAG_COLOURS)


def _criterion_name(catalogue, criterion: str, lang: str) -> str:
    return catalogue.get(criterion).name[lang] if catalogue is not None else criterion


def funnel_chart(scores: pd.DataFrame, criterion: str, peer_group: str | None = None, highlight: str | None = None,
                 catalogue=None, lang: str = "nb", width: int = 520, height: int = 320,
                 selectable: bool = False, max_points: int = MAX_POINTS) -> alt.LayerChart:
    """Funnel plot of one criterion: value against size, with the 95 % and 99.8 % limits.

    The limits are drawn as lines through each entity's own limits sorted by size; when several
    peer groups are shown, each group's funnel is drawn separately (colour by flag, one funnel per
    group).
    """
    w = WORDS[lang]
    d = scores[(scores["criterion"] == criterion) & scores["scored"].astype(bool)].copy()
    if peer_group:
        d = d[d["peer_group"] == peer_group]
    d["flag_label"] = d["flag"].map(FLAG_LABELS[lang]).fillna(FLAG_LABELS[lang]["within"])
    d["selected"] = d["entity_id"].astype(str) == str(highlight)
    d["group_label"] = d["peer_group"].map(lambda g: CARE_LEVEL_PLURAL.get(g, {}).get(lang, g))
    d = thin(d, (d["flag"] != "within") | d["selected"], max_points)
    # only what the marks use goes into the spec: thousands of rows × every score column made
    # the chart slow to build, to send to the browser and to render
    d = d[["entity_id", "entity_name", "peer_group", "group_label", "denominator", "value", "target", "lower95",
           "upper95", "lower998", "upper998", "flag_label", "selected"]]
    base = alt.Chart(d).encode(x=alt.X("denominator:Q", title=w["size"], scale=alt.Scale(type="log")))
    limits = []
    for name, colour in (("95", LIMIT_COLOURS["95"]), ("998", LIMIT_COLOURS["99.8"])):
        for side in ("lower", "upper"):
            limits.append(base.mark_line(color=colour, strokeDash=[4, 3] if name == "95" else [1, 0],
                                         strokeWidth=1, interpolate="monotone").encode(
                y=alt.Y(f"{side}{name}:Q"), detail="peer_group:N", order="denominator:Q"))
    target = base.mark_line(color="#222", strokeWidth=1).encode(y="target:Q", detail="peer_group:N")
    points = base.mark_circle(size=60, opacity=0.9).encode(
        y=alt.Y("value:Q", title=_criterion_name(catalogue, criterion, lang), scale=alt.Scale(zero=False)),
        color=alt.Color("flag_label:N", title=w["flag"], scale=flag_scale(lang)),
        tooltip=[alt.Tooltip("entity_name:N", title=w["unit"]), alt.Tooltip("group_label:N", title=w["group"]),
                 alt.Tooltip("value:Q", title=w["value"], format=".3~f"),
                 alt.Tooltip("target:Q", title=w["target"], format=".3~f"),
                 alt.Tooltip("flag_label:N", title=w["flag"]), alt.Tooltip("entity_id:N", title="Id")],
    )
    ring = base.transform_filter(alt.datum.selected).mark_point(size=260, color=HIGHLIGHT, strokeWidth=3).encode(
        y="value:Q")
    if selectable:  # clicking a point selects that entity (marimo returns it as the chart's value)
        points = points.add_params(alt.selection_point(fields=["entity_id"], name="unit"))
    return alt.layer(*limits, target, points, ring).properties(width=width, height=height)


def caterpillar_chart(ranking: pd.DataFrame, peer_group: str | None = None, highlight: str | None = None,
                      lang: str = "nb", top: int = 60, width: int = 520) -> alt.Chart:
    """Ranks with their intervals (one row per entity), best at the top."""
    w = WORDS[lang]
    d = ranking.dropna(subset=["rank"]).copy()
    if peer_group:
        d = d[d["peer_group"] == peer_group]
    d = d.sort_values(["peer_group", "rank"]).head(top)
    d["selected"] = d["entity_id"].astype(str) == str(highlight)
    d["label"] = d["entity_name"].str.slice(0, 42)
    d = d[["entity_id", "entity_name", "label", "rank", "rank_low", "rank_high", "composite", "selected"]]
    y = alt.Y("label:N", sort=alt.SortField("rank"), title=None, axis=alt.Axis(labelLimit=260))
    rule = alt.Chart(d).mark_rule(color="#9aa3ad", strokeWidth=3).encode(
        x=alt.X("rank_low:Q", title=w["rank"], scale=alt.Scale(reverse=False)), x2="rank_high:Q", y=y)
    dots = alt.Chart(d).mark_circle(size=55).encode(
        x="rank:Q", y=y,
        color=alt.condition(alt.datum.selected, alt.value(HIGHLIGHT), alt.value("#38424d")),
        tooltip=[alt.Tooltip("entity_name:N", title=w["entity"]), "rank:Q", "rank_low:Q", "rank_high:Q",
                 alt.Tooltip("composite:Q", format=".2f")])
    return (rule + dots).properties(width=width, height=max(120, 14 * len(d)))


def potential_chart(ranking: pd.DataFrame, highlight: str | None = None, lang: str = "nb", top: int = 15,
                    width: int = 480) -> alt.Chart:
    """The largest improvement potentials (kNOK a year incl. FTE at pay cost) with intervals."""
    w = WORDS[lang]
    d = ranking.sort_values("potential_rank").head(top).copy()
    d["label"] = d["entity_name"].str.slice(0, 42)
    d["selected"] = d["entity_id"].astype(str) == str(highlight)
    ratio = (d["potential_total_knok"] / (d["potential_knok"] + 1e-9)).where(d["potential_knok"] > 0, 1.0)
    d["low"] = d["potential_knok_low"] + (d["potential_total_knok"] - d["potential_knok"]) * (
        d["potential_fte_low"] / d["potential_fte"].where(d["potential_fte"] > 0)).fillna(0)
    d["high"] = d["potential_knok_high"] + (d["potential_total_knok"] - d["potential_knok"]) * (
        d["potential_fte_high"] / d["potential_fte"].where(d["potential_fte"] > 0)).fillna(0)
    del ratio
    y = alt.Y("label:N", sort=alt.SortField("potential_rank"), title=None, axis=alt.Axis(labelLimit=260))
    bars = alt.Chart(d).mark_bar().encode(
        x=alt.X("potential_total_knok:Q", title=f"{w['potential']} ({w['knok']})"), y=y,
        color=alt.condition(alt.datum.selected, alt.value(HIGHLIGHT), alt.value("#8e9fd1")),
        tooltip=[alt.Tooltip("entity_name:N", title=w["entity"]),
                 alt.Tooltip("potential_fte:Q", title=w["fte"], format=".1f"),
                 alt.Tooltip("potential_knok:Q", title="kNOK", format=",.0f"),
                 alt.Tooltip("potential_total_knok:Q", title="kNOK total", format=",.0f")])
    err = alt.Chart(d).mark_rule(color="#333").encode(x="low:Q", x2="high:Q", y=y)
    return (bars + err).properties(width=width, height=max(120, 18 * len(d)))


def contribution_chart(scores: pd.DataFrame, entity_id: str, catalogue=None, lang: str = "nb",
                       width: int = 480) -> alt.Chart:
    """Diverging bars: each criterion's contribution to the entity's composite score."""
    w = WORDS[lang]
    d = scores[(scores["entity_id"].astype(str) == str(entity_id)) & scores["contribution"].notna()].copy()
    d["name"] = [_criterion_name(catalogue, c, lang) for c in d["criterion"]]
    d["side"] = np.where(d["contribution"] >= 0, "opp" if lang == "nb" else "up", "ned" if lang == "nb" else "down")
    return alt.Chart(d).mark_bar().encode(
        x=alt.X("contribution:Q", title=w["contribution"]),
        y=alt.Y("name:N", sort=alt.SortField("contribution", order="descending"), title=None),
        color=alt.Color("side:N", scale=alt.Scale(domain=["opp", "ned", "up", "down"],
                                                  range=["#2d3f8f", "#b35806", "#2d3f8f", "#b35806"]), legend=None),
        tooltip=[alt.Tooltip("name:N", title=w["criterion"]), alt.Tooltip("contribution:Q", format=".2f")],
    ).properties(width=width, height=max(100, 26 * len(d)))


def trend_chart(monthly: pd.DataFrame, trend: pd.DataFrame, entity_id: str, catalogue=None, lang: str = "nb",
                width: int = 220, height: int = 90) -> alt.FacetChart:
    """Monthly series per criterion with its mean line (XmR centre), faceted."""
    w = WORDS[lang]
    d = monthly[(monthly["entity_id"].astype(str) == str(entity_id))].dropna(subset=["value"]).copy()
    d["name"] = [_criterion_name(catalogue, c, lang) for c in d["criterion"]]
    t = trend[trend["entity_id"].astype(str) == str(entity_id)].set_index("criterion")["trend"]
    d["trend"] = d["criterion"].map(t).fillna("stable")
    line = alt.Chart().mark_line(point=True, color="#38424d").encode(
        x=alt.X("month:O", title=w["month"], axis=alt.Axis(labelAngle=-60, labelOverlap=True)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)))
    mean = alt.Chart().mark_rule(color=HIGHLIGHT, strokeDash=[3, 3]).encode(y="mean(value):Q")
    return alt.layer(line, mean, data=d).properties(width=width, height=height).facet(
        facet=alt.Facet("name:N", title=None), columns=3).resolve_scale(y="independent")


def measures_chart(divisions: pd.DataFrame, lang: str = "nb", width: int = 560) -> alt.Chart:
    """Per division: planned → risk-adjusted → realised to date, against the remaining challenge."""
    w = WORDS[lang]
    rows = []
    for _, r in divisions.iterrows():
        for key, col in (("planned", "effect_planned"), ("risk_adjusted", "effect_risk_adjusted"),
                         ("realised", "effect_realised"), ("challenge", "remaining_challenge")):
            value = r[col]
            if pd.notna(value) and (key != "challenge" or value > 0):
                rows.append({"division": r["division"], "what": w[key], "amount": float(value)})
    d = pd.DataFrame(rows, columns=["division", "what", "amount"])
    order = [w["planned"], w["risk_adjusted"], w["realised"], w["challenge"]]
    return alt.Chart(d).mark_bar().encode(
        y=alt.Y("what:N", sort=order, title=None),
        x=alt.X("amount:Q", title=w["amount"]),
        color=alt.Color("what:N", sort=order, scale=alt.Scale(domain=order, range=["#b8bcc2", "#8e9fd1", "#2d3f8f", "#f1a340"]),
                        title=None),
        row=alt.Row("division:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=["division:N", "what:N", alt.Tooltip("amount:Q", format=",.0f")],
    ).properties(width=width, height=60)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as inline SVG (offline, via vl-convert): for self-contained HTML files."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict())
    return svg[svg.find("<svg"):]
