"""Altair chart builders shared by the marimo apps, summary.html and the dialogue sheets.

Every chart leaves this module through :func:`finish`, which puts the Vega-Lite number and time
locale (nb-NO: ``14 000``, ``7,2 %``, month names in bokmål; or en) into the spec itself, so marimo,
vl-convert and a plain browser all format the same way — no chart can forget it.

Colours: better/worse for the criterion's direction, not above/below — blues where the entity
is better than its target beyond normal variation, oranges where it is worse (no red/green
value judgement), grey within. The selected entity is drawn in a strong blue everywhere. Every
entity is its own row (the id is the key, the name the label); a long group is shown as its best
and weakest and the picked entity, and the chart says so. A chart with nothing to show says why.
"""

from __future__ import annotations

import dataclasses

import altair as alt
import numpy as np
import pandas as pd

from benchmark.explanation.messages import CARE_LEVEL_PLURAL
from benchmark.labels import FLAG_COLOURS, FLAG_LABELS, FLAG_ORDER  # noqa: F401 (re-exported)

VERDICT_ORDER = ["worse_998", "worse_95", "within", "better_95", "better_998"]
VERDICT_LABELS = {
    "nb": {"worse_998": "klart svakere (99,8 %)", "worse_95": "svakere (95 %)", "within": "innenfor",
           "better_95": "bedre (95 %)", "better_998": "klart bedre (99,8 %)"},
    "en": {"worse_998": "clearly worse (99.8 %)", "worse_95": "worse (95 %)", "within": "within",
           "better_95": "better (95 %)", "better_998": "clearly better (99.8 %)"},
}
HIGHLIGHT = "#0b5cad"
LIMIT_COLOURS = {"95": "#7a7a7a", "99.8": "#3a3a3a"}
WORDS = {
    "nb": {"size": "Størrelse (nevner)", "value": "Verdi", "unit": "Enhet", "flag": "Avvik", "target": "Mål",
           "rank": "Plass (1 = best)", "potential": "Potensial", "entity": "Enhet", "division": "Divisjon",
           "fte": "årsverk", "knok": "kNOK per år", "contribution": "Bidrag til samlet score", "criterion": "Kriterium",
           "month": "Måned", "planned": "Planlagt", "risk_adjusted": "Risikojustert", "realised": "Realisert hittil",
           "challenge": "Restutfordring", "kNOK": "kNOK", "amount": "Beløp (kNOK)", "group": "Gruppe",
           "id": "Id", "rank_low": "Plass fra", "rank_high": "Plass til", "composite": "Samlet score",
           "total": "Forbedringspotensial i alt (kNOK per år)", "staff": "herav bemanning (årsverk)",
           "other": "herav andre kostnader (kNOK per år)", "verdict": "Mot målet", "side": "Retning",
           "own95": "Enhetens egne grenser, 95 %", "own998": "Enhetens egne grenser, 99,8 %", "lower": "nedre",
           "upper": "øvre",
           "interval": "Intervall (95 %)"},
    "en": {"size": "Size (denominator)", "value": "Value", "unit": "Unit", "flag": "Flag", "target": "Target",
           "rank": "Rank (1 = best)", "potential": "Potential", "entity": "Entity", "division": "Division",
           "fte": "FTE", "knok": "kNOK a year", "contribution": "Contribution to the score", "criterion": "Criterion",
           "month": "Month", "planned": "Planned", "risk_adjusted": "Risk-adjusted", "realised": "Realised to date",
           "challenge": "Remaining challenge", "kNOK": "kNOK", "amount": "Amount (kNOK)", "group": "Group",
           "id": "Id", "rank_low": "Rank from", "rank_high": "Rank to", "composite": "Composite score",
           "total": "Improvement potential in total (kNOK a year)", "staff": "of which staffing (FTE)",
           "other": "of which other costs (kNOK a year)", "verdict": "Against the target", "side": "Direction",
           "own95": "The unit's own limits, 95 %", "own998": "The unit's own limits, 99.8 %", "lower": "lower",
           "upper": "upper",
           "interval": "Interval (95 %)"},
}


NUMBER_LOCALE = {
    "nb": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0kr"],
           "percent": "\u00a0%", "minus": "\u2212"},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["NOK\u00a0", ""]},
}
TIME_LOCALE = {
    "nb": {"dateTime": "%A %e. %B %Y kl. %X", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["", ""],
           "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
           "shortDays": ["søn.", "man.", "tir.", "ons.", "tor.", "fre.", "lør."],
           "months": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
                      "oktober", "november", "desember"],
           "shortMonths": ["jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.",
                           "nov.", "des."]},
    "en": {"dateTime": "%x, %X", "date": "%-m/%-d/%Y", "time": "%-I:%M:%S %p", "periods": ["AM", "PM"],
           "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
           "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
           "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"],
           "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]},
}


def locale(lang: str = "nb") -> dict:
    """Vega-Lite's ``config.locale`` for ``lang`` (d3 number and time locales)."""
    return {"number": NUMBER_LOCALE[lang], "time": TIME_LOCALE[lang]}


def finish(chart, lang: str = "nb"):
    """The one exit of every chart: the locale in the spec, quiet view border, readable fonts."""
    return chart.configure(locale=locale(lang)).configure_view(stroke=None).configure_axis(
        labelFontSize=11, titleFontSize=12)


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


