"""The package's charts: altair specs rendered to inline SVG with vl-convert (offline).

The Norwegian number and time locale is put in the spec itself (Vega-Lite's top-level
``config.locale``, STACK.md), so axes read ``14 000``, ``0,95`` and ``sep. 25`` in bokmål; English
packages get the English locale. Colours follow the project's scheme: the clinic's units in a strong
blue, peers grey, limits as dark/grey lines, no red/green value judgement. Every unit of the peer
groups is drawn in the funnel (a few hundred at most), so none is hidden.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from benchmark.charts import locale as _locale
from benchmark.pack.words import WEEKDAYS, w

BLUE = "#1f4e9c"
ORANGE = "#b35806"
GREY = "#9aa3ad"
DARK = "#3a3a3a"

LOCALE = {lang: _locale(lang) for lang in ("nb", "en")}  # the package's one chart locale (benchmark/charts.py)


def spec(chart: alt.TopLevelMixin, lang: str) -> dict:
    """The chart's Vega-Lite spec with the locale of ``lang`` in ``config.locale``."""
    out = chart.to_dict()
    out.setdefault("config", {})["locale"] = LOCALE["en" if lang == "en" else "nb"]
    out["config"].setdefault("font", "DejaVu Sans")
    return out


def to_svg(chart: alt.TopLevelMixin, lang: str) -> str:
    from benchmark.charts import svg_of

    return svg_of(spec(chart, lang))


def _months(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["month"] + "-01")


def index_chart(frame: pd.DataFrame, lang: str, width: int = 300, height: int = 130) -> str | None:
    """The care level's monthly activity per FTE against the peers' median (1,00)."""
    d = pd.DataFrame({"date": _months(frame), "index": frame["index"]}).dropna()
    if d.empty:
        return None
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0, tickCount={"interval": "month", "step": 6}, labelFontSize=8))
    line = alt.Chart(d).mark_line(point=alt.OverlayMarkDef(size=14), color=BLUE).encode(
        x=x, y=alt.Y("index:Q", title=w("index", lang), scale=alt.Scale(zero=False),
                     axis=alt.Axis(format=".2f", labelFontSize=8, titleFontSize=8)))
    rule = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color=DARK, strokeDash=[4, 3]).encode(y="y:Q")
    return to_svg((rule + line).properties(width=width, height=height), lang)


def activity_fte_chart(frame: pd.DataFrame, activity: str, lang: str, width: int = 300, height: int = 130) -> str | None:
    """Activity and FTE each as an index of its own mean (= 100), to show whether they move together."""
    cols = [c for c in ("activity", "fte_worked") if c in frame and frame[c].notna().any()]
    if not cols:
        return None
    names = {"activity": f"{w('activity', lang)} ({activity})" if activity else w("activity", lang),
             "fte_worked": w("fte_worked", lang)}
    long = []
    for c in cols:  # two series
        v = frame[c].astype(float)
        long.append(pd.DataFrame({"date": _months(frame), "series": names[c], "value": 100 * v / v.mean()}))
    d = pd.concat(long).dropna()
    chart = alt.Chart(d).mark_line(point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0, tickCount={"interval": "month", "step": 6}, labelFontSize=8)),
        y=alt.Y("value:Q", title="100 = snitt" if lang == "nb" else "100 = mean", scale=alt.Scale(zero=False),
                axis=alt.Axis(format=".0f", labelFontSize=8, titleFontSize=8)),
        color=alt.Color("series:N", scale=alt.Scale(domain=[names[c] for c in cols], range=[BLUE, ORANGE][:len(cols)]),
                        legend=alt.Legend(title=None, orient="bottom", labelFontSize=8, labelLimit=260)),
    ).properties(width=width, height=height)
    return to_svg(chart, lang)


def funnel_chart(funnel: pd.DataFrame, lang: str, width: int = 330, height: int = 190) -> str | None:
    """Activity per FTE in the period against size (FTE-months), with each group's 95 % and 99,8 %
    limits; the clinic's units blue and labelled, peers grey."""
    d = funnel.dropna(subset=["value", "denominator"]).copy()
    if d.empty:
        return None
    d["who"] = np.where(d["mine"], "mine", "peer")
    limits = []
    for col, dash in (("lower95", "95"), ("upper95", "95"), ("lower998", "99.8"), ("upper998", "99.8")):
        part = d[["peer_group", "denominator", col]].rename(columns={col: "limit"}).dropna()
        part["line"] = f"{col}"
        part["kind"] = dash
        limits.append(part)
    lim = pd.concat(limits).sort_values("denominator")
    x = alt.X("denominator:Q", title="Årsverk-måneder i perioden" if lang == "nb" else "FTE-months in the period",
              scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(labelFontSize=8, titleFontSize=8, format="~s"))
    y_title = w("value", lang)
    lines = alt.Chart(lim).mark_line(strokeWidth=1).encode(
        x=x, y=alt.Y("limit:Q", title=y_title, scale=alt.Scale(zero=False),
                     axis=alt.Axis(labelFontSize=8, titleFontSize=8, format=",.1f")),
        detail=alt.Detail("line:N"), strokeDash=alt.StrokeDash("peer_group:N", legend=None),
        color=alt.Color("kind:N", scale=alt.Scale(domain=["95", "99.8"], range=[GREY, DARK]), legend=None))
    peers = alt.Chart(d[~d["mine"]]).mark_circle(color="#c3c9d0", size=16, opacity=0.9).encode(x=x, y="value:Q")
    mine = d[d["mine"]].assign(short=lambda f: f["entity_name"].astype(str)
                               .str.replace(r"\s*\(.*\)$", "", regex=True).str.slice(0, 28))
    dots = alt.Chart(mine).mark_circle(color=BLUE, size=40, opacity=0.95).encode(
        x=x, y="value:Q", tooltip=[alt.Tooltip("entity_name:N"), alt.Tooltip("value:Q", format=",.2f")])
    # names only where they can be read: every unit when the clinic has few, else those outside 95 %
    named = mine if len(mine) <= 6 else mine[~mine["flag"].astype(str).isin(["within", ""])]
    labels = alt.Chart(named).mark_text(align="left", dx=5, fontSize=7, color=BLUE).encode(
        x=x, y="value:Q", text="short:N")
    dots = peers + dots
    return to_svg((lines + dots + labels).properties(width=width, height=height), lang)


def weekday_chart(table_rows: pd.DataFrame, lang: str, width: int = 260, height: int = 110) -> str | None:
    """Mean census and staffed beds by weekday."""
    if table_rows is None or table_rows.empty:
        return None
    names = {"census": w("census", lang), "beds_open": w("beds_open", lang)}
    long = [pd.DataFrame({"weekday": list(WEEKDAYS[lang]), "series": names[c], "value": table_rows[c].astype(float)})
            for c in names if c in table_rows and table_rows[c].notna().any()]
    if not long:
        return None
    d = pd.concat(long)
    chart = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("weekday:N", sort=list(WEEKDAYS[lang]), title=None, axis=alt.Axis(labelAngle=0, labelFontSize=8)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(labelFontSize=8, format=",.0f")),
        color=alt.Color("series:N", scale=alt.Scale(range=[BLUE, ORANGE]),
                        legend=alt.Legend(title=None, orient="bottom", labelFontSize=8)),
    ).properties(width=width, height=height)
    return to_svg(chart, lang)
