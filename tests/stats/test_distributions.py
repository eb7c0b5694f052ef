"""benchmark.stats.distributions evaluates what scipy.stats evaluates, bit for bit (it exists only
to spare scoring the import of scipy.stats)."""

import numpy as np
import pytest
from scipy import stats

from benchmark.stats import distributions as d

P = np.array([1e-9, 0.001, 0.025, 0.05, 0.5, 0.95, 0.975, 0.999, 1 - 1e-9])
X = np.linspace(-9, 9, 181)


def test_normal_functions_equal_scipy_stats():
    np.testing.assert_array_equal(d.norm_ppf(P), stats.norm.ppf(P))
    np.testing.assert_array_equal(d.norm_cdf(X), stats.norm.cdf(X))
    np.testing.assert_array_equal(d.norm_sf(X), stats.norm.sf(X))
    np.testing.assert_allclose(d.norm_pdf(X), stats.norm.pdf(X), rtol=1e-15, atol=0)


@pytest.mark.parametrize("df", [0.5, 1, 2, 7.3, 30, 1e6])
def test_chi2_and_t_quantiles_equal_scipy_stats(df):
    np.testing.assert_allclose(d.chi2_ppf(P, df), stats.chi2.ppf(P, df), rtol=1e-14)
    np.testing.assert_allclose(d.t_ppf(P, df), stats.t.ppf(P, df), rtol=1e-14)


def test_t_quantile_infinite_df_is_normal():
    np.testing.assert_array_equal(d.t_ppf(P, np.inf), stats.norm.ppf(P))


@pytest.mark.parametrize("p", [0.001, 0.025, 0.5, 0.975, 0.999])
def test_pearson3_equals_scipy_stats_for_both_signs_and_near_zero(p):
    skew = np.r_[np.linspace(-4, 4, 801), 1e-6, -1e-6, 1.6e-5, 0.0]
    np.testing.assert_allclose(d.pearson3_ppf(p, skew), stats.pearson3.ppf(p, skew), rtol=1e-13, atol=1e-15)


def test_average_ranks_equal_rankdata_with_ties():
    rng = np.random.default_rng(7)
    for _ in range(50):
        x = rng.integers(0, 8, size=rng.integers(1, 40)).astype(float)
        np.testing.assert_array_equal(d.rank_average(x), stats.rankdata(x, method="average"))
    assert d.rank_average(np.array([])).size == 0
