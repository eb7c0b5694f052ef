"""bm.score on the demo trust (recovery of planted truths, determinism) and on hand-made cases."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import benchmark as bm
from benchmark.scoring.aggregate import entity_table
from benchmark.scoring.peers import peer_target, percentile
from benchmark.scoring.potential import criterion_potential

ROOT = Path(__file__).resolve().parents[2]
PLANTED = json.loads((ROOT / "fixtures" / "demo_planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def res():
    ds = bm.load_dataset(ROOT / "fixtures" / "demo")
    return bm.score(ds, bm.load_criteria(), period=PLANTED["period"], level="unit", seed=1)


def test_every_planted_deficit_is_flagged_on_its_criterion_in_its_direction(res):
    s = res.scores.set_index(["entity_id", "criterion"])
    for d in PLANTED["deficits"]:
        row = s.loc[(d["unit_id"], d["criterion"])]
        assert row["flag"] in ({"below_95", "below_99.8"} if d["expected"] == "below" else {"above_95", "above_99.8"}), d


def test_planted_deficits_rank_near_the_top_of_improvement_potential(res):
    s = res.scores
    for d in PLANTED["deficits"]:
        crit = s[s["criterion"] == d["criterion"]].sort_values("potential", ascending=False).reset_index(drop=True)
        position = crit.index[crit["entity_id"] == d["unit_id"]][0] + 1
        assert position <= 10, (d, position)  # among the ten largest of ~150 on that criterion
    overall = res.ranking.set_index("entity_id")["potential_rank"]
    for d in PLANTED["deficits"]:
        if d["criterion"] in ("activity_per_fte", "variable_pay_share"):  # additive criteria
            assert overall[d["unit_id"]] <= len(overall) / 4, d  # in the top quarter overall


def test_ordinary_units_are_mostly_within_normal_variation(res):
    s = res.scores[res.scores["entity_id"].isin(PLANTED["ordinary_units"]) & res.scores["scored"]]
    assert (s["flag"] == "within").mean() >= 0.6


def test_the_small_unit_is_shrunk_more_than_large_ones(res):
    s = res.scores[(res.scores["criterion"] == "sick_leave_rate") & res.scores["scored"]].copy()
    s["moved"] = ((s["shrunk"] - s["value"]) / (s["centre"] - s["value"])).where(s["value"] != s["centre"])
    small = s[s["entity_id"] == PLANTED["small_unit"]["unit_id"]]["moved"].iloc[0]
    large = s[s["denominator"] > s["denominator"].quantile(0.75)]["moved"].median()
    assert small > large


def test_not_scored_criteria_keep_a_row_with_the_reason(res):
    uid = PLANTED["no_staffing_plan"]["unit_id"]
    row = res.scores[(res.scores["entity_id"] == uid) & (res.scores["criterion"] == "staffing_vs_plan")].iloc[0]
    assert not row["scored"] and row["not_scored_reason"]


def test_rank_intervals_contain_the_rank_and_potentials_are_non_negative(res):
    r = res.ranking.dropna(subset=["rank"])
    assert ((r["rank_low"] <= r["rank"]) & (r["rank"] <= r["rank_high"]) & (r["rank_high"] <= r["peer_n"])).all()
    assert (res.ranking[["potential_fte", "potential_knok"]] >= 0).all().all()
    assert (res.ranking["potential_fte_low"] <= res.ranking["potential_fte"] + 1e-9).all()


def test_the_composite_is_the_sum_of_contributions(res):
    sums = res.scores.groupby("entity_id")["contribution"].sum(min_count=1)
    r = res.ranking.set_index("entity_id")["composite"]
    assert np.allclose(sums.reindex(r.index).dropna(), r.dropna())


def test_same_seed_same_result_and_rescore(res):
    ds = bm.load_dataset(ROOT / "fixtures" / "demo")
    again = bm.score(ds, bm.load_criteria(), period=PLANTED["period"], seed=1)
    pd.testing.assert_frame_equal(res.ranking, again.ranking)
    pd.testing.assert_frame_equal(res.scores, again.scores)
    same = res.rescore(weights=res.catalogue.weights())
    assert np.allclose(same.ranking["composite"].fillna(0), res.ranking["composite"].fillna(0))
    changed = res.rescore(weights={"sick_leave_rate": 3.0, "activity_per_fte": 0.0})
    assert (changed.ranking["rank"].fillna(-1) != res.ranking["rank"].fillna(-1)).any()


def test_sensitivity_reports_shifts_for_every_scenario(res):
    scenarios = set(res.sensitivity["scenario"])
    assert {"norm_minmax", "norm_rank", "target_upper_quartile", "weight_activity_per_fte_+50"} <= scenarios
    assert (res.ranking["sensitivity_max_shift"].dropna() >= res.ranking["sensitivity_median_shift"].dropna()).all()


def test_trend_labels_follow_direction(res):
    t = res.trend
    assert set(t["trend"]) <= {"improving", "deteriorating", "stable"}
    assert (t.loc[t["trend"] != "stable", "spc_rule"] != "").all()


def test_division_level_scores_measure_realisation(res):
    ds = bm.load_dataset(ROOT / "fixtures" / "demo")
    div = bm.score(ds, bm.load_criteria(), period=PLANTED["period"], level="division")
    mr = div.scores[div.scores["criterion"] == "measure_realisation"].set_index("entity_id")
    weak = PLANTED["weak_measures_division"]["division"]
    assert mr["value"].idxmin() == weak
    assert mr.loc[weak, "flag"] in ("below_95", "below_99.8")


# --- hand-made cases ----------------------------------------------------------------------------

def test_targets_median_better_quartile_and_fixed():
    v = pd.Series([1.0, 2.0, 3.0, 4.0, 10.0])
    g = pd.Series(["a"] * 5)
    assert peer_target(v, g, +1, "median").iloc[0] == 3.0
    assert peer_target(v, g, +1, "upper_quartile").iloc[0] == 4.0   # 75th percentile when higher is better
    assert peer_target(v, g, -1, "upper_quartile").iloc[0] == 2.0   # 25th when lower is better
    assert peer_target(v, g, -1, 1.0).iloc[0] == 1.0
    assert percentile(v, g, -1).tolist() == [100.0, 75.0, 50.0, 25.0, 0.0]


def test_potential_by_hand():
    scores = pd.DataFrame({
        "criterion": ["act", "vp", "vp"], "direction": ["higher_is_better", "lower_is_better", "lower_is_better"],
        "shrunk": [4.0, 0.12, 0.05], "shrunk_se": [0.5, 0.01, 0.01], "target": [5.0, 0.10, 0.10],
        "volume": [60.0, 3000.0, 3000.0], "n_months": [3, 3, 3], "scored": [True, True, True]})
    pot = criterion_potential(scores, {"act": "fte", "vp": "knok"}, {"act": "relative", "vp": "absolute"})
    # activity: 60 FTE-months × (5 − 4)/5 = 12 FTE-months = 4 FTE over 3 months
    assert pot["potential"].iloc[0] == pytest.approx(4.0)
    # interval: shrunk ± 1.959964 × 0.5 → 3.020018 … 4.979982 → 60 × (5 − x)/5 / 3
    assert pot["potential_low"].iloc[0] == pytest.approx(60 * (5 - 4.979982) / 5 / 3)
    assert pot["potential_high"].iloc[0] == pytest.approx(60 * (5 - 3.020018) / 5 / 3)
    # variable pay: 3000 kNOK × (0.12 − 0.10) = 60 kNOK in 3 months = 240 kNOK a year
    assert pot["potential"].iloc[1] == pytest.approx(240.0)
    assert pot["potential"].iloc[2] == 0.0  # better than the target: no potential
    assert pot["potential_unit"].tolist() == ["fte", "knok", "knok"]


def test_units_that_share_a_name_are_told_apart_by_their_id():
    """Two rows a leader cannot tell apart are a defect: repeated names get the unit id after them."""
    ds = bm.load_dataset(ROOT / "fixtures" / "demo")
    units = ds.units.copy()
    first, second, third = units.index[:3]
    units.loc[[first, second], "unit_name"] = "Sengepost 1"
    units.loc[third, "unit_name"] = ""
    table = entity_table(replace(ds, units=units), "unit").set_index("unit_id")["entity_name"]
    ids = units.loc[[first, second, third], "unit_id"].tolist()
    assert table[ids[0]] == f"Sengepost 1 ({ids[0]})"
    assert table[ids[1]] == f"Sengepost 1 ({ids[1]})"
    assert table[ids[2]] == ids[2]  # no name at all: the id
    others = units.loc[units.index[3:], "unit_id"]
    assert (table[others] == units.set_index("unit_id").loc[others, "unit_name"]).all()  # the rest as given
    assert table.is_unique
