"""Skewed month noise in the months funnel (issue 12, 99,8 % tails): the third cumulant from the
months, its pooling by skewness = p · CV, the Pearson III highest-density limits, and their
coverage on hand-made count data against brute force and against the normal limits they replace.
Seeded, one vectorised call per simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from benchmark.scoring import calibrated
from benchmark.scoring.calibrated import fit_months
from benchmark.stats.hetero import (
    _month_residuals,
    pearson3_hdr,
    pearson3_quantile,
    within_third_cumulant,
    within_variance,
)


def _p_hat(
    x: np.ndarray, d: np.ndarray, group: np.ndarray, shrink: bool = False
) -> tuple[float, float]:
    parts = _month_residuals(x, d, group)
    s2, _ = within_variance(x, d, group, parts=parts)
    _, p, se = within_third_cumulant(s2, parts, shrink)
    return p, se


def _units(
    rng: np.random.Generator, n: int, months: int, low: float, high: float
) -> tuple[np.ndarray, np.ndarray]:
    size = np.exp(rng.uniform(np.log(low), np.log(high), n))
    d = size[:, None] * rng.uniform(0.9, 1.1, (n, months))  # unequal months
    return d, np.repeat(np.arange(n // 200), 200)[:n]


def test_p_is_one_for_poisson_counts_whatever_their_unit():
    """Leavers are Poisson: skewness = 1 · CV. × 12 (the catalogue's annualised numerator) changes
    the unit of the count, not p."""
    rng = np.random.default_rng(11)
    d, group = _units(rng, 20_000, 12, 4, 60)
    x = rng.poisson(d * 0.11 / 12).astype(float) * 12
    p, se = _p_hat(x, d, group)
    assert se < 0.05
    assert p == pytest.approx(1.0, abs=3 * se)


def test_p_of_gamma_spells_is_k_plus_2_over_k_plus_1():
    """Sick days as spells (compound Poisson, gamma(k) days per spell): κ3/κ2 = (k + 2)θ and
    κ2/κ1 = (k + 1)θ, so p = (k + 2)/(k + 1) = 1,4 for k = 1,5 — the third cumulant of a 3-month
    window recovered from the months' residuals (unbiased only with the F3 factor)."""
    rng = np.random.default_rng(12)
    d, group = _units(rng, 20_000, 3, 65, 1300)  # possible days in a month, 3–60 FTE
    spells = rng.poisson(d * 0.07 / 8)
    x = np.where(spells > 0, rng.gamma(np.maximum(spells, 1) * 1.5, 8 / 1.5), 0.0)
    p, se = _p_hat(x, d, group)
    assert se < 0.1
    assert p == pytest.approx(3.5 / 2.5, abs=3 * se)  # (k + 2)/(k + 1) = 1,4


def test_symmetric_noise_keeps_symmetric_limits():
    """Normal month noise: p̂ is noise about 0 and the positive-part shrinkage sets it to 0 (or
    nearly), so money and FTE criteria keep the limits they had."""
    rng = np.random.default_rng(13)
    d, group = _units(rng, 4_000, 3, 3, 60)
    x = 1.0 * d + np.sqrt(2.0 * d) * rng.normal(size=d.shape)
    p_raw, se = _p_hat(x, d, group)
    assert abs(p_raw) < 3 * se
    p, _ = _p_hat(x, d, group, shrink=True)
    assert abs(p) <= abs(p_raw)
    y = x.sum(1) / d.sum(1)
    fit = fit_months(x, d, y, group)
    assert np.nanmax(np.abs(fit["skew"])) < 0.05
    centre_gap = (fit["upper95"] - fit["centre"]) - (fit["centre"] - fit["lower95"])
    assert np.nanmax(np.abs(centre_gap)) < 0.05 * np.nanmedian(fit["upper95"] - fit["lower95"])


def test_highest_density_limits_are_the_shortest_interval_of_the_gamma():
    """Brute force: for a unimodal density the highest-density interval is the shortest one with
    the coverage; over 20 001 splits of α between the tails."""
    for alpha in (0.05, 0.002):
        for g in (0.1, 0.4, 0.9, 1.5, 1.95, 2.5, -0.7):
            k = 4 / g**2
            a = np.linspace(0, alpha, 20_001)
            lo, hi = special.gammaincinv(k, a), special.gammaincinv(k, 1 - alpha + a)
            j = np.argmin(hi - lo)
            want = np.array([(lo[j] - k), (hi[j] - k)]) / np.sqrt(k)
            if g < 0:
                want = -want[::-1]
            got = np.concatenate(pearson3_hdr(alpha, np.array([g])))
            assert got == pytest.approx(want, abs=2e-4), (alpha, g)
            # the coverage of the standardised Pearson III between them is 1 − α
            assert stats.pearson3.cdf(got[1], g) - stats.pearson3.cdf(got[0], g) == pytest.approx(
                1 - alpha, abs=2e-4
            )
    low, high = pearson3_hdr(0.05, np.zeros(1))
    assert (low[0], high[0]) == pytest.approx((-1.959964, 1.959964), abs=1e-6)


def test_pearson3_quantile_table_matches_scipy():
    g = np.linspace(-2.99, 2.99, 61)
    for p in (0.001, 0.025, 0.5, 0.975, 0.999):
        assert pearson3_quantile(p, g) == pytest.approx(stats.pearson3.ppf(p, g), abs=2e-3)


def _counts(rng: np.random.Generator, n_groups: int = 60, per: int = 100) -> tuple:
    """Leaver-like rare counts: 12 months, headcount 4–60, rate 0,11 a year, between-unit SD 25 %."""
    n = n_groups * per
    group = np.repeat(np.arange(n_groups), per)
    head = np.round(np.exp(rng.uniform(np.log(4), np.log(60), n)))
    d = head[:, None] * np.ones((1, 12))
    theta = 0.11 * (1 + 0.25 * rng.normal(size=n))
    x = rng.poisson(np.clip(theta, 0, None)[:, None] * d / 12).astype(float) * 12
    return x, d, x.sum(1) / d.sum(1), group, head


def _shares(fit: dict, head: np.ndarray) -> list[tuple[float, float]]:
    out95 = np.isin(fit["flag"], ["above_95", "below_95", "above_99.8", "below_99.8"])
    out998 = np.isin(fit["flag"], ["above_99.8", "below_99.8"])
    cuts = np.quantile(head, [1 / 3, 2 / 3])
    thirds = (head <= cuts[0], (head > cuts[0]) & (head <= cuts[1]), head > cuts[1])
    return [(out95[t].mean(), out998[t].mean()) for t in thirds]


def test_rare_counts_stay_within_99_8_percent_limits_where_normal_limits_did_not():
    """The SPEC §5 tails on Poisson counts: the normal limits put 2–3 × the 0,2 % beyond 99,8 % in
    the small third (as sick leave and turnover did in the trust simulation); the Pearson III
    highest-density limits keep every third at or under 0,4 % and the 95 % share near 5 %."""
    x, d, y, group, head = _counts(np.random.default_rng(14))
    fit = fit_months(x, d, y, group)
    old = calibrated.SKEW
    try:
        calibrated.SKEW = False
        normal = fit_months(x, d, y, group)
    finally:
        calibrated.SKEW = old
    new_shares, old_shares = _shares(fit, head), _shares(normal, head)
    assert old_shares[0][1] > 0.006  # the problem: the normal limits' small third
    for out95, out998 in new_shares:
        assert out998 <= 0.004
        assert 0.035 <= out95 <= 0.065
    # skewed to the right: the upper limit lies further from the centre than the lower
    ok = np.isfinite(fit["upper95"])
    assert np.all(
        (fit["upper998"] - fit["centre"])[ok] >= (fit["centre"] - fit["lower998"])[ok] - 1e-12
    )


def test_a_random_denominator_skews_the_ratio_by_six_times_its_cv():
    """Care hours per patient day: fixed hours over noisy bed days. y = X/D with D random is skewed
    to the right by 6·CV(D) (second-order delta method; for a lognormal D it would be 3·CV), which
    the linearised residuals alone cannot see: κ3(y) = (p − 6ξ) s⁴/μ with ξ = Cov(linear error,
    D)·μ/V = −1 when all the noise is in the denominator."""
    rng = np.random.default_rng(15)
    n_groups, per, months = 100, 100, 3
    n = n_groups * per
    group = np.repeat(np.arange(n_groups), per)
    size = np.exp(rng.uniform(np.log(3), np.log(60), n))
    theta = 1.0 + 0.05 * rng.normal(size=n)  # hours per bed day
    x = (size * 160.0)[:, None] * np.ones((1, months))  # hours: fixed
    cv = 0.12 * np.sqrt(20 / size)[:, None]  # a small ward: 30 % month to month
    d = x / theta[:, None] * (1 + cv * rng.normal(size=(n, months)))  # bed days: noisy
    y = x.sum(1) / d.sum(1)
    parts = _month_residuals(x, d, group)
    s2, _ = within_variance(x, d, group, parts=parts)
    k3, p, _ = within_third_cumulant(s2, parts)
    mu = parts["rate"][group]
    factor = np.median(k3 / (s2**2 / mu))  # p − 6ξ
    assert factor == pytest.approx(6.0, rel=0.1)
    fit = fit_months(x, d, y, group)
    old = calibrated.SKEW
    try:
        calibrated.SKEW = False
        normal = fit_months(x, d, y, group)
    finally:
        calibrated.SKEW = old
    small = size <= np.quantile(size, 1 / 3)
    share = {}
    for k, f in (("new", fit), ("normal", normal)):
        fl = f["flag"][small]
        share[k] = (
            np.mean(fl == "above_99.8"),
            np.isin(fl, ["above_99.8", "below_99.8"]).mean(),
            np.mean(fl != "within"),
        )
    assert (
        share["normal"][0] > 0.003
    )  # the normal limits: 0,39 % above 99,8 % where 0,1 % is nominal
    assert share["new"][1] <= 0.004
    assert abs(share["new"][2] - 0.05) < abs(
        share["normal"][2] - 0.05
    )  # 4,7 % outside 95 % (normal 3,9 %)
