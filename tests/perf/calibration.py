"""Calibration of the verdicts (SPEC §5 "Calibration (version 2)"), by simulation. Prints tables.

    .venv/bin/python tests/perf/calibration.py [--quick] [--trusts N] [--full-trusts F] [--seed S]

Not a test: a benchmark script whose table goes into docs/METHODS.md. Simulated trusts of
``UNITS`` units in peer groups care level × service area, 24 months, scored for 2025Q3 by
``bm.score`` with the default catalogue. Each unit has true values (drivers) drawn around its
peer group's centre with a between-unit spread that does **not** shrink with size (scenario
"constant"); scenario "shrinking" makes the spread ∝ 1/√FTE, where the variance ∝ 1/size model
would be right. Within a unit, months vary by realistic mechanisms: activity and pay with a
noise that falls with size, agency cost as blocks of hired shifts (Poisson in number, gamma in
cost; ``--agency-noise lognormal`` makes it one multiplicative lognormal lump a month instead, the
stress case docs/METHODS.md reports), sick-leave days as spells (a compound Poisson: clustered,
~10 × the binomial variance), leavers Poisson.

In every trust 2,5 % of units per criterion (``PLANT_SHARE``) are *planted*: their driver is 3 between-unit SDs on
the bad side. Null units (planted in nothing) give the false-flag shares; planted units the
power. The truth of every criterion is its value on the noise-free tables (the same sums and
ratios); the oracle knows the true centre, τ (SD of the true null values in the group) and each
unit's sampling s.d. (from ``REPLICATES`` noise replicates of the same truth) and flags a unit
whose value lies beyond centre ± 1,96·√(s² + τ²) on the bad side.

How many trusts: the null shares are the verdict's finest figures (a third's share must lie in
4–6 %), and between trusts they vary by 2,5–3 points (a trust has ~70 null units in a third), so
scenario "constant" runs 512 trusts (``--trusts``; a third's s.e. 0,12 points). Blocks of 64
consecutive seeds gave activity per FTE's small third 4,2–6,1 % (2026-12-04): at 64 trusts one
row outside the band was the seeds' as often as the method's. Power against the oracle, rank
coverage and the shrinking scenario need the noise replicates and are precise enough on the first
``--full-trusts`` (64); the other trusts skip the replicates and the rank intervals.

Figures, per criterion and third of units by FTE (and overall):
- null95 / null998: share of null units outside the 95 % / 99,8 % limits (target 4–6 %, ≤ 0,4 %);
- se95: its Monte Carlo standard error between trusts (s.d. of the trusts' shares / √trusts; it
  carries the trusts' shared errors of τ̂ and the centre, so it is larger than the binomial one);
- power, oracle, ratio: planted units flagged on their bad side at 95 % (ratio ≥ 0,85);
- mse: MSE(shrunk)/MSE(raw) against the truth (< 1);
- cover: share of units whose true potential lies in [potential_low, potential_high] (≥ 93 %);
- rank: share of units whose true rank in the peer group lies in the marginal rank interval of
  ``bm.stats.rank_intervals`` on (value, se) (≥ 95 %);
- spc: share of null units with an SPC signal in ``res.trend`` (≤ 5 %): their months are
  stable and seasonal, with independent noise.

After the tables, the SPC section (:func:`spc_section`) prints the false alarms on the one
definition of stable seasonal series, ``tests/perf/spc_calibration.py``'s ``stable_trust``
(national-shaped units, peer-shared seasons, rare counts, month-to-month noise independent
*and* AR(1) = 0,3), per criterion and size third; every criterion must stay ≤ 5 % at both.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd

import benchmark as bm
from benchmark.catalogue import load_criteria
from benchmark.dataset import dataset_from_frames
from benchmark.periods import month_range
from benchmark.scoring.aggregate import criterion_values

UNITS = 400
MONTHS = month_range("2023-10", "2025-09")
PERIOD = "2025Q3"
REPLICATES = 8
# agency cost's month noise: "compound" (blocks of hired shifts, Poisson in number, gamma in cost:
# a sum of like events, zero in a quiet month) or "lognormal" (one multiplicative lump a month, CV
# 0,6·√(20/FTE), never zero; the stress case docs/METHODS.md reports). The block's mean cost makes
# the compound month's CV the lognormal's at 20 FTE and a 2 % share: CV² = (1 + 1/k)·J/mean.
AGENCY_NOISE = "compound"
AGENCY_BLOCK_KNOK = 5.5
AGENCY_BLOCK_SHAPE = 1.5
PLANT_SHARE = 0.025
SHIFT_SD = 3.0
# (care_level, service_area, specialty, share of units, activity column, activity per FTE-month)
GROUPS = [
    ("inpatient", "somatic", "indremedisin", 0.26, "drg_points", 5.5),
    ("inpatient", "mental_health", "psykiatri", 0.08, "bed_days", 16.0),
    ("inpatient", "rehabilitation", "rehabilitering", 0.05, "bed_days", 12.0),
    ("inpatient", "intensive", "intensiv", 0.04, "drg_points", 3.0),
    ("outpatient", "somatic", "kirurgi", 0.20, "outpatient_visits", 85.0),
    ("outpatient", "mental_health", "psykiatri", 0.07, "outpatient_visits", 40.0),
    ("surgery", "somatic", "kirurgi", 0.08, "operations", 9.0),
    ("emergency", "somatic", "akuttmedisin", 0.05, "admissions", 42.0),
    ("diagnostics", "somatic", "radiologi", 0.09, "examinations", 260.0),
    ("prehospital", "somatic", "prehospital", 0.08, "ambulance_missions", 22.0),
]
# driver: (centre, relative between-unit SD, bad direction of the driver)
DRIVERS = {
    "prod": (1.0, 0.10, -1),
    "var": (0.08, 0.25, +1),
    "agency": (0.02, 0.35, +1),
    "sick": (0.07, 0.15, +1),
    "turn": (0.11, 0.25, +1),
    "plan": (1.02, 0.04, +1),
    "budget": (1.00, 0.05, +1),
    "hours": (1.00, 0.10, +1),
}
CRITERION_DRIVER = {
    "activity_per_fte": "prod",
    "variable_pay_share": "var",
    "agency_share": "agency",
    "overtime_per_fte": "var",
    "sick_leave_rate": "sick",
    "turnover_rate": "turn",
    "staffing_vs_plan": "plan",
    "pay_vs_budget": "budget",
    "care_hours_per_patient_day": "hours",
}


def make_trust(rng: np.random.Generator, scenario: str) -> tuple[pd.DataFrame, dict, dict]:
    """Units with their truths: (units, driver arrays, planted masks per driver)."""
    share = np.array([g[3] for g in GROUPS])
    counts = np.maximum(np.round(share / share.sum() * UNITS).astype(int), 8)
    g_idx = np.repeat(np.arange(len(GROUPS)), counts)
    n = len(g_idx)
    fte = np.exp(rng.uniform(np.log(3.0), np.log(60.0), n))
    units = pd.DataFrame(
        {
            "unit_id": [f"U{i:04d}" for i in range(n)],
            "unit_name": [f"Enhet {i}" for i in range(n)],
            "division": "Divisjon",
            "department": [f"Avd {i % 12}" for i in range(n)],
            "care_level": [GROUPS[k][0] for k in g_idx],
            "service_area": [GROUPS[k][1] for k in g_idx],
            "specialty": [GROUPS[k][2] for k in g_idx],
        }
    )
    drivers, planted = {}, {}
    spread_scale = np.sqrt(20.0 / fte) if scenario == "shrinking" else np.ones(n)
    free = np.ones(n, bool)
    for name, (centre, sd, bad) in DRIVERS.items():
        group_centre = centre * (1 + 0.15 * rng.standard_normal(len(GROUPS)))[g_idx]
        z = rng.standard_normal(n)
        plant = np.zeros(n, bool)
        pool = np.flatnonzero(free)
        chosen = rng.choice(pool, size=max(1, int(PLANT_SHARE * n)), replace=False)
        plant[chosen] = True
        free[chosen] = False
        z = np.where(plant, bad * SHIFT_SD, z)
        drivers[name] = group_centre * (1 + sd * spread_scale * z)
        planted[name] = plant
    drivers["fte"], drivers["group"] = fte, g_idx
    return units, drivers, planted


def make_monthly(units: pd.DataFrame, dr: dict, rng: np.random.Generator | None) -> pd.DataFrame:
    """Monthly tables; ``rng=None`` gives the noise-free (expected) tables that define the truth."""
    n, m = len(units), len(MONTHS)
    month_no = np.array([int(x[5:7]) for x in MONTHS])
    season_act = np.where(month_no == 7, 0.75, np.where(month_no == 12, 0.88, 1.0))
    season_var = np.where(month_no == 7, 1.40, np.where(np.isin(month_no, (1, 2, 12)), 1.12, 1.0))
    season_sick = np.where(
        np.isin(month_no, (1, 2, 12)), 1.2, np.where(np.isin(month_no, (6, 7, 8)), 0.85, 1.0)
    )
    fte_i = dr["fte"][:, None]
    small = np.sqrt(20.0 / fte_i)

    def noise(cv):
        return np.zeros((n, m)) if rng is None else cv * rng.standard_normal((n, m))

    def lognormal(cv):
        if rng is None:
            return np.ones((n, m))
        s = np.sqrt(np.log1p(cv**2))
        return np.exp(s * rng.standard_normal((n, m)) - s**2 / 2)

    fte = fte_i * (1 + noise(0.03)) * np.where(month_no == 7, 0.93, 1.0)
    g = dr["group"]
    act_col = np.array([GROUPS[k][4] for k in g])
    prod = np.array([GROUPS[k][5] for k in g])[:, None] * dr["prod"][:, None]
    activity = np.maximum(prod * fte * season_act * (1 + noise(0.06 * small)), 0)
    pay_fixed = fte * 58.0 * (1 + noise(0.02))
    vs = np.clip(dr["var"], 0.005, 0.6)[:, None]
    variable = np.maximum(pay_fixed * vs / (1 - vs) * season_var * (1 + noise(0.12 * small)), 0)
    agency_mean = (pay_fixed + variable) * np.clip(dr["agency"], 0, 0.5)[:, None]
    if rng is None:
        agency = agency_mean
    elif AGENCY_NOISE == "lognormal":  # a multiplicative lump: never zero, noise ∝ the unit's level
        agency = agency_mean * lognormal(0.6 * small)
    else:  # hired blocks of shifts: Poisson many a month, each of gamma cost (shape 1,5)
        blocks = rng.poisson(agency_mean / AGENCY_BLOCK_KNOK)
        agency = np.where(
            blocks > 0,
            rng.gamma(np.maximum(blocks, 1) * AGENCY_BLOCK_SHAPE, AGENCY_BLOCK_KNOK / AGENCY_BLOCK_SHAPE),
            0.0,
        )
    possible = fte * 21.7
    rate = np.clip(dr["sick"], 0.005, 0.5)[:, None] * season_sick
    spell = 8.0
    if rng is None:
        sick = possible * rate
    else:  # compound Poisson: spells of mean 8 days (gamma, shape 1,5), so days are clustered
        spells = rng.poisson(possible * rate / spell)
        sick = np.where(spells > 0, rng.gamma(np.maximum(spells, 1) * 1.5, spell / 1.5), 0.0)
    headcount = np.round(dr["fte"] * 1.25)[:, None] * np.ones((1, m))
    lam = headcount * np.clip(dr["turn"], 0.0, 1.0)[:, None] / 12
    leavers = lam if rng is None else rng.poisson(lam).astype(float)
    planned = (
        (dr["fte"] / dr["plan"])[:, None] * np.ones((1, m)) * np.where(month_no == 7, 0.93, 1.0)
    )
    budget = ((pay_fixed.mean(axis=1) / (1 - vs[:, 0])) * (1 + dr["agency"]) / dr["budget"])[
        :, None
    ] * np.ones((1, m))
    inpatient = (units["care_level"] == "inpatient").to_numpy()[:, None]
    bed_days = np.where(
        inpatient,
        fte * 162.5 / (6.0 * dr["hours"][:, None]) * season_act * (1 + noise(0.05 * small)),
        0.0,
    )
    frame = {
        "unit_id": np.repeat(units["unit_id"].to_numpy(), m),
        "month": np.tile(np.array(MONTHS), n),
    }
    for col in (
        "drg_points",
        "outpatient_visits",
        "admissions",
        "operations",
        "ambulance_missions",
        "examinations",
        "day_treatments",
    ):
        frame[col] = np.where((act_col == col)[:, None], activity, 0.0).ravel()
    frame["bed_days"] = np.where((act_col == "bed_days")[:, None], activity, bed_days).ravel()
    frame["fte_worked"], frame["fte_contracted"] = fte.ravel(), (fte_i * np.ones((1, m))).ravel()
    frame["fte_planned"], frame["pay_fixed"] = planned.ravel(), pay_fixed.ravel()
    for col, part in (
        ("pay_overtime", 0.35),
        ("pay_extra_shifts", 0.35),
        ("pay_shift_displacement", 0.12),
        ("pay_call_out", 0.08),
        ("pay_other_variable", 0.10),
    ):
        frame[col] = (variable * part).ravel()
    frame["agency_cost"], frame["pay_budget"] = agency.ravel(), budget.ravel()
    frame["sick_leave_days"], frame["possible_days"] = sick.ravel(), possible.ravel()
    frame["leavers"], frame["headcount"] = leavers.ravel(), headcount.ravel()
    return pd.DataFrame(frame)


def _values(ds, cat) -> pd.DataFrame:
    v = criterion_values(ds, cat, PERIOD, "unit")
    return v[v["scored"].astype(bool)].set_index(["entity_id", "criterion"])


def run_trust(seed: int, scenario: str, cat, full: bool = True) -> pd.DataFrame:
    """One simulated trust scored, with its truths. ``full=False`` skips what only the power
    oracle and the rank coverage need (the noise replicates, the rank intervals): a third of the
    time, for the trusts that only add to the null shares' precision."""
    rng = np.random.default_rng(seed)
    units, dr, planted = make_trust(rng, scenario)
    ds = dataset_from_frames(units, make_monthly(units, dr, rng))
    t0 = time.perf_counter()
    res = bm.score(ds, cat, PERIOD, seed=1, sensitivity_analysis=False)
    score_s = time.perf_counter() - t0
    truth = _values(dataset_from_frames(units, make_monthly(units, dr, None)), cat)["value"]
    s = res.scores[res.scores["scored"].astype(bool)].copy()
    key = pd.MultiIndex.from_frame(s[["entity_id", "criterion"]])
    s["truth"] = truth.reindex(key).to_numpy()
    if full:
        reps = [
            _values(dataset_from_frames(units, make_monthly(units, dr, rng)), cat)["value"]
            for _ in range(REPLICATES)
        ]
        s["oracle_s2"] = (
            pd.concat([r.reindex(key).reset_index(drop=True) for r in reps], axis=1)
            .var(axis=1, ddof=1)
            .to_numpy()
        )
    else:
        s["oracle_s2"] = np.nan
    s["full"] = full
    pos = pd.Index(units["unit_id"]).get_indexer(s["entity_id"])
    s["fte"] = dr["fte"][pos]
    s["third"] = pd.qcut(pd.Series(dr["fte"]), 3, labels=["small", "middle", "large"]).to_numpy()[
        pos
    ]
    any_plant = np.zeros(len(units), bool)
    for mask in planted.values():
        any_plant |= mask
    s["null"] = ~any_plant[pos]
    s["planted"] = [
        planted[CRITERION_DRIVER.get(c, "prod")][p]
        for c, p in zip(s["criterion"], pos, strict=True)
    ]
    sign = s["direction"].map({"higher_is_better": 1, "lower_is_better": -1}).to_numpy()
    s["sign"] = sign
    grp = s["criterion"] + "|" + s["peer_group"].astype(str)
    nulls = s["null"]
    s["true_centre"] = s["truth"].where(nulls).groupby(grp).transform("median")
    s["true_tau"] = s["truth"].where(nulls).groupby(grp).transform("std")
    lim = 1.959964 * np.sqrt(s["oracle_s2"] + s["true_tau"] ** 2)
    s["oracle_flag"] = (s["value"] - s["true_centre"]) * -sign > lim
    s["our_flag"] = np.where(
        sign > 0,
        s["flag"].isin(["below_95", "below_99.8"]),
        s["flag"].isin(["above_95", "above_99.8"]),
    )
    s["out95"] = ~s["flag"].isin(["within"])
    s["out998"] = s["flag"].isin(["above_99.8", "below_99.8"])
    # true potential: the same volume and scale, the true value and the true target
    crits = {c.id: c for c in cat.criteria}
    true_target = pd.Series(np.nan, index=s.index)
    for cid, c in crits.items():
        rows = s["criterion"] == cid
        if isinstance(c.target, str):
            q = 0.5 if c.target == "median" else (0.75 if c.sign > 0 else 0.25)
            true_target[rows] = (
                s.loc[rows, "truth"]
                .groupby(s.loc[rows, "peer_group"])
                .transform(lambda x, q=q: x.quantile(q))
            )
        else:
            true_target[rows] = float(c.target)
    unit = s["criterion"].map({k: c.potential.unit for k, c in crits.items()})
    relative = s["criterion"].map({k: c.potential.gap == "relative" for k, c in crits.items()})
    scale = np.where(unit == "fte", 1.0, 12.0) / s["n_months"]
    gap = ((true_target - s["truth"]) * sign).clip(lower=0)
    gap = gap.where(~relative, gap / true_target)
    s["true_potential"] = np.where(unit == "none", np.nan, s["volume"] * gap * scale)
    tol = 1e-9 * (1 + s["true_potential"].abs())
    s["covered"] = np.where(
        s["true_potential"].isna(),
        np.nan,
        (s["potential_low"] - tol <= s["true_potential"])
        & (s["true_potential"] <= s["potential_high"] + tol),
    )
    # rank intervals within each peer group, on (value, se), against the true ranks
    s["rank_cover"] = np.nan
    for _, idx in (s.groupby(grp).groups.items() if full else ()):  # a loop over peer groups
        part = s.loc[idx]
        if len(part) < 3 or not np.isfinite(part["se"]).all():
            continue
        ri = bm.stats.rank_intervals(
            part["value"].reset_index(drop=True), part["se"].to_numpy(), seed=1
        )
        true_rank = part["truth"].rank(ascending=False, method="first").to_numpy()
        s.loc[idx, "rank_cover"] = (
            (ri["rank_low"].to_numpy() <= true_rank) & (true_rank <= ri["rank_high"].to_numpy())
        ).astype(float)
    spc = res.trend.set_index(["entity_id", "criterion"])["spc_signal"]
    s["spc"] = spc.reindex(key).to_numpy().astype(float)
    s["se_raw"] = (s["value"] - s["truth"]) ** 2
    s["se_shrunk"] = (s["shrunk"] - s["truth"]) ** 2
    s["score_seconds"] = score_s
    s["trust"] = seed
    return s


