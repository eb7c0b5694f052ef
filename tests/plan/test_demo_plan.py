"""On the demo trust: the waterfall adds up at every level and the indicators count the units without plans."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import benchmark as bm
from benchmark.demo_plan import generate_plan_tables
from benchmark.plan.waterfall import breakdown, waterfall

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"


@pytest.fixture(scope="module")
def demo():
    return bm.load_dataset(DEMO)


@pytest.fixture(scope="module", params=[2025, 2026])
def demo_plan(request, demo):
    return bm.plan(demo, request.param, bm.load_tariff())


def test_the_generator_rewrites_the_plan_tables(demo):
    units = pd.read_csv(DEMO / "units.csv", keep_default_na=False)
    monthly = pd.read_csv(DEMO / "monthly.csv")
    tables = generate_plan_tables(units, monthly)
    pd.testing.assert_frame_equal(tables["rota"], pd.read_parquet(DEMO / "rota.parquet"))
    for name in ("shift_codes", "frames", "activity_plans"):
        assert (DEMO / f"{name}.csv").read_text() == tables[name].to_csv(index=False, lineterminator="\n",
                                                                           float_format="%.10g")


def test_waterfall_adds_up_at_every_level(demo_plan):
    g = demo_plan.gap
    framed = g["pay_frame"].notna()
    assert framed.all()  # the demo has frames at every level
    assert np.allclose(g["pay_frame"] + g["gap"], g["cost_total"])
    assert np.allclose(g["gap"] - g["measures_risk_adjusted"], g["unresolved"])
    # units sum to departments and divisions; the monthly budget sums to the units
    for level in ("department", "division"):
        assert g.loc[g["level"] == level, "cost_total"].sum() == pytest.approx(g.loc[g["level"] == "unit", "cost_total"].sum())
    assert demo_plan.staffing_budget["cost_total"].sum() == pytest.approx(g.loc[g["level"] == "unit", "cost_total"].sum())
    b = demo_plan.staffing_budget
    parts = b[["cost_base", "cost_evening_night", "cost_weekend", "cost_holiday", "cost_social", "cost_cover"]].sum(axis=1)
    assert np.allclose(parts, b["cost_total"])
    bd = breakdown(demo_plan)
    for _, row in bd[bd["level"] == "division"].iterrows():
        w = waterfall(row).set_index("step")
        assert w.at["cost_cover", "end"] == pytest.approx(row["cost_total"])
        assert w.at["frame", "end"] + w.at["gap", "value"] == pytest.approx(row["cost_total"])
        assert w.at["gap", "value"] - row["measures_risk_adjusted"] == pytest.approx(w.at["unresolved", "value"])


def test_some_divisions_exceed_their_frame(demo_plan):
    d = demo_plan.gap[demo_plan.gap["level"] == "division"]
    assert 1 <= (d["gap"] > 0).sum() < len(d)


def test_indicators_count_units_without_plans(demo, demo_plan):
    ind = demo_plan.indicators.set_index("division")
    units = demo_plan.units
    assert ind["units"].sum() == len(units)
    by_div = units.groupby("division")["has_rota"].sum()
    assert (ind["units_with_rota"] == by_div.reindex(ind.index)).all()
    assert (ind["units"] - ind["units_with_rota"]).sum() == (~units["has_rota"]).sum() > 0
    assert (ind["units"] - ind["units_with_activity_plan"]).sum() > 0
    # a unit has a GAT plan exactly when it has rota rows; the closed unit (2024) is not counted
    rota_units = set(demo.rota["unit_id"])
    assert set(units.loc[units["has_rota"], "unit_id"]) == rota_units & set(units["unit_id"])
    assert len(units) == len(demo.units) - 1


def test_basis_is_stated(demo_plan):
    basis = demo_plan.units["basis"].value_counts()
    assert basis["rota"] > 100
    if demo_plan.year == 2025:  # staffing plans valid to 2025-12-31 price the units without a rota
        assert basis.get("staffing_plans", 0) > 0 and any("annual_cost" in n for n in demo_plan.notes)
        assert (demo_plan.gap["measures_risk_adjusted"] > 0).any()
    else:
        assert basis.get("none", 0) > 0 and any("verken turnus" in n for n in demo_plan.notes)
