"""The waterfall chart (altair), with the Norwegian number locale inside the spec (STACK.md).

The locale is put in the vega-lite spec's ``config.locale`` so that marimo, vl-convert and a plain
browser all format 14 000 and 7,2 % the Norwegian way.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from benchmark.charts import locale as _locale
from benchmark.plan.waterfall import STEP_NAMES

# the one Norwegian/English chart locale of the package (benchmark/charts.py)
LOCALE_NB, LOCALE_EN = _locale("nb"), _locale("en")
COLOURS = {"total": "#4c6a8a", "cost": "#9bb3c9", "gap": "#c0504d", "measures": "#6a9f58"}


def waterfall_chart(steps: pd.DataFrame, title: str = "", lang: str = "nb", width: int = 560,
                    height: int = 260) -> alt.Chart:
    """Bars from ``start`` to ``end`` per step; a gap above the frame is red, measures green."""
    d = steps.dropna(subset=["start", "end"]).copy()
    d["low"] = d[["start", "end"]].min(axis=1)
    d["high"] = d[["start", "end"]].max(axis=1)
    order = [STEP_NAMES[lang][s] for s in steps["step"]]
    kind_names = {"nb": {"total": "ramme / uløst", "cost": "plankostnad", "gap": "gap", "measures": "tiltak"},
                  "en": {"total": "frame / unresolved", "cost": "plan cost", "gap": "gap", "measures": "measures"}}[lang]
    d["kind_label"] = d["kind"].map(kind_names)
    value_title = "kNOK"
    chart = alt.Chart(d, width=width, height=height).mark_bar().encode(
        x=alt.X("label:N", sort=order, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=160)),
        y=alt.Y("low:Q", title=value_title, axis=alt.Axis(format=",.0f")),
        y2="high:Q",
        color=alt.Color("kind_label:N", title=None,
                        scale=alt.Scale(domain=list(kind_names.values()),
                                        range=[COLOURS[k] for k in kind_names]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("label:N", title="Steg" if lang == "nb" else "Step"),
                 alt.Tooltip("value:Q", title="kNOK", format=",.0f")],
    )
    d["mid"] = (d["low"] + d["high"]) / 2
    labels = alt.Chart(d).mark_text(baseline="bottom", dy=-2, fontSize=10).encode(
        x=alt.X("label:N", sort=order), y="high:Q", text=alt.Text("value:Q", format=",.0f"))
    return alt.layer(chart, labels, title=title).configure(locale=LOCALE_NB if lang == "nb" else LOCALE_EN)


def to_svg(chart: alt.TopLevelMixin) -> str:
    from benchmark.charts import to_svg as svg

    return svg(chart)
