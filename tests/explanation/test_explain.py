"""Explanations: golden texts for typical units (nb and en), and properties that keep them honest.

Regenerate the golden files after a deliberate change of wording with
``BENCHMARK_UPDATE_GOLDEN=1 pytest tests/explain`` and read the diff before committing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

import benchmark as bm
from benchmark import labels
from benchmark.explanation import explanation_sections
from benchmark.explanation.narrative import drivers, judgement_key

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
PLANTED = json.loads((ROOT / "fixtures" / "demo_planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def res():
    return bm.score(bm.load_dataset(ROOT / "fixtures" / "demo"), bm.load_criteria(), period="2025Q3", seed=1)


def quiet_unit(res) -> str:
    """A unit whose scored criteria are all within normal variation."""
    s = res.scores[res.scores["scored"]]
    within = s.groupby("entity_id")["flag"].apply(lambda f: (f == "within").all())
    candidates = sorted(within[within].index)
    return candidates[0]


CASES = {
    "low_productivity": lambda res: next(d["unit_id"] for d in PLANTED["deficits"] if d["criterion"] == "activity_per_fte"),
    "small_shrunk": lambda res: PLANTED["small_unit"]["unit_id"],
    "within_normal_variation": quiet_unit,
    "criterion_not_scored": lambda res: PLANTED["no_staffing_plan"]["unit_id"],
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_golden_explanations(res, case, lang):
    unit = CASES[case](res)
    text = bm.explain(res, unit, lang=lang)
    path = GOLDEN / f"explain_{case}_{lang}.txt"
    if os.environ.get("BENCHMARK_UPDATE_GOLDEN") or not path.exists():
        path.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == path.read_text(encoding="utf-8")


def test_norwegian_numbers(res):
    unit = CASES["low_productivity"](res)
    text = bm.explain(res, unit, lang="nb")
    assert re.search(r"\d,\d", text) and "\u00a0%" in text and "kNOK" in text
    assert not re.search(r"\d\.\d", text.split("\n")[0] + text.split("Forbedringspotensial")[1][:200])


def test_the_drivers_are_the_bars_of_the_contribution_chart(res):
    """'Det som trekker scoren ned' lists exactly the criteria drawn as negative bars."""
    for unit in res.ranking["entity_id"]:
        scores = res.scores[res.scores["entity_id"] == unit]
        down, up = drivers(scores)
        bars = scores[scores["scored"] & scores["contribution"].notna()]
        assert set(down["criterion"]) == set(bars.loc[bars["contribution"] < 0, "criterion"])
        assert set(up["criterion"]) == set(bars.loc[bars["contribution"] > 0, "criterion"])
        text = "\n".join(line for s in explanation_sections(res, unit, "nb") if s.id == "drivers" for line in s.lines)
        for criterion in down["criterion"]:
            assert res.catalogue.get(criterion).name["nb"] in text


def test_a_unit_within_normal_variation_is_never_described_as_under_performing(res):
    s = res.scores[res.scores["scored"]]
    within = s.groupby("entity_id")["flag"].apply(lambda f: (f == "within").all())
    units = within[within].index
    assert len(units) > 5
    for unit in units:
        for lang, phrases in (("nb", ["Svakere enn målet, utenfor", "Svakere enn målet, klart utenfor",
                                      "blant de svakeste"]),
                              ("en", ["Worse than the target, beyond", "Worse than the target, clearly",
                                      "among the weakest"])):
            text = bm.explain(res, unit, lang=lang)
            for phrase in phrases:
                assert phrase not in text, (unit, phrase)


def test_judgements_follow_flag_and_direction():
    assert judgement_key("below_99.8", "higher_is_better", 1.0, 2.0) == "worse_998"
    assert judgement_key("below_95", "lower_is_better", 1.0, 2.0) == "better_95"
    assert judgement_key("within", "lower_is_better", 3.0, 2.0) == "within_worse"
    assert judgement_key("above_95", "lower_is_better", 3.0, 2.0) == "worse_95"


def test_every_number_comes_from_the_result_tables(res):
    unit = CASES["low_productivity"](res)
    r = res.ranking.set_index("entity_id").loc[unit]
    text = bm.explain(res, unit, lang="en")
    lo, hi = int(r["rank_low"]), int(r["rank_high"])
    place = "a certain place" if lo == hi else f"between {lo} and {hi}"
    assert f"no. {int(r['rank'])} of {int(r['peer_n'])} ({place})" in text
    assert f"{r['potential_fte']:.1f}\u00a0FTE" in text
    assert f"{r['potential_total_knok']:,.0f}\u00a0kNOK a year" in text  # the one potential: total, then parts
    s = res.scores[(res.scores["entity_id"] == unit) & (res.scores["criterion"] == "activity_per_fte")].iloc[0]
    from benchmark.explanation.narrative import format_value

    assert format_value(res, "activity_per_fte", s["value"], "en") in text
    assert format_value(res, "activity_per_fte", s["target"], "en") in text


def test_an_unknown_entity_is_a_usage_error(res):
    with pytest.raises(bm.UsageError):
        bm.explain(res, "no-such-unit")


def test_the_sheet_fits_one_a4_page(res, tmp_path):
    from benchmark.explanation.sheet import write_sheet

    unit = CASES["low_productivity"](res)
    path = write_sheet(res, unit, tmp_path / "sheet.html", lang="nb")
    html = path.read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html and "https://" not in html
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page()
        page.goto(path.as_uri())
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=str(artifacts / "sheet.png"), full_page=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        browser.close()
    (artifacts / "sheet.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the sheet prints on {pages} pages (content height {height}px)"


def test_batch_sheets_for_a_division(res, tmp_path):
    from benchmark.explanation.sheet import write_division_sheets

    division = "Tynset"
    paths = write_division_sheets(res, division, tmp_path)
    expected = res.ranking[res.ranking["division"] == division]["entity_id"]
    assert len(paths) == len(expected) and all(p.stat().st_size > 10_000 for p in paths)
    assert isinstance(pd.Series([p.name for p in paths]).iloc[0], str)


def test_an_unscored_unit_is_not_said_to_be_compared():
    """A unit without a score this period belongs to a peer group but was compared with nobody:
    the headline says so instead of "Sammenlignet med …"."""
    from benchmark.catalogue import load_criteria
    from benchmark.explanation import explain
    from benchmark.scoring import score
    from benchmark.views import load_source

    res = score(load_source("demo"), load_criteria(), "2025Q3", seed=1)
    unscored = res.ranking.loc[res.ranking["rank"].isna(), "entity_id"]
    assert len(unscored) >= 1
    for entity in unscored:
        nb, en = explain(res, entity, lang="nb"), explain(res, entity, lang="en")
        assert "Sammenlignet med" not in nb and "Hører til gruppen" in nb
        assert "Compared with" not in en and "Belongs to the group of" in en
    scored = res.ranking.loc[res.ranking["rank"].notna(), "entity_id"].iloc[0]
    assert "Sammenlignet med" in explain(res, scored, lang="nb")


def test_the_sheets_band_is_clipped_to_possible_values(res, monkeypatch):
    """A turnover band reaching below 0 % is drawn from 0 %; a share's band never beyond 100 %."""
    from benchmark.explanation import sheet

    s = res.scores[res.scores["scored"].astype(bool)]
    below = s[(s["lower95"] < 0) & (s["criterion"] == "turnover_rate")]
    assert not below.empty  # the demo trust has small units whose raw band reaches below zero
    row = below.iloc[0]
    drawn = []
    monkeypatch.setattr(sheet, "_svg", lambda chart: drawn.append(chart.to_dict()) or "")
    sheet.dot_plot(res, row["entity_id"], "turnover_rate", "nb")
    band = next(layer for layer in drawn[0]["layer"] if layer["mark"]["type"] == "rect")
    (values,) = [v for k, v in drawn[0]["datasets"].items() if k == band["data"]["name"]]
    assert values[0]["a"] == 0.0 and values[0]["b"] == pytest.approx(min(row["upper95"], 1.0))
    assert drawn[0]["layer"][-1]["encoding"]["x"]["scale"]["domain"][0] > -0.1


