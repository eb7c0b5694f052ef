"""SPC false alarms on stable seasonal series, through the whole pipeline (``bm.score``), and power.

    .venv/bin/python tests/perf/spc_calibration.py [n_units] [n_seeds] [ar,ar,...]

**The definition of "stable seasonal series"** (SPEC §5 "Calibration (version 2)"; the one both
this script and the SPC section of ``tests/perf/calibration.py`` use, :func:`stable_trust`): the
units of :func:`benchmark.demo_data.generate_national` (care levels, sizes, peer groups), each
keeping its own level of every monthly column for all 36 months; nothing changes but

- the season every ward shares: activity dips in July (−28 %) and December, FTE worked dips in
  the summer holidays, variable pay and agency peak in July, sick leave peaks in winter, leavers
  peak in June and August;
- month-to-month noise, multiplicative, AR(1) with coefficient ``ar`` (0 = independent months;
  0,3 is what real monthly hospital series show, and is printed too);
- counts drawn as counts: sick days in spells (gamma, mean spell 8 days: clustered, not
  binomial) around a sick-leave rate with the same AR(1) noise, leavers Poisson (rare), agency
  hired only in some months by a third of the units.

Every signal on such a series is a false alarm. Prints, per criterion, the share of units with a
current SPC signal (``spc_signal``) and with a trend word (``trend`` ≠ stable) in the pipeline,
per third of units by size, and — for comparison — the same rules on the raw monthly ratios
(``xmr_signals`` on ``res.monthly``, what the product did before the season was removed).
Target: at most 5 % for every criterion, at every ``ar`` printed.

Power, twice: (1) the pipeline on one trust where 10 % of the units deteriorate over the last 6
months by realistic factors (:data:`PLANT`); (2) the SPC step alone (:func:`spc_matrix`) on
series of 24 months with a shared season and AR(1) noise where a unit's last 6 months shift by
δ = 1, 2, 3 SD of its month-to-month variation, with the autocorrelation correction (the pipeline) and
without it (plain XmR on the deseasonalised values). Not a test: tables.
"""

from __future__ import annotations

import platform
import sys
import time

import numpy as np
import pandas as pd

from benchmark.catalogue import load_criteria
from benchmark.dataset import dataset_from_frames
from benchmark.demo_data import ACTIVITY_COLUMNS, generate_national
from benchmark.scoring import score
from benchmark.scoring import trend as trend_module
from benchmark.stats import xmr_signals

PERIOD = "2025Q3"
VARIABLE = ("pay_overtime", "pay_extra_shifts", "pay_shift_displacement", "pay_call_out", "pay_other_variable")


def _season(month_no: np.ndarray, table: dict[int, float]) -> np.ndarray:
    return np.array([table.get(int(m), 1.0) for m in month_no])


PLANT_FROM = "2025-04"  # planted shifts: the last 6 months
# column → factor of the planted deterioration; the direction it moves each criterion
PLANT = {"sick_leave_days": 1.4, "leavers": 2.5, "activity": 0.8, "fte_worked": 1.1, "variable": 1.5,
         "agency_cost": 1.5}
PLANTED_DIRECTION = {"activity_per_fte": "down", "agency_share": "up", "overtime_per_fte": "up",
                     "pay_vs_budget": "up", "sick_leave_rate": "up", "staffing_vs_plan": "up",
                     "turnover_rate": "up", "variable_pay_share": "up"}