LINE_POINTS = 120  # points per peer group on a funnel's limit and target lines
FUNNEL_LINE_COLUMNS = ("funnel_lower95", "funnel_upper95", "funnel_lower998", "funnel_upper998")


def limit_lines(d: pd.DataFrame, n: int = LINE_POINTS) -> pd.DataFrame:
    """The funnel's limit and target lines: per peer group, the rows of the smallest and the
    largest entity and of the first entity in each of ``n`` equal steps of log(size) between them.

    The lines are the group's limits for a unit of each size (``funnel_lower95`` …, SPEC §5): each
    entity's own limits leave the entity out, so a line through them had a kink at every unit far
    from the centre. A result without those columns (a run stored before them) draws through the
    entities' own limits. The limits are smooth in the size, so a line through these ≤ n + 1 exact
    points draws as the line through every entity, while the browser computes 5 lines of ~120
    points instead of 5 of 1 500 (most of a national funnel's drawing time). The points themselves
    are all drawn.
    """
    own = ["lower95", "upper95", "lower998", "upper998"]
    group_cols = ["funnel_" + c for c in own]
    if all(c in d for c in group_cols):
        d = d.drop(columns=own).rename(columns=dict(zip(group_cols, own, strict=True)))
    cols = ["peer_group", "denominator", "target", *own]
    d = d[cols].sort_values(["peer_group", "denominator"], kind="stable")
    logd = np.log(np.maximum(d["denominator"].to_numpy(dtype=float), 1e-12))
    group = d["peer_group"].astype(str)
    lo = pd.Series(logd, index=d.index).groupby(group).transform("min").to_numpy()
    hi = pd.Series(logd, index=d.index).groupby(group).transform("max").to_numpy()
    span = np.where(hi > lo, hi - lo, 1.0)
    step = np.floor((logd - lo) / span * (n - 1)).astype(int)
    first = ~pd.DataFrame({"g": group.to_numpy(), "s": step}).duplicated().to_numpy()
    last = ~group.duplicated(keep="last").to_numpy()
    return d[first | last].reset_index(drop=True)


def across_the_line(d: pd.DataFrame, lines: pd.DataFrame) -> int:
    """How many points lie on the other side of the drawn lines than their verdict says.

    A unit is judged against limits from its peers without itself, the lines are the group's
    limits for a unit of its size: close to a line the two can differ (O(1/n) in a group of n), and
    the chart says so in words instead of leaving a coloured point on the wrong side unexplained.
    The lines are read off as the browser draws them, linearly in log(size) between their points.
    """
    count = 0
    for group, at in d.groupby("peer_group", sort=False).groups.items():
        pts = d.loc[at]
        ln = lines[lines["peer_group"] == group]
        if ln.empty:
            continue
        x = np.log(np.maximum(ln["denominator"].to_numpy(dtype=float), 1e-12))
        px = np.log(np.maximum(pts["denominator"].to_numpy(dtype=float), 1e-12))
        v = pts["value"].to_numpy(dtype=float)
        drawn = {c: np.interp(px, x, ln[c].to_numpy(dtype=float)) for c in ("lower95", "upper95", "lower998", "upper998")}
        outside = np.select([v > drawn["upper998"], v > drawn["upper95"], v < drawn["lower998"], v < drawn["lower95"]],
                            ["above_99.8", "above_95", "below_99.8", "below_95"], "within")
        count += int((outside != pts["flag"].astype(str).to_numpy()).sum())
    return count


def flag_scale(lang: str = "nb") -> alt.Scale:
    return alt.Scale(domain=[FLAG_LABELS[lang][f] for f in FLAG_ORDER], range=FLAG_COLOURS)


def verdict_scale(lang: str = "nb") -> alt.Scale:
    """Oranges for worse than the target, blues for better — whatever the criterion's direction."""
    return alt.Scale(domain=[VERDICT_LABELS[lang][v] for v in VERDICT_ORDER], range=FLAG_COLOURS)


def verdict(flag: pd.Series, direction: pd.Series | str) -> pd.Series:
    """Funnel flag → better/worse for the criterion's direction (``within`` stays within)."""
    sign = (pd.Series(direction, index=flag.index) if isinstance(direction, str) else direction).map(
        {"higher_is_better": 1, "lower_is_better": -1}).fillna(1)
    f = flag.fillna("within").astype(str)
    above = f.str.startswith("above")
    out = np.where(f.eq("within") | ~f.isin(FLAG_ORDER), "within",
                   np.where(above == (sign > 0), "better", "worse") + np.where(f.str.endswith("99.8"), "_998", "_95"))
    return pd.Series(out, index=flag.index)


def group_label(group, lang: str = "nb") -> str:
    """The peer group's name in words (issue 12's ``labels.peer_group_label`` when it exists)."""
    from benchmark import labels

    if group is None or (isinstance(group, float) and np.isnan(group)):
        return ""
    named = getattr(labels, "peer_group_label", None)
    if named is not None:
        try:
            return named(str(group), lang)
        except Exception:  # noqa: BLE001 - an unknown group keeps its own name
            pass
    return CARE_LEVEL_PLURAL.get(str(group), {}).get(lang, str(group))