def summarise(all_rows: pd.DataFrame) -> pd.DataFrame:
    out = []
    pieces = [
        *all_rows.groupby(["criterion", "third"], observed=True),
        *(((c, "all"), p) for c, p in all_rows.groupby("criterion")),
    ]
    for (crit, third), part in pieces:
        nul, pl = part[part["null"]], part[part["planted"]]
        full = part[part["full"]]
        pl_full = full[full["planted"]]  # power against the oracle on the trusts that have it
        power, oracle = pl_full["our_flag"].mean(), pl_full["oracle_flag"].mean()
        per_trust = nul.groupby("trust")["out95"].mean()
        se95 = per_trust.std(ddof=1) / np.sqrt(len(per_trust)) if len(per_trust) > 1 else np.nan
        out.append(
            {
                "criterion": crit,
                "third": third,
                "n_null": len(nul),
                "null95": nul["out95"].mean(),
                "se95": se95,
                "null998": nul["out998"].mean(),
                "n_planted": len(pl_full),
                "power": power,
                "oracle": oracle,
                "ratio": power / oracle if oracle > 0 else np.nan,
                "mse": part["se_shrunk"].sum() / part["se_raw"].sum(),
                "cover": part["covered"].mean(),
                "cover_planted": pl["covered"].mean(),
                "rank": full["rank_cover"].mean(),
                "spc": nul["spc"].mean(),
            }
        )
    table = pd.DataFrame(out)
    order = {"small": 0, "middle": 1, "large": 2, "all": 3}
    return table.sort_values(
        ["criterion", "third"], key=lambda c: c.map(order) if c.name == "third" else c
    )


