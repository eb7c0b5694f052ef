"""Catalogue validation (one bad file per rule), the docs for leaders, and the content hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmark.catalogue import check_criteria, load_criteria, parse_expression
from benchmark.catalogue.docs import catalogue_markdown
from benchmark.catalogue.expression import ExpressionError
from benchmark.cli import main
from benchmark.issues import CriteriaError

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "data" / "bad_criteria"
DEFAULT = ROOT / "criteria" / "default.toml"


@pytest.mark.parametrize("name,criterion,field,rule", [
    ("unknown_column.toml", "overtime_per_fte", "numerator", "unknown_column"),
    ("unknown_direction.toml", "variable_pay_share", "direction", "unknown_direction"),
    ("unknown_target.toml", "activity_per_fte", "target", "unknown_target"),
    ("unknown_window.toml", "turnover_rate", "window", "unknown_window"),
    ("unknown_level.toml", "measure_realisation", "levels", "unknown_level"),
    ("negative_weight.toml", "overtime_per_fte", "weight", "negative_weight"),
    ("duplicate_id.toml", "variable_pay_share", "id", "duplicate_id"),
    ("missing_english.toml", "sick_leave_rate", "name.en", "missing_language"),
    ("bad_formula.toml", "sick_leave_rate", "numerator", "bad_formula"),
    ("all_zero_weights.toml", None, "weight", "all_zero_weights"),
])
def test_each_bad_catalogue_names_file_criterion_and_field(name, criterion, field, rule):
    cat, issues = check_criteria(BAD / name)
    assert cat is None
    match = [i for i in issues if i.rule == rule]
    assert match, issues
    issue = match[0]
    assert (issue.source, issue.criterion, issue.column) == (str(BAD / name), criterion, field)
    if criterion:
        assert issue.row is not None and f"id = \"{criterion}\"" in (BAD / name).read_text().splitlines()[issue.row - 1]


def test_unknown_column_suggests_the_closest_name():
    _, issues = check_criteria(BAD / "unknown_column.toml")
    assert issues[0].value == "pay_overtme" and "pay_overtime" in issues[0].hint


def test_bad_toml_names_its_line():
    _, issues = check_criteria(BAD / "bad_toml.toml")
    assert issues[0].rule == "bad_toml" and issues[0].row is not None


def test_every_problem_is_reported_at_once(tmp_path):
    text = (BAD / "unknown_direction.toml").read_text().replace('target = "median"', 'target = "best"', 1)
    text = text.replace('weight = 0.5\nmin_denominator = 12.0', 'weight = -1\nmin_denominator = 12.0', 1)
    path = tmp_path / "many.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CriteriaError) as caught:
        load_criteria(path)
    assert {i.rule for i in caught.value.issues} >= {"unknown_direction", "unknown_target", "negative_weight"}


def test_criteria_check_command(capsys):
    assert main(["criteria", "check", str(DEFAULT)]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["criteria", "check", str(BAD / "unknown_direction.toml")]) == 1
    assert "criterion 'variable_pay_share', field 'direction' = 'smaller'" in capsys.readouterr().err


def test_formulas_are_parsed_without_eval():
    expr = parse_expression("(pay_overtime + pay_extra_shifts) / 12")
    assert expr.columns == {"pay_overtime", "pay_extra_shifts"}
    import pandas as pd

    frame = pd.DataFrame({"pay_overtime": [12.0, 24.0], "pay_extra_shifts": [12.0, 0.0]})
    assert expr.evaluate(frame).tolist() == [2.0, 2.0]
    for bad in ("__import__('os')", "a.b", "f(x)", "a ** 2", "x if y else z", "[1]", ""):
        with pytest.raises(ExpressionError):
            parse_expression(bad)


@pytest.mark.parametrize("lang,words", [("nb", ["Formel i ord", "delt på", "Retning", "Mål"]),
                                        ("en", ["Formula in words", "divided by", "Direction", "Target"])])
def test_docs_have_every_criterion_with_its_formula_in_words(lang, words, tmp_path):
    cat = load_criteria(DEFAULT)
    text = catalogue_markdown(cat, lang)
    for c in cat.criteria:
        assert f"## {c.name[lang]} (`{c.id}`)" in text
    for w in words:
        assert text.count(w) >= len(cat.criteria) or w in ("Retning", "Mål", "Direction", "Target")
    assert ("sykefraværsdagsverk delt på mulige dagsverk" if lang == "nb"
            else "sick-leave days divided by possible days") in text
    out = tmp_path / "k.md"
    assert main(["criteria", "docs", "--lang", lang, "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == text


def test_the_hash_changes_with_content_not_with_layout(tmp_path):
    base = DEFAULT.read_text(encoding="utf-8")
    h0 = load_criteria(DEFAULT).hash()
    weight = tmp_path / "w.toml"
    weight.write_text(base.replace("weight = 1.5", "weight = 1.25", 1), encoding="utf-8")
    target = tmp_path / "t.toml"
    target.write_text(base.replace('target = "median"', 'target = "upper_quartile"', 1), encoding="utf-8")
    layout = tmp_path / "l.toml"
    layout.write_text("# a new comment\n\n" + base.replace("weight = 1.5", "weight   =   1.5"), encoding="utf-8")
    assert load_criteria(weight).hash() != h0
    assert load_criteria(target).hash() != h0
    assert load_criteria(layout).hash() == h0
    assert load_criteria(DEFAULT).with_weights({"agency_share": 2.0}).hash() != h0


def test_a_tuned_catalogue_round_trips_through_toml(tmp_path):
    cat = load_criteria(DEFAULT).with_weights({"sick_leave_rate": 2.0}).with_version("2025.1-tuned")
    path = tmp_path / "tuned.toml"
    path.write_text(cat.to_toml(), encoding="utf-8")
    assert load_criteria(path).hash() == cat.hash()


def test_sensitive_criteria_and_privacy_threshold(tmp_path):
    cat = load_criteria(DEFAULT)
    assert set(cat.sensitive) == {"sick_leave_rate", "turnover_rate"}
    assert cat.min_headcount == 5
    text = DEFAULT.read_text(encoding="utf-8").replace("min_headcount = 5", "min_headcount = 3")
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    three = load_criteria(path)
    assert three.min_headcount == 3 and three.hash() != cat.hash()
    again = tmp_path / "again.toml"
    again.write_text(three.to_toml(), encoding="utf-8")  # a stored run's catalogue keeps both
    back = load_criteria(again)
    assert back.min_headcount == 3 and back.sensitive == cat.sensitive
    bad = text.replace("min_headcount = 3", "min_headcount = 0").replace(
        'sensitive = true ', 'sensitive = "yes" ', 1)
    path.write_text(bad, encoding="utf-8")
    _, issues = check_criteria(path)
    rules = {(i.rule, i.column) for i in issues}
    assert ("bad_min_headcount", "privacy.min_headcount") in rules
    assert ("bad_sensitive", "sensitive") in rules