def _criterion(catalogue, criterion: str):
    return catalogue.get(criterion) if catalogue is not None else None


def _criterion_name(catalogue, criterion: str, lang: str) -> str:
    return catalogue.get(criterion).name[lang] if catalogue is not None else criterion


def value_axis_format(crit) -> tuple[str, str]:
    """(axis format, tooltip format) for a criterion's values: shares in %, indices with 2 decimals."""
    kind = getattr(crit, "value_format", "number")
    if kind == "percent":
        return ".1~%", ".1%"
    if kind == "index":
        return ".2f", ".2f"
    return ",.3~r", ",.3~r"


def value_title(crit, lang: str, name: str) -> str:
    kind = getattr(crit, "value_format", "number")
    if kind == "percent":
        return f"{name} (%)"
    unit = (getattr(crit, "value_unit", None) or {}).get(lang, "")
    if kind == "index":
        return f"{name} ({'indeks, 1 = gruppens nivå' if lang == 'nb' else 'index, 1 = group level'})"
    return f"{name} ({unit})" if unit else name


def message_chart(text: str, lang: str = "nb", width: int = 420, height: int = 80) -> alt.Chart:
    """A chart that says why it has nothing to show (never an empty frame)."""
    d = pd.DataFrame({"text": [text]})
    return finish(alt.Chart(d).mark_text(fontSize=13, align="left", x=5, color="#38424d", limit=width - 10).encode(
        text="text:N").properties(width=width, height=height), lang)


def _why_empty(scores: pd.DataFrame, criterion: str, lang: str, name: str) -> str:
    from benchmark.explanation.messages import TEXT

    rows = scores[scores["criterion"] == criterion]
    if rows.empty:
        return (f"{name}: kriteriet beregnes ikke på dette nivået." if lang == "nb"
                else f"{name}: the criterion is not computed at this level.")
    code = rows["not_scored_reason"].fillna("").astype(str).str.split(":").str[0].str.strip().mode()
    key = f"reason_{code.iloc[0]}" if len(code) else "reason_other"
    reason = TEXT[key][lang] if key in TEXT else str(code.iloc[0] if len(code) else "")
    return (f"Ingen enheter i utvalget har en beregnet verdi for {name}: {reason}." if lang == "nb"
            else f"No entity in the selection has a computed value for {name}: {reason}.")


@dataclasses.dataclass
class FunnelFrames:
    """What a funnel draws: its points, its limit lines, title and subtitle, or why it is empty."""

    points: pd.DataFrame | None
    lines: pd.DataFrame | None
    title: str
    subtitle: list[str]
    crit: object
    name: str
    empty: str | None = None  # the sentence of a funnel with nothing to show
    y_title: str = ""  # the value axis's title: the criterion's name and unit


def funnel_frames(scores: pd.DataFrame, criterion: str, peer_group: str | None = None, highlight: str | None = None,
                  catalogue=None, lang: str = "nb", max_points: int = MAX_POINTS,
                  period: str | None = None) -> FunnelFrames:
    """The rows of :func:`funnel_chart`: every step that depends on the data, none that builds the chart."""
    crit = _criterion(catalogue, criterion)
    name = _criterion_name(catalogue, criterion, lang)
    d = scores[(scores["criterion"] == criterion) & scores["scored"].astype(bool)].copy()
    if "masked" in d:
        d = d[~d["masked"].fillna(False).astype(bool)]
    if peer_group:
        d = d[d["peer_group"] == peer_group]
    group_text = group_label(peer_group, lang) if peer_group else ("alle grupper" if lang == "nb" else "all groups")
    title = " – ".join(x for x in (name, group_text, period) if x)
    if d.empty:
        base_scores = scores[scores["peer_group"] == peer_group] if peer_group else scores
        return FunnelFrames(None, None, title, [], crit, name, _why_empty(base_scores, criterion, lang, name))
    direction = crit.direction if crit is not None else d["direction"]
    d["verdict"] = verdict(d["flag"], direction).map(VERDICT_LABELS[lang])
    d["selected"] = d["entity_id"].astype(str) == str(highlight)
    d["group_label"] = d["peer_group"].map({g: group_label(g, lang) for g in d["peer_group"].unique()})
    n_all = len(d)
    # clip the limits to what is possible: a share lies in [0, 1], the other values are not negative
    upper_bound = 1.0 if getattr(crit, "value_format", "") == "percent" else np.inf
    for col in ("lower95", "upper95", "lower998", "upper998", "target", *FUNNEL_LINE_COLUMNS):
        if col in d:
            d[col] = d[col].clip(lower=0.0, upper=upper_bound)
    lines = limit_lines(d)  # of every entity of the group, before the points are thinned
    # (a run stored before the group's limits were kept draws through the units' own: no such units)
    across = across_the_line(d, lines) if all(c in d for c in FUNNEL_LINE_COLUMNS) else 0
    d = thin(d, (d["flag"] != "within") | d["selected"], max_points)
    subtitle = []
    if len(d) < n_all:
        subtitle.append((f"Viser {fmt_int(len(d), lang)} av {fmt_int(n_all, lang)}: alle utenfor grensene, valgt enhet "
                         "og et jevnt utvalg av resten etter størrelse") if lang == "nb" else
                        (f"Showing {fmt_int(len(d), lang)} of {fmt_int(n_all, lang)}: all beyond the limits, the picked "
                         "entity and an even sample of the rest by size"))
    if across:
        # short (it must fit above a 340 px chart); the page's note says why
        subtitle.append((f"{fmt_int(across, lang)} {'enhet' if across == 1 else 'enheter'} med annen farge enn "
                         "linjene tilsier: vurdert uten seg selv") if lang == "nb" else
                        (f"{fmt_int(across, lang)} {'unit' if across == 1 else 'units'} coloured across the lines: "
                         "judged without itself"))
    subtitle = [". ".join(subtitle)] if subtitle else []  # one line: the page's chart templates have one
    # only what the marks use goes into the spec: the points' rows, and the lines' own rows
    d = d[["entity_id", "entity_name", "group_label", "denominator", "value", "target", "verdict", "selected",
           "lower95", "upper95", "lower998", "upper998"]]
    return FunnelFrames(d, lines, title, subtitle, crit, name, y_title=value_title(crit, lang, name))