def verdict(table: pd.DataFrame) -> list[str]:
    bad = []
    for _, r in table.iterrows():
        where = f"{r['criterion']} ({r['third']})"
        if not 0.04 <= r["null95"] <= 0.06:
            miss = max(0.04 - r["null95"], r["null95"] - 0.06)
            bad.append(
                f"{where}: null share outside 95 % = {r['null95']:.3f} "
                f"({miss / r['se95']:.1f} s.e. outside 4–6 %)"
            )
        if r["null998"] > 0.004:
            bad.append(f"{where}: null share outside 99,8 % = {r['null998']:.4f}")
        if r["third"] == "all":
            if r["ratio"] < 0.85:
                bad.append(f"{where}: power ratio {r['ratio']:.2f}")
            if r["mse"] >= 1:
                bad.append(f"{where}: MSE ratio {r['mse']:.2f}")
            if r["cover"] < 0.93:
                bad.append(f"{where}: potential coverage {r['cover']:.3f}")
            if r["rank"] < 0.95:
                bad.append(f"{where}: rank coverage {r['rank']:.3f}")
            if r["spc"] > 0.05:
                bad.append(f"{where}: SPC false alarms {r['spc']:.3f}")
    return bad


def spc_section(n_units: int, n_seeds: int) -> list[str]:
    """SPC false alarms on the definition of stable seasonal series (``spc_calibration.py``), at
    AR(1) = 0 and 0,3: prints the per-criterion tables, returns the criteria above 5 %. With the
    same sizes and seeds (2 000 units, trusts 1–3) the tables are exactly those of
    ``spc_calibration.py 2000 3``; ``--quick`` runs one trust (care hours then has ~600 series, a
    binomial s.e. of ~0,8 percentage points)."""
    import spc_calibration  # tests/perf, beside this script

    cat = load_criteria()
    bad = []
    for ar in (0.0, 0.3):
        table, rows, seconds = spc_calibration.false_alarms(cat, n_units, n_seeds, ar)
        title = (
            f"\nSPC false alarms on stable seasonal series (spc_calibration.stable_trust): {n_seeds} trusts "
            f"× {n_units} units, AR(1) = {ar}, bm.score {seconds:.1f} s per trust"
        )
        bad += [
            f"SPC false alarms at AR(1) = {ar}, {b}"
            for b in spc_calibration.print_false_alarms(table, rows, title)
        ]
    return bad


