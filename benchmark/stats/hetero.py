"""Calibrated funnels for money, FTE and day criteria: within-entity variance from the months,
additive between-entity variance τ² estimated robustly, shrinkage toward the peer centre.

Why this model (SPEC §5 "Calibration (version 2)"): real differences between units do not shrink
with unit size, so the variance of a window value y_i about its peer centre μ is

    Var(y_i) = s_i² + τ²,

s_i² the sampling (within-unit, month-to-month) variance of y_i and τ² the between-unit variance
(the additive model of Spiegelhalter 2005, QSHC 14:347). A variance ∝ 1/size alone (the
multiplicative φ) makes large units flagged far too often and small ones almost never.

*Within-unit variance.* y_i = Σ_m x_im / Σ_m d_im over the M_i months of the window. With the peer
group's month pattern S_gm removed (July, December), fitted values f_im = r̃_i d_im S_gm,
r̃_i = Σx/Σ(dS), residuals e_im = x_im − f_im and c_im = d_im S_gm/Σ_m d_im S_gm, the estimator

    V̂_i = Σ_m e_im² / (1 − Σ_m c_im²)

is unbiased for Var(Σ_m x_im) whenever the month variance is proportional to the expected
numerator (Cochran 1977 §6.3 generalised to unequal months; with equal months the factor is
M/(M−1)). The pattern S_gm comes from the group's own month sums, the entity's among them, so it
absorbs part of the entity's own noise: with h_i = Σ_m x_im/Σ_j Σ_m x_jm, the entity's share of
its group's numerator (its leverage on the pattern), to first order
E[Σ_m e_im²]/(1 − Σ_m c_im²) = (1 − h_i)² V_i + h_i² Σ_(j≠i) V_j = (1 − h_i) V_i when each V_j is
proportional to the entity's expected numerator, so V̂_i is divided by 1 − h_i as well (and the
third-moment sum of :func:`within_third_cumulant` by (1 − h_i)(1 − 2h_i), by the same expansion).
Without it a large unit's V̂_i was low by its share and the size exponent β below came out 1,11,
1,05 and 1,03 in groups of 10, 20 and 40 units whose true β is 1 (1,01 with it; the bias is a
slope, so it moved the small units' s² too). One unit's V̂_i has about M − 1 degrees of freedom (2 in a quarter), so it is pooled:
s_i² = σ_g² D_i^(−β), σ_g² the df-weighted *mean* over the group of V̂_i/D_i² · D_i^β — a mean of
unbiased terms is unbiased, the median of 2-df variances is not (it is 0,69 of the mean) — and β
by gamma quasi-likelihood (:func:`size_exponent`; zeros and skewed months do not bias it), on
[0, 2]. β = 1 is the classical ratio-estimator model; it is estimated, not assumed.

*τ².* With the peer median as robust centre, τ² solves Σ w_i (min(z_i², c²)/κ_c − 1) = 0,
z_i = (y_i − μ)/√(s_i² + τ²), c = :data:`CLIP`, κ_c = E[min(Z², c²)], w_i = 1/(s_i² + τ²) — a
Huber-clipped version of the normal likelihood's score for τ² (unweighted: Paule & Mandel 1982;
DerSimonian & Laird 1986 is the unclipped moment cousin). The clip keeps a few real outliers from
inflating τ², which is what keeps the power; the weights keep noisy small units from dominating.

*Limits* (:mod:`benchmark.scoring.calibrated`): a prediction interval for the entity from its
peers — :func:`loo_group_median` and :func:`loo_tau2` give centre and τ² without the entity, and
:func:`t_quantile` the Student quantiles for per-entity degrees of freedom. Every step is
vectorised over peer groups (integer codes), no loop over entities or groups.
"""

from __future__ import annotations

import functools

import numpy as np

from benchmark.stats.distributions import norm_pdf, norm_ppf, norm_sf, pearson3_ppf, t_ppf

CLIP = 1.5  # Huber's clip for the τ² moment equation (see robust_tau2)
WEIGHTED = True  # precision weights 1/(s² + τ²) in the τ² equation (see robust_tau2)
SMALL_SAMPLE_K = 0.0  # the τ² equation's right-hand side 1 − k/n instead of 1 (see robust_tau2)