def funnel_chart(scores: pd.DataFrame, criterion: str, peer_group: str | None = None, highlight: str | None = None,
                 catalogue=None, lang: str = "nb", width: int = 520, height: int = 320,
                 selectable: bool = False, max_points: int = MAX_POINTS, period: str | None = None) -> alt.LayerChart:
    """Funnel plot of one criterion: value against size, with the 95 % and 99.8 % limits.

    Titled with criterion, peer group and period; axes carry their units (shares in %); limits are
    clipped to what the value can be (a share between 0 and 100 %, other values not below 0);
    points coloured better/worse for the criterion's direction. Each peer group's funnel is drawn
    separately when several are shown.
    """
    f = funnel_frames(scores, criterion, peer_group, highlight, catalogue, lang, max_points, period)
    if f.empty is not None:
        return message_chart(f.empty, lang, width)
    return funnel_of(f, lang, width, height, selectable)


def funnel_of(f: FunnelFrames, lang: str = "nb", width: int = 520, height: int = 320,
              selectable: bool = False) -> alt.LayerChart:
    """The funnel chart of :func:`funnel_frames`' rows."""
    w = WORDS[lang]
    crit, d, lines = f.crit, f.points, f.lines
    axis_fmt, tip_fmt = value_axis_format(crit)
    size_title = w["size"]
    # nice=False: a log axis rounded out to powers of ten drew units of size 40–130 in the middle
    # third of a 10–1 000 axis; the funnel spans the group's own sizes, 8 px beyond its end points
    x = alt.X("denominator:Q", title=size_title, scale=alt.Scale(type="log", nice=False, padding=8),
              axis=alt.Axis(format=",.0f"))
    on_lines = alt.Chart(lines).encode(x=x)
    limits = []
    for nm, colour in (("95", LIMIT_COLOURS["95"]), ("998", LIMIT_COLOURS["99.8"])):
        for side in ("lower", "upper"):
            limits.append(on_lines.mark_line(color=colour, strokeDash=[4, 3] if nm == "95" else [1, 0],
                                             strokeWidth=1, interpolate="monotone").encode(
                y=alt.Y(f"{side}{nm}:Q"), detail="peer_group:N", order="denominator:Q"))
    target = on_lines.mark_line(color="#222", strokeWidth=1).encode(y="target:Q", detail="peer_group:N",
                                                                    order="denominator:Q")
    # the points' rows are the layer's own (top-level) data: what marimo's selection reads
    base = alt.Chart().encode(x=x)
    points = base.mark_circle(size=60, opacity=0.9).encode(
        y=alt.Y("value:Q", title=f.y_title, scale=alt.Scale(zero=False),
                axis=alt.Axis(format=axis_fmt)),
        color=alt.Color("verdict:N", title=w["verdict"], scale=verdict_scale(lang)),
        tooltip=[alt.Tooltip("entity_name:N", title=w["unit"]), alt.Tooltip("entity_id:N", title=w["id"]),
                 alt.Tooltip("group_label:N", title=w["group"]),
                 alt.Tooltip("denominator:Q", title=size_title, format=",.0f"),
                 alt.Tooltip("value:Q", title=w["value"], format=tip_fmt),
                 alt.Tooltip("target:Q", title=w["target"], format=tip_fmt),
                 alt.Tooltip("verdict:N", title=w["verdict"]),
                 # the limits it is judged against (its peers without itself); the lines are the group's
                 alt.Tooltip("lower95:Q", title=f"{w['own95']}: {w['lower']}", format=tip_fmt),
                 alt.Tooltip("upper95:Q", title=f"{w['own95']}: {w['upper']}", format=tip_fmt),
                 alt.Tooltip("lower998:Q", title=f"{w['own998']}: {w['lower']}", format=tip_fmt),
                 alt.Tooltip("upper998:Q", title=f"{w['own998']}: {w['upper']}", format=tip_fmt)],
    )
    ring = base.transform_filter(alt.datum.selected).mark_point(size=260, color=HIGHLIGHT, strokeWidth=3).encode(
        y="value:Q")
    if selectable:  # clicking a point selects that entity (marimo returns it as the chart's value)
        points = points.add_params(alt.selection_point(fields=["entity_id"], name="unit"))
    title = alt.Title(f.title, subtitle=f.subtitle, anchor="start") if f.subtitle else alt.Title(f.title, anchor="start")
    chart = alt.layer(*limits, target, points, ring, data=d).properties(width=width, height=height, title=title)
    return finish(chart, lang)


