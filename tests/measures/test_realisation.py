"""Realisation of budget measures against risk, calibration and data-quality flags."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from benchmark.dataset import load_dataset
from benchmark.demo_seed import SEED_2024
from benchmark.measures import calibrate, quality_flags, realisation
from benchmark.periods import parse_period

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = {"low": 0.9, "medium": 0.6, "high": 0.3}
RISK = {"Lav": "low", "Middels": "medium", "Høy": "high"}


def seed_measures(division: str, report_month: str = "2024-03") -> pd.DataFrame:
    rows = [r for r in SEED_2024 if r[0] == division]
    return pd.DataFrame({
        "measure_id": [f"M{i}" for i in range(len(rows))], "report_month": report_month, "division": division,
        "department": [r[2] for r in rows], "kind": [r[1] for r in rows], "description": [r[3] for r in rows],
        "progress": "in_progress", "fte_reduction_planned": [r[5] for r in rows], "start": [r[6] for r in rows],
        "effect_planned": [float(r[7]) for r in rows], "risk": [RISK[r[8]] for r in rows], "status": "green",
        "effect_realised": 0.0})


def test_elverum_hamar_march_2024_high_risk_share_and_coverage():
    m = seed_measures("Elverum-Hamar")
    results = pd.DataFrame({"division": ["Elverum-Hamar"], "month": ["2024-03"], "result": [-24000.0],
                            "result_budget": [0.0], "remaining_challenge": [50000.0]})
    row = realisation(m, results, parse_period("2024-03"), DEFAULTS).query("level == 'division'").iloc[0]
    # planned 23 200 + 58 559 = 81 759; high risk 2 700 + 14 000 + 5 000 + 5 700 + 4 000 + 4 400
    # + 8 500 + 3 000 + 2 700 = 50 000 → 50 000 / 81 759 = 61.2 %
    assert row["effect_planned"] == pytest.approx(81759)
    assert row["high_risk_share"] == pytest.approx(50000 / 81759)
    # risk-adjusted: low 13 500 × 0.9 = 12 150; medium 18 259 × 0.6 = 10 955.4; high 50 000 × 0.3 = 15 000
    assert round(row["effect_risk_adjusted"]) == 38105
    assert row["risk_adjusted_coverage"] == pytest.approx(38105.4 / 50000)  # 76 % of the challenge
    # all start 01.01.2024, report March: expected to date = 3/12 of the plan
    assert row["effect_expected_to_date"] == pytest.approx(81759 * 3 / 12)
    assert row["effect_risk_adjusted_to_date"] == pytest.approx(38105.4 * 3 / 12)


def test_imprecise_starts_and_delays():
    m = seed_measures("Prehospitale tjenester", "2024-08")
    m.loc[m["description"] == "Ta ned en ressurs på to bilstasjon med lav aktivitet", "progress"] = "not_started"
    out = realisation(m, None, parse_period("2024-08"), DEFAULTS).query("level == 'division'").iloc[0]
    # "andre halvår" starts in July (2 of 12 months by August), "senere i året" in September (0)
    planned_to_date = sum(e * 8 / 12 for e in (5000, 3200, 1000, 2600, 1000, 1000)) + 1200 * 2 / 12
    assert out["effect_expected_to_date"] == pytest.approx(planned_to_date)
    assert out["n_delayed_or_not_started"] == 0  # not started, but its start (September) is still ahead


def test_realisation_is_nan_not_inf_when_nothing_is_expected_yet():
    m = seed_measures("Tynset").assign(start="01.12.2024")
    out = realisation(m, None, parse_period("2024-03"), DEFAULTS)
    assert out["realisation_vs_risk"].isna().all()


def test_on_the_demo_trust_the_weak_division_has_the_lowest_realisation():
    ds = load_dataset(ROOT / "fixtures" / "demo")
    planted = json.loads((ROOT / "fixtures" / "demo_planted.json").read_text(encoding="utf-8"))
    out = realisation(ds.measures, ds.division_results, parse_period("2025Q3"), DEFAULTS)
    divisions = out[out["level"] == "division"].set_index("division")
    assert divisions["realisation_vs_risk"].idxmin() == planted["weak_measures_division"]["division"]


def test_calibration_from_year_end_is_shown_beside_the_defaults():
    ds = load_dataset(ROOT / "fixtures" / "demo")
    cal = calibrate(ds.measures, DEFAULTS).set_index("risk")
    assert list(cal.index) == ["low", "medium", "high"]
    assert (cal["default"] == pd.Series(DEFAULTS)).all()
    assert ((cal["rate_low"] <= cal["rate"]) & (cal["rate"] <= cal["rate_high"])).all()
    assert cal.loc["low", "rate"] > cal.loc["medium", "rate"] > cal.loc["high", "rate"]


def test_quality_flags_find_the_planted_oddities():
    ds = load_dataset(ROOT / "fixtures" / "demo")
    flags = quality_flags(ds.measures)
    planted = json.loads((ROOT / "fixtures" / "demo_planted.json").read_text(encoding="utf-8"))["measure_oddities"]
    for odd in planted:
        hits = flags[(flags["rule"] == odd["rule"]) & (flags["description"] == odd["description"])]
        assert not hits.empty, odd
    change = flags[flags["rule"] == "planned_effect_changed"].iloc[0]
    assert "8 500" in change["message_nb"] and "6 500" in change["message_nb"] and "2024-06" in change["message_nb"]
