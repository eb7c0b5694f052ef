"""Calibrated funnels and like-with-like peers (issue 12): properties pinned with seeded numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import benchmark as bm
from benchmark.labels import peer_group_label
from benchmark.scoring.calibrated import fit_months
from benchmark.scoring.peergroups import (
    derive_service_area,
    knn_centres,
    knn_neighbours,
    peer_groups,
)
from benchmark.stats.hetero import group_median, robust_tau2, within_variance


def test_within_unit_variance_is_unbiased_and_the_old_median_pool_is_not():
    """5 000 units × 3 months, month variance ∝ expected numerator: the mean of the pooled s² over
    seeds equals the true Var(value) (±2 %); the median of 2-df variances would give ≈ 0,69 ×."""
    rng = np.random.default_rng(7)
    n, m = 5000, 3
    d = rng.uniform(5, 50, (n, 1)) * np.ones((1, m)) * np.array([1.0, 0.9, 1.1])
    theta, sigma2 = 4.0, 2.5
    x = theta * d + np.sqrt(sigma2 * d) * rng.standard_normal((n, m))
    group = np.zeros(n, dtype=np.int64)
    s2, beta = within_variance(x, d, group, beta=1.0)
    true_var = sigma2 / d.sum(axis=1)  # Var(Σx/Σd) = σ² Σd / (Σd)²
    assert np.mean(s2 / true_var) == pytest.approx(1.0, abs=0.02)
    # each unit's own estimate is unbiased too (that is what is pooled)
    resid = x - (x.sum(1) / d.sum(1))[:, None] * d
    c = d / d.sum(1, keepdims=True)
    own = (resid**2).sum(1) / (1 - (c**2).sum(1)) / d.sum(1) ** 2
    assert np.mean(own / true_var) == pytest.approx(1.0, abs=0.05)
    assert np.median(own / true_var) < 0.8  # why the median of 2-df variances is biased low


def test_size_exponent_is_estimated():
    """Month noise that does not average out with size (Var ∝ D⁰): β ≈ 0, not the assumed 1."""
    rng = np.random.default_rng(3)
    n, m = 3000, 3
    d = rng.uniform(5, 80, (n, 1)) * np.ones((1, m))
    x = 2.0 * d * (1 + 0.05 * rng.standard_normal((n, m)))  # CV 5 % whatever the size
    _, beta = within_variance(x, d, np.zeros(n, dtype=np.int64))
    assert beta == pytest.approx(0.0, abs=0.1)


def test_robust_tau2_recovers_the_between_unit_variance():
    rng = np.random.default_rng(11)
    groups, n = 300, 40
    g = np.repeat(np.arange(groups), n)
    y = 0.05 * rng.standard_normal(groups * n) + 0.02 * rng.standard_normal(groups * n)
    s2 = np.full(groups * n, 0.02**2)
    tau2 = robust_tau2(y, s2, group_median(y, g, groups), g, groups)
    assert np.sqrt(tau2.mean()) == pytest.approx(0.05, rel=0.05)


def test_shrinkage_lies_between_raw_value_and_peer_centre():
    rng = np.random.default_rng(5)
    n, m = 60, 3
    d = rng.uniform(2, 40, (n, 1)) * np.ones((1, m))
    theta = 5 + 0.5 * rng.standard_normal(n)
    x = theta[:, None] * d + np.sqrt(3 * d) * rng.standard_normal((n, m))
    y = x.sum(1) / d.sum(1)
    fit = fit_months(x, d, y, np.zeros(n, dtype=np.int64))
    lo, hi = np.minimum(y, fit["centre"]), np.maximum(y, fit["centre"])
    assert ((fit["shrunk"] >= lo - 1e-12) & (fit["shrunk"] <= hi + 1e-12)).all()
    # the small units move furthest toward the centre
    moved = np.abs(fit["shrunk"] - y) / np.maximum(np.abs(y - fit["centre"]), 1e-12)
    small, large = d[:, 0] < np.quantile(d[:, 0], 0.25), d[:, 0] > np.quantile(d[:, 0], 0.75)
    assert moved[small].mean() > moved[large].mean()


def _units(rows):
    return pd.DataFrame(rows, columns=["unit_id", "care_level", "specialty", "service_area"])


def test_service_area_from_specialty_when_blank():
    u = _units([("a", "inpatient", "Psykiatri", ""), ("b", "inpatient", "DPS døgn", ""),
                ("c", "inpatient", "Rusbehandling", ""), ("d", "inpatient", "rehabilitering", ""),
                ("e", "inpatient", "Intensiv", ""), ("f", "inpatient", "kirurgi", ""),
                ("g", "inpatient", "", ""), ("h", "inpatient", "psykiatri", "somatic")])
    assert derive_service_area(u).tolist() == ["mental_health", "mental_health", "substance_abuse",
                                               "rehabilitation", "intensive", "somatic", "somatic", "somatic"]


def test_peer_groups_by_care_level_and_area_with_the_fallback_reported():
    rows = ([(f"s{i}", "inpatient", "kirurgi", "") for i in range(10)]
            + [(f"p{i}", "inpatient", "psykiatri", "") for i in range(8)]
            + [(f"r{i}", "inpatient", "rehabilitering", "") for i in range(3)]
            + [(f"i{i}", "inpatient", "intensiv", "") for i in range(2)]
            + [(f"o{i}", "outpatient", "", "") for i in range(9)])
    g = peer_groups(_units(rows), min_size=8).set_index(_units(rows)["unit_id"])
    assert g.loc["p0", "peer_group"] == "inpatient:mental_health" and g.loc["p0", "peer_note"] == ""
    assert g.loc["s0", "peer_group"] == "inpatient:somatic"
    # 3 rehabilitation + 2 intensive wards: pooled into the care level (5 < 8), then into the
    # care level's largest group — and the note says so
    assert g.loc["r0", "peer_group"] == "inpatient:somatic"
    assert "inpatient:rehabilitation → inpatient (3 < 8)" in g.loc["r0", "peer_note"] or \
        "inpatient:rehabilitation → inpatient:somatic" in g.loc["r0", "peer_note"]
    assert g.loc["o0", "peer_group"] == "outpatient:somatic"
    # with min_size 3 the rehabilitation wards keep their group; the 2 intensive pool alone → join largest
    g3 = peer_groups(_units(rows), min_size=3).set_index(_units(rows)["unit_id"])
    assert g3.loc["r0", "peer_group"] == "inpatient:rehabilitation"
    assert g3.loc["i0", "peer_group"] == "inpatient:somatic" and "(2 < 3" in g3.loc["i0", "peer_note"]


def test_peer_pool_of_small_groups_when_it_is_large_enough():
    rows = ([(f"s{i}", "inpatient", "kirurgi", "") for i in range(10)]
            + [(f"r{i}", "inpatient", "rehabilitering", "") for i in range(5)]
            + [(f"i{i}", "inpatient", "intensiv", "") for i in range(4)])
    g = peer_groups(_units(rows), min_size=8).set_index(_units(rows)["unit_id"])
    assert g.loc["r0", "peer_group"] == g.loc["i0", "peer_group"] == "inpatient"
    assert g.loc["r0", "peer_note"] == "inpatient:rehabilitation → inpatient (5 < 8)"


def test_knn_comparison_sets_are_the_nearest_units():
    feats = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.0]])
    group = np.zeros(6, dtype=np.int64)
    nb = knn_neighbours(feats, group, k=3, above=2)
    assert sorted(nb[0][0].tolist()) == [0, 1, 2] and sorted(nb[0][4].tolist()) == [3, 4, 5]
    values = np.array([1.0, 2.0, 3.0, 10.0, 20.0, 30.0])
    assert knn_centres(values, nb, group).tolist() == [2.0, 2.0, 2.0, 20.0, 20.0, 20.0]
    assert knn_neighbours(feats, group, k=3, above=10) == [None]  # a small group: the whole group


def test_peer_group_labels():
    assert peer_group_label("inpatient:mental_health") == "døgnenheter i psykisk helsevern"
    assert peer_group_label("inpatient:mental_health", "nb", 9) == "9 døgnenheter i psykisk helsevern"
    assert peer_group_label("inpatient:somatic", "en", 3) == "3 inpatient wards in somatic care"
    assert peer_group_label("inpatient", "nb") == "sengeposter"
    assert peer_group_label("Gruppe A", "nb", 4) == "4 enheter i gruppen «Gruppe A»"


@pytest.fixture(scope="module")
def demo():
    ds = bm.load_dataset("fixtures/demo")
    return ds, bm.score(ds, bm.load_criteria(), period="2025Q3", sensitivity_analysis=False)


def test_demo_psychiatric_wards_are_compared_with_psychiatric_wards(demo):
    ds, res = demo
    s = res.scores
    act = s[(s["criterion"] == "activity_per_fte") & s["scored"].astype(bool)]
    psych_units = set(ds.units.loc[(ds.units["care_level"] == "inpatient")
                                   & (ds.units["service_area"] == "mental_health"), "unit_id"])
    assert len(psych_units) == 9
    rows = act[act["entity_id"].isin(psych_units)]
    assert set(rows["peer_group"]) == {"inpatient:mental_health"}
    assert (rows["peer_n"] == 9).all()
    group = act[act["peer_group"] == "inpatient:mental_health"]
    assert set(group["entity_id"]) == psych_units
    # measured on bed days, not DRG points: value = Σ bed_days / Σ fte_worked
    m = ds.monthly[ds.monthly["month"].isin(["2025-07", "2025-08", "2025-09"])]
    uid = sorted(psych_units)[0]
    mine = m[m["unit_id"] == uid]
    assert rows.set_index("entity_id").loc[uid, "value"] == pytest.approx(
        mine["bed_days"].sum() / mine["fte_worked"].sum())
    text = bm.explain(res, uid, lang="nb")
    assert "Sammenlignet med 9 døgnenheter i psykisk helsevern" in text


def test_demo_old_grouping_would_misrank_psychiatric_wards(demo):
    """On DRG points per FTE among all inpatient wards, every psychiatric ward sits at the bottom."""
    ds, _ = demo
    m = ds.monthly[ds.monthly["month"].isin(["2025-07", "2025-08", "2025-09"])]
    sums = m.groupby("unit_id")[["drg_points", "fte_worked"]].sum()
    wards = ds.units[ds.units["care_level"] == "inpatient"].set_index("unit_id")
    drg = (sums["drg_points"] / sums["fte_worked"]).reindex(wards.index)
    psych = wards["service_area"] == "mental_health"
    assert drg[psych].max() < drg[wards["service_area"] == "somatic"].min()


def test_care_hours_per_patient_day_by_hand(demo):
    ds, res = demo
    s = res.scores[res.scores["criterion"] == "care_hours_per_patient_day"]
    scored = s[s["scored"].astype(bool)]
    assert set(ds.units.set_index("unit_id").loc[scored["entity_id"], "care_level"]) == {"inpatient"}
    uid = scored["entity_id"].iloc[0]
    m = ds.monthly[(ds.monthly["unit_id"] == uid) & ds.monthly["month"].isin(["2025-07", "2025-08", "2025-09"])]
    hours = (m["fte_worked"] * 1950 / 12).sum()
    assert scored.set_index("entity_id").loc[uid, "value"] == pytest.approx(hours / m["bed_days"].sum())
    outpatient = s[s["entity_id"].isin(ds.units.loc[ds.units["care_level"] == "outpatient", "unit_id"])]
    assert not outpatient["scored"].astype(bool).any()


def test_shrinkage_pulls_toward_the_peer_centre_not_the_plan(demo):
    _, res = demo
    s = res.scores[(res.scores["criterion"] == "staffing_vs_plan") & res.scores["scored"].astype(bool)]
    assert (s["target"] == 1.0).all()
    lo, hi = np.minimum(s["value"], s["centre"]), np.maximum(s["value"], s["centre"])
    assert ((s["shrunk"] >= lo - 1e-12) & (s["shrunk"] <= hi + 1e-12)).all()
    centre = s.groupby("peer_group")["value"].transform("median")
    assert np.allclose(s["centre"], centre)


def test_knn_peers_in_the_pipeline(demo):
    """method = "knn": each somatic ward's centre is the median of its k nearest wards by size."""
    import dataclasses

    ds, base = demo
    cat = bm.load_criteria()
    knn = dataclasses.replace(cat, peers=dataclasses.replace(cat.peers, method="knn", k=5, knn_above=10))
    res = bm.score(ds, knn, period="2025Q3", sensitivity_analysis=False)
    s = res.scores[(res.scores["criterion"] == "activity_per_fte") & res.scores["scored"].astype(bool)]
    wards = s[s["peer_group"] == "inpatient:somatic"].reset_index(drop=True)
    assert len(wards) > 10
    m = ds.monthly[ds.monthly["month"].isin(["2025-07", "2025-08", "2025-09"])]
    size = np.log(m.groupby("unit_id")["fte_worked"].mean().reindex(wards["entity_id"]).to_numpy())
    uid = 0
    nearest = np.argsort(np.abs(size - size[uid]), kind="stable")[:5]
    assert wards.loc[uid, "centre"] == pytest.approx(np.median(wards["value"].to_numpy()[nearest]))
    # small groups keep the group median
    psych = s[s["peer_group"] == "inpatient:mental_health"]
    assert np.allclose(psych["centre"], psych["value"].median())


