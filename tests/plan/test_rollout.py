"""A base rotation rolled out onto the year equals the same plan given day by day."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pandas.testing as pdt

import benchmark as bm

from .helpers import dataset

# two lines of a 2-week base rotation (grunnturnus); week 1 starts on the Monday on or before the
# plan's valid_from: valid_from Wednesday 7 Jan 2026 → week 1 begins Monday 5 Jan 2026
PATTERN = {
    "L1": ["D", "D", "F", "N", "N", "F", "F", "A", "A", "D", "F", "F", "D", "D"],
    "L2": ["F", "A", "A", "F", "D", "D", "N", "F", "F", "F", "D", "A", "F", "F"],
}
PLANS = pd.DataFrame({"unit_id": ["U1"], "plan_id": ["P-U1"], "valid_from": ["2026-01-07"],
                      "valid_to": ["2026-12-31"], "role": ["sykepleier"], "fte": [1.8]})


def base_rota() -> pd.DataFrame:
    rows = []
    for line, codes in PATTERN.items():
        for k, code in enumerate(codes):
            rows.append({"unit_id": "U1", "plan_id": "P-U1", "position_id": line, "role": "sykepleier",
                         "position_pct": 100.0 if line == "L1" else 80.0, "rota_week": k // 7 + 1,
                         "weekday": k % 7 + 1, "rota_weeks": 2, "shift_code": code})
    return pd.DataFrame(rows)


def day_by_day() -> pd.DataFrame:
    """The oracle: the same rotation written out one date at a time."""
    rows = []
    monday = date(2026, 1, 5)
    d = date(2026, 1, 7)
    while d <= date(2026, 12, 31):
        k = ((d - monday).days // 7) % 2 * 7 + d.isoweekday() - 1
        for line, codes in PATTERN.items():
            rows.append({"unit_id": "U1", "plan_id": "P-U1", "position_id": line, "role": "sykepleier",
                         "position_pct": 100.0 if line == "L1" else 80.0, "date": d.isoformat(),
                         "shift_code": codes[k]})
        d += timedelta(days=1)
    return pd.DataFrame(rows)


def test_base_rotation_equals_day_by_day():
    tariff = bm.load_tariff()
    a = bm.plan(dataset(base_rota(), staffing_plans=PLANS), 2026, tariff)
    b = bm.plan(dataset(day_by_day(), staffing_plans=PLANS), 2026, tariff)
    pdt.assert_frame_equal(a.staffing_budget, b.staffing_budget)
    pdt.assert_frame_equal(a.hours, b.hours)
    # January: the positions exist from 7 January only (25 days): FTE = (25 × 1,0 + 25 × 0,8) / 31
    jan = a.staffing_budget.set_index("month").loc["2026-01"]
    assert abs(jan["fte_plan"] - 45 / 31) < 1e-12
    assert a.gap.loc[a.gap["level"] == "unit", "has_rota"].item()


def test_roll_out_cells():
    from benchmark.plan.rollout import roll_out

    ds = dataset(base_rota(), staffing_plans=PLANS)
    codes = tuple(ds.shift_codes["shift_code"])
    r = roll_out(ds.rota, codes, 2026, ds.staffing_plans)
    l1 = r.positions.index[r.positions["position_id"] == "L1"][0]
    got = [codes[c] if c >= 0 else None for c in r.days[l1, :21]]
    # 1–6 Jan before the validity; 7 Jan is Wednesday of week 1 (F), then N N F F, week 2 from Monday 12 Jan
    assert got[:6] == [None] * 6
    assert got[6:11] == ["F", "N", "N", "F", "F"]
    assert got[11:18] == PATTERN["L1"][7:14]
    assert got[18:21] == PATTERN["L1"][0:3]