_FUNNEL_TEMPLATES: dict[tuple, dict] = {}
_TITLE, _SUBTITLE, _Y_TITLE = "§title§", "§subtitle§", "§y-title§"  # the texts a template leaves open


def funnel_template(lang: str = "nb", width: int = 520, height: int = 320, value_format: str = "number",
                    subtitle: bool = False) -> dict:
    """The spec of a funnel with its texts left open and two placeholder rows of each dataset.

    Everything else in a funnel's spec depends only on the language, the size, the kind of value
    (its axis and tooltip formats) and whether it has a subtitle — so a page builds each kind once,
    and the summary page's helper process builds them before the run has scored
    (:mod:`benchmark.outputs.render_worker`)."""
    key = (lang, width, height, value_format, subtitle)
    template = _FUNNEL_TEMPLATES.get(key)
    if template is None:
        crit = _PlaceholderCriterion(value_format)
        row = {"entity_id": "", "entity_name": "", "group_label": "", "denominator": 1.0, "value": 0.0,
               "target": 0.0, "verdict": "", "selected": False, "lower95": 0.0, "upper95": 0.0, "lower998": 0.0,
               "upper998": 0.0}
        line = {"peer_group": "", "denominator": 1.0, "target": 0.0, "lower95": 0.0, "upper95": 0.0,
                "lower998": 0.0, "upper998": 0.0}
        f = FunnelFrames(pd.DataFrame([row]), pd.DataFrame([line]), _TITLE, [_SUBTITLE] if subtitle else [], crit,
                         "", y_title=_Y_TITLE)
        template = funnel_of(f, lang, width, height).to_dict(validate=False)
        _FUNNEL_TEMPLATES[key] = template
    return template


@dataclasses.dataclass(frozen=True)
class _PlaceholderCriterion:
    """What :func:`funnel_of` reads of a criterion, with its name left open."""

    value_format: str


def funnel_spec(scores: pd.DataFrame, criterion: str, peer_group: str | None = None, highlight: str | None = None,
                catalogue=None, lang: str = "nb", width: int = 520, height: int = 320,
                max_points: int = MAX_POINTS, period: str | None = None) -> dict:
    """``funnel_chart(...).to_dict(validate=False)`` without building it in altair each time.

    Why: altair builds a funnel's seven layers in 0,2 s of CPU whatever its rows — summary.html's
    three funnels were a quarter of the page's time. The spec depends on the data only through its
    two inline datasets and its texts (title, subtitle, the value axis's title), so it is
    :func:`funnel_template`'s with those filled in and the rows swapped in (named as altair names
    them: a hash of the rows). tests/charts checks the result against altair's own build."""
    f = funnel_frames(scores, criterion, peer_group, highlight, catalogue, lang, max_points, period)
    if f.empty is not None:
        return message_chart(f.empty, lang, width).to_dict(validate=False)
    template = funnel_template(lang, width, height, getattr(f.crit, "value_format", "number"), bool(f.subtitle))
    texts = {_TITLE: f.title, _SUBTITLE: f.subtitle[0] if f.subtitle else "", _Y_TITLE: f.y_title}
    points, lines = (alt.utils.data.to_values(x)["values"] for x in (f.points, f.lines))
    points_name = template["data"]["name"]  # the layer's own data: the points; the other dataset the lines
    names = {old: _dataset_name(points if old == points_name else lines) for old in template["datasets"]}
    spec = _renamed(template, names, texts)
    spec["datasets"] = {names[points_name]: points, _dataset_name(lines): lines}
    return spec


def _dataset_name(values: list) -> str:
    """The name altair gives an inline dataset (``api._dataset_name``): a hash of its rows."""
    import hashlib
    import json

    return "data-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _renamed(node, names: dict[str, str], texts: dict[str, str] | None = None):
    """``node`` with every ``{"name": old}`` data reference renamed and every placeholder text of
    ``texts`` filled in (the datasets left out)."""
    texts = texts or {}
    if isinstance(node, dict):
        return {k: (names.get(v, v) if k == "name" and isinstance(v, str) else _renamed(v, names, texts))
                for k, v in node.items() if k != "datasets"}
    if isinstance(node, list):
        return [_renamed(v, names, texts) for v in node]
    if isinstance(node, str):
        return texts.get(node, node)
    return node


def fmt_int(x, lang: str) -> str:
    from benchmark.explanation.numbers import number

    return number(x, 0, lang)


def unique_labels(frame: pd.DataFrame) -> pd.Series:
    """The entity's name as its row label, with the id added where two entities share a name, so
    every entity has a row of its own (12 ambulance stations with 6 names are 12 rows)."""
    full = frame["entity_name"].astype(str)
    # a cut name says it is cut (…); the tooltip has it whole
    names = full.where(full.str.len() <= 44, full.str.slice(0, 43).str.rstrip() + "…")
    dup = names.duplicated(keep=False)
    return names.where(~dup, names + " (" + frame["entity_id"].astype(str) + ")")