def test_the_funnels_lines_are_the_groups_own_limits_and_the_flags_each_entitys(monkeypatch):
    """``funnel_lower95`` … are the limits the group gives a unit of each size (SPEC §5): exactly the
    limits ``fit_months`` computes without leave-one-out, for every months criterion of the demo,
    on every scale; the flags stay those of each entity's own (leave-one-out) limits."""
    from dataclasses import replace

    import benchmark.scoring.calibrated as calibrated

    ds, cat = bm.load_dataset("fixtures/demo"), bm.load_criteria()
    # agency share on √ as a catalogue may ask (the default draws every funnel on the value scale)
    cat = replace(cat, criteria=type(cat.criteria)(
        replace(c, scale="sqrt") if c.id == "agency_share" else c for c in cat.criteria))
    with_loo = bm.score(ds, cat, period="2025Q3", seed=1).scores
    monkeypatch.setattr(calibrated, "LOO", False)
    without = bm.score(ds, cat, period="2025Q3", seed=1).scores
    months = [c.id for c in cat.criteria if c.model == "months"]
    assert {c.scale for c in cat.criteria if c.model == "months"} >= {"identity", "sqrt"}
    a = with_loo[with_loo["criterion"].isin(months) & with_loo["scored"].astype(bool)]
    b = without.loc[a.index]
    for col in ("lower95", "upper95", "lower998", "upper998"):
        np.testing.assert_allclose(a["funnel_" + col], b[col], rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(b["funnel_" + col], b[col], rtol=1e-12, equal_nan=True)
        assert (a["funnel_" + col] - a[col]).abs().max() > 0  # leave-one-out moves each entity's own
    flags_from_own = np.select(
        [a["value"] > a["upper998"], a["value"] > a["upper95"], a["value"] < a["lower998"], a["value"] < a["lower95"]],
        ["above_99.8", "above_95", "below_99.8", "below_95"], "within")
    assert (flags_from_own == a["flag"].astype(str).to_numpy()).all()
