"""The calibrated months model's building blocks (issue 12): brute-force oracles and seeded
simulations with known truth. Fast: every simulation is one vectorised call over many groups."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.catalogue import load_criteria
from benchmark.scoring import calibrated
from benchmark.scoring.calibrated import (
    fit_months,
    hyper_draws,
    median_variance,
    potential_gap_interval,
)
from benchmark.stats import hetero
from benchmark.stats.hetero import (
    group_median,
    loo_group_median,
    loo_tau2,
    robust_tau2,
    size_exponent,
    within_variance,
)


def test_leave_one_out_median_equals_brute_force_with_ties_and_odd_and_even_groups():
    rng = np.random.default_rng(1)
    sizes = [2, 3, 4, 5, 8, 9, 16]
    group = np.repeat(np.arange(len(sizes)), sizes)
    y = np.round(rng.normal(size=len(group)), 1)  # ties
    y[3] = np.nan
    got = loo_group_median(y, group, len(sizes))
    for i in range(len(y)):
        peers = y[(group == group[i]) & (np.arange(len(y)) != i) & np.isfinite(y)]
        expected = np.median(peers) if np.isfinite(y[i]) and len(peers) else np.nan
        assert got[i] == pytest.approx(expected, nan_ok=True), i


def test_leave_one_out_tau2_matches_refitting_without_the_entity():
    """The grid solution of the τ² equation without unit i against solving it again without i."""
    rng = np.random.default_rng(2)
    n_groups, n = 6, 30
    group = np.repeat(np.arange(n_groups), n)
    s2 = rng.uniform(0.2, 2.0, len(group)) ** 2 * 0.01
    y = 0.1 * rng.normal(size=len(group)) + np.sqrt(s2) * rng.normal(size=len(group))
    y[::29] += 0.4  # a few real outliers: their own τ² must drop most
    centre = group_median(y, group, n_groups)
    tau2 = robust_tau2(y, s2, centre, group, n_groups)
    one_step = loo_tau2(y, s2, centre, group, n_groups, tau2)
    brute = np.empty(len(y))
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        brute[i] = robust_tau2(y[keep], s2[keep], centre, group[keep], n_groups)[group[i]]
    assert np.abs(one_step - brute).max() < 0.01 * tau2.max()
    outliers = np.arange(len(y))[::29]
    assert (one_step[outliers] < tau2[group[outliers]]).mean() >= 0.8  # most of them inflated their own τ²


def test_size_exponent_counts_zero_variances():
    """Poisson months (rare leavers): Var(rate) ∝ 1/D, β = 1. Many small units have V̂ = 0; a log
    regression must drop them (and then finds β ≈ 1,3); the quasi-likelihood keeps them."""
    rng = np.random.default_rng(4)
    n, m = 6000, 12
    d = np.exp(rng.uniform(np.log(4), np.log(80), n))[:, None] * np.ones((1, m))
    x = rng.poisson(0.01 * d).astype(float)
    s2, beta = within_variance(x, d, np.zeros(n, dtype=np.int64))
    assert beta == pytest.approx(1.0, abs=0.08)
    true = 0.01 / d.sum(axis=1)
    small, large = d[:, 0] < 10, d[:, 0] > 50
    assert np.mean(s2[small]) / np.mean(true[small]) == pytest.approx(1.0, abs=0.12)
    assert np.mean(s2[large]) / np.mean(true[large]) == pytest.approx(1.0, abs=0.12)


def test_size_exponent_is_not_bent_by_skewed_months():
    """Lognormal month noise whose CV² ∝ 1/D (agency cost): β = 1, although the skew changes with
    size (which bends a log-variance regression toward 0,5)."""
    rng = np.random.default_rng(5)
    n, m = 6000, 3
    d = np.exp(rng.uniform(np.log(3), np.log(60), n))[:, None] * np.ones((1, m))
    cv2 = 0.36 * 20 / d
    sd = np.sqrt(np.log1p(cv2))
    x = d * np.exp(sd * rng.normal(size=(n, m)) - sd**2 / 2)
    v = np.full(n, 0.0)
    _, beta = within_variance(x, d, np.zeros(n, dtype=np.int64))
    assert beta == pytest.approx(1.0, abs=0.1)
    assert size_exponent(v + 1.0, d.sum(1), np.full(n, 2.0), np.zeros(n, dtype=np.int64),
                         np.ones(n, bool), 1) == pytest.approx(0.0, abs=1e-9)


def _simulate(rng, n_groups=400, outliers=0.025, months=3):
    """Peer groups of 12–100 units, true values N(μ, τ²) that do not shrink with size, month noise
    ∝ √D; a share of units 3 τ too high. Returns (x, d, y, group, truth, planted)."""
    sizes = rng.integers(12, 101, n_groups)
    group = np.repeat(np.arange(n_groups), sizes)
    n = len(group)
    mu, tau = 5.0, 0.5
    d = np.exp(rng.uniform(np.log(3), np.log(60), n))[:, None] * np.ones((1, months))
    theta = mu + tau * rng.normal(size=n)
    planted = rng.random(n) < outliers
    theta[planted] = mu + 3 * tau
    x = theta[:, None] * d + np.sqrt(4.0 * d) * rng.normal(size=(n, months))
    y = x.sum(1) / d.sum(1)
    return x, d, y, group, theta, planted


def test_null_units_fall_outside_the_limits_at_the_nominal_rate_at_every_size():
    """The SPEC §5 property on the model itself: 4–6 % of null units outside 95 %, ≤ 0,4 % outside
    99,8 %, in each third by size — with 2,5 % planted outliers in the groups."""
    x, d, y, group, _, planted = _simulate(np.random.default_rng(6))
    fit = fit_months(x, d, y, group)
    out95 = fit["flag"] != "within"
    out998 = np.isin(fit["flag"], ["above_99.8", "below_99.8"])
    size = d.sum(1)
    cuts = np.quantile(size, [1 / 3, 2 / 3])
    for third in (size <= cuts[0], (size > cuts[0]) & (size <= cuts[1]), size > cuts[1]):
        null = third & ~planted
        assert 0.04 <= out95[null].mean() <= 0.06
        assert out998[null].mean() <= 0.004
    # and the planted units are found: the oracle (true μ, τ, s) flags P(Z > 1,96 − 3·τ/σ)
    sigma = np.sqrt(0.25 + 4.0 / size)
    oracle = np.mean(1 - __import__("scipy").stats.norm.cdf(1.959964 - 1.5 / sigma[planted]))
    power = np.isin(fit["flag"][planted], ["above_95", "above_99.8"]).mean()
    assert power >= 0.85 * oracle


def test_limits_without_leave_one_out_were_conservative():
    """Why the limits leave the entity out: including it (with t(n − 2)) flags fewer null units and
    finds fewer planted ones (in the trust simulation 3–4 % at 95 %, power 0,75–0,80 of the oracle's)."""
    x, d, y, group, _, planted = _simulate(np.random.default_rng(6))
    old = (calibrated.LOO, calibrated.DF, calibrated.CENTRE_VARIANCE)
    try:
        calibrated.LOO, calibrated.DF, calibrated.CENTRE_VARIANCE = False, "n-2", False
        old_fit = fit_months(x, d, y, group)
    finally:
        calibrated.LOO, calibrated.DF, calibrated.CENTRE_VARIANCE = old
    fit = fit_months(x, d, y, group)
    share = {k: (f["flag"][~planted] != "within").mean() for k, f in (("old", old_fit), ("new", fit))}
    found = {k: np.isin(f["flag"][planted], ["above_95", "above_99.8"]).mean() for k, f in (("old", old_fit), ("new", fit))}
    assert share["old"] < share["new"] - 0.003
    assert found["old"] < found["new"] - 0.02


def test_sqrt_scale_maps_the_limits_back():
    x, d, y, group, _, _ = _simulate(np.random.default_rng(7), n_groups=20)
    fit = fit_months(x, d, y, group, scale="sqrt")
    ok = np.isfinite(fit["lower95"])
    assert (fit["lower998"][ok] >= 0).all()
    assert (fit["lower998"][ok] <= fit["lower95"][ok]).all() and (fit["upper95"][ok] <= fit["upper998"][ok]).all()
    # skewed on the value's scale: the upper limit is further from the centre than the lower
    assert np.median(fit["upper95"][ok] - fit["centre"][ok]) > np.median(fit["centre"][ok] - fit["lower95"][ok])
    inside = (y >= fit["lower95"]) & (y <= fit["upper95"])
    assert ((fit["flag"] == "within") == inside)[ok].all()


def test_hyperparameter_draws_match_re_simulating_the_group():
    """μ* and τ²* drawn from their sampling distribution agree with re-simulating every unit and
    taking the median and the moment τ² (what the bootstrap did before; 5 000 draws, seeded)."""
    rng = np.random.default_rng(8)
    n = 40
    s2 = rng.uniform(0.1, 1.5, n) ** 2
    tau2 = np.full(n, 0.5)
    sims = np.sqrt(s2 + tau2)[:, None] * rng.normal(size=(n, 5000))
    mu_sim = np.median(sims, axis=0)
    t2_sim = np.maximum(sims.var(axis=0, ddof=1) - s2.mean(), 0)
    old = calibrated.DRAWS
    try:
        calibrated.DRAWS = 5000
        dmu, t2 = hyper_draws(s2, tau2, np.array([0]), np.array([n]), seed=3)
    finally:
        calibrated.DRAWS = old
    assert dmu[0].std() == pytest.approx(mu_sim.std(), rel=0.08)
    assert dmu[0].mean() == pytest.approx(0.0, abs=0.02)
    assert t2[0].mean() == pytest.approx(t2_sim.mean(), rel=0.05)
    assert t2[0].std() == pytest.approx(t2_sim.std(), rel=0.1)


def test_potential_interval_covers_and_does_not_depend_on_call_order():
    rng = np.random.default_rng(9)
    x, d, y, group, theta, _ = _simulate(rng, n_groups=60, outliers=0.0)
    fit = fit_months(x, d, y, group)
    calibrated._NORMALS.clear()
    low, high = potential_gap_interval(fit, y, "median", 1, False, seed=1)
    # another criterion with more entities first: the cached draws grow, the result stays
    calibrated._NORMALS.clear()
    big = fit_months(np.tile(x, (2, 1)), np.tile(d, (2, 1)), np.tile(y, 2), np.tile(group, 2))
    potential_gap_interval(big, np.tile(y, 2), "median", 1, False, seed=1)
    low2, high2 = potential_gap_interval(fit, y, "median", 1, False, seed=1)
    assert np.array_equal(low, low2) and np.array_equal(high, high2)
    # coverage of the true gap (true peer median of θ − θ, ≥ 0) over the units
    true_target = np.array([np.median(theta[group == g]) for g in range(group.max() + 1)])[group]
    gap = np.maximum(true_target - theta, 0)
    covered = (low - 1e-9 <= gap) & (gap <= high + 1e-9)
    assert covered.mean() >= 0.93
    assert (low <= high).all() and (low >= 0).all()


def test_the_default_catalogue_draws_every_funnel_on_the_value_scale_and_keeps_sqrt_available(tmp_path):
    """Agency share on its own scale since blocks of hired shifts became the simulation's agency
    noise (docs/METHODS.md "Agency share"); a catalogue may still ask for the √ scale."""
    from pathlib import Path

    crit = {c.id: c for c in load_criteria().criteria}
    assert crit["agency_share"].scale == "identity"
    assert crit["activity_per_fte"].scale == "identity"
    assert "scale" not in crit["agency_share"].to_dict()  # identity hashes as a catalogue without it
    text = (Path(__file__).resolve().parents[2] / "criteria" / "default.toml").read_text(encoding="utf-8")
    path = tmp_path / "sqrt.toml"
    path.write_text(text.replace('\nscale = "identity"', '\nscale = "sqrt"', 1), encoding="utf-8")
    sqrt = {c.id: c for c in load_criteria(path).criteria}
    assert sqrt["agency_share"].scale == "sqrt"
    assert sqrt["agency_share"].to_dict()["scale"] == "sqrt"


def test_t_quantile_table_matches_scipy():
    from scipy import stats as sps

    from benchmark.stats.hetero import t_quantile

    df = np.r_[np.linspace(1, 5, 200), np.geomspace(5, 1e5, 200)]
    for p in (0.975, 0.999):
        err = np.abs(t_quantile(p, df) - sps.t.ppf(p, df))
        assert err[df < 5].max() < 5e-4 and err[df >= 5].max() < 1e-5


def test_an_unknown_scale_is_a_catalogue_issue(tmp_path):
    from pathlib import Path

    from benchmark.catalogue import check_criteria

    text = (Path(__file__).resolve().parents[2] / "criteria" / "default.toml").read_text(encoding="utf-8")
    path = tmp_path / "bad_scale.toml"
    path.write_text(text.replace('\nscale = "identity"', '\nscale = "squareroot"', 1), encoding="utf-8")
    cat, issues = check_criteria(path)
    assert cat is None
    issue = next(i for i in issues if i.rule == "unknown_scale")
    assert (issue.criterion, issue.column) == ("agency_share", "scale")


def test_weibull_positions_give_the_nominal_monte_carlo_coverage():
    """The interval between the 2,5 % and 97,5 % quantiles of 100 draws covers a fresh draw 95 % of
    the time with Weibull positions q(B + 1), 93,1 % with numpy's linear q(B − 1)."""
    from benchmark.scoring.calibrated import _row_quantile

    rng = np.random.default_rng(10)
    draws = np.sort(rng.standard_exponential((40_000, 100)), axis=1)  # skewed: distribution-free
    fresh = rng.standard_exponential(40_000)
    for positions, expected in (("weibull", 0.95), ("linear", 0.931)):
        lo, hi = _row_quantile(draws, 0.025, positions), _row_quantile(draws, 0.975, positions)
        assert ((lo <= fresh) & (fresh <= hi)).mean() == pytest.approx(expected, abs=0.004)


def test_a_peer_group_without_any_variation_is_within_its_limits_not_unflagged():
    """Nine wards with no leavers in any month (turnover 0, s² = 0, τ² = 0): the funnel collapses
    onto the centre — z = 0, flag "within", limits 0 — instead of 0/0 leaving a scored criterion
    with no z, no limits and no flag; a ward off such a centre is certainly different (z = ±∞)."""
    import warnings

    months = 3
    x = np.zeros((9, months))
    d = np.tile(np.arange(10.0, 19.0)[:, None], (1, months))
    y = x.sum(axis=1) / d.sum(axis=1)
    group = np.zeros(9, dtype=int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fit = fit_months(x, d, y, group)
    assert np.all(fit["z"] == 0) and np.all(fit["z_adjusted"] == 0)
    assert list(fit["flag"]) == ["within"] * 9
    for name in ("lower95", "upper95", "lower998", "upper998"):
        assert np.all(fit[name] == 0), name


def test_a_large_units_share_of_the_month_pattern_does_not_bend_the_size_exponent():
    """Groups of 10 units: the month pattern is estimated from the group's own sums, so a unit with
    a large share of the group's numerator loses that share of its month variance to the pattern.
    Uncorrected, β̂ came out 1,11 (true 1) and the largest units' s² 15–20 % low."""
    rng = np.random.default_rng(21)
    n_groups, u, m = 6000, 10, 3
    group = np.repeat(np.arange(n_groups), u)
    fte = np.exp(rng.uniform(np.log(3), np.log(60), n_groups * u))
    d = fte[:, None] * (1 + 0.03 * rng.normal(size=(len(fte), m)))
    theta = 1 + 0.1 * rng.normal(size=len(fte))
    x = theta[:, None] * d * (1 + 0.06 * np.sqrt(20 / fte)[:, None] * rng.normal(size=d.shape))
    true = theta**2 * 0.06**2 * 20 / fte * (d**2).sum(1) / d.sum(1) ** 2  # Var(Σx/Σd | d)
    s2, beta = within_variance(x, d, group)
    assert beta == pytest.approx(1.0, abs=0.03)
    for part in (fte < 8, fte > 25):
        assert np.mean(s2[part]) / np.mean(true[part]) == pytest.approx(1.0, abs=0.05)
    old = hetero.PATTERN_LEVERAGE
    try:
        hetero.PATTERN_LEVERAGE = False
        _, beta_old = within_variance(x, d, group)
    finally:
        hetero.PATTERN_LEVERAGE = old
    assert beta_old > 1.07


@pytest.mark.parametrize("m", [3, 4, 7, 8, 15, 16, 39, 40])
def test_the_peer_medians_variance_matches_simulation(m):
    """median_variance against the variance of simulated medians: equal s.d.s (within 3 %) and
    s.d.s spread over a factor of four (within 10 %, the asymptotic formula's error at small m)."""
    rng = np.random.default_rng(m)
    for spread, tol in ((0.0, 0.03), (0.7, 0.10)):
        sd = np.exp(rng.uniform(-spread, spread, m))
        sims = np.median(rng.normal(size=(100_000, m)) * sd, axis=1)
        # the entity (last, s.d. 1) is left out: its peers are the m others
        var = np.r_[sd**2, 1.0]
        got = median_variance(var, np.ones(m + 1, bool), np.zeros(m + 1, dtype=np.int64), 1, True)
        assert got[-1] / sims.var() == pytest.approx(1.0, abs=tol)
        whole = median_variance(sd**2, np.ones(m, bool), np.zeros(m, dtype=np.int64), 1, False)
        assert np.allclose(whole, got[-1])


def _clean_groups(rng, n_groups, u):
    """Groups of u units, no outliers: true values N(1; 0,1²), three months of normal noise of CV
    0,06·√(20/FTE), FTE log-uniform 3–60 (the activity-per-FTE shape of the trust simulation)."""
    group = np.repeat(np.arange(n_groups), u)
    fte = np.exp(rng.uniform(np.log(3), np.log(60), len(group)))
    d = fte[:, None] * (1 + 0.03 * rng.normal(size=(len(fte), 3)))
    theta = 1 + 0.1 * rng.normal(size=len(fte))
    x = theta[:, None] * d * (1 + 0.06 * np.sqrt(20 / fte)[:, None] * rng.normal(size=d.shape))
    return x, d, x.sum(1) / d.sum(1), group


def test_on_clean_groups_the_centres_own_variance_makes_the_limits_exact():
    """A prediction interval from 19 peers: y_i − μ̂_(−i) varies by σ_i² + Var(μ̂_(−i)). With the
    second part (``CENTRE_VARIANCE``) 5 % of these outlier-free units are outside 95 %; without it
    (the default, which the planted outliers' bias in τ̂² balances in the trust simulation:
    docs/METHODS.md) the known O(1/n) leak, 5,9–6,0 %."""
    x, d, y, group = _clean_groups(np.random.default_rng(22), 3000, 20)
    share_default = np.mean(fit_months(x, d, y, group)["flag"] != "within")
    old = calibrated.CENTRE_VARIANCE
    try:
        calibrated.CENTRE_VARIANCE = True
        share = np.mean(fit_months(x, d, y, group)["flag"] != "within")
    finally:
        calibrated.CENTRE_VARIANCE = old
    assert 0.046 <= share <= 0.054
    assert 0.056 < share_default <= 0.063