def long_group(d: pd.DataFrame, order: str, top: int, highlight, lang: str, what: str) -> tuple[pd.DataFrame, str | None]:
    """All rows when the group is short; else the ``top`` best, the ``top`` weakest and the picked
    one, with the sentence that says so (never a silent cut)."""
    n = len(d)
    if n <= 2 * top + 1:
        return d, None
    d = d.sort_values(order)
    keep = pd.concat([d.head(top), d.tail(top), d[d["entity_id"].astype(str) == str(highlight)]])
    keep = keep[~keep.index.duplicated()]
    picked = (d["entity_id"].astype(str) == str(highlight)).any()
    if lang == "nb":
        note = f"De {top} beste, de {top} svakeste{' og valgt enhet' if picked else ''} av {fmt_int(n, lang)} {what}"
    else:
        note = f"The {top} best, the {top} weakest{' and the picked entity' if picked else ''} of {fmt_int(n, lang)} {what}"
    return keep, note


def caterpillar_frame(ranking: pd.DataFrame, peer_group: str | None = None, highlight: str | None = None,
                      lang: str = "nb", top: int = 60) -> tuple[pd.DataFrame, str | None]:
    """The rows the rank chart draws (best first; the best, the weakest and the picked one of a
    long group) and the sentence that says which; empty when no entity has a score."""
    d = ranking.dropna(subset=["rank"]).copy()
    if peer_group:
        d = d[d["peer_group"] == peer_group]
    if d.empty:
        return d, None
    d = d.sort_values(["peer_group", "rank", "entity_id"])
    what = group_label(peer_group, lang) if peer_group else ("enheter" if lang == "nb" else "entities")
    d, note = long_group(d, "rank", top, highlight, lang, what)
    d["selected"] = d["entity_id"].astype(str) == str(highlight)
    d["label"] = unique_labels(d)
    d["order"] = np.arange(len(d))
    return d[["entity_id", "entity_name", "label", "order", "rank", "rank_low", "rank_high", "composite",
              "selected"]], note


def caterpillar_chart(ranking: pd.DataFrame, peer_group: str | None = None, highlight: str | None = None,
                      lang: str = "nb", top: int = 60, width: int = 520) -> alt.Chart:
    """Ranks with their intervals (one row per entity), best at the top."""
    d, note = caterpillar_frame(ranking, peer_group, highlight, lang, top)
    if d.empty:
        return message_chart("Ingen enheter har en samlet score her." if lang == "nb"
                             else "No entity has an overall score here.", lang, width)
    return caterpillar_of(d, note, lang, width)


def caterpillar_of(d: pd.DataFrame, note: str | None, lang: str = "nb", width: int = 520) -> alt.Chart:
    """The rank chart of the rows of :func:`caterpillar_frame`."""
    w = WORDS[lang]
    # labelLimit 0 (none): the labels are cut to 44 characters with "…" already (unique_labels), and
    # vega's measuring of every label against a limit is half of vl-convert's time for a 121-row chart
    y = alt.Y("label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=0))
    rule = alt.Chart(d).mark_rule(color="#9aa3ad", strokeWidth=3).encode(
        x=alt.X("rank_low:Q", title=w["rank"], axis=alt.Axis(format="d", tickMinStep=1)), x2="rank_high:Q", y=y)
    tips = [alt.Tooltip("entity_name:N", title=w["entity"]), alt.Tooltip("entity_id:N", title=w["id"]),
            alt.Tooltip("rank:Q", title=w["rank"], format="d"), alt.Tooltip("rank_low:Q", title=w["rank_low"], format="d"),
            alt.Tooltip("rank_high:Q", title=w["rank_high"], format="d"),
            alt.Tooltip("composite:Q", title=w["composite"], format=".2f")]
    dots = alt.Chart(d).mark_circle(size=55).encode(
        x="rank:Q", y=y, color=alt.condition(alt.datum.selected, alt.value(HIGHLIGHT), alt.value("#38424d")),
        tooltip=tips)
    chart = (rule + dots).properties(width=width, height=max(120, 14 * len(d)))
    if note:
        chart = chart.properties(title=alt.Title(note, anchor="start", fontSize=12, fontWeight="normal"))
    return finish(chart, lang)


_CATERPILLAR_TEMPLATES: dict[tuple, dict] = {}


def caterpillar_spec(d: pd.DataFrame, note: str | None, lang: str = "nb", width: int = 520) -> dict:
    """``caterpillar_of(d, note, lang, width).to_dict(validate=False)``, without altair's cost each time.

    Why: a page of many rank charts (summary.html has one per peer group, eight nationally) spent
    70 ms per chart in altair building the same spec around other rows. The spec depends on the
    rows only through its inline dataset, its height (14 px a row) and the sentence in its title;
    so altair builds it once per (language, width, with or without a sentence) and each chart
    swaps those three. tests/charts checks the result against altair's own build.
    """
    import copy
    import hashlib
    import json

    key = (lang, width, note is not None)
    template = _CATERPILLAR_TEMPLATES.get(key)
    if template is None:
        template = caterpillar_of(d, note, lang, width).to_dict(validate=False)
        _CATERPILLAR_TEMPLATES[key] = template
    spec = copy.deepcopy({k: v for k, v in template.items() if k != "datasets"})
    values = alt.utils.data.to_values(d)["values"]
    # the dataset's name as altair gives it (api._dataset_name): a hash of the rows
    name = "data-" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:32]
    spec["datasets"] = {name: values}
    spec["data"] = {"name": name}
    spec["height"] = max(120, 14 * len(d))
    if note is not None:
        spec["title"]["text"] = note
    return spec