def main(argv: list[str] | None = None) -> int:
    global AGENCY_NOISE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="4 trusts per scenario (about a minute)")
    ap.add_argument(
        "--trusts",
        type=int,
        default=None,
        help="trusts of scenario 'constant' (default 512: a third's null share has a Monte Carlo "
        "s.e. of about 0,12 points)",
    )
    ap.add_argument(
        "--full-trusts",
        type=int,
        default=None,
        help="of those, the first F with the noise replicates (power oracle) and rank intervals; "
        "also the trusts of scenario 'shrinking' (default 64)",
    )
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--scenario", choices=("constant", "shrinking", "both"), default="both")
    ap.add_argument(
        "--agency-noise",
        choices=("compound", "lognormal"),
        default=AGENCY_NOISE,
        help="agency cost's month noise: blocks of shifts (default) or one lognormal lump a month",
    )
    args = ap.parse_args(argv)
    AGENCY_NOISE = args.agency_noise
    n = args.trusts or (4 if args.quick else 512)
    n_full = min(args.full_trusts or (4 if args.quick else 64), n)
    cat = load_criteria()
    pd.set_option("display.width", 200)
    start = time.perf_counter()
    scenarios = ("constant", "shrinking") if args.scenario == "both" else (args.scenario,)
    failures = []
    for scenario in scenarios:
        n_s = n if scenario == "constant" else n_full
        rows = pd.concat(
            [
                run_trust(
                    args.seed + 1000 * (scenario == "shrinking") + i, scenario, cat, i < n_full
                )
                for i in range(n_s)
            ],
            ignore_index=True,
        )
        table = summarise(rows)
        print(
            f"\nScenario '{scenario}': {n_s} trusts ({min(n_full, n_s)} with the power oracle and "
            f"the rank intervals) × {rows['entity_id'].nunique()}–{UNITS + 20} units, "
            f"{PERIOD}, default catalogue, agency noise '{AGENCY_NOISE}', "
            f"bm.score {rows.groupby('trust')['score_seconds'].first().mean():.2f} s per trust"
        )
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        if scenario == "constant":
            failures = verdict(table)
    failures += spc_section(2000, 1 if args.quick else 3)
    print(
        f"\nMachine: {platform.platform()}, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {time.perf_counter() - start:.0f} s in all"
    )
    print("SPEC §5 acceptance (scenario 'constant'): " + ("holds" if not failures else "NOT met:"))
    for f in failures:
        print("  - " + f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
