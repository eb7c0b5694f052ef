"""A small hand-made trust for the package tests: two clinics, wards and outpatient clinics, 24 months.

Klinikk A's wards have numbers simple enough to sum by hand (month index i = 0 … 23 from 2023-10):

    A-W1: drg_points = 100 + i, fte_worked = 20            (headcount 24)
    A-W2: drg_points = 60,      fte_worked = 12 + (i % 2)  (headcount 15)
    A-W3: drg_points = 10,      fte_worked = 3             (headcount 3: a small unit)

Klinikk B's wards are their peers: B-W1 120 / 20, B-W2 44 / 11, B-W3 50 / 10 (constant).
Outpatient clinics count outpatient_visits. bed_days = fte_worked × 1 950 ÷ 12 ÷ 6, so care hours per
patient day are exactly 6 for every ward. The run is 2025Q3, recorded in a real DuckDB store.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

MONTHS = [str(p) for p in pd.period_range("2023-10", "2025-09", freq="M")]
WARDS = {  # unit_id: (division, department, drg(i), fte(i), headcount)
    "A-W1": ("Klinikk A", "Medisin A", lambda i: 100.0 + i, lambda i: 20.0, 24),
    "A-W2": ("Klinikk A", "Medisin A", lambda i: 60.0, lambda i: 12.0 + (i % 2), 15),
    "A-W3": ("Klinikk A", "Kirurgi A", lambda i: 10.0, lambda i: 3.0, 3),
    "B-W1": ("Klinikk B", "Medisin B", lambda i: 120.0, lambda i: 20.0, 24),
    "B-W2": ("Klinikk B", "Medisin B", lambda i: 44.0, lambda i: 11.0, 13),
    "B-W3": ("Klinikk B", "Kirurgi B", lambda i: 50.0, lambda i: 10.0, 12),
}
CLINICS = {  # outpatient: unit_id: (division, department, visits per FTE, fte)
    "A-P1": ("Klinikk A", "Medisin A", 40.0, 8.0), "A-P2": ("Klinikk A", "Kirurgi A", 36.0, 6.0),
    "B-P1": ("Klinikk B", "Medisin B", 42.0, 9.0), "B-P2": ("Klinikk B", "Kirurgi B", 38.0, 7.0),
}


def _monthly_row(unit: str, month: str, i: int, drg: float, visits: float, fte: float, heads: float,
                 rng: np.random.Generator, inpatient: bool) -> dict:
    wobble = 1 + 0.05 * rng.standard_normal()
    return {
        "unit_id": unit, "month": month, "drg_points": drg, "outpatient_visits": visits,
        "bed_days": fte * 1950 / 12 / 6 if inpatient else 0.0, "beds": 10.0 if inpatient else 0.0,
        "fte_worked": fte, "fte_contracted": fte - 0.2, "fte_planned": fte - 0.5, "fte_budget": fte - 1.0,
        "pay_fixed": 50.0 * fte, "pay_overtime": 1.0 * fte * wobble, "pay_extra_shifts": 1.5 * fte,
        "pay_shift_displacement": 0.5 * fte, "pay_call_out": 0.2 * fte, "pay_other_variable": 0.3 * fte,
        "variable_pay_budget": 3.0 * fte, "agency_cost": 0.4 * fte * wobble, "sick_leave_days": 1.5 * fte * wobble, "possible_days": 21.0 * fte,
        "leavers": 0.0, "headcount": heads,
    }


def write_trust(folder: Path) -> Path:
    rng = np.random.default_rng(18)
    units, monthly = [], []
    for uid, (div, dept, drg, fte, heads) in WARDS.items():
        units.append({"unit_id": uid, "unit_name": f"Sengepost {uid}", "division": div, "department": dept,
                      "care_level": "inpatient"})
        for i, m in enumerate(MONTHS):
            monthly.append(_monthly_row(uid, m, i, drg(i), 0.0, fte(i), heads, rng, True))
    for uid, (div, dept, per_fte, fte) in CLINICS.items():
        units.append({"unit_id": uid, "unit_name": f"Poliklinikk {uid}", "division": div, "department": dept,
                      "care_level": "outpatient"})
        for i, m in enumerate(MONTHS):
            monthly.append(_monthly_row(uid, m, i, 0.0, per_fte * fte * (1 + 0.02 * (i % 3)), fte,
                                        round(fte * 1.2), rng, False))
    measures = pd.DataFrame([
        {"measure_id": "T1", "report_month": "2025-09", "division": "Klinikk A", "department": "Medisin A",
         "kind": "cost", "description": "Redusert innleie", "progress": "in_progress", "start": "01.01.2025",
         "effect_planned": 1200.0, "risk": "medium", "effect_realised": 500.0},
        {"measure_id": "T2", "report_month": "2025-09", "division": "Klinikk A", "department": "Kirurgi A",
         "kind": "cost", "description": "Færre ekstravakter", "progress": "delayed", "start": "andre halvår",
         "effect_planned": 800.0, "risk": "high", "effect_realised": 0.0},
    ])
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(units).to_csv(folder / "units.csv", index=False)
    pd.DataFrame(monthly).to_csv(folder / "monthly.csv", index=False)
    measures.to_csv(folder / "measures.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def trust_run(tmp_path_factory):
    """(data folder, store path, run id) of a 2025Q3 unit-level run of the hand-made trust."""
    from benchmark.runner import run_benchmark

    base = tmp_path_factory.mktemp("pack")
    data = write_trust(base / "data")
    info = run_benchmark(data, "2025Q3", out=base / "out", store=base / "out" / "history.duckdb", quiet=True)
    return data, info.store, info.run_id
