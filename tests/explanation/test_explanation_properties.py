"""Property test: every direction word in an explanation agrees with the numbers in its sentence.

Over every unit of the demo trust and of a generated trust, in bokmål and English, each driver
line ("Sykefravær: 7,5 % mot 6,2 % … Svakere enn målet …") and each trend line ("… økte fra
6,0 % … til 6,4 % nå – en forverring …") is parsed back into its numbers, and the words are checked
against them and the criterion's direction. Nothing is said about potential against targets for a
unit without data for the criteria that give a potential.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import benchmark as bm
from benchmark.explanation import explanation_sections

ROOT = Path(__file__).resolve().parents[2]
NUMBER = {"nb": r"-?\d{1,3}(?:\u00a0\d{3})*(?:,\d+)?", "en": r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?"}
WORDS = {
    "nb": {"better": ("Bedre enn målet",), "worse": ("Svakere enn målet",), "equal": ("På målet",),
           "up_clause": "likevel positivt", "down_clause": "likevel negativt", "against": " mot ",
           "rose": " økte fra ", "fell": " falt fra ", "improving": "en bedring", "deteriorating": "en forverring",
           "down": "Det som trekker scoren ned", "up": "Det som trekker scoren opp",
           "no_pot": "på eller bedre enn målet"},
    "en": {"better": ("Better than the target",), "worse": ("Worse than the target",), "equal": ("On target",),
           "up_clause": "still positive", "down_clause": "still negative", "against": " against ",
           "rose": " rose from ", "fell": " fell from ", "improving": "an improvement",
           "deteriorating": "a deterioration", "down": "What pulls the score down", "up": "What pulls the score up",
           "no_pot": "at or better than the target"},
}


def _num(text: str, lang: str) -> float:
    share = text.rstrip().endswith("%")
    m = re.search(NUMBER[lang], text)
    assert m, text
    raw = m.group(0).replace("\u00a0", "").replace(",", ".") if lang == "nb" else m.group(0).replace(",", "")
    return float(raw) / (100 if share else 1)


def _split_value(part: str, lang: str) -> str:
    """'7,5 %' / 'indeks 1,15' / '3,62 kNOK per årsverk-måned' → the number with its % if any."""
    m = re.search(NUMBER[lang] + r"\u00a0?%?", part)
    return m.group(0) if m else part


def _directions(res, lang):
    return {c.name[lang]: c.sign for c in res.catalogue.criteria}


def check_unit(res, unit: str, lang: str) -> list[str]:
    """Contradictions found in one unit's explanation (empty when it is honest)."""
    w, signs = WORDS[lang], _directions(res, lang)
    problems = []
    for section in explanation_sections(res, unit, lang):
        heading = None
        for line in section.lines:
            if section.id == "drivers" and not line.startswith("- "):
                heading = "down" if line.startswith(w["down"]) else "up" if line.startswith(w["up"]) else None
                continue
            if section.id == "drivers" and line.startswith("- "):
                name, rest = line[2:].split(": ", 1)
                value_text, target_text = rest.split(" (", 1)[0].split(w["against"], 1)
                v = _num(_split_value(value_text, lang), lang)
                t = _num(_split_value(target_text, lang), lang)
                side = (v - t) * signs[name]
                if any(p in line for p in w["better"]) and not side > 0:
                    problems.append(f"{unit} {lang}: 'better' with {v} against {t}: {line}")
                if any(p in line for p in w["worse"]) and not side < 0:
                    problems.append(f"{unit} {lang}: 'worse' with {v} against {t}: {line}")
                if any(p in line for p in w["equal"]) and v != t:
                    problems.append(f"{unit} {lang}: 'on target' with {v} against {t}: {line}")
                worse_word = any(p in line for p in w["worse"])
                better_word = any(p in line for p in w["better"])
                if heading == "down" and not worse_word and w["down_clause"] not in line:
                    problems.append(f"{unit} {lang}: pulls down without a reason: {line}")
                if heading == "up" and not better_word and w["up_clause"] not in line:
                    problems.append(f"{unit} {lang}: pulls up without a reason: {line}")
            if section.id == "trend" and line.startswith("- "):
                name = line[2:].split(w["rose"] if w["rose"] in line else w["fell"], 1)[0]
                moved_up = w["rose"] in line
                after = line.split(w["rose"] if moved_up else w["fell"], 1)[1]
                prev_text, now_text = after.split(" til " if lang == "nb" else " to ", 1)
                a, b = _num(_split_value(prev_text, lang), lang), _num(_split_value(now_text, lang), lang)
                if moved_up != (b > a) or a == b:
                    problems.append(f"{unit} {lang}: '{'rose' if moved_up else 'fell'}' from {a} to {b}: {line}")
                better = (b - a) * signs[name] > 0
                if (w["improving"] in line) != better or (w["deteriorating"] in line) == better:
                    problems.append(f"{unit} {lang}: trend word against the change {a} → {b}: {line}")
            if section.id == "potential" and w["no_pot"] in line:
                s = res.scores[(res.scores["entity_id"] == unit) & res.scores["potential_additive"].astype(bool)
                               & res.scores["scored"].astype(bool)]
                if s.empty:
                    problems.append(f"{unit} {lang}: a target verdict on potential without data: {line}")
    return problems


@pytest.fixture(scope="module")
def demo():
    return bm.score(bm.load_dataset(ROOT / "fixtures" / "demo"), bm.load_criteria(), period="2025Q3", seed=1)


@pytest.fixture(scope="module")
def generated():
    from benchmark.dataset import dataset_from_frames
    from benchmark.demo_data import generate_national

    tables = generate_national(240, 36, seed=5)
    ds = dataset_from_frames(tables["units"], tables["monthly"])
    return bm.score(ds, bm.load_criteria(), period="2025Q2", seed=1)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("trust", ["demo", "generated"])
def test_every_direction_word_agrees_with_the_numbers_of_its_sentence(request, trust, lang):
    res = request.getfixturevalue(trust)
    problems = [p for unit in res.ranking["entity_id"] for p in check_unit(res, unit, lang)]
    assert not problems, "\n".join(problems[:10])


def test_the_checker_finds_a_planted_contradiction(demo):
    """The checker is not vacuous: flipping a criterion's direction makes it complain."""
    flipped = demo.scores.copy()
    flipped["direction"] = flipped["direction"].map({"higher_is_better": "lower_is_better",
                                                     "lower_is_better": "higher_is_better"})
    import dataclasses

    broken = dataclasses.replace(demo, scores=flipped)
    found = [p for unit in demo.ranking["entity_id"][:40] for p in check_unit(broken, unit, "nb")]
    assert found


def test_a_masked_criterion_prints_the_mask_text_and_nothing_derived(demo):
    scores = demo.scores.copy()
    unit = demo.ranking.dropna(subset=["rank"])["entity_id"].iloc[0]
    hit = (scores["entity_id"] == unit) & (scores["criterion"] == "sick_leave_rate")
    scores["masked"] = hit
    import dataclasses

    masked = dataclasses.replace(demo, scores=scores)
    text = bm.explain(masked, unit, lang="nb")
    assert "Sykefravær: skjermet (færre enn" in text
    value = scores.loc[hit, "value"].iloc[0]
    assert f"{value * 100:.1f}".replace(".", ",") + "\u00a0%" not in text
    assert text.count("Sykefravær") == 1
    assert pd.notna(value)