def test_the_sheets_strip_axes_never_repeat_a_label(res):
    """A share that spans under 5 points gets a decimal: an agency share of 0–1,2 % read
    "0 %  0 %  1 %" in whole per cent."""
    import re

    from benchmark.explanation import sheet

    shares = [c.id for c in res.catalogue.criteria if c.value_format == "percent"]
    scored = res.scores[res.scores["scored"].astype(bool) & res.scores["criterion"].isin(shares)]
    for (entity, criterion), _ in list(scored.groupby(["entity_id", "criterion"]))[::9]:
        labels = re.findall(r"<text[^>]*>([^<]*%)</text>", sheet.dot_plot(res, entity, criterion, "nb"))
        assert len(labels) >= 2 and len(set(labels)) == len(labels), (entity, criterion, labels)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_unit_moved_out_of_a_too_small_group_is_told_why(res, lang):
    """SPEC §4 [peers]: a group under min_size is merged and the output says so — in the words a
    leader reads, with the group's size and the minimum from the unit's own peer_note."""
    s = res.scores
    noted = s[s["peer_note"].fillna("").str.contains("→")].drop_duplicates("entity_id")
    assert len(noted) >= 3  # the demo has psychiatric emergency, BUP day care, rehabilitation clinics
    for row in noted.itertuples():
        n, minimum = re.search(r"\((\d+) < (\d+)", row.peer_note).groups()
        text = bm.explain(res, row.entity_id, lang=lang)
        own = {"nb": "Egen gruppe, ", "en": "Its own group, "}[lang]
        line = next(line for line in text.splitlines() if line.startswith(own))
        assert f" {n} " in line and f" {minimum} " in line, line
        assert labels.peer_group_label(row.peer_group, lang) in line, line
    quiet = s[s["peer_note"].fillna("") == ""]["entity_id"].iloc[0]
    assert "Egen gruppe" not in bm.explain(res, quiet, lang="nb")
