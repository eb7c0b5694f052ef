"""The ward chart of the bed draft: history, forecast band, recommended beds per week, beds today.

One altair chart per ward, shared by ``beds.html`` (as inline SVG through vl-convert) and the
notebook. The Norwegian number and time locale sits in the Vega-Lite spec itself
(``config.locale``), so marimo, vl-convert and a plain browser all show "14 000", "7,2 %" and
Norwegian month names. Weekly points only (about 260 a ward), so the SVG stays small.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from benchmark.charts import locale as _locale

LOCALE = {lang: _locale(lang) for lang in ("nb", "en")}  # the package's one chart locale (benchmark/charts.py)
WORDS = {
    "nb": {"history": "Belegg, ukesnitt", "history_max": "Belegg, ukens høyeste", "band": "Prognose, 5–95 %",
           "forecast": "Prognose, snitt", "beds": "Anbefalte senger", "current": "Senger i dag",
           "y": "Pasienter / senger", "x": "Uke", "series": "Linje"},
    "en": {"history": "Census, weekly mean", "history_max": "Census, weekly maximum", "band": "Forecast, 5–95 %",
           "forecast": "Forecast, mean", "beds": "Recommended beds", "current": "Beds today",
           "y": "Patients / beds", "x": "Week", "series": "Line"},
}
HISTORY_WEEKS = 104


def ward_frames(bd, unit_id: str) -> dict[str, pd.DataFrame]:
    """The chart's data for one ward (weekly): history, forecast band, plan."""
    hist = bd.history_weekly[bd.history_weekly["unit_id"] == unit_id].tail(HISTORY_WEEKS)
    fc = bd.forecast[bd.forecast["unit_id"] == unit_id]
    start = pd.to_datetime(fc["date"]) - pd.to_timedelta(pd.to_datetime(fc["date"]).dt.day_of_week, unit="D")
    band = fc.assign(week_start=start).groupby("week_start")[["p05", "p95", "mean"]].mean().reset_index()
    plan = bd.ward(unit_id)
    weeks = fc.assign(week_start=start).drop_duplicates("week")[["week", "week_start"]]
    plan = plan.merge(weeks, on="week", how="left")
    return {"history": hist, "band": band, "plan": plan}


def ward_chart(bd, unit_id: str, lang: str = "nb", width: int = 640, height: int = 220) -> alt.LayerChart:
    """History (weekly mean and max), forecast band and mean, recommended step line, beds today."""
    w = WORDS[lang]
    d = ward_frames(bd, unit_id)
    x = alt.X("week_start:T", title=w["x"], axis=alt.Axis(format="%b %Y"))
    colour = alt.Color("series:N", title=w["series"], scale=alt.Scale(
        domain=[w["history"], w["history_max"], w["forecast"], w["beds"], w["current"]],
        range=["#4c566a", "#a3acbd", "#5e81ac", "#bf616a", "#2e3440"]))
    hist = d["history"].melt(id_vars=["week_start"], value_vars=["census_mean", "census_max"], var_name="k")
    hist["series"] = hist["k"].map({"census_mean": w["history"], "census_max": w["history_max"]})
    tooltip_num = alt.Tooltip("value:Q", format=",.1f", title=w["y"])
    layers = [
        alt.Chart(d["band"]).mark_area(opacity=0.25, color="#5e81ac").encode(
            x=x, y=alt.Y("p05:Q", title=w["y"], axis=alt.Axis(format=",d")), y2="p95:Q",
            tooltip=[alt.Tooltip("week_start:T", format="%d.%m.%Y", title=w["x"]),
                     alt.Tooltip("p05:Q", format=",.1f"), alt.Tooltip("p95:Q", format=",.1f")]),
        alt.Chart(hist).mark_line(strokeWidth=1.2).encode(x=x, y="value:Q", color=colour,
                                                          tooltip=[alt.Tooltip("week_start:T", format="%d.%m.%Y"),
                                                                   tooltip_num]),
        alt.Chart(d["band"].assign(series=w["forecast"])).mark_line(strokeWidth=1.2).encode(
            x=x, y="mean:Q", color=colour),
        alt.Chart(d["plan"].assign(series=w["beds"])).mark_line(interpolate="step-after", strokeWidth=2).encode(
            x=x, y="beds_recommended:Q", color=colour,
            tooltip=[alt.Tooltip("week:N", title=w["x"]), alt.Tooltip("beds_recommended:Q", format=",d", title=w["beds"]),
                     alt.Tooltip("census_mean:Q", format=",.1f", title=w["forecast"])]),
    ]
    current = d["plan"]["beds_current"].dropna()
    if len(current):
        all_weeks = pd.concat([d["history"]["week_start"], d["plan"]["week_start"]])
        line = pd.DataFrame({"week_start": [all_weeks.min(), all_weeks.max()], "value": float(current.iloc[-1]),
                             "series": w["current"]})
        layers.append(alt.Chart(line).mark_line(strokeDash=[5, 4], strokeWidth=1.2).encode(
            x=x, y="value:Q", color=colour))
    chart = alt.layer(*layers).properties(width=width, height=height)
    return chart.configure(locale=LOCALE[lang]).configure_legend(orient="bottom")


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Inline SVG (offline, through vl-convert), without the XML declaration."""
    from benchmark.charts import to_svg as svg

    return svg(chart)