def stable_trust(n_units: int, seed: int, ar: float = 0.0, plant: float = 0.0
                 ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(units, monthly, planted unit ids): generate_national's units with stable seasonal monthly
    series; a share ``plant`` of units gets the PLANT shifts from PLANT_FROM on."""
    tables = generate_national(n_units, 36, seed=seed)
    units, monthly = tables["units"], tables["monthly"].sort_values(["unit_id", "month"]).reset_index(drop=True)
    months = np.sort(monthly["month"].unique())
    n_m = len(months)
    n_u = len(monthly) // n_m
    rng = np.random.default_rng(10_000 + seed)
    month_no = np.array([int(m[5:7]) for m in months])
    planted = rng.random(n_u) < plant
    late = (months >= PLANT_FROM)[None, :]

    def shift(name: str) -> np.ndarray:
        return np.where(planted[:, None] & late, PLANT[name], 1.0)

    def mean(col: str) -> np.ndarray:
        return monthly[col].to_numpy(float).reshape(n_u, n_m).mean(axis=1)[:, None]

    def noise(cv: float) -> np.ndarray:
        e = rng.standard_normal((n_u, n_m))
        if ar:
            for t in range(1, n_m):  # a loop over 36 months, not over units
                e[:, t] = ar * e[:, t - 1] + np.sqrt(1 - ar**2) * e[:, t]
        return 1 + cv * e

    s_act = _season(month_no, {7: 0.72, 12: 0.88, 6: 0.93, 8: 0.93})
    s_fte = _season(month_no, {7: 0.90, 6: 0.96, 8: 0.96, 12: 0.97})
    s_var = _season(month_no, {7: 1.50, 6: 1.15, 8: 1.15, 12: 1.15, 1: 1.15, 2: 1.10})
    s_agency = _season(month_no, {7: 2.0, 6: 1.4, 8: 1.4})
    s_sick = _season(month_no, {1: 1.25, 2: 1.25, 12: 1.15, 6: 0.80, 7: 0.75, 8: 0.80})
    s_leave = _season(month_no, {6: 1.8, 8: 1.8, 1: 1.2})
    s_leave = s_leave / s_leave.mean()

    out = monthly.copy()
    planned = mean("fte_contracted") / 0.97
    fte = np.maximum(planned * s_fte * noise(0.03), 0.5) * shift("fte_worked")
    out["fte_worked"] = fte.ravel()
    for col in ACTIVITY_COLUMNS:
        if col in out:
            out[col] = (mean(col) / s_act.mean() * s_act * np.abs(noise(0.05)) * shift("activity")).ravel()
    pay_fixed = fte * 58.0 * noise(0.02)
    out["pay_fixed"] = pay_fixed.ravel()
    shared = np.abs(noise(0.10)) * shift("variable")
    for col in VARIABLE:
        out[col] = (mean(col) / s_var.mean() * s_var * shared).ravel()
    # a third of units hire agency only now and then: months without agency cost
    occasional = rng.random(n_u) < 0.3
    present = np.where(occasional[:, None], rng.random((n_u, n_m)) < 0.5, True)
    out["agency_cost"] = (mean("agency_cost") / s_agency.mean() * s_agency * np.abs(noise(0.3)) * present
                          * shift("agency_cost")).ravel()
    possible = fte * 21.7
    out["possible_days"] = possible.ravel()
    rate = np.clip(0.07 + 0.012 * rng.standard_normal(n_u), 0.03, 0.12)[:, None]
    mu = possible * rate * s_sick / s_sick.mean() * np.abs(noise(0.10)) * shift("sick_leave_days")
    spell = 8.0  # days per spell: sick days are clustered
    out["sick_leave_days"] = np.minimum(rng.gamma(mu / spell, spell), possible).ravel()
    headcount = np.round(mean("headcount"))
    out["headcount"] = np.repeat(headcount, n_m, axis=1).ravel()
    out["leavers"] = rng.poisson(np.maximum(headcount, 1) * 0.11 / 12 * s_leave * shift("leavers")).astype(float).ravel()
    numeric = out.columns.drop(["unit_id", "month"])
    out[numeric] = out[numeric].round(3)
    units_ids = out["unit_id"].to_numpy().reshape(n_u, n_m)[:, 0]
    return units, out, units_ids[planted]


def rates(res, units_fte: pd.Series) -> pd.DataFrame:
    t = res.trend[res.trend["spc_chart"] != ""].copy()
    t["signal"] = t["spc_signal"].astype(bool)
    t["word"] = t["trend"] != "stable"
    raw = xmr_signals(res.monthly, value="value")  # the rules on raw monthly ratios
    t = t.merge(raw[["entity_id", "criterion", "signal"]].rename(columns={"signal": "raw"}),
                on=["entity_id", "criterion"], how="left")
    size = units_fte.reindex(t["entity_id"]).to_numpy()
    t["third"] = pd.qcut(pd.Series(size).rank(method="first"), 3, labels=["small", "middle", "large"]).to_numpy()
    return t


def false_alarms(cat, n_units: int, n_seeds: int, ar: float) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(per-criterion table, all rows, mean bm.score seconds) on ``n_seeds`` stable trusts."""
    parts, seconds = [], []
    for seed in range(1, n_seeds + 1):
        units, monthly, _ = stable_trust(n_units, seed, ar)
        ds = dataset_from_frames(units, monthly)
        start = time.perf_counter()
        res = score(ds, cat, PERIOD, seed=seed, sensitivity_analysis=False)
        seconds.append(time.perf_counter() - start)
        fte = monthly.groupby("unit_id")["fte_worked"].mean()
        parts.append(rates(res, fte).assign(seed=seed))
    t = pd.concat(parts, ignore_index=True)
    by = t.groupby("criterion")

    def third(name):
        return 100 * t[t["third"] == name].groupby("criterion")["signal"].mean()

    table = pd.DataFrame({
        "chart": by["spc_chart"].agg(lambda s: "/".join(sorted(s.unique()))),
        "series": by.size(),
        "signal %": 100 * by["signal"].mean(),
        "trend word %": 100 * by["word"].mean(),
        "small %": third("small"), "middle %": third("middle"), "large %": third("large"),
        "raw XmR %": 100 * by["raw"].mean(),
    })
    table.loc["all criteria"] = ["", len(t), 100 * t["signal"].mean(), 100 * t["word"].mean(),
                                 100 * t.loc[t["third"] == "small", "signal"].mean(),
                                 100 * t.loc[t["third"] == "middle", "signal"].mean(),
                                 100 * t.loc[t["third"] == "large", "signal"].mean(), 100 * t["raw"].mean()]
    return table, t, float(np.mean(seconds))


def print_false_alarms(table: pd.DataFrame, t: pd.DataFrame, title: str) -> list[str]:
    """Print the table; return the criteria above 5 %."""
    print(title)
    with pd.option_context("display.width", 160, "display.float_format", "{:.1f}".format):
        print(table.to_string())
    rules = t[t["signal"]].groupby("spc_rule").size() / len(t) * 100
    print("signals by rule (% of series): " + ", ".join(f"{k} {v:.1f}" for k, v in rules.items()))
    per = table["signal %"].drop("all criteria")
    print(f"worst criterion {per.max():.1f} % ({per.idxmax()}) against the target ≤ 5 %: "
          f"{'holds' if per.max() <= 5 else 'FAILS'}")
    return [f"{c}: {v:.1f} %" for c, v in per.items() if v > 5]


def main(n_units: int = 2000, n_seeds: int = 3, ars: tuple[float, ...] = (0.0, 0.3)) -> int:
    cat = load_criteria()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {platform.platform()}, "
          f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC")
    failures = []
    for ar in ars:
        table, t, seconds = false_alarms(cat, n_units, n_seeds, ar)
        bad = print_false_alarms(table, t, f"\nSPC false alarms on stable seasonal series: {n_seeds} trusts × "
                                 f"{n_units} units, period {PERIOD}, 24-month charts, AR(1) = {ar} "
                                 f"(bm.score {seconds:.1f} s per trust, shared cores)")
        failures += [f"AR(1) = {ar}, {b}" for b in bad]
    for ar in ars:
        power(cat, n_units, ar)
    power_by_shift()
    print("\nfalse alarms ≤ 5 % for every criterion: " + ("holds" if not failures else "NOT met: " + "; ".join(failures)))
    return 0


def power(cat, n_units: int, ar: float) -> None:
    """One trust where 10 % of units deteriorate over the last 6 months (PLANT): the share of them
    with a current signal in the planted direction, by the pipeline and by raw XmR."""
    units, monthly, planted = stable_trust(n_units, 99, ar, plant=0.10)
    res = score(dataset_from_frames(units, monthly), cat, PERIOD, seed=1, sensitivity_analysis=False)
    t = res.trend[res.trend["entity_id"].isin(planted) & (res.trend["spc_chart"] != "")].copy()
    want = t["criterion"].map(PLANTED_DIRECTION)
    t["hit"] = t["spc_signal"] & (t["spc_direction"] == want)
    raw = xmr_signals(res.monthly[res.monthly["entity_id"].isin(planted)], value="value")
    raw["hit_raw"] = raw["signal"] & (raw["direction"] == raw["criterion"].map(PLANTED_DIRECTION))
    t = t.merge(raw[["entity_id", "criterion", "hit_raw"]], on=["entity_id", "criterion"], how="left")
    t = t[t["criterion"].isin(PLANTED_DIRECTION)]
    by = t.groupby("criterion")
    table = pd.DataFrame({"planted units": by.size(), "detected %": 100 * by["hit"].mean(),
                          "raw XmR detected %": 100 * by["hit_raw"].mean()})
    print(f"\nPower in the pipeline, AR(1) = {ar}: {len(planted)} of {n_units} units deteriorate from {PLANT_FROM} "
          f"(sick days ×1,4, leavers ×2,5, activity ×0,8, FTE ×1,1, variable pay and agency ×1,5)")
    with pd.option_context("display.width", 160, "display.float_format", "{:.1f}".format):
        print(table.to_string())


def power_by_shift(n_units: int = 4000, cv: float = 0.05, seed: int = 7) -> None:
    """The SPC step alone on series of 24 months: 40 peer groups share a season (July −25 %,
    December −10 %), each unit its own level, multiplicative noise of s.d. ``cv`` with AR(1) ρ; a
    tenth of the units shift down by δ·cv (δ SD of their month-to-month variation) in the last 6
    months. Share of shifted units with a current signal downwards (power) and of the others with
    any signal (false alarms), with the autocorrelation correction (as in the pipeline) and without."""
    rng = np.random.default_rng(seed)
    months = np.arange(24)
    last = 2025 * 12 + 8  # 2025-09 as a month index (January = 0)
    m_idx = last - 23 + months
    season = np.where(m_idx % 12 == 6, 0.75, np.where(m_idx % 12 == 11, 0.90, 1.0))
    group = np.arange(n_units) % 40
    level = rng.uniform(0.5, 2.0, n_units)[:, None]
    den = np.full((n_units, 24), 100.0)
    rows = []
    for rho in (0.0, 0.3):
        e = rng.standard_normal((n_units, 24))
        for t in range(1, 24):  # a loop over months
            e[:, t] = rho * e[:, t - 1] + np.sqrt(1 - rho**2) * e[:, t]
        shifted = rng.random(n_units) < 0.10
        for delta in (0.0, 1.0, 2.0, 3.0):
            step = np.where(shifted[:, None] & (months >= 18)[None, :], 1 - delta * cv, 1.0)
            num = level * season * (1 + cv * e) * step * den
            for corrected in (True, False):
                trend_module.AUTOCORRELATION = corrected
                sig = trend_module.spc_matrix(num, den, m_idx, group, np.zeros(n_units, np.int64), last)
                hit = sig["signal"] & (sig["direction"] == "down")
                rows.append({"AR(1)": rho, "shift (SD)": delta,
                             "chart": "corrected (pipeline)" if corrected else "plain XmR",
                             "power %": 100 * hit[shifted].mean() if delta else np.nan,
                             "false alarms %": 100 * sig["signal"][~shifted].mean()})
    trend_module.AUTOCORRELATION = True
    table = pd.DataFrame(rows).pivot_table(index=["AR(1)", "shift (SD)"], columns="chart",
                                           values=["power %", "false alarms %"])
    print(f"\nPower of the SPC step by shift size: {n_units} units in 40 peer groups, 24 months, noise s.d. "
          f"{cv:.0%}, a tenth shift down in the last 6 months (power: signal downwards; false alarms: "
          "any signal on an unshifted unit)")
    with pd.option_context("display.width", 160, "display.float_format", "{:.1f}".format):
        print(table.to_string())


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(int(args[0]) if args else 2000, int(args[1]) if len(args) > 1 else 3,
                  tuple(float(a) for a in args[2].split(",")) if len(args) > 2 else (0.0, 0.3)))
