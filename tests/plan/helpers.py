"""Small hand-made datasets for the staffing-budget tests."""

from __future__ import annotations

import pandas as pd

from benchmark.dataset.load import dataset_from_frames

MONTHLY_REQUIRED = ["drg_points", "fte_worked", "fte_contracted", "pay_fixed", "pay_overtime", "pay_extra_shifts",
                    "pay_shift_displacement", "pay_call_out", "pay_other_variable", "agency_cost"]

SHIFT_CODES = pd.DataFrame({
    "shift_code": ["D", "A", "N", "T", "F", "S"],
    "start": ["07:30", "15:00", "22:00", "05:00", "", ""],
    "end": ["15:30", "23:00", "07:30", "13:00", "", ""],
    "break_minutes": ["30", "0", "0", "0", "", ""],
    "counts_as_work": ["ja", "ja", "ja", "ja", "nei", "nei"],
    "category": ["dag", "kveld", "natt", "dag", "fri", "fravær"],
})


def units(n: int = 1, division: str = "Div A", department: str = "Avd 1") -> pd.DataFrame:
    return pd.DataFrame({"unit_id": [f"U{i + 1}" for i in range(n)], "unit_name": [f"Enhet {i + 1}" for i in range(n)],
                         "division": division, "department": department, "care_level": "inpatient"})


def monthly(unit_ids, sick: float = 5.0, possible: float = 100.0, months=None) -> pd.DataFrame:
    months = months or [f"2025-{m:02d}" for m in range(1, 13)]
    rows = []
    for u in unit_ids:
        for m in months:
            row = {"unit_id": u, "month": m, **{c: 10.0 for c in MONTHLY_REQUIRED},
                   "sick_leave_days": sick, "possible_days": possible}
            rows.append(row)
    return pd.DataFrame(rows)


def day_rota(unit_id: str, position_id: str, year: int, shifts: dict[str, str], role: str = "sykepleier",
             pct: float = 100.0, default: str = "F") -> pd.DataFrame:
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    codes = [shifts.get(d.strftime("%Y-%m-%d"), default) for d in days]
    return pd.DataFrame({"unit_id": unit_id, "plan_id": f"P-{unit_id}", "position_id": position_id, "role": role,
                         "position_pct": pct, "date": days.strftime("%Y-%m-%d"), "shift_code": codes})


def dataset(rota=None, shift_codes=SHIFT_CODES, n_units: int = 1, **tables):
    u = tables.pop("units", None)
    u = units(n_units) if u is None else u
    m = tables.pop("monthly", None)
    m = monthly(u["unit_id"]) if m is None else m
    return dataset_from_frames(u, m, rota=rota, shift_codes=shift_codes, **tables)
