"""Every chart the package builds carries the nb-NO locale and names its tooltips in words.

The builders are found by name (every ``*_chart`` function of :mod:`benchmark.charts`), so a new
chart cannot skip the check; each spec is walked for ``config.locale`` and for tooltips whose
title is missing or is the raw field name (``potential_total_knok``, ``rank_low`` …).
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import benchmark as bm
from benchmark import charts

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def res():
    return bm.score(bm.load_dataset(ROOT / "fixtures" / "demo"), bm.load_criteria(), period="2025Q3", seed=1)


def _builders(res, lang):
    unit = res.ranking.dropna(subset=["rank"])["entity_id"].iloc[5]
    divisions = res.measures[res.measures["department"].fillna("") == ""]
    return {
        "funnel_chart": charts.funnel_chart(res.scores, "sick_leave_rate", peer_group="inpatient", highlight=unit,
                                            catalogue=res.catalogue, lang=lang, period=res.period.label),
        "caterpillar_chart": charts.caterpillar_chart(res.ranking, peer_group="inpatient", highlight=unit, lang=lang),
        "potential_chart": charts.potential_chart(res.ranking, highlight=unit, lang=lang),
        "contribution_chart": charts.contribution_chart(res.scores, unit, catalogue=res.catalogue, lang=lang),
        "trend_chart": charts.trend_chart(res.monthly, res.trend, unit, catalogue=res.catalogue, lang=lang),
        "measures_chart": charts.measures_chart(divisions, lang=lang),
        "message_chart": charts.message_chart("Ingen data", lang=lang),
    }


def _tooltips(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "tooltip":
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from _tooltips(value)
    elif isinstance(node, list):
        for item in node:
            yield from _tooltips(item)


def test_every_builder_is_checked(res):
    names = {n for n, f in inspect.getmembers(charts, inspect.isfunction) if n.endswith("_chart")}
    assert names == set(_builders(res, "nb"))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_chart_has_the_locale_and_worded_tooltips(res, lang):
    for name, chart in _builders(res, lang).items():
        spec = chart.to_dict()
        number = spec["config"]["locale"]["number"]
        assert number["decimal"] == ("," if lang == "nb" else "."), name
        if lang == "nb":
            assert number["thousands"] == "\u00a0" and number["percent"] == "\u00a0%", name
            assert spec["config"]["locale"]["time"]["months"][0] == "januar", name
        for tip in _tooltips(spec):
            if tip is None or (isinstance(tip, dict) and "value" in tip):
                continue
            assert isinstance(tip, dict) and tip.get("title"), f"{name}: a tooltip without a title: {tip}"
            assert tip["title"] != tip.get("field"), f"{name}: tooltip titled by its field name {tip['field']}"


def test_a_nb_chart_renders_norwegian_numbers(res):
    svg = charts.to_svg(charts.potential_chart(res.ranking, lang="nb"))
    assert "1\u00a0000" in svg or "2\u00a0000" in svg
    assert "1,000" not in svg and "2,000" not in svg
    svg = charts.to_svg(charts.funnel_chart(res.scores, "sick_leave_rate", peer_group="inpatient:somatic",
                                            catalogue=res.catalogue, lang="nb", period="2025Q3"))
    assert "\u00a0%" in svg and "Sykefravær – sengeposter i somatikk – 2025Q3" in svg


def test_a_long_group_is_cut_only_with_a_sentence_that_says_so(res):
    ranking = res.ranking.dropna(subset=["rank"])
    group = ranking["peer_group"].value_counts().index[0]
    n = int((ranking["peer_group"] == group).sum())
    worst = ranking[ranking["peer_group"] == group].sort_values("rank")["entity_id"].iloc[n // 2]
    spec = charts.caterpillar_chart(ranking, peer_group=group, highlight=worst, lang="nb", top=5).to_dict()
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(rows) == 11 and worst in {r["entity_id"] for r in rows}
    assert spec["title"]["text"] == f"De 5 beste, de 5 svakeste og valgt enhet av {n} {charts.group_label(group, 'nb')}"
    full = charts.caterpillar_chart(ranking, peer_group=group, lang="nb", top=60).to_dict()
    assert len(full["datasets"][next(iter(full["datasets"]))]) == n and "title" not in full


def test_entities_sharing_a_name_get_a_row_each(res):
    ranking = res.ranking.dropna(subset=["rank"]).copy()
    ranking["entity_name"] = "Ambulansestasjon"
    group = ranking["peer_group"].value_counts().index[0]
    spec = charts.caterpillar_chart(ranking, peer_group=group, lang="nb").to_dict()
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert len({r["label"] for r in rows}) == len(rows)


def _funnel_rows(spec: dict) -> tuple[list[dict], list[dict]]:
    """The funnel's point rows (one per entity drawn) and its limit-line rows (their own dataset)."""
    sets = list(spec["datasets"].values())
    points = [rows for rows in sets if rows and "verdict" in rows[0]]
    lines = [rows for rows in sets if rows and "lower998" in rows[0] and "verdict" not in rows[0]]
    assert len(points) == len(lines) == 1, [list(rows[0]) for rows in sets]
    return points[0], lines[0]


