"""The pipeline step for criteria with ``model = "months"`` (the calibrated default, SPEC §5).

Funnel, flags and shrinkage come from :mod:`benchmark.stats.hetero` (within-entity variance from
the months of the window, robust additive τ², limits about the peer centre); this module aligns
the entity × month arrays with the value rows, runs it for all peer groups of a criterion at once,
and draws the potential intervals.

Centre and target are different things (SPEC §5): the funnel and the shrinkage are about the
**peer centre** (the peer median of values), so a staffing-against-plan value is never pulled
toward the plan's 1,00; the catalogue's target (median, better quartile or a fixed number) only
enters the gap, which is measured from the shrunken value.

*Limits* are a prediction interval for the entity from its peers (``LOO``): centre and τ² are
those of the group *without the entity* (:func:`~benchmark.stats.hetero.loo_group_median`,
:func:`~benchmark.stats.hetero.loo_tau2`), and the quantile is Student's t with Satterthwaite degrees of freedom
(``DF``): df_i = eff · (s_i² + τ̂²)² · Σ_(j≠i) 1/(s_j² + τ̂²)² · (n − 3)/(n − 1), i.e. 2σ_i⁴/Var(τ̂²)
with Var(τ̂²) ≈ 2/(eff · Σ w_j²) the (inverse) information on τ² and eff = 0,725 the efficiency
of the clipped variance estimator. Before (limits from the whole group including the entity,
t(n − 2)) the entity's own deviation widened its own limits — most in small groups: null shares of
3–4 % at 95 % and a power 0,75–0,80 of the oracle's. The leave-one-out median's own variance
(:func:`median_variance`, ``CENTRE_VARIANCE``) belongs in a prediction interval, and on clean
normal groups it is what makes the limits exact (4,9–5,2 % outside 95 % at 16–100 units, against
5,5–6,0 % at 20–40 without it); but in the SPEC's trust simulation, whose groups hold 2,5 % planted
units 3 SD off, the robust τ̂² carries their gross-error bias (≈ 3·ε in log τ² for Huber's clip
at 1,5, the same order as the centre's 1,6/n), and with both every criterion sat at 4,2–4,5 % and
sick leave's and turnover's large thirds at 3,5–3,7 % (512 trusts; without it 4,1–5,2 %), so it is
off by default (docs/METHODS.md). ``scale`` = ``sqrt``/``log`` draws the funnel
on that scale (within-unit variance by the delta method at the peer centre, τ² re-estimated) and
maps the limits back; shrinkage and potential stay on the value's scale.

*Skewed month noise* (``SKEW``): sick days come in spells and leavers are rare counts, so a small
unit's value is skewed to the right and normal limits flagged 0,6–1,3 % of null units beyond
99,8 % (all on the high side) and almost none below. The limits are then those of a Pearson type
III predictive with the entity's skewness γ_i = κ3_i/σ_i³ (κ3_i from the months,
:func:`~benchmark.stats.hetero.within_third_cumulant`; the between-unit part taken as symmetric),
and as a highest-density interval (``SKEW_TAILS``, :func:`~benchmark.stats.hetero.pearson3_hdr`):
the 5 % (0,2 %) least likely values are outside, not 2,5 % (0,1 %) in each tail — a small unit's
short lower tail cannot hold 2,5 % (no sick day in a quarter is likely, not surprising), and equal
tails left sick leave and turnover at 3,4–3,6 % outside 95 % with a power 0,77 of the oracle's.
The t quantile's allowance for τ̂² multiplies the skewed quantiles (q_t/z). The limits stay about
the peer median (the funnel's centre); centring them on the mean estimated from the peers
(``SKEW_CENTRE``, theoretically the Pearson quantiles' origin) left the large thirds at 3,8 %.
A ratio over a noisy denominator (care hours over bed days) gets its curvature's skew too.
Symmetric criteria are unchanged: their p̂ is shrunk to 0 or nearly. On a √/log scale the limits
stay symmetric (``SKEW_SCALED``: the delta method's third cumulant made agency share worse).

*Potential intervals* (parametric bootstrap, Laird & Louis 1987): the point estimate plugs in μ̂,
τ̂² and the target; the interval must also carry their uncertainty. For each of ``DRAWS`` draws the
hyperparameters are drawn from their sampling distribution under the fitted model (μ* the peer
median of a re-simulated group, τ²* its moment estimate floored at 0; :func:`hyper_draws`); each
entity's true value is drawn from its posterior under (μ*, τ²*): θ* = μ* + B*(y − μ*) +
√(B* s²)·ε; the target is recomputed from the draws of all peers (their median or better
quartile; a fixed target stays). The 2,5 % and 97,5 % quantiles of gap(θ*, target*) give the
interval. Vectorised: (draws × entities) float32 blocks, a loop over peer groups only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.stats.distributions import norm_ppf
from benchmark.stats.funnel import flags
from benchmark.stats.hetero import (
    _month_residuals,
    group_median,
    limit_quantile,
    loo_group_median,
    loo_tau2,
    pearson3_hdr,
    pearson3_quantile,
    robust_tau2,
    shrink_toward_centre,
    t_quantile,
    within_third_cumulant,
    within_variance,
)

DRAWS = 100
INTERVAL_POSITIONS = (
    "weibull"  # order-statistic positions of the potential interval (see _row_quantile)
)
T_LIMITS = (
    True  # t quantiles (prediction interval, degrees of freedom by DF); False: normal quantiles
)
DF = "satterthwaite"  # t degrees of freedom per entity from the information on τ²; "n-2": t(n − 2) for all
EFFICIENCY = 0.725  # of the clipped (c = 1,5) variance estimator relative to the sample variance
LOO = True  # limits from the peers without the entity itself (centre and τ²)
CENTRE_VARIANCE = False  # add the (leave-one-out) peer median's own variance (median_variance); see the module doc
SKEW = True  # limits from the Pearson type III predictive with the months' pooled skewness (see fit_months)
SKEW_SHRINK = True
SKEW_CENTRE = (
    False  # True: the skewed limits about the mean estimated from the peers (see fit_months)
)
SKEW_TAILS = "hdr"  # "hdr": the highest-density interval (total α); "equal": α/2 in each tail
SKEW_SCALED = False  # on a √/log scale: the third cumulant by the delta method (else symmetric)


def median_variance(
    var: np.ndarray, ok: np.ndarray, group: np.ndarray, n_groups: int, loo: bool
) -> np.ndarray:
    """The sampling variance of each entity's peer median (without the entity when ``loo``).

    Why: the limits are a prediction interval, y_i − μ̂_(−i) has variance σ_i² + Var(μ̂_(−i)),
    and leaving Var(μ̂) out lets O(1/n) too many units outside — on clean normal groups 5,9–6,0 %
    outside 95 % at 20 units, 6,0–6,2 % at 10 (docs/METHODS.md). The median of m independent
    normal values of s.d. σ_j has the asymptotic variance (π/2)·σ_H²/m, σ_H = m/Σ_j(1/σ_j) the
    harmonic mean of the s.d.s (the median's estimating equation Σ sign(y_j − μ) has variance m and
    slope 2Σ φ(0)/σ_j); the exact small-sample variance of a normal median is smaller, most for
    even m (the average of the two middle values), and (π/2)σ²/(m + a), a = 0,45 for odd and 1,3
    for even m, is within 3 % of it for equal s.d.s and m ≥ 3 (5 % at m = 2), within 10 % when the
    s.d.s spread over a factor of four (simulated; tests/stats/test_hetero.py).
    ``var``: σ_j² = s_j² + τ̂² per entity; ``ok``: the entities that count. An entity known exactly
    (σ_j = 0) among the peers makes the median's variance 0.
    """
    sd = np.sqrt(np.where(ok, np.maximum(var, 0.0), np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(ok, 1.0 / sd, 0.0)  # +inf for σ = 0
    exact = np.where(ok & ~np.isfinite(inv), 1.0, 0.0)
    finite_inv = np.where(np.isfinite(inv), inv, 0.0)
    total = np.bincount(group, weights=finite_inv, minlength=n_groups)[group]
    count = np.bincount(group, weights=ok.astype(float), minlength=n_groups)[group]
    n_exact = np.bincount(group, weights=exact, minlength=n_groups)[group]
    if loo:
        total, count, n_exact = total - finite_inv, count - ok, n_exact - exact
    m = count
    a = np.where(m % 2 == 1, 0.45, 1.3)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.pi / 2 * m / total**2 * m / (m + a)
    return np.where((m >= 1) & (n_exact == 0) & (total > 0) & np.isfinite(v), v, 0.0)


class _LimitModel:
    """The funnel limits of one criterion from its fitted parts, with or without leave-one-out.

    ``limits(True)`` are each entity's own limits, a prediction interval from its peers without
    itself (what its flag is judged against); ``limits(False)`` the group's limits for a unit of
    each size (centre and τ² of the whole group): a smooth function of the size, which is what a
    funnel plot draws as its lines (Spiegelhalter 2005). Drawn through the entities' own limits
    the lines had a kink at every unit far from the centre, whose own limits leave its deviation
    out. The two differ by O(1/n) per group.
    """

    def __init__(self, y_t, s2_t, k3_t, tau2_gt, centre_gt, group, n_groups, cnt, n, ok_t, valid_t, ov, scale):
        self.y_t, self.s2_t, self.k3_t = y_t, s2_t, k3_t
        self.tau2_gt, self.centre_gt = tau2_gt, centre_gt
        self.group, self.n_groups, self.cnt, self.n = group, n_groups, cnt, n
        self.ok_t, self.valid_t, self.ov = ok_t, valid_t, ov
        self.back = {"identity": lambda v: v, "sqrt": lambda v: np.maximum(v, 0.0) ** 2, "log": np.exp}[scale]

    def limits(self, loo: bool) -> dict:
        y_t, s2_t, k3_t, group, n_groups, n = self.y_t, self.s2_t, self.k3_t, self.group, self.n_groups, self.n
        ok_t, tau2_gt, centre_gt, ov = self.ok_t, self.tau2_gt, self.centre_gt, self.ov
        if loo:
            yl = np.where(ok_t, y_t, np.nan)
            c_lim = loo_group_median(yl, group, n_groups)
            t_lim = np.nan_to_num(loo_tau2(yl, s2_t, centre_gt, group, n_groups, tau2_gt), nan=0.0)
            n_peer = np.maximum(n - 1, 1)
        else:
            c_lim, t_lim, n_peer = (
                centre_gt[group],
                np.nan_to_num(tau2_gt[group], nan=0.0),
                np.maximum(n, 1),
            )
        if ov is not None:
            c_lim = np.where(np.isfinite(ov), ov, c_lim)
        v_mu = (
            median_variance(s2_t + np.nan_to_num(tau2_gt[group]), ok_t, group, n_groups, loo)
            if CENTRE_VARIANCE
            else np.zeros(len(y_t))
        )
        sigma = np.sqrt(s2_t + t_lim + v_mu)
        if DF == "satterthwaite":
            # df of σ̂_i² = s_i² + τ̂²: Var(τ̂²) ≈ 2/(eff Σ_j w_j²), w = 1/(s² + τ²) (the τ² information)
            tg = np.nan_to_num(tau2_gt[group], nan=0.0)
            v_t = s2_t + tg
            w2 = np.where(ok_t & (v_t > 0), 1.0 / np.where(v_t > 0, v_t, 1.0) ** 2, 0.0)
            info = np.bincount(group, weights=w2, minlength=n_groups)[group] - (w2 if loo else 0.0)
            df_lim = np.maximum(
                EFFICIENCY * v_t**2 * info * np.maximum(n_peer - 2, 1) / np.maximum(n_peer, 1), 1.0
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            skew = np.where(ok_t & (sigma > 0), np.nan_to_num(k3_t) / sigma**3, 0.0)
        c_skew = c_lim
        if SKEW and SKEW_CENTRE and np.any(skew != 0):
            # the peer median of values is the median of a mixture of skewed predictives; each value's
            # own predictive median is μ + σ_j m(γ_j) (m the standardised Pearson III median), so the
            # median of y_j − σ_j m(γ_j) estimates their common mean μ, about which the quantiles are
            sig_full = np.sqrt(s2_t + np.nan_to_num(tau2_gt[group]))
            with np.errstate(invalid="ignore", divide="ignore"):
                sk_full = np.where(sig_full > 0, np.nan_to_num(k3_t) / sig_full**3, 0.0)
            y_adj = np.where(ok_t, y_t - sig_full * pearson3_quantile(0.5, sk_full), np.nan)
            c_skew = (
                loo_group_median(y_adj, group, n_groups)
                if loo
                else group_median(y_adj, group, n_groups)[group]
            )
            if ov is not None:
                c_skew = np.where(np.isfinite(ov), c_lim, c_skew)
        limits = {}
        for name, p in (("95", 0.975), ("998", 0.999)):
            q = (
                (t_quantile(p, df_lim) if DF == "satterthwaite" else limit_quantile(n, p))
                if T_LIMITS
                else norm_ppf(p)
            )
            # no variation at all (every peer known exactly and alike): the limits are the centre itself
            q = np.where(sigma > 0, q, 0.0)
            if SKEW and np.any(skew != 0):  # symmetric criteria: the t quantiles as they were
                # the t quantile's allowance for τ̂², carried over to the skewed quantiles
                widen = q / norm_ppf(p)
                if SKEW_TAILS == "hdr":
                    lo_s, hi_s = pearson3_hdr(2 * (1 - p), skew)
                else:
                    lo_s, hi_s = pearson3_quantile(1 - p, skew), pearson3_quantile(p, skew)
                q_hi, q_lo = widen * hi_s, -widen * lo_s
                lo_t, hi_t = c_skew - q_lo * sigma, c_skew + q_hi * sigma
            else:
                lo_t, hi_t = c_lim - q * sigma, c_lim + q * sigma
            limits["lower" + name] = np.where(self.valid_t, self.back(lo_t), np.nan)
            limits["upper" + name] = np.where(self.valid_t, self.back(hi_t), np.nan)
        return {"limits": limits, "sigma": sigma, "c_lim": c_lim, "skew": skew, "v_mu": v_mu}


def fit_months(
    num: np.ndarray,
    den: np.ndarray,
    y: np.ndarray,
    group: np.ndarray,
    centre_override: np.ndarray | None = None,
    scale: str = "identity",
) -> dict[str, np.ndarray]:
    """Everything that does not depend on the target: centre, s², τ², limits, flags, shrinkage.

    ``num``/``den``: entities × months aligned with ``y`` (the window values); ``group``: codes.
    ``centre_override``: a per-entity centre (kNN peers' median; NaN = the group's median); τ²
    and s² still come from the whole peer group.
    """
    n_groups = int(group.max()) + 1 if len(group) else 0
    parts = _month_residuals(num, den, group)
    s2, beta = within_variance(num, den, group, parts=parts)
    if SKEW:
        k3, _, _ = within_third_cumulant(s2, parts, SKEW_SHRINK)
    else:
        k3 = np.zeros(len(y))
    centre_g = group_median(y, group, n_groups)
    tau2_g = robust_tau2(y, s2, centre_g, group, n_groups)
    ok = np.isfinite(y) & np.isfinite(s2)
    cnt = np.bincount(group[ok], minlength=n_groups).astype(float)
    centre, tau2 = centre_g[group], np.nan_to_num(tau2_g[group], nan=0.0)
    if centre_override is not None:
        centre = np.where(np.isfinite(centre_override), centre_override, centre)
    n = cnt[group]
    # the funnel on a variance-stabilising scale (the value itself for money and FTE; √ for counts
    # and rates whose month variance grows with the level; log for multiplicative noise): y_t, its
    # within-unit variance by the delta method at the peer centre, and τ² re-estimated on that scale
    if scale == "identity":
        y_t, s2_t, tau2_gt, centre_gt = y, s2, tau2_g, centre_g
        k3_t = k3
        ov = centre_override
    else:
        fwd = {
            "sqrt": lambda v: np.sqrt(np.maximum(v, 0.0)),
            "log": lambda v: np.log(np.where(v > 0, v, np.nan)),
        }[scale]
        slope = {"sqrt": lambda c: 0.5 / np.sqrt(c), "log": lambda c: 1.0 / c}[scale]
        with np.errstate(invalid="ignore", divide="ignore"):
            y_t = fwd(y)
            c0 = np.where(ok, centre_g[group], np.nan)
            g1 = slope(np.where(c0 > 0, c0, np.nan))
            g2 = {"sqrt": lambda c: -0.25 / c**1.5, "log": lambda c: -1.0 / c**2}[scale](
                np.where(c0 > 0, c0, np.nan)
            )
            s2_t = s2 * g1**2
            k3_t = (g1**3 * k3 + 3 * g1**2 * g2 * s2**2) if SKEW_SCALED else np.zeros(len(y))
        centre_gt = group_median(y_t, group, n_groups)
        tau2_gt = robust_tau2(y_t, s2_t, centre_gt, group, n_groups)
        ov = None if centre_override is None else fwd(centre_override)
    ok_t = ok & np.isfinite(y_t) & np.isfinite(s2_t)
    valid = ok & (n >= 3)
    valid_t = valid & ok_t
    model = _LimitModel(y_t, s2_t, k3_t, tau2_gt, centre_gt, group, n_groups, cnt, n, ok_t, valid_t, ov, scale)
    own = model.limits(LOO)
    # the funnel's lines: the group's limits for a unit of each size (centre and τ² of the whole
    # group, smooth in the size), while each unit's flag is judged against its own limits above
    line = own if not LOO else model.limits(False)
    limits, sigma, c_lim, skew, v_mu = own["limits"], own["sigma"], own["c_lim"], own["skew"], own["v_mu"]
    shrunk, post_sd, b = shrink_toward_centre(y, s2, centre, tau2)
    with np.errstate(invalid="ignore", divide="ignore"):
        # a value on its centre with no variation is z = 0 (not 0/0); off it, ±∞ (a certain difference)
        z = np.where(s2 > 0, (y - centre) / np.sqrt(s2), np.sign(y - centre) * np.inf)
        z_adj = np.where(sigma > 0, (y_t - c_lim) / sigma, np.sign(y_t - c_lim) * np.inf)
        z, z_adj = (
            np.where(y == centre, np.where(s2 > 0, z, 0.0), z),
            np.where(y_t == c_lim, np.where(sigma > 0, z_adj, 0.0), z_adj),
        )
    return {
        "centre": np.where(valid, centre, np.nan),
        "z": np.where(valid, z, np.nan),
        "z_adjusted": np.where(valid_t, z_adj, np.nan),
        **limits,
        **{"funnel_" + k: v for k, v in line["limits"].items()},
        "flag": flags(np.where(valid_t, y, np.nan), limits),
        "se": np.sqrt(s2),
        "shrunk": np.where(valid, shrunk, np.nan),
        "shrunk_se": np.where(valid, post_sd, np.nan),
        "phi": np.full(len(y), np.nan),
        "tau2": np.where(valid, tau2, np.nan),
        "overdispersion_applied": np.where(valid, "additive", ""),
        "s2": s2,
        "beta": np.full(len(y), beta),
        "group": group,
        "n": n,
        "v_mu": v_mu,
        "skew": np.where(valid_t, skew, np.nan),
    }


_NORMALS: dict[tuple[int, int, int], np.ndarray] = {}


def _normals(seed: int, stream: int, n: int, draws: int) -> np.ndarray:
    """draws × n standard normals of the stream (seed, stream), float32, cached per process.

    Column j is unit j's draws. The block is generated unit by unit (then transposed), so the first
    n columns do not depend on how many were ever asked for: a result depends on the seed alone,
    never on which criterion ran first — common random numbers across criteria, like the rank
    intervals' cached bootstrap draws.
    """
    key = (seed, stream, draws)
    block = _NORMALS.get(key)
    if block is None or block.shape[1] < n:
        if len(_NORMALS) > 8:
            _NORMALS.clear()
        rows = np.random.default_rng([seed, stream]).standard_normal(
            (max(n, 1), draws), dtype=np.float32
        )
        block = np.ascontiguousarray(rows.T)
        _NORMALS[key] = block
    return block[:, :n]


def _row_quantile(sorted_rows: np.ndarray, q: float, positions: str = "linear") -> np.ndarray:
    """Quantile q of each row of a row-sorted array, interpolated between order statistics.

    ``linear``: position q(B − 1) (numpy's default); ``weibull``: position q(B + 1) − 1, for
    which the interval between the q and 1 − q quantiles of B Monte Carlo draws covers a fresh draw
    with probability 1 − 2q on average, whatever the distribution — with numpy's linear positions
    and B = 100 it is (B + 1 − 2·3,475)/(B + 1) = 0,931 for a nominal 95 %.
    """
    b = sorted_rows.shape[1]
    pos = q * (b - 1) if positions == "linear" else min(max(q * (b + 1) - 1, 0.0), b - 1.0)
    lo = int(np.floor(pos))
    hi = min(lo + 1, sorted_rows.shape[1] - 1)
    return sorted_rows[:, lo] * (1 - (pos - lo)) + sorted_rows[:, hi] * (pos - lo)


def _row_quantile_partition(x: np.ndarray, q: float) -> np.ndarray:
    """Quantile q of each row (linear interpolation) by np.partition on the two order statistics."""
    pos = q * (x.shape[1] - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, x.shape[1] - 1)
    part = np.partition(x, lo, axis=1)  # one kth: numpy's partition with two is ~10 × slower
    frac = pos - lo
    if hi == lo or frac == 0:
        return part[:, lo]
    return part[:, lo] * (1 - frac) + part[:, lo + 1 :].min(axis=1) * frac


def hyper_draws(
    s2: np.ndarray, tau2: np.ndarray, starts: np.ndarray, ends: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(μ* − μ̂, τ²*) per peer group and draw (groups × DRAWS, float32): the sampling distribution of
    the group's hyperparameters under the fitted model, y_i ~ N(μ̂, σ_i²), σ_i² = s_i² + τ̂²; the
    rows of ``s2``/``tau2`` are sorted by group, ``starts``/``ends`` bound each group.

    μ* is the peer median of such a group: asymptotically normal with variance 1/(4 n f̄²), f̄ the
    mean density at the centre, = (π/2)/(n · mean(1/σ_i)²). τ²* is the moment estimate
    S² − mean(s²), floored at 0, with S² the sample variance ≈ m χ²_ν/ν (Satterthwaite),
    m = mean(σ²), ν = (n − 1) m²/mean(σ⁴). Drawing these directly gives the same distribution as
    re-simulating every unit of the group and taking its median and variance (what the bootstrap
    did before), without the units × draws simulation — the step that made the interval slow.
    """
    rng = np.random.default_rng([seed, 3])
    n = (ends - starts).astype(float)
    sig2 = s2 + tau2
    inv_sd = np.add.reduceat(1.0 / np.sqrt(np.where(sig2 > 0, sig2, np.nan)), starts) / n
    m1 = np.add.reduceat(sig2, starts) / n
    m2 = np.add.reduceat(sig2**2, starts) / n
    ms2 = np.add.reduceat(s2, starts) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        v_med = np.where(np.isfinite(inv_sd) & (inv_sd > 0), np.pi / 2 / (n * inv_sd**2), 0.0)
        nu = np.where(m2 > 0, np.maximum(n - 1, 1) * m1**2 / m2, np.maximum(n - 1, 1))
    mu = np.sqrt(v_med)[:, None] * rng.standard_normal((len(n), DRAWS))
    s2_sample = m1[:, None] * rng.chisquare(nu[:, None] * np.ones((1, DRAWS))) / nu[:, None]
    t2 = np.maximum(s2_sample - ms2[:, None], 0.0)
    return mu.astype(np.float32), t2.astype(np.float32)


def potential_gap_interval(
    fit: dict[str, np.ndarray],
    y: np.ndarray,
    target_kind: str | float,
    sign: int,
    relative: bool,
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) 95 % interval of the gap (÷ target when ``relative``) by parametric bootstrap.

    Works peer group by peer group on (draws × units) float32 blocks, so that every quantile is a
    partition or sort along contiguous rows (np.quantile along an axis is 5–8 × slower): the draws'
    hyperparameters (μ*, τ²*) from their sampling distribution (:func:`hyper_draws`), each unit's θ*
    from its posterior, the target from the group's θ*, the interval from the sorted gaps. float32
    keeps seven digits, far below the Monte Carlo error of 100 draws.
    """
    group, s2 = fit["group"], np.nan_to_num(fit["s2"], nan=0.0)
    centre, tau2 = np.nan_to_num(fit["centre"]), np.nan_to_num(fit["tau2"])
    ok = np.isfinite(fit["shrunk"])
    low, high = np.full(len(y), np.nan), np.full(len(y), np.nan)
    if not ok.any():
        return low, high
    idx = np.flatnonzero(ok)
    idx = idx[np.argsort(group[idx], kind="stable")]
    g = group[idx]
    starts = np.flatnonzero(np.r_[True, np.diff(g) != 0])
    ends = np.r_[starts[1:], len(idx)]
    e2 = _normals(seed, 2, len(idx), DRAWS)
    q = None
    if isinstance(target_kind, str):
        q = {"median": 0.5, "mean": None, "upper_quartile": 0.75 if sign > 0 else 0.25}[target_kind]
    s2f, yf = s2[idx].astype(np.float32), np.nan_to_num(y[idx]).astype(np.float32)
    dmu_star, t2_star = hyper_draws(s2[idx], tau2[idx], starts, ends, seed)
    cf = centre[idx].astype(np.float32)
    gap = np.empty((DRAWS, len(idx)), dtype=np.float32)
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):  # a loop over peer groups
        s2k = s2f[a:b]
        c = cf[a:b]
        # μ* about each unit's own centre (kNN peers give each unit its own; a group's is one number)
        mu = dmu_star[k][:, None] + (c[0] if c.min() == c.max() else c)
        t2 = t2_star[k][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            bk = t2 + s2k  # B* = τ²*/(τ²* + s²), in place: fewer (draws × units) work arrays
            np.divide(t2, bk, out=bk)
            if s2k.min() <= 0:
                bk[:, s2k <= 0] = 1.0
        # θ* = μ* + B*(y − μ*) + √(B* s²)·ε, built in two buffers
        theta = np.subtract(yf[a:b], mu)
        theta *= bk
        theta += mu
        np.multiply(bk, s2k, out=bk)
        np.sqrt(bk, out=bk)
        bk *= e2[:, a:b]
        theta += bk
        if q is None and isinstance(target_kind, str):
            t_k = theta.mean(axis=1, keepdims=True)
        elif q is not None:
            t_k = _row_quantile_partition(theta, q)[:, None]
        else:
            t_k = np.float32(target_kind)
        d = np.subtract(t_k, theta, out=theta) if sign > 0 else np.subtract(theta, t_k, out=theta)
        np.maximum(d, 0.0, out=d)
        if relative:
            with np.errstate(invalid="ignore", divide="ignore"):
                d /= np.where(t_k != 0, t_k, np.nan)
        gap[:, a:b] = d
    # a NaN gap (a zero target under a relative gap) leaves the unit without an interval
    gap = np.ascontiguousarray(gap.T)
    bad = np.isnan(gap).any(axis=1) if relative else np.zeros(len(idx), bool)
    gap.sort(axis=1)
    q_lo, q_hi = (
        _row_quantile(gap, 0.025, INTERVAL_POSITIONS),
        _row_quantile(gap, 0.975, INTERVAL_POSITIONS),
    )
    low[idx], high[idx] = np.where(bad, np.nan, q_lo), np.where(bad, np.nan, q_hi)
    return low, high


def align_months(
    ids: pd.Index, num: np.ndarray, den: np.ndarray, entity_ids: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the entity × month arrays in the order of ``entity_ids`` (NaN rows when absent)."""
    pos = ids.get_indexer(entity_ids)
    take = np.maximum(pos, 0)
    n_, d_ = num[take], den[take]
    n_[pos < 0], d_[pos < 0] = np.nan, np.nan
    return n_, d_