def _group_sum(x: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    return np.bincount(group, weights=x, minlength=n_groups)


def _month_residuals(
    numerator: np.ndarray, denominator: np.ndarray, group: np.ndarray
) -> dict | None:
    """The months' residuals about each entity's fitted ratio, the peer group's month pattern removed.

    Returns (as a dict) e_im, c_im (each month's share of the expected numerator), 1 − Σ c², the
    number of months, D_i = Σ d_im and the group codes — everything :func:`within_variance` and
    :func:`within_third_cumulant` need; ``None`` when no entity is in a group.
    """
    ok = ~np.isnan(numerator) & ~np.isnan(denominator)
    x, d = np.where(ok, numerator, 0.0), np.where(ok, denominator, 0.0)
    member = group >= 0
    if not member.any():
        return None
    g = np.where(member, group, 0)
    n_groups = int(g.max()) + 1
    m = x.shape[1]
    gm, xm, dm = g[member], x[member], d[member]
    # per-month group sums by bincount (a loop over months; np.add.at is ~5 × slower)
    gx = np.column_stack([np.bincount(gm, weights=xm[:, j], minlength=n_groups) for j in range(m)])
    gd = np.column_stack([np.bincount(gm, weights=dm[:, j], minlength=n_groups) for j in range(m)])
    with np.errstate(invalid="ignore", divide="ignore"):
        pattern = (gx / gd) / (gx.sum(axis=1) / gd.sum(axis=1))[:, None]
        pattern = np.where(np.isfinite(pattern) & (pattern > 0), pattern, 1.0)
        ds = d * pattern[g]
        sum_ds = ds.sum(axis=1)
        r = x.sum(axis=1) / np.where(sum_ds > 0, sum_ds, np.nan)
        resid = np.where(ok, x - r[:, None] * ds, 0.0)
        c = ds / np.where(sum_ds > 0, sum_ds, np.nan)[:, None]
        dof = 1.0 - np.einsum("ij,ij->i", c, c)
        rate = gx.sum(axis=1) / gd.sum(axis=1)  # the group's pooled ratio Σx/Σd
        # the denominator's own month noise about the group's month profile of the denominator
        dpat = ok * np.maximum(gd, 0.0)[g]
        dsum = dpat.sum(axis=1)
        share = np.where(dsum > 0, d.sum(axis=1) / np.where(dsum > 0, dsum, 1.0), 0.0)
        resid_d = np.where(ok, d - dpat * share[:, None], 0.0)
        # the entity's own share of the group's numerator: its leverage on the month pattern
        # (see within_variance), 0 where the group has no positive total
        gsum = gx.sum(axis=1)[g]
        lev = np.where(member & (gsum > 0), np.clip(x.sum(axis=1) / np.where(gsum > 0, gsum, 1.0), 0.0, 1.0), 0.0)
    return {
        "resid": resid,
        "c": c,
        "dof": dof,
        "months": ok.sum(axis=1),
        "big_d": d.sum(axis=1),
        "member": member,
        "g": g,
        "n_groups": n_groups,
        "rate": rate,
        "resid_d": resid_d,
        "leverage": lev if PATTERN_LEVERAGE else np.zeros(len(lev)),
    }


PATTERN_LEVERAGE = True  # correct V̂_i (and K̂_i, the covariance) for the entity's share of the pattern
LEVERAGE_MAX = 0.9  # an entity with more of its group's numerator is corrected as if it had 90 %


def within_variance(
    numerator: np.ndarray,
    denominator: np.ndarray,
    group: np.ndarray,
    beta: float | None = None,
    parts: dict | None = None,
) -> tuple[np.ndarray, float]:
    """(s_i², β): the pooled unbiased sampling variance of each entity's window ratio.

    ``numerator``/``denominator``: entities × months (NaN = no value); ``group``: peer-group code
    per entity (−1 = in no group: NaN). ``beta`` fixes the size exponent instead of estimating it.
    ``parts``: :func:`_month_residuals` of the same arrays, when the caller has them already.
    """
    n = len(group)
    s2 = np.full(n, np.nan)
    parts = _month_residuals(numerator, denominator, group) if parts is None else parts
    if parts is None:
        return s2, float("nan")
    resid, dof, months, big_d = parts["resid"], parts["dof"], parts["months"], parts["big_d"]
    member, g, n_groups = parts["member"], parts["g"], parts["n_groups"]
    with np.errstate(invalid="ignore", divide="ignore"):
        # V̂_i, unbiased Var(Σx): the months' factor 1 − Σc², and 1 − h_i for the month pattern
        # the entity itself helped estimate (see the docstring)
        keep = 1.0 - np.minimum(parts["leverage"], LEVERAGE_MAX)
        v = (resid**2).sum(axis=1) / np.where(dof > 1e-9, dof, np.nan) / keep
        var_y = v / big_d**2
    usable = member & (months > 1) & np.isfinite(var_y) & (big_d > 0)
    if beta is None:
        beta = size_exponent(var_y, big_d, dof, g, usable, n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(usable, var_y * big_d**beta, 0.0)
        weight = np.where(usable, dof, 0.0)  # more months, more weight: still unbiased
        sw = _group_sum(weight, g, n_groups)
        sigma2 = _group_sum(scaled * weight, g, n_groups) / np.where(sw > 0, sw, np.nan)
        s2 = np.where(member & (months > 0) & (big_d > 0), sigma2[g] / big_d**beta, np.nan)
    return s2, float(beta)


def within_third_cumulant(
    s2: np.ndarray, parts: dict | None, shrink: bool = True
) -> tuple[np.ndarray, float, float]:
    """(κ3 of each entity's window ratio, p̂, its s.e.): the skewness of the month noise, pooled.

    Why: sick days come in spells and leavers are rare counts, so the sampling error of a small
    unit's value is skewed to the right; normal limits then flag 2–3 × too many null units beyond
    99,8 % on the high side and almost none on the low side.

    *Per entity.* The third cumulant of the window sum is estimated from the same month residuals
    as its variance: with e_im = x_im − c_im Σ_m x_im,

        E[Σ_m e_im³] = κ3(Σ_m x_im) · F3_i,   F3_i = Σ_m c_im (1 − c_im)(1 − 2c_im),

    whenever the month's third cumulant is proportional to its expected numerator (as the variance
    is in :func:`within_variance`; with M equal months F3 = (M − 1)(M − 2)/M², Fisher's k-statistic
    k3), so K̂_i = Σ e³/F3_i is unbiased; it needs three months and is very noisy alone.

    *Pooled* through the relation of the Tweedie family of counts and compound counts (Jørgensen
    1987, JRSS-B 49:127): skewness = p · coefficient of variation, p = 1 for Poisson counts
    (leavers), p = (k + 2)/(k + 1) for spells of gamma(k) length (sick days), p = 2 for gamma, 0 for
    normal noise. With the pooled variance of the sum V_i = s_i² D_i² and its expected value
    E_i = μ_g D_i (μ_g = Σx/Σd of the peer group, the mean level: the median of skewed values is
    below it), κ3(Σx)_i = p V_i²/E_i; p is estimated once per criterion
    (like β: the dispersion shape is the criterion's, the level the group's) by weighted least
    squares of K̂_i on V_i²/E_i with Var(K̂_i) ∝ V_i³ (the normal-theory variance of a third
    moment), p̂ = Σ K̂_i/(E_i V_i) / Σ V_i/E_i². ``shrink`` multiplies it by max(0, 1 − se²/p̂²)
    (positive-part James–Stein), se the units' sandwich s.e., so a criterion without evidence of
    skew keeps symmetric limits. Then κ3(y_i) = p̂ s_i⁴/μ_g, skewness of the sampling error p̂ s_i/μ_g.

    *A random denominator* (``RATIO_SKEW``): the residuals are the ratio's linear error; y = X/D is
    also skewed by its curvature in D — to second order (delta method, normal errors) κ3 gains
    −6 s² Cov(L, D)/D, L the linear error (for hours over noisy bed days, skewness 6·CV(D)). With
    ξ = μ Cov(Σe, ΣD)/V (−1 when all the noise is in the denominator, 0 when the numerator follows
    it, as activity follows FTE), estimated from the months as Σ_m e_im f_im/(1 − Σ_m c_im²), f_im
    the denominator's residual about the group's month profile (unbiased by the same argument as
    V̂_i), averaged over the units and shrunk like p̂: κ3(y_i) = (p̂ − 6ξ̂) s_i⁴/μ_g.
    """
    n = len(s2)
    k3 = np.full(n, np.nan)
    if parts is None:
        return k3, float("nan"), float("nan")
    resid, c, months, big_d = parts["resid"], parts["c"], parts["months"], parts["big_d"]
    member, g = parts["member"], parts["g"]
    mu = np.where(member, parts["rate"][g], np.nan)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        c0 = np.nan_to_num(c)
        # row sums as einsum dot products (x**3 and .sum(axis=1) cost 3 × as much)
        f3 = np.einsum("ij,ij->i", c0 * (1 - c0), 1 - 2 * c0)
        # the pattern the entity helped estimate takes (1 − h)(1 − 2h) of Σe³ (within_variance)
        h = parts.get("leverage", np.zeros(n))
        f3 = f3 * (1 - h) * (1 - 2 * h)
        k_hat = np.einsum("ij,ij->i", resid * resid, resid) / np.where(f3 > 1e-9, f3, np.nan)
        v_sum = s2 * big_d**2
        e_sum = mu * big_d
        usable = (
            member
            & (months > 2)
            & np.isfinite(k_hat)
            & np.isfinite(v_sum)
            & (v_sum > 0)
            & np.isfinite(e_sum)
            & (e_sum > 0)
            & (h < 0.4)
        )
        if usable.sum() < 3:
            return np.where(member & np.isfinite(s2), 0.0, np.nan), 0.0, float("nan")
        kk, vv, ee = k_hat[usable], v_sum[usable], e_sum[usable]
        den = np.sum(vv / ee**2)
        p_hat = float(np.sum(kk / (ee * vv)) / den)
        # sandwich s.e. of the weighted least-squares slope
        se = float(np.sqrt(np.sum(((kk - p_hat * vv**2 / ee) / (ee * vv)) ** 2)) / den)
        if shrink and p_hat != 0:
            p_hat *= float(np.clip(1 - se**2 / p_hat**2, 0.0, 1.0))
        xi = 0.0
        if RATIO_SKEW and "resid_d" in parts:
            use2 = usable & (parts["dof"] > 1e-9)
            cov = np.einsum("ij,ij->i", resid, parts["resid_d"]) / np.where(
                use2, parts["dof"] * (1 - h), 1.0
            )
            terms = (mu * cov / np.where(use2, v_sum, 1.0))[use2]
            if len(terms) > 2:
                xi = float(np.mean(terms))
                se_xi = float(np.std(terms, ddof=1) / np.sqrt(len(terms)))
                if shrink and xi != 0:
                    xi *= float(np.clip(1 - se_xi**2 / xi**2, 0.0, 1.0))
        k3 = np.where(
            member & np.isfinite(s2) & (mu > 0),
            (p_hat - 6 * xi) * s2**2 / mu,
            np.where(member, 0.0, np.nan),
        )
    return k3, p_hat, se


RATIO_SKEW = True  # add the ratio's own skew from a random denominator (see within_third_cumulant)
SKEW_MAX = 3.0  # the Pearson type III tables run over skewness −3 … 3
_SKEW_GRID = np.linspace(-SKEW_MAX, SKEW_MAX, 601)
_P3_TABLE: dict[float, np.ndarray] = {}


def pearson3_quantile(p: float, skew: np.ndarray) -> np.ndarray:
    """Standardised (mean 0, s.d. 1) Pearson type III quantile for many skewnesses at once.

    The moment-matched gamma distribution (Pearson 1895): the classical three-moment fit for a
    skewed positive quantity — for a compound Poisson sum its kurtosis, 1,5 γ², lies between the
    Poisson's γ² and the lognormal's ≈ 1,8 γ². A table in γ (step 0,01) interpolated linearly,
    exact to 10⁻³ (tests/stats/test_hetero.py); γ is clipped to ±:data:`SKEW_MAX`, γ = 0 is normal.
    """
    table = _P3_TABLE.get(p)
    if table is None:
        table = pearson3_ppf(p, _SKEW_GRID)
        _P3_TABLE[p] = table
    return np.interp(np.clip(np.asarray(skew, float), -SKEW_MAX, SKEW_MAX), _SKEW_GRID, table)


BETA_GRID = np.linspace(0.0, 2.0, 21)


def size_exponent(
    var_y: np.ndarray,
    big_d: np.ndarray,
    dof: np.ndarray,
    group: np.ndarray,
    usable: np.ndarray,
    n_groups: int,
) -> float:
    """β of s_i² = σ_g² D_i^(−β) by gamma quasi-likelihood (log link), profiled over σ_g², on a grid.

    Each V̂_i/D_i² has mean σ_g² D_i^(−β); the quasi-likelihood Σ_i w_i (log μ_i + v_i/μ_i) (w_i
    its degrees of freedom) rests on that mean alone, so zeros count (a small unit without a leaver
    in the window) and heavy-tailed months (lognormal agency cost) do not bias it. A least-squares
    slope of log v_i is biased whenever the shape of v_i's distribution changes with size: zeros
    must be dropped (too steep for turnover) and skew pulls small units' logs down (too flat for
    agency) — the pooled s² then missed by ×0,6–1,6 between the small and the large third.
    """
    if usable.sum() < 3 or not (var_y[usable] > 0).any():
        return 1.0
    v, ld, w, gg = var_y[usable], np.log(big_d[usable]), dof[usable], group[usable]
    sw = _group_sum(w, gg, n_groups)
    has = sw > 0
    # profile: σ_g²(β) = Σ w v D^β / Σ w; objective Σ_g sw_g log σ_g²(β) − β Σ w log D (+ const)
    order = np.argsort(gg, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(gg[order]) != 0])
    present = gg[order][starts]
    keep = has[present]
    wv, ldo, swk = (w * v)[order], ld[order], sw[present][keep, None]
    total_wld = float(np.sum(w * ld))

    def objective(grid: np.ndarray) -> np.ndarray:
        sums = np.add.reduceat(
            wv[:, None] * np.exp(np.outer(ldo, grid)), starts, axis=0
        )  # groups × grid
        return -grid * total_wld + (swk * np.log(np.maximum(sums[keep] / swk, 1e-300))).sum(axis=0)

    best = 0.0
    for grid in (BETA_GRID, None):  # coarse (step 0,1), then fine (step 0,01) about the best
        grid = grid if grid is not None else np.clip(best + np.linspace(-0.1, 0.1, 21), 0.0, 2.0)
        obj = objective(grid)
        k = int(np.argmin(obj))
        best = float(grid[k])
    if 0 < k < len(grid) - 1:  # parabola through the three best points
        y0, y1, y2 = obj[k - 1], obj[k], obj[k + 1]
        den = y0 - 2 * y1 + y2
        step = grid[k + 1] - grid[k]
        best = float(grid[k] + (0.5 * step * (y0 - y2) / den if den > 0 else 0.0))
    return best


_HDR_TABLE: dict[float, tuple[np.ndarray, np.ndarray]] = {}
ITERATIONS_HDR = 34  # bisection steps on the lower tail's share: α·2⁻³⁴ < 10⁻¹⁰


def _hdr_table(alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) standardised limits of the 1 − α highest-density interval of Pearson III on
    :data:`_SKEW_GRID`: F(U) − F(L) = 1 − α and f(L) = f(U), found by bisection on the lower tail's
    share a ∈ [0, α] (a = 0 when the density falls from its lower end: shape ≤ 1, γ ≥ 2)."""
    alpha = round(float(alpha), 12)  # 2 · (1 − 0,975) and 0,05 are one table
    out = _HDR_TABLE.get(alpha)
    if out is not None:
        return out
    from scipy import special

    gam = np.abs(_SKEW_GRID)
    skewed = gam > 0.02  # below, the normal's equal tails (the difference is < 10⁻³)
    k = 4.0 / np.where(skewed, gam, 1.0) ** 2  # gamma shape
    lo_a, hi_a = np.zeros_like(k), np.full_like(k, alpha)

    def logf(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return (k - 1) * np.log(x) - x

    for _ in range(ITERATIONS_HDR):
        a = 0.5 * (lo_a + hi_a)
        h = logf(special.gammaincinv(k, a)) - logf(special.gammaincinv(k, 1 - alpha + a))
        lo_a, hi_a = np.where(h < 0, a, lo_a), np.where(h < 0, hi_a, a)
    a = np.where(k <= 1, 0.0, 0.5 * (lo_a + hi_a))
    lower = (special.gammaincinv(k, a) - k) / np.sqrt(k)
    upper = (special.gammaincinv(k, 1 - alpha + a) - k) / np.sqrt(k)
    z = norm_ppf(1 - alpha / 2)
    neg = _SKEW_GRID < 0  # γ < 0: the mirror image
    lower, upper = np.where(neg, -upper, lower), np.where(neg, -lower, upper)
    lower, upper = np.where(skewed, lower, -z), np.where(skewed, upper, z)
    _HDR_TABLE[alpha] = (lower, upper)
    return lower, upper


def pearson3_hdr(alpha: float, skew: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) standardised limits of the 1 − α *highest-density* interval of Pearson III.

    A two-sided test at level α that rejects the least likely outcomes — the two-sided exact test
    of Sterne (1954, Biometrika 41:275), the p-value of R's ``binom.test``/``poisson.test`` — rather
    than α/2 in each tail: when the noise is skewed (a small unit's sick days or leavers) the short
    lower tail cannot hold α/2 (a value of 0 is likely, never surprising), and equal tails would
    leave the two-sided false-alarm rate at about α/2. For γ = 0 it is the normal's ±z. A table in
    γ (step 0,01), interpolated linearly; γ clipped to ±:data:`SKEW_MAX`.
    """
    lower, upper = _hdr_table(alpha)
    g = np.clip(np.asarray(skew, float), -SKEW_MAX, SKEW_MAX)
    return np.interp(g, _SKEW_GRID, lower), np.interp(g, _SKEW_GRID, upper)


def group_median(y: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Median of ``y`` per group code (finite values only), vectorised by one lexsort."""
    ok = np.isfinite(y) & (group >= 0)
    yy, gg = y[ok], group[ok]
    order = np.lexsort((yy, gg))
    yy, gg = yy[order], gg[order]
    cnt = np.bincount(gg, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    out = np.full(n_groups, np.nan)
    has = cnt > 0
    lo = start + (cnt - 1) // 2
    hi = start + cnt // 2
    out[has] = 0.5 * (yy[lo[has]] + yy[hi[has]])
    return out


@functools.lru_cache(maxsize=16)
def huber_consistency(c: float) -> float:
    """E[min(Z², c²)] for a standard normal Z."""
    tail = norm_sf(c)
    return float((1 - 2 * tail) - 2 * c * norm_pdf(c) + 2 * c * c * tail)


def robust_tau2(
    y: np.ndarray,
    s2: np.ndarray,
    centre: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    iterations: int = 40,
    clip: float | None = None,
    weighted: bool | None = None,
) -> np.ndarray:
    """τ² per group: Σ w_i (min(z_i², c²)/κ_c − 1) = 0 solved by bisection, all groups at once.

    z_i = (y_i − μ)/√(s_i² + τ²), ``centre`` μ per group, c = ``clip`` (default :data:`CLIP`).
    ``weighted`` (default :data:`WEIGHTED`): w_i = 1/(s_i² + τ²), the weights of the normal
    likelihood's score for τ² (REML/ML); unweighted, every unit counts alike (Paule–Mandel). Groups
    whose clipped z² are already ≤ 1 with τ² = 0 get τ² = 0. Fewer than 3 entities: NaN.

    :data:`SMALL_SAMPLE_K` = k replaces the right-hand side 1 by 1 − k/n (n the group's entities;
    n − 1 in :func:`loo_tau2`): k = 1 is the degree of freedom lost to the estimated centre, as in
    the sample variance's n − 1. On clean normal groups it takes the 95 % limits' share outside from
    6,1–6,2 % to 5,2–5,5 % at 20 entities and from 5,4–5,5 % to 4,9 % at 40; in the trust
    simulation, whose 2,5 % planted outliers already raise τ̂² by ~8 %, it left three rows below 4 %,
    and it over-corrects (τ̂²/τ² 1,07 at 20 entities, 0,97 with k = 0: residuals about a median
    lose less than about a mean); the clean groups' excess was the centre's own variance
    (``CENTRE_VARIANCE`` in :mod:`benchmark.scoring.calibrated`), so the default stays 0
    (docs/METHODS.md, "Variants tried").
    """
    clip = CLIP if clip is None else clip
    weighted = WEIGHTED if weighted is None else weighted
    ok = np.isfinite(y) & np.isfinite(s2) & (group >= 0)
    yy, ss, gg = y[ok], s2[ok], group[ok]
    r = yy - centre[gg]
    cnt = np.bincount(gg, minlength=n_groups)
    kappa = huber_consistency(clip)

    target = (1.0 - SMALL_SAMPLE_K / np.maximum(cnt, 1).astype(float))[gg]

    def excess(t2: np.ndarray) -> np.ndarray:
        v = ss + t2[gg]
        # a unit known exactly (v = 0: constant months, no spread between units yet) counts as on
        # the centre when it is on it, and as clipped when it is not — never as 0/0
        ratio = np.divide(r * r, v, out=np.where(r != 0, np.inf, 0.0), where=v > 0)
        psi = np.minimum(ratio, clip * clip) / kappa - target
        if not weighted:
            return _group_sum(psi, gg, n_groups) / np.maximum(cnt, 1)
        w = 1.0 / np.maximum(v, 1e-300)
        return _group_sum(w * psi, gg, n_groups) / np.maximum(_group_sum(w, gg, n_groups), 1e-300)

    zero = np.zeros(n_groups)
    need = excess(zero) > 0
    tau2 = np.zeros(n_groups)
    if need.any():
        spread = _group_sum(r**2, gg, n_groups) / np.maximum(cnt, 1)
        hi = np.maximum(spread * 4, 1e-300)
        lo = np.zeros(n_groups)
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            e = excess(mid)
            lo = np.where(e > 0, mid, lo)
            hi = np.where(e > 0, hi, mid)
        tau2 = np.where(need, 0.5 * (lo + hi), 0.0)
    return np.where(cnt >= 3, tau2, np.nan)


_INV_DF = np.linspace(0.0, 1.0, 2001)  # 1/df from ∞ down to 1
_T_TABLE: dict[float, np.ndarray] = {}


def t_quantile(p: float, df: np.ndarray) -> np.ndarray:
    """Student's t quantile for many (non-integer) df at once: a table in 1/df, interpolated.

    scipy's t.ppf costs ~25 ms for 10 000 df; the quantile is smooth in 1/df, and a 2 001-point
    table is exact to 2·10⁻⁴ at df = 1 and to 10⁻⁷ for df ≥ 5 (tests/stats/test_hetero.py).
    """
    table = _T_TABLE.get(p)
    if table is None:
        with np.errstate(divide="ignore"):
            table = np.where(
                _INV_DF > 0, t_ppf(p, 1.0 / np.maximum(_INV_DF, 1e-300)), norm_ppf(p)
            )
        _T_TABLE[p] = table
    inv = 1.0 / np.maximum(np.asarray(df, float), 1.0)
    return np.interp(inv, _INV_DF, table)


def limit_quantile(n: np.ndarray, p: float) -> np.ndarray:
    """t quantile with n − 2 degrees of freedom (prediction interval; normal for large n)."""
    df = np.maximum(np.asarray(n, float) - 2, 1)
    return t_ppf(p, df)


def shrink_toward_centre(
    y: np.ndarray, s2: np.ndarray, centre: np.ndarray, tau2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shrunk, posterior s.d., B): centre + B(y − centre), B = τ²/(τ² + s²) (normal–normal EB)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.where(s2 > 0, tau2 / (tau2 + s2), 1.0)
    b = np.where(np.isfinite(b), b, 0.0)
    return centre + b * (y - centre), np.sqrt(b * np.nan_to_num(s2)), b


def loo_group_median(y: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Each entity's peer median *without itself* (NaN for non-finite y or a group of one).

    In a group sorted as v_0 ≤ … ≤ v_{n−1}, dropping the entity at rank r leaves n − 1 values whose
    median averages the remaining positions (n − 2)//2 and (n − 1)//2; a remaining position p is
    the original p when p < r, else p + 1. One lexsort, no loop.
    """
    out = np.full(len(y), np.nan)
    ok = np.isfinite(y) & (group >= 0)
    idx = np.flatnonzero(ok)
    yy, gg = y[idx], group[idx]
    order = np.lexsort((yy, gg))
    ys, gs = yy[order], gg[order]
    cnt = np.bincount(gs, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    n = cnt[gs]
    r = np.arange(len(ys)) - start[gs]
    lo, hi = (n - 2) // 2, (n - 1) // 2
    lo = np.where(lo < r, lo, lo + 1)
    hi = np.where(hi < r, hi, hi + 1)
    valid = n >= 2
    lo, hi = np.where(valid, lo, 0), np.where(valid, hi, 0)
    med = 0.5 * (ys[start[gs] + lo] + ys[start[gs] + hi])
    out[idx[order]] = np.where(valid, med, np.nan)
    return out


def loo_tau2(
    y: np.ndarray,
    s2: np.ndarray,
    centre: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    tau2: np.ndarray,
    clip: float | None = None,
    weighted: bool | None = None,
) -> np.ndarray:
    """Each entity's τ² estimated *without itself*: the robust τ² equation re-solved without it.

    ``tau2`` is the group's estimate (:func:`robust_tau2` with the same settings), ``centre`` per
    group (kept: the median moves by O(1/n²) in the equation). With F(t) = Σ_j f_j(t) the group's
    estimating function (f_j = w_j ψ_j, see :func:`robust_tau2`), entity i's τ² solves
    F(t) − f_i(t) = 0. In groups up to ``GRID_UP_TO`` entities it is solved on a grid of t about τ̂²
    (24 points from τ̂²/4 to 3τ̂², and 0; F evaluated once per grid point, f_i for every entity) by
    linear interpolation — exact up to the grid (a one-step Newton update missed by up to 37 % for
    an outlier in a group of 30). In larger groups one dropped entity moves τ² by O(1/n) and one
    Newton step τ̂² + f_i/Σ_(j≠i) f_j′ is exact to O(1/n²). An outlier (f_i > 0) no longer widens
    its own limits, which restores the power of a planted unit in a small peer group.
    """
    clip = CLIP if clip is None else clip
    weighted = WEIGHTED if weighted is None else weighted
    out = np.full(len(y), np.nan)
    ok = np.isfinite(y) & np.isfinite(s2) & (group >= 0)
    idx = np.flatnonzero(ok)
    g = group[idx]
    t_hat = np.nan_to_num(tau2, nan=0.0)
    kappa = huber_consistency(clip)
    r2 = (y[idx] - centre[g]) ** 2
    ss = s2[idx]
    cnt = np.bincount(g, minlength=n_groups)
    t_new = np.empty(len(idx))
    # large groups: one Newton step. v underflows only where s² = 0 and τ̂² = 0, and those entities
    # are set to 0 below (a group whose τ̂² is 0 stays 0), so the overflow there is never used
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        target = 1.0 - SMALL_SAMPLE_K / np.maximum(cnt[g] - 1, 1).astype(float)
        v = np.maximum(ss + t_hat[g], 1e-300)
        psi = np.minimum(r2 / v, clip * clip) / kappa - target
        dpsi = np.where(r2 / v < clip * clip, -(r2 / v) / v / kappa, 0.0)
        if weighted:  # d/dt of ψ/v
            psi, dpsi = psi / v, dpsi / v - psi / v / v
        total = _group_sum(dpsi, g, n_groups)[g] - dpsi
        t_new[:] = np.maximum(t_hat[g] + np.where(total < 0, psi / total, 0.0), 0.0)
    small = cnt[g] <= GRID_UP_TO
    if small.any():
        t_new[small] = _loo_tau2_grid(
            r2[small], ss[small], g[small], t_hat, n_groups, clip, kappa, weighted,
            target[small],
        )
    t_new = np.where(t_hat[g] > 0, t_new, 0.0)  # a group whose τ̂² is 0 stays 0
    out[idx] = t_new
    return np.where(np.isfinite(tau2[np.where(group >= 0, group, 0)]), out, np.nan)


GRID_UP_TO = 200  # loo_tau2: groups up to this size are solved on the grid


def _loo_tau2_grid(
    r2: np.ndarray,
    ss: np.ndarray,
    g: np.ndarray,
    t_hat: np.ndarray,
    n_groups: int,
    clip: float,
    kappa: float,
    weighted: bool,
    target: np.ndarray | float = 1.0,
) -> np.ndarray:
    """loo_tau2 on the grid, for the entities of whole groups (``g`` holds all of each group).

    ``target``: per entity, the right-hand side its peers' equation is solved to (1 − k/(n − 1))."""
    grid = np.r_[0.0, np.geomspace(0.25, 3.0, 24)]  # multiples of τ̂²
    t_grid = t_hat[g][:, None] * grid[None, :]  # entities × grid
    v = np.maximum(ss[:, None] + t_grid, 1e-300)
    tgt = np.broadcast_to(np.asarray(target, float), (len(g),))[:, None]
    f_grid = np.minimum(r2[:, None] / v, clip * clip) / kappa
    if weighted:
        f_grid /= v
        w_grid = 1.0 / v
    else:
        w_grid = np.ones_like(v)
    order = np.argsort(g, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(g[order]) != 0])
    sums = np.add.reduceat(f_grid[order], starts, axis=0)  # groups present × grid
    big_f = np.zeros((n_groups, len(grid)))
    big_f[g[order][starts]] = sums
    big_w = np.zeros((n_groups, len(grid)))
    big_w[g[order][starts]] = np.add.reduceat(w_grid[order], starts, axis=0)
    # the equation without entity i, on the grid: Σ_(j≠i) w_j (ψ_j/κ − target_i)
    gi = (big_f[g] - f_grid) - tgt * (big_w[g] - w_grid)
    # first grid point where the equation without i is ≤ 0 (it decreases in t)
    neg = gi <= 0
    first = np.where(neg.any(axis=1), neg.argmax(axis=1), len(grid) - 1)
    k1 = np.maximum(first, 1)
    k0 = k1 - 1
    rows = np.arange(len(g))
    g0, g1 = gi[rows, k0], gi[rows, k1]
    t0, t1 = t_grid[rows, k0], t_grid[rows, k1]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(g0 != g1, g0 / (g0 - g1), 0.0)
    t_new = np.clip(t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0), 0.0, None)
    return np.where(first == 0, 0.0, t_new)  # no excess without i: τ² = 0
