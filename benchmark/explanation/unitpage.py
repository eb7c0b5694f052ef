"""The unit page's pieces (notebooks/unit.py): computed once per process, shared by the sessions.

Every function here is a pure function of (result, entity, language) and is cached by
:mod:`benchmark.explanation.shared` (keyed by the identity of the result, so a leader's masked
view and an analyst's unmasked one never share an entry). What a session gets is text: HTML, or
Vega-Lite JSON shown through marimo's ``_mime_`` protocol — no altair object per session.

The trend chart was the heavy part (about 1 s of Python per render: altair deep-copies every
layered panel when it concatenates eight of them). Its panels are now stamped from a template
that altair builds once per criterion and language — so the encodings, titles and locale are
altair's own — with the unit's months filled in; ``tests/explanation/test_unitpage.py`` checks
that the spec equals ``charts.trend_chart(...).to_dict()`` with the datasets inlined.
"""

from __future__ import annotations

import functools
import html
import json
import math

import numpy as np
import pandas as pd

from benchmark.explanation.numbers import Lang
from benchmark.explanation.shared import entity_rows, shared


class VegaLite:
    """A Vega-Lite spec (JSON text) that marimo renders as a chart (its ``_mime_`` protocol)."""

    def __init__(self, spec_json: str) -> None:
        self.spec_json = spec_json

    def _mime_(self) -> tuple[str, str]:
        return _mimetype(), self.spec_json


@functools.cache
def _mimetype() -> str:
    import altair as alt

    major = str(getattr(alt, "SCHEMA_VERSION", "v6")).split(".")[0]
    return f"application/vnd.vegalite.{major}+json"


# ---- rows of one entity ----------------------------------------------------------------------

def entity_name(res, entity_id: str) -> str:
    row = entity_rows(res, "ranking", entity_id)
    return str(row["entity_name"].iloc[0]) if len(row) else str(entity_id)


# ---- text ---------------------------------------------------------------------------------------

def explanation_html(res, entity_id: str, lang: Lang = "nb") -> str:
    """The heading, the explanation and the package link as HTML (computed once per unit)."""

    def build() -> str:
        import marimo as mo

        from benchmark.views import explanation_markdown, package_link

        parts = [f"## {entity_name(res, entity_id)}", explanation_markdown(res, entity_id, lang),
                 package_link(res, entity_id, lang)]
        return mo.md("\n\n".join(p for p in parts if p)).text

    return shared(res, ("explanation", str(entity_id), lang), build)


