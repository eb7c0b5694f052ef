"""Disclosure control on hand-made departments: primary and complementary suppression, headcount,
the masked result, and a brute-force check that no masked value can be recovered by subtraction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.dataset.model import Dataset
from benchmark.privacy import (
    MASK_TEXT,
    entity_headcount,
    mask_result,
    mask_scores,
    mask_text,
    masked_cells,
)

SENSITIVE = ("sick_leave_rate",)


def _frame(units: list[tuple[str, str, str, float | None, float | None]]):
    """(unit, division, department, headcount, sick-leave value) → scores for two criteria, headcount, hierarchy."""
    rows, heads, hier = [], {}, []
    for uid, div, dep, head, value in units:
        rows.append({"entity_id": uid, "level": "unit", "criterion": "sick_leave_rate", "value": value})
        rows.append({"entity_id": uid, "level": "unit", "criterion": "agency_share", "value": 0.01})
        heads[uid] = head
        hier.append({"entity_id": uid, "division": div, "department": dep, "level": "unit"})
    return pd.DataFrame(rows), pd.Series(heads, dtype=float), pd.DataFrame(hier)


def _cells(masked: pd.DataFrame) -> dict[str, str]:
    return dict(zip(masked["entity_id"], masked["reason"], strict=True))


def test_one_small_unit_gets_its_smallest_sibling_masked_too():
    scores, heads, hier = _frame([("a1", "D", "A", 3, 0.05), ("a2", "D", "A", 10, 0.06),
                                  ("a3", "D", "A", 20, 0.07), ("a4", "D", "A", 12, 0.04)])
    masked = masked_cells(scores, heads, SENSITIVE, 5, hier)
    assert _cells(masked) == {"a1": "primary", "a2": "complementary"}  # a2: 10 < 12 < 20
    assert set(masked["criterion"]) == {"sick_leave_rate"}  # agency share is not sensitive


def test_two_small_units_need_no_complement_and_threshold_is_strict():
    scores, heads, hier = _frame([("b1", "D", "B", 2, 0.05), ("b2", "D", "B", 4.9, 0.06),
                                  ("b3", "D", "B", 30, 0.07), ("b4", "D", "B", 5, 0.02)])
    assert _cells(masked_cells(scores, heads, SENSITIVE, 5, hier)) == {"b1": "primary", "b2": "primary"}


def test_without_hierarchy_only_primary_and_unknown_headcount_is_masked():
    scores, heads, _ = _frame([("a1", "D", "A", 3, 0.05), ("a2", "D", "A", 10, 0.06), ("a3", "D", "A", None, 0.1)])
    assert _cells(masked_cells(scores, heads, SENSITIVE, 5, None)) == {"a1": "primary", "a3": "primary"}


def test_departments_are_separate_margins():
    scores, heads, hier = _frame([("a1", "D", "A", 3, 0.05), ("a2", "D", "A", 10, 0.06),
                                  ("c1", "D", "C", 40, 0.05), ("c2", "D", "C", 8, 0.06)])
    assert _cells(masked_cells(scores, heads, SENSITIVE, 5, hier)) == {"a1": "primary", "a2": "complementary"}


def test_unpublished_sibling_is_not_a_complement():
    # a2 has no value (not scored), so masking it would protect nothing: a3 is the complement
    scores, heads, hier = _frame([("a1", "D", "A", 3, 0.05), ("a2", "D", "A", 6, None), ("a3", "D", "A", 9, 0.07)])
    assert _cells(masked_cells(scores, heads, SENSITIVE, 5, hier)) == {"a1": "primary", "a3": "complementary"}


def test_department_and_division_rows_in_one_table():
    """Unit c1 is alone (its sibling has no value), so department C's row equals it and is masked;
    then C is the only masked department of the division, so the smallest other department is too."""
    scores, heads, hier = _frame([("c1", "D", "C", 3, 0.05), ("c2", "D", "C", 10, None),
                                  ("e1", "D", "E", 30, 0.06), ("f1", "D", "F", 20, 0.04), ("f2", "D", "F", 9, 0.04)])
    extra = pd.DataFrame([
        {"entity_id": dep, "level": "department", "criterion": "sick_leave_rate", "value": v}
        for dep, v in (("C", 0.05), ("E", 0.06), ("F", 0.04))] + [
        {"entity_id": "D", "level": "division", "criterion": "sick_leave_rate", "value": 0.05},
        {"entity_id": "D2", "level": "division", "criterion": "sick_leave_rate", "value": 0.05}])
    scores = pd.concat([scores, extra], ignore_index=True)
    heads = pd.concat([heads, pd.Series({"C": 13.0, "E": 30.0, "F": 29.0, "D": 72.0, "D2": 50.0})])
    hier = pd.concat([hier, pd.DataFrame([
        {"entity_id": "C", "division": "D", "department": "C", "level": "department"},
        {"entity_id": "E", "division": "D", "department": "E", "level": "department"},
        {"entity_id": "F", "division": "D", "department": "F", "level": "department"},
        {"entity_id": "D", "division": "D", "department": "", "level": "division"},
        {"entity_id": "D2", "division": "D2", "department": "", "level": "division"}])], ignore_index=True)
    got = _cells(masked_cells(scores, heads, SENSITIVE, 5, hier))
    # c1 primary; C (alone with c1) equals it: complementary; C alone masked among D's departments:
    # F (29 < 30) complementary; F would be f1 + f2: its smaller unit f2 (9), then f1 (the margin F
    # of units now holds one masked cell)
    assert got == {"c1": "primary", "C": "complementary", "F": "complementary", "f2": "complementary",
                   "f1": "complementary"}


def _recoverable(scores: pd.DataFrame, masked: pd.DataFrame, hier: pd.DataFrame) -> list[str]:
    """Brute force: a masked cell is recoverable when its department total is published and every
    other published cell of the department is unmasked (total − the others = the cell)."""
    m = scores[scores["criterion"] == "sick_leave_rate"].merge(hier[["entity_id", "department"]], on="entity_id")
    m = m[m["value"].notna()]
    hidden = set(masked.loc[masked["criterion"] == "sick_leave_rate", "entity_id"])
    out = []
    for _, dep in m.groupby("department"):
        inside = [e for e in dep["entity_id"] if e in hidden]
        if len(inside) == 1 and len(dep) > 1:
            out.append(inside[0])
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(0, 40)), st.booleans()),
                min_size=1, max_size=14))
def test_no_masked_value_can_be_recovered_from_the_department_total(spec):
    units = [(f"u{i}", "D", f"dep{d}", h, 0.05 if published else None) for i, (d, h, published) in enumerate(spec)]
    scores, heads, hier = _frame(units)
    masked = masked_cells(scores, heads, SENSITIVE, 5, hier)
    small = {u for u, _, _, h, _ in units if h is None or h < 5}
    assert small <= set(masked["entity_id"])  # primary: every small unit
    assert not _recoverable(scores, masked, hier)
    # minimal: at most one complementary cell per department
    comp = masked[masked["reason"] == "complementary"].merge(hier, on="entity_id")
    assert (comp.groupby("department").size() <= 1).all()


def test_mask_scores_hides_value_and_what_is_derived_from_it():
    scores = pd.DataFrame({"entity_id": ["a1", "a1", "a2"], "criterion": ["sick_leave_rate", "agency_share",
                                                                           "sick_leave_rate"],
                           "value": [0.05, 0.01, 0.06], "numerator": [5.0, 1.0, 6.0], "z": [1.2, 0.1, 0.3],
                           "flag": ["above_95", "within", "within"], "percentile": [80.0, 50.0, 60.0],
                           "contribution": [0.2, 0.1, 0.3], "normalised": [1.0, 0.5, 1.5],
                           "potential": [1.5, 0.0, 0.2]})
    masked = pd.DataFrame({"entity_id": ["a1"], "criterion": ["sick_leave_rate"], "reason": ["primary"]})
    out = mask_scores(scores, masked)
    assert out["masked"].tolist() == [True, False, False]
    first = out.iloc[0]
    for col in ("value", "numerator", "z", "flag", "percentile", "potential", "contribution"):
        assert pd.isna(first[col]), col
    assert pd.isna(out.loc[1, "contribution"])  # composite − the other contributions would give it away
    assert pd.isna(out.loc[1, "normalised"]) and out.loc[2, "normalised"] == 1.5
    assert out.loc[1, "value"] == 0.01 and out.loc[2, "contribution"] == 0.3
    assert out["mask_reason"].tolist() == ["primary", "", ""]
    assert scores.loc[0, "value"] == 0.05  # a copy


def test_mask_text():
    assert mask_text(5) == "skjermet (færre enn 5 ansatte)"
    assert mask_text(3, "en") == "suppressed (fewer than 3 employees)"
    assert MASK_TEXT["nb"].format(n=5) == "skjermet (færre enn 5 ansatte)"


def _dataset() -> Dataset:
    units = pd.DataFrame({"unit_id": ["w1", "w2", "w3"], "unit_name": ["W1", "W2", "W3"],
                          "division": ["D", "D", "D"], "department": ["A", "A", "B"],
                          "care_level": ["inpatient"] * 3, "headcount": [50.0, 7.0, 3.0]})
    monthly = pd.DataFrame({"unit_id": ["w1", "w1", "w1", "w2", "w2", "w2"],
                            "month": ["2025-07", "2025-08", "2025-09"] * 2,
                            "headcount": [4.0, 4.0, 5.0, 6.0, 6.0, np.nan]})
    return Dataset(units=units, monthly=monthly)


def test_headcount_is_the_mean_monthly_sum_else_the_units_table():
    ds = _dataset()
    unit = entity_headcount(ds, "2025Q3", "unit")
    assert unit["w1"] == pytest.approx(13 / 3)  # monthly wins over units.headcount = 50
    assert unit["w2"] == 6.0  # the month without a number is left out
    assert unit["w3"] == 3.0  # no monthly headcount: units.headcount
    dep = entity_headcount(ds, "2025Q3", "department")
    # July: 4 + 6, August 4 + 6, September 5 (w2 unknown): (10 + 10 + 5) / 3
    assert dep["A"] == pytest.approx(25 / 3) and dep["B"] == 3.0
    assert entity_headcount(ds, "2025Q3", "division")["D"] == pytest.approx(25 / 3)


@pytest.fixture(scope="module")
def demo_result(demo_path):
    import benchmark as bm

    ds = bm.load_dataset(demo_path)
    return ds, bm.score(ds, bm.load_criteria(), period="2025Q3", sensitivity_analysis=False)


def test_mask_result_on_the_demo_trust(demo_result):
    ds, res = demo_result
    r = res.ranking
    assert r.loc[r["rank"].notna(), "headcount"].notna().all()  # unknown only for units closed in the period
    threshold = float(res.ranking["headcount"].quantile(0.2))  # mask about a fifth of the units
    masked = mask_result(res, min_headcount=int(threshold))
    small = set(res.ranking.loc[res.ranking["headcount"] < int(threshold), "entity_id"])
    assert small
    s = masked.scores
    hit = s[s["masked"]]
    assert set(hit["criterion"]) == {"sick_leave_rate", "turnover_rate"}
    assert small <= set(hit["entity_id"])
    assert hit["value"].isna().all() and hit["z"].isna().all() and hit["shrunk"].isna().all()
    assert (hit["mask_reason"] == "complementary").any()
    # not masked elsewhere; the composite and rank are the unmasked ones (scores still use the values)
    assert s.loc[~s["masked"], "value"].notna().sum() == res.scores.loc[~s["masked"].to_numpy(), "value"].notna().sum()
    pd.testing.assert_series_equal(masked.ranking["composite"], res.ranking["composite"])
    flagged = masked.ranking.set_index("entity_id")["masked_criteria"]
    assert all("sick_leave_rate" in flagged[e] for e in small)
    # trend and monthly series of masked cells are gone
    cells = set(zip(hit["entity_id"], hit["criterion"], strict=True))
    assert not cells & set(zip(masked.trend["entity_id"], masked.trend["criterion"], strict=True))
    if "criterion" in masked.monthly:
        assert not cells & set(zip(masked.monthly["entity_id"], masked.monthly["criterion"], strict=True))
    # a rescore of the masked result cannot bring a value back
    again = masked.rescore(weights={"sick_leave_rate": 2.0})
    e = next(iter(small))
    assert np.isnan(masked.shrunk.loc[e, "sick_leave_rate"])
    assert again.scores.loc[(again.scores["entity_id"] == e) & again.scores["masked"], "normalised"].isna().all()
    # the same headcount from the dataset as from the run
    same = mask_result(res, ds, min_headcount=int(threshold))
    pd.testing.assert_frame_equal(same.scores, masked.scores)


def test_default_threshold_on_the_demo_trust(demo_result):
    _, res = demo_result
    r = res.ranking
    small = set(r.loc[~(r["headcount"] >= 5), "entity_id"])
    masked = mask_result(res)
    s = masked.scores
    primary = set(s.loc[s["mask_reason"] == "primary", "entity_id"])
    assert primary == small & set(s.loc[s["criterion"] == "sick_leave_rate", "entity_id"])
    comp = s[s["mask_reason"] == "complementary"]
    # every complement sits in the department of a primary cell
    dep = r.set_index("entity_id")["department"]
    assert set(dep.reindex(comp["entity_id"])) <= set(dep.reindex(list(primary)))