def caterpillar_template(lang: str = "nb", width: int = 520, note: bool = False) -> dict:
    """Build (and keep) the template :func:`caterpillar_spec` swaps rows into, from a placeholder
    row: what a page's helper process does before the run has scored."""
    row = pd.DataFrame([{"entity_id": "", "entity_name": "", "label": "", "order": 0, "rank": 1.0,
                         "rank_low": 1.0, "rank_high": 1.0, "composite": 0.0, "selected": False}])
    return caterpillar_spec(row, "§note§" if note else None, lang, width)


def potential_chart(ranking: pd.DataFrame, highlight: str | None = None, lang: str = "nb", top: int = 15,
                    width: int = 480) -> alt.Chart:
    """The largest improvement potentials: the one potential of SPEC §5 — the total in kNOK a year
    (staffing in årsverk at the entity's pay cost plus other costs) — with its interval; the
    tooltip shows the two parts. The picked entity is added when it is not among them."""
    w = WORDS[lang]
    r = ranking.dropna(subset=["potential_total_knok"])
    r = r[r["potential_total_knok"] > 0]
    if r.empty:
        return message_chart("Ingen enheter har beregnet forbedringspotensial." if lang == "nb"
                             else "No entity has a computed improvement potential.", lang, width)
    d = r.sort_values("potential_rank").head(top)
    extra = r[(r["entity_id"].astype(str) == str(highlight)) & ~r["entity_id"].isin(d["entity_id"])]
    d = pd.concat([d, extra]).copy()
    d["label"] = unique_labels(d)
    d["selected"] = d["entity_id"].astype(str) == str(highlight)
    d["order"] = np.arange(len(d))
    pay_part = d["potential_total_knok"] - d["potential_knok"]
    fte_share = lambda col: (d[col] / d["potential_fte"].where(d["potential_fte"] > 0)).fillna(0)  # noqa: E731
    d["low"] = d["potential_knok_low"] + pay_part * fte_share("potential_fte_low")
    d["high"] = d["potential_knok_high"] + pay_part * fte_share("potential_fte_high")
    d = d[["entity_id", "entity_name", "label", "order", "potential_total_knok", "potential_fte", "potential_knok",
           "low", "high", "selected"]]
    y = alt.Y("label:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=0))  # cut already
    bars = alt.Chart(d).mark_bar().encode(
        # at most ~6 ticks: "9 000" and "10 000" ran together at 480 px
        x=alt.X("potential_total_knok:Q", title=w["total"], axis=alt.Axis(format=",.0f", tickCount=5,
                                                                          labelOverlap=True)), y=y,
        color=alt.condition(alt.datum.selected, alt.value(HIGHLIGHT), alt.value("#8e9fd1")),
        tooltip=[alt.Tooltip("entity_name:N", title=w["entity"]), alt.Tooltip("entity_id:N", title=w["id"]),
                 alt.Tooltip("potential_total_knok:Q", title=w["total"], format=",.0f"),
                 alt.Tooltip("potential_fte:Q", title=w["staff"], format=",.1f"),
                 alt.Tooltip("potential_knok:Q", title=w["other"], format=",.0f")])
    err = alt.Chart(d).mark_rule(color="#333").encode(x="low:Q", x2="high:Q", y=y)
    n = len(r)
    note = (f"De {min(top, n)} største av {fmt_int(n, lang)} med potensial" if lang == "nb"
            else f"The {min(top, n)} largest of {fmt_int(n, lang)} with a potential")
    if len(extra):
        note += " og valgt enhet" if lang == "nb" else " and the picked entity"
    return finish((bars + err).properties(width=width, height=max(120, 18 * len(d)),
                                          title=alt.Title(note, anchor="start", fontSize=12, fontWeight="normal")), lang)


def contribution_chart(scores: pd.DataFrame, entity_id: str, catalogue=None, lang: str = "nb",
                       width: int = 480) -> alt.Chart:
    """Diverging bars: each criterion's contribution to the entity's composite score."""
    w = WORDS[lang]
    d = scores[(scores["entity_id"].astype(str) == str(entity_id)) & scores["contribution"].notna()].copy()
    if "masked" in d:
        d = d[~d["masked"].fillna(False).astype(bool)]
    if d.empty:
        return message_chart("Ingen kriterier er beregnet for enheten i perioden." if lang == "nb"
                             else "No criterion is computed for the entity in the period.", lang, width)
    d["name"] = [_criterion_name(catalogue, c, lang) for c in d["criterion"]]
    d["side"] = np.where(d["contribution"] >= 0, "opp" if lang == "nb" else "up", "ned" if lang == "nb" else "down")
    d = d[["name", "contribution", "side"]]
    return finish(alt.Chart(d).mark_bar().encode(
        x=alt.X("contribution:Q", title=w["contribution"], axis=alt.Axis(format=".2f")),
        y=alt.Y("name:N", sort=alt.SortField("contribution", order="descending"), title=None),
        color=alt.Color("side:N", scale=alt.Scale(domain=["opp", "ned", "up", "down"],
                                                  range=["#2d3f8f", "#b35806", "#2d3f8f", "#b35806"]), legend=None),
        tooltip=[alt.Tooltip("name:N", title=w["criterion"]),
                 alt.Tooltip("contribution:Q", title=w["contribution"], format=".2f")],
    ).properties(width=width, height=max(100, 26 * len(d))), lang)


def trend_chart(monthly: pd.DataFrame, trend: pd.DataFrame, entity_id: str, catalogue=None, lang: str = "nb",
                width: int = 220, height: int = 90) -> alt.Chart:
    """Monthly series per criterion with its mean line, one small chart per criterion."""
    w = WORDS[lang]
    d = monthly[(monthly["entity_id"].astype(str) == str(entity_id))].dropna(subset=["value"]).copy()
    if d.empty:
        return message_chart("Ingen månedstall for enheten." if lang == "nb" else "No monthly figures for the entity.",
                             lang, width)
    charts = []
    for cid, part in d.groupby("criterion", sort=False):  # one small chart per criterion (≤ 10)
        crit = _criterion(catalogue, cid)
        axis_fmt, tip_fmt = value_axis_format(crit)
        part = part.assign(date=pd.to_datetime(part["month"].astype(str) + "-01"))[["date", "month", "value"]]
        line = alt.Chart(part).mark_line(point=True, color="#38424d").encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=-45, tickCount=6)),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=axis_fmt)),
            tooltip=[alt.Tooltip("month:N", title=w["month"]), alt.Tooltip("value:Q", title=w["value"], format=tip_fmt)])
        mean = alt.Chart(part).mark_rule(color=HIGHLIGHT, strokeDash=[3, 3]).encode(y="mean(value):Q")
        charts.append((line + mean).properties(width=width, height=height,
                                               title=_criterion_name(catalogue, cid, lang)))
    rows = [alt.hconcat(*charts[i:i + 3]) for i in range(0, len(charts), 3)]
    return finish(alt.vconcat(*rows), lang)