def table_html(frame: pd.DataFrame, formats: dict | None = None) -> str:
    """A small static table (a few rows: no paging, sorting or selection needed) as HTML."""
    formats = formats or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, x in zip(frame.columns, row, strict=True):
            text = formats[col](x) if col in formats else ("–" if x is None or (isinstance(x, float) and math.isnan(x))
                                                           else str(x))
            align = ' style="text-align:right"' if col in formats else ""
            cells.append(f"<td{align}>{html.escape(str(text))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return ('<table class="benchmark-table" style="border-collapse:collapse;font-size:0.9rem">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            "<style>.benchmark-table th,.benchmark-table td{padding:3px 10px;border-bottom:1px solid #ddd;"
            "text-align:left;vertical-align:top}</style>")


def scores_table(res, entity_id: str, lang: Lang = "nb") -> tuple[pd.DataFrame, dict]:
    """``views.unit_scores_table`` built column-wise (one verdict call for all criteria, not a
    pandas Series per row); ``tests/explanation/test_unitpage.py`` checks the two are equal."""
    from benchmark import views
    from benchmark.charts import VERDICT_LABELS, verdict
    from benchmark.explanation import numbers as fmt

    s = entity_rows(res, "scores", entity_id).reset_index(drop=True)
    crits = [res.catalogue.get(c) for c in s["criterion"]]
    hidden = (s["masked"].fillna(False).astype(bool) if "masked" in s else pd.Series(False, index=s.index)).tolist()
    mask_text = views._mask_text(lang, res)
    words = verdict(s["flag"], pd.Series([c.direction for c in crits], index=s.index, dtype=object))
    scored = s["scored"].astype(bool).tolist()
    verdicts = [VERDICT_LABELS[lang][w] if ok else views.FLAG_WORDS[""][lang] for w, ok in zip(words, scored, strict=True)]

    def shown(col: str, mask: bool) -> list:
        return [mask_text if (mask and m) else fmt.value(x, c.value_format, lang)
                for x, c, m in zip(s[col].tolist(), crits, hidden, strict=True)]

    frame = pd.DataFrame({
        views.h("criterion", lang): [c.name[lang] for c in crits],
        views.h("value", lang): shown("value", True),
        views.h("target", lang): shown("target", False),
        views.h("shrunk", lang): shown("shrunk", True),
        ("Mot målet" if lang == "nb" else "Against the target"): [mask_text if m else w for w, m in zip(verdicts, hidden, strict=True)],
        ("Bidrag til score" if lang == "nb" else "Contribution to the score"):
            [None if m else x for x, m in zip(s["contribution"].tolist(), hidden, strict=True)],
    }) if len(s) else pd.DataFrame()
    return frame, {c: views.formatter("number", lang, 2) for c in frame.columns[-1:]}


def scores_html(res, entity_id: str, lang: Lang = "nb") -> str:
    """The unit's criteria table (value, target, verdict, contribution; masked cells as the mask text)."""
    return shared(res, ("scores", str(entity_id), lang), lambda: table_html(*scores_table(res, entity_id, lang)))


def measures_html(res, entity_id: str, lang: Lang = "nb") -> tuple[str, str]:
    """(heading, table or a sentence) for the measures of the unit's division that the result holds."""

    def build() -> tuple[str, str]:
        from benchmark import views

        row = entity_rows(res, "ranking", entity_id)
        division = str(row["division"].iloc[0]) if len(row) and "division" in row else ""
        head = f"## {'Tiltak i' if lang == 'nb' else 'Measures in'} {division}"
        m = res.measures
        rows = m[m["division"].astype(str) == division] if m is not None and not m.empty and "division" in m else None
        if rows is None or rows.empty:
            return head, ("<p>Ingen tiltak du har tilgang til i datagrunnlaget.</p>" if lang == "nb"
                          else "<p>No measures you have access to in the data.</p>")
        return head, table_html(views.measures_view(rows, lang))

    return shared(res, ("measures", str(entity_id), lang), build)


# ---- charts -------------------------------------------------------------------------------------

def contribution_json(res, entity_id: str, lang: Lang = "nb") -> str:
    """The contribution chart (charts.contribution_chart) as Vega-Lite JSON, once per unit."""

    def build() -> str:
        from benchmark import charts

        return charts.contribution_chart(entity_rows(res, "scores", entity_id), entity_id,
                                         catalogue=res.catalogue, lang=lang).to_json(validate=False)

    return shared(res, ("contribution", str(entity_id), lang), build)


def trend_json(res, entity_id: str, lang: Lang = "nb") -> str:
    """The trend chart as Vega-Lite JSON, once per unit (see :func:`trend_spec`)."""
    return shared(res, ("trend", str(entity_id), lang),
                  lambda: json.dumps(trend_spec(res, entity_id, lang), ensure_ascii=False, allow_nan=False))


def trend_spec(res, entity_id: str, lang: Lang = "nb", width: int = 220, height: int = 90) -> dict:
    """``charts.trend_chart(res.monthly, res.trend, entity_id, …).to_dict()`` with the data inline,
    built without altair per unit: each panel is the template of its criterion with the unit's
    months as its values, three panels a row."""
    from benchmark import charts

    d = entity_rows(res, "monthly", entity_id)
    d = d[d["value"].notna()] if len(d) else d
    if d.empty:
        return charts.trend_chart(d, res.trend, entity_id, catalogue=res.catalogue, lang=lang,
                                  width=width, height=height).to_dict()
    panels = []
    for cid, part in d.groupby("criterion", sort=False):
        crit = charts._criterion(res.catalogue, cid)
        axis_fmt, tip_fmt = charts.value_axis_format(crit)
        layer, config, schema = _trend_template(axis_fmt, tip_fmt, lang, width, height)
        month = part["month"].astype(str).to_numpy()
        value = part["value"].to_numpy(dtype=float)
        values = [{"date": f"{m}-01T00:00:00", "month": m, "value": (float(v) if np.isfinite(v) else None)}
                  for m, v in zip(month, value, strict=True)]
        panels.append({"layer": json.loads(layer), "data": {"values": values}, "height": height,
                       "title": charts._criterion_name(res.catalogue, cid, lang), "width": width})
    rows = [{"hconcat": panels[i:i + 3]} for i in range(0, len(panels), 3)]
    return {"config": json.loads(config), "vconcat": rows, "$schema": schema}


@functools.lru_cache(maxsize=64)
def _trend_template(axis_fmt: str, tip_fmt: str, lang: str, width: int, height: int) -> tuple[str, str, str]:
    """(panel layers, config, $schema) as altair writes them for a one-panel trend chart (JSON text,
    so every use gets its own copy)."""
    from benchmark import charts

    kind = {".1~%": "percent", ".2f": "index"}.get(axis_fmt, "number")

    class _Crit:  # the two attributes trend_chart reads of a criterion
        value_format = kind
        name = {"nb": "T", "en": "T"}

    class _Cat:
        def get(self, _cid):
            return _Crit()

    probe = pd.DataFrame({"entity_id": ["x"], "criterion": ["c"], "month": ["2025-01"], "value": [1.0]})
    spec = charts.trend_chart(probe, None, "x", catalogue=_Cat(), lang=lang, width=width, height=height).to_dict()
    panel = spec["vconcat"][0]["hconcat"][0]
    assert charts.value_axis_format(_Crit()) == (axis_fmt, tip_fmt)
    return json.dumps(panel["layer"]), json.dumps(spec["config"]), spec["$schema"]