def test_funnel_colours_follow_the_direction_and_limits_are_possible(res):
    spec = charts.funnel_chart(res.scores, "sick_leave_rate", catalogue=res.catalogue, lang="nb").to_dict()
    rows, lines = _funnel_rows(spec)
    s = res.scores.set_index(["entity_id", "criterion"])
    for r in rows:
        flag = s.loc[(r["entity_id"], "sick_leave_rate"), "flag"]
        if flag.startswith("below"):  # lower sick leave is better
            assert r["verdict"].startswith(("bedre", "klart bedre")), r
        if flag.startswith("above"):
            assert r["verdict"].startswith(("svakere", "klart svakere")), r
    for r in lines:
        assert 0 <= r["lower998"] <= r["lower95"] <= r["upper95"] <= r["upper998"] <= 1
    spec = charts.funnel_chart(res.scores, "activity_per_fte", catalogue=res.catalogue, lang="nb").to_dict()
    rows, _ = _funnel_rows(spec)
    flags = s.xs("activity_per_fte", level="criterion")["flag"]
    for r in rows:
        if flags[r["entity_id"]].startswith("below"):  # lower activity is worse
            assert r["verdict"].startswith(("svakere", "klart svakere")), r


def test_an_empty_funnel_says_why(res):
    spec = charts.funnel_chart(res.scores.iloc[0:0].assign(), "sick_leave_rate", catalogue=res.catalogue,
                               lang="nb").to_dict()
    text = spec["datasets"][next(iter(spec["datasets"]))][0]["text"]
    assert "Sykefravær" in text and "beregnes ikke" in text


def test_row_labels_are_unique_and_say_when_a_name_is_cut():
    """Two units whose long names differ only after the cut keep a row each, and a cut shows."""
    import pandas as pd

    from benchmark.charts import unique_labels

    frame = pd.DataFrame({"entity_id": ["A", "B", "C", "D"],
                          "entity_name": ["Rehabiliteringspost 4 (Fysikalsk medisin og rehabilitering)",
                                          "Rehabiliteringspost 4 (Fysikalsk medisin og rehabilitering Otta)",
                                          "Ambulansestasjon Trysil", "Ambulansestasjon Trysil"]})
    labels = unique_labels(frame)
    assert labels.is_unique
    assert labels.iloc[0].endswith("(A)") and "…" in labels.iloc[0]
    assert list(labels.iloc[2:]) == ["Ambulansestasjon Trysil (C)", "Ambulansestasjon Trysil (D)"]
    assert all(len(label) <= 44 + 6 for label in labels)