def measures_chart(divisions: pd.DataFrame, lang: str = "nb", width: int = 560) -> alt.Chart:
    """Per division: planned → risk-adjusted → realised to date, against the remaining challenge."""
    w = WORDS[lang]
    cols = (("planned", "effect_planned"), ("risk_adjusted", "effect_risk_adjusted"),
            ("realised", "effect_realised"), ("challenge", "remaining_challenge"))
    long = divisions.melt(id_vars=["division"], value_vars=[c for _, c in cols], var_name="col", value_name="amount")
    long["what"] = long["col"].map({c: w[k] for k, c in cols})
    d = long[long["amount"].notna() & ~((long["col"] == "remaining_challenge") & (long["amount"] <= 0))]
    d = d[["division", "what", "amount"]].astype({"amount": float})
    if d.empty:
        return message_chart("Ingen tiltak i datagrunnlaget." if lang == "nb" else "No measures in the data.", lang, width)
    order = [w["planned"], w["risk_adjusted"], w["realised"], w["challenge"]]
    return finish(alt.Chart(d).mark_bar().encode(
        y=alt.Y("what:N", sort=order, title=None),
        x=alt.X("amount:Q", title=w["amount"], axis=alt.Axis(format=",.0f", tickCount=6, labelOverlap=True)),
        color=alt.Color("what:N", sort=order, scale=alt.Scale(domain=order, range=["#b8bcc2", "#8e9fd1", "#2d3f8f", "#f1a340"]),
                        title=None),
        row=alt.Row("division:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
        tooltip=[alt.Tooltip("division:N", title=w["division"]), alt.Tooltip("what:N", title=w["group"]),
                 alt.Tooltip("amount:Q", title=w["amount"], format=",.0f")],
    ).properties(width=width, height=60), lang)


def to_svg(chart: alt.TopLevelMixin, validate: bool = True) -> str:
    """The chart as inline SVG (offline, via vl-convert): for self-contained HTML files and PDFs.
    ``validate=False`` skips altair's JSON-schema check (the builders' specs are checked by tests)."""
    return svg_of(chart.to_dict(validate=validate))


def svg_of(spec: dict) -> str:
    """A Vega-Lite spec as inline SVG: the one place every static page draws its charts.

    Without the XML declaration (the SVG goes inside HTML), and without vega's ARIA label on every
    mark item: in a static picture those labels repeat each point's raw fields in English
    ("lower95: 4,11572852116; peer_group: inpatient:somatic"), which a screen reader would read
    out point by point, and building them was a third of vl-convert's time for a funnel of 800
    points. The axes, legends and titles keep their descriptions; the page's text says the rest.
    """
    import vl_convert as vlc

    config = dict(spec.get("config") or {})
    config["mark"] = {**config.get("mark", {}), "aria": False}
    svg = vlc.vegalite_to_svg({**spec, "config": config})
    return svg[svg.find("<svg"):]
