"""The GAT rules on a dataset: errors naming table, row, column and value — never a guess."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmark.issues import DataError

from .helpers import SHIFT_CODES, dataset, day_rota


def issues_of(**kw) -> list:
    with pytest.raises(DataError) as exc:
        dataset(**kw)
    return exc.value.issues


def test_unknown_shift_code_names_code_and_rows():
    rota = day_rota("U1", "P1", 2026, {"2026-01-05": "X", "2026-01-07": "X"})
    [issue] = [i for i in issues_of(rota=rota) if i.rule == "unknown_shift_code"]
    assert issue.value == "X" and issue.column == "shift_code" and "rows 6, 8" in issue.message  # header is row 1


def test_position_pct_blank_or_outside_range():
    rota = day_rota("U1", "P1", 2026, {})
    rota["position_pct"] = rota["position_pct"].astype(object)
    rota.loc[3, "position_pct"] = ""
    rota.loc[4, "position_pct"] = "150"
    issues = issues_of(rota=rota)
    assert any(i.rule == "blank_required" and i.row == 5 and i.column == "position_pct" for i in issues)
    assert any(i.rule == "bad_position_pct" and i.row == 6 and i.value == "150" for i in issues)


def test_date_outside_the_plans_validity():
    rota = day_rota("U1", "P1", 2026, {})
    plans = pd.DataFrame({"unit_id": ["U1"], "plan_id": ["P-U1"], "valid_from": ["2026-02-01"],
                          "valid_to": ["2026-12-31"], "role": ["sykepleier"], "fte": [1.0]})
    issues = [i for i in issues_of(rota=rota, staffing_plans=plans) if i.rule == "outside_validity"]
    assert len(issues) == 31 and issues[0].row == 2 and issues[0].value == "2026-01-01"


def test_shift_ending_before_it_starts_without_crossing_midnight():
    codes = SHIFT_CODES.assign(crosses_midnight=["nei", "nei", "ja", "nei", "nei", "nei"])
    codes.loc[1, "end"] = "07:00"  # A 15:00–07:00 marked as not crossing midnight
    [issue] = [i for i in issues_of(rota=day_rota("U1", "P1", 2026, {}), shift_codes=codes)
               if i.rule == "ends_before_start"]
    assert issue.row == 3 and issue.column == "end" and issue.value == "07:00" and "shift_codes" in issue.source


def test_bad_times_and_categories():
    codes = SHIFT_CODES.copy()
    codes.loc[0, "start"] = "7.3"
    codes.loc[2, "category"] = "nattevakt?"
    codes.loc[3, "counts_as_work"] = "kanskje"
    issues = issues_of(rota=day_rota("U1", "P1", 2026, {}), shift_codes=codes)
    rules = {(i.rule, i.row) for i in issues}
    assert {("bad_time", 2), ("unknown_category", 4), ("bad_boolean", 5)} <= rules


def test_rota_without_shift_codes():
    issues = issues_of(rota=day_rota("U1", "P1", 2026, {}), shift_codes=None)
    assert any(i.rule == "missing_table" for i in issues)


def test_incomplete_base_rotation():
    from .test_rollout import PLANS, base_rota

    rota = base_rota().drop(index=[3])  # line L1 loses week 1, Thursday
    [issue] = [i for i in issues_of(rota=rota, staffing_plans=PLANS) if i.rule == "incomplete_base_rotation"]
    assert issue.value == "L1" and "13 rows" in issue.message and issue.row == 2


def test_staffing_plan_without_cost_needs_a_known_role():
    import benchmark as bm

    plans = pd.DataFrame({"unit_id": ["U1", "U1"], "plan_id": ["P", "P"], "valid_from": ["2026-01-01"] * 2,
                          "valid_to": ["2026-12-31"] * 2, "role": ["sykepleier", "portør"], "fte": [2.0, 1.0],
                          "annual_cost": ["", ""]})
    ds = dataset(rota=None, shift_codes=None, staffing_plans=plans)
    with pytest.raises(DataError) as exc:
        bm.plan(ds, 2026, bm.load_tariff())
    [issue] = exc.value.issues
    assert issue.rule == "unknown_role" and issue.row == 3 and issue.value == "portør"
    # with the role known, the plan is priced as fte × annual pay (no supplements) from the staffing plan
    ds = dataset(rota=None, shift_codes=None, staffing_plans=plans.iloc[:1])
    pl = bm.plan(ds, 2026, bm.load_tariff().with_cover(vacation_weeks=0, absence=0.0))
    assert pl.units.loc[0, "basis"] == "staffing_plans"
    assert pl.staffing_budget["cost_base"].sum() == pytest.approx(2 * 589.0)
    assert pl.staffing_budget["cost_total"].sum() == pytest.approx(2 * 589.0 * 1.321)