def _binomial_funnel(n_units: int, seed: int = 3):
    """A funnel with known limits: a share with target 7 % and binomial limits over sizes from 10
    to 10 000 (log-uniform), values drawn around the target."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    den = np.exp(rng.uniform(np.log(10), np.log(10_000), n_units))
    p = 0.07
    se = np.sqrt(p * (1 - p) / den)
    value = np.clip(p + se * rng.standard_normal(n_units), 0, 1)
    z = (value - p) / se
    flag = np.select([z > 3.09, z > 1.96, z < -3.09, z < -1.96], ["above_99.8", "above_95", "below_99.8", "below_95"],
                     "within")
    return pd.DataFrame({"entity_id": [f"E{i:05d}" for i in range(n_units)], "entity_name": "Enhet",
                         "criterion": "sick_leave_rate", "scored": True, "peer_group": "inpatient:somatic",
                         "denominator": den, "value": value, "target": p, "lower95": p - 1.96 * se,
                         "upper95": p + 1.96 * se, "lower998": p - 3.09 * se, "upper998": p + 3.09 * se,
                         "flag": flag, "direction": "lower_is_better"})


def test_a_funnels_limit_lines_draw_as_the_lines_through_every_entity(res):
    """The limit lines go through at most LINE_POINTS + 1 exact rows per group, the smallest and the
    largest entity among them; read off (on the log axis, as drawn) at every entity's size they
    are within 0,5 % of the chart's value range of that entity's own limits — where 10 points
    would be 10 times further off — and every entity of a group that fits is a point."""
    import numpy as np

    scores = _binomial_funnel(3000)
    spec = charts.funnel_chart(scores, "sick_leave_rate", peer_group="inpatient:somatic", catalogue=res.catalogue,
                               lang="nb", max_points=5000).to_dict()
    points, lines = _funnel_rows(spec)
    assert len(points) == len(scores)  # no point left out when the group fits
    assert 2 < len(lines) <= charts.LINE_POINTS + 1
    den = np.array([r["denominator"] for r in lines])
    assert den.min() == scores["denominator"].min() and den.max() == scores["denominator"].max()
    span = max(r["value"] for r in points) - min(r["value"] for r in points)

    def off(rows, col):
        x = np.array([r["denominator"] for r in rows])
        drawn = np.interp(np.log(scores["denominator"]), np.log(x), [r[col] for r in rows])
        return np.abs(drawn - scores[col].clip(0, 1)).max() / span

    coarse = charts.limit_lines(scores.assign(**{c: scores[c].clip(0, 1) for c in ("lower95", "upper95", "lower998",
                                                                                   "upper998")}), 10)
    for col in ("lower95", "upper95", "lower998", "upper998", "target"):
        assert off(lines, col) <= 0.005, col
        if col != "target":
            assert off(coarse.to_dict("records"), col) > 10 * off(lines, col), col


def test_the_templated_rank_chart_equals_altairs_own_build(res):
    """charts.caterpillar_spec (altair once, then rows, height and sentence swapped) gives the very
    spec altair builds, for every peer group, long and short, with and without a picked entity."""
    ranking = res.ranking.dropna(subset=["rank"])
    picked = str(ranking["entity_id"].iloc[7])
    groups = list(ranking["peer_group"].unique())
    assert len(groups) > 3
    charts._CATERPILLAR_TEMPLATES.clear()
    for lang in ("nb", "en"):  # the templates as the summary page's helper builds them: from a placeholder row
        for note in (True, False):
            charts.caterpillar_template(lang, 380, note)
    for lang in ("nb", "en"):
        for top in (60, 4):  # 4: every group of the demo is long, each with its own sentence
            for group in groups:
                for highlight in (None, picked):
                    rows, note = charts.caterpillar_frame(ranking, group, highlight, lang, top)
                    fast = charts.caterpillar_spec(rows, note, lang, width=380)
                    full = charts.caterpillar_of(rows, note, lang, width=380).to_dict(validate=False)
                    assert fast == full, (lang, top, group, highlight)


def test_the_templated_funnel_equals_altairs_own_build(res):
    """charts.funnel_spec (altair around two rows, the full rows swapped in) gives the very spec
    altair builds: thinned or not, one group or all, with a picked entity, a masked-out or empty
    criterion, in both languages."""
    scores = res.scores
    group = scores.loc[scores["criterion"] == "sick_leave_rate", "peer_group"].value_counts().index[0]
    picked = str(scores.loc[scores["peer_group"] == group, "entity_id"].iloc[3])
    cases = [("sick_leave_rate", group, None, 4000), ("sick_leave_rate", group, picked, 5),
             ("activity_per_fte", None, picked, 40), ("variable_pay_share", group, None, 4000),
             ("measure_realisation", group, None, 4000)]  # not at unit level: the "why empty" chart
    for lang in ("nb", "en"):
        for criterion, peer_group, highlight, points in cases:
            kw = dict(peer_group=peer_group, highlight=highlight, catalogue=res.catalogue, lang=lang, width=340,
                      height=240, max_points=points, period=res.period.label)
            fast = charts.funnel_spec(scores, criterion, **kw)
            full = charts.funnel_chart(scores, criterion, **kw).to_dict(validate=False)
            assert fast == full, (lang, criterion, peer_group, highlight, points)


def test_static_svgs_carry_no_raw_field_names_for_screen_readers(res):
    """Every static page draws through charts.svg_of: no ARIA label per point repeating raw fields
    ("lower95: 4,1157…; peer_group: inpatient"); the axes and the title keep their descriptions."""
    import re

    group = res.scores.loc[res.scores["criterion"] == "sick_leave_rate", "peer_group"].value_counts().index[0]
    spec = charts.funnel_chart(res.scores, "sick_leave_rate", peer_group=group, catalogue=res.catalogue,
                               lang="nb", period=res.period.label).to_dict(validate=False)
    labels = re.findall(r'aria-label="([^"]*)"', charts.svg_of(spec))
    assert any(label.startswith("X-axis") for label in labels) and any("Title" in label for label in labels)
    raw = ("lower95", "peer_group", "denominator:", "entity_id")
    assert not [label for label in labels if any(r in label for r in raw)]


def test_a_funnels_lines_are_the_groups_limits_and_it_says_where_a_colour_crosses_them(res):
    """The lines go through the group's limits for a unit of each size (``funnel_*``: no kink at a
    unit far from the centre), each point carries its own limits in the tooltip, and the subtitle
    names exactly as many units as lie on the other side of the drawn lines than their colour
    says (counted here by brute force: the lines read off linearly in log size, as drawn)."""
    import numpy as np

    told = 0
    for crit in ("activity_per_fte", "sick_leave_rate", "agency_share", "staffing_vs_plan"):
        for group in res.scores["peer_group"].unique():
            spec = charts.funnel_chart(res.scores, crit, peer_group=group, catalogue=res.catalogue, lang="nb").to_dict()
            if "layer" not in spec:
                continue
            points, lines = _funnel_rows(spec)
            rows = res.scores[(res.scores["criterion"] == crit) & (res.scores["peer_group"] == group)
                              & res.scores["scored"].astype(bool)].set_index("entity_id")
            pct = 1.0 if res.catalogue.get(crit).value_format == "percent" else np.inf
            for line in lines:  # every line row is an entity's row of the group's limits
                at = rows[rows["denominator"] == line["denominator"]].iloc[0]
                assert line["upper95"] == pytest.approx(min(max(at["funnel_upper95"], 0), pct))
                assert line["lower998"] == pytest.approx(min(max(at["funnel_lower998"], 0), pct))
            crossed = 0
            x = np.log([r["denominator"] for r in lines])
            for p in points:
                own = rows.loc[p["entity_id"]]
                assert p["upper95"] == pytest.approx(min(max(own["upper95"], 0), pct))
                drawn = {c: np.interp(np.log(p["denominator"]), x, [r[c] for r in lines])
                         for c in ("lower95", "upper95", "lower998", "upper998")}
                side = ("above_99.8" if p["value"] > drawn["upper998"] else "above_95" if p["value"] > drawn["upper95"]
                        else "below_99.8" if p["value"] < drawn["lower998"] else "below_95"
                        if p["value"] < drawn["lower95"] else "within")
                crossed += side != own["flag"]
            subtitle = spec["title"].get("subtitle", "")
            subtitle = " ".join(subtitle) if isinstance(subtitle, list) else subtitle
            if crossed:
                told += 1
                unit = "enhet" if crossed == 1 else "enheter"
                assert f"{crossed} {unit} med annen farge enn linjene tilsier" in subtitle, (crit, group)
            else:
                assert "annen farge" not in subtitle, (crit, group)
    assert told > 0  # the demo has such units (groups of 8–32: leave-one-out moves a limit by O(1/n))


def test_a_run_stored_before_the_groups_limits_draws_through_the_units_own(res):
    """Without ``funnel_*`` (a run stored before them) the lines go through the units' own limits
    and the chart claims no unit across them."""
    old = res.scores.drop(columns=list(charts.FUNNEL_LINE_COLUMNS))
    spec = charts.funnel_chart(old, "activity_per_fte", peer_group="inpatient:somatic", catalogue=res.catalogue,
                               lang="nb").to_dict()
    _, lines = _funnel_rows(spec)
    rows = old[(old["criterion"] == "activity_per_fte") & (old["peer_group"] == "inpatient:somatic")]
    own = dict(zip(rows["denominator"], rows["upper95"], strict=True))
    assert all(line["upper95"] == pytest.approx(own[line["denominator"]]) for line in lines)
    assert "annen farge" not in str(spec["title"])
