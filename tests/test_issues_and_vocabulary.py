import pytest

from benchmark.issues import DataError, Issue, render_report
from benchmark.vocabulary import CareLevel, Progress, Risk, Status, allowed_values, normalise


def test_issue_renders_location_value_rule_and_hint():
    issue = Issue(
        source="monthly.csv", row=118, column="fte_worked", value="0",
        rule="fte_zero_with_activity", message="activity needs worked FTE (drg_points = 41,5)",
        hint="Check the HR export for this month",
    )
    assert issue.render() == (
        "monthly.csv, row 118, column 'fte_worked' = '0': activity needs worked FTE "
        "(drg_points = 41,5) (rule fte_zero_with_activity). Check the HR export for this month"
    )


def test_catalogue_issue_names_criterion_and_field():
    issue = Issue(source="criteria/x.toml", criterion="agency_share", column="weight",
                  value=-1, rule="negative_weight", message="a weight must be 0 or more")
    assert issue.render().startswith("criteria/x.toml, criterion 'agency_share', field 'weight' = '-1'")


def test_error_reports_every_issue_errors_before_warnings():
    issues = [
        Issue("measures.csv", "blank_progress", "progress is blank; read as unknown", row=3, level="warning"),
        Issue("units.csv", "duplicate_key", "unit_id must be unique", row=5, column="unit_id", value="A1"),
        Issue("monthly.csv", "not_a_number", "expected a number", row=9, column="pay_fixed", value="abc"),
    ]
    err = DataError(issues=issues)
    text = str(err)
    assert "2 error(s)" in text
    assert text.index("Errors (2)") < text.index("Warnings (1)")
    assert "units.csv, row 5" in text and "monthly.csv, row 9" in text and "measures.csv, row 3" in text
    with pytest.raises(DataError) as caught:
        raise err
    assert len(caught.value.issues) == 3


def test_report_is_cut_with_a_count():
    issues = [Issue("monthly.csv", "negative", "must be 0 or more", row=i) for i in range(2, 12)]
    text = render_report(issues, limit=3)
    assert "… and 7 more" in text


@pytest.mark.parametrize(
    ("vocab", "raw", "expected"),
    [
        (Progress, "Pågår", "in_progress"), (Progress, "IKKE STARTET", "not_started"),
        (Progress, "in progress", "in_progress"), (Progress, "Fullført", "completed"),
        (Progress, "forsinket", "delayed"), (Risk, "Høy", "high"), (Risk, "middels", "medium"),
        (Risk, "LOW", "low"), (Status, "rødt", "red"), (Status, "Grønn", "green"),
        (CareLevel, "Sengepost", "inpatient"), (CareLevel, "poliklinikk", "outpatient"),
        (CareLevel, "day treatment", "day_treatment"), (CareLevel, "Ambulanse", "prehospital"),
        (Risk, "kanskje", None), (Progress, "", None),
    ],
)
def test_norwegian_and_english_categories_map_to_english(vocab, raw, expected):
    assert normalise(vocab, raw) == expected


def test_allowed_values_in_order():
    assert allowed_values(Risk) == ["low", "medium", "high"]
