"""Calibration of the bed draft on generated wards whose census distribution is known.

    .venv/bin/python tests/perf/beds_calibration.py [--wards 60] [--seed 11]

Wards: mean census 4–60, a weekday pattern, a season, fellesferie, Christmas, Easter, a trend of
−3 … +5 % a year, and negative-binomial days with dispersion φ = 1–3 (variance φ·mean), drawn
independently — so the true distribution of every day is known. Three years of history, then
the budget year.

1. **Recommendation vs ideal**: the ideal beds per ISO week apply the quantile rule to the true
   distribution of the budget year; the draft applies it to the forecast fitted on the history.
   Share of weeks within one bed (or 5 %) of the ideal.
2. **Backtest**: the last history year held out; share of days covered per ward against the
   service level (within 3 percentage points?), and bed-days against ``occupancy_85`` — both at
   s = 0,95 and at the lowest service level on the grid whose share covered is at least the 85 %
   rule's (equal or better share), per ward.

Prints the tables that docs/METHODS.md quotes.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

GRID = tuple(round(0.50 + 0.01 * i, 2) for i in range(50))  # 0,50 … 0,99


def generate(n: int, seed: int):
    from benchmark.beds.calendar import design
    from benchmark.dataset.model import Dataset

    rng = np.random.default_rng(seed)
    history = pd.date_range("2023-01-02", "2025-12-28", freq="D")
    budget = pd.date_range("2025-12-29", "2027-01-03", freq="D")  # ISO year 2026
    allday = history.append(budget)
    centre = history[len(history) // 2]
    X = design(allday, centre)
    from benchmark.beds.calendar import TERM_NAMES as T

    beta = np.zeros((n, len(T)))
    beta[:, T.index("intercept")] = np.log(rng.uniform(4, 60, n))
    beta[:, T.index("trend")] = rng.uniform(-0.03, 0.05, n)
    for d, eff in zip(range(1, 7), (0.04, 0.05, 0.03, -0.02, -0.12, -0.13), strict=True):
        beta[:, T.index(f"weekday_{d}")] = eff * rng.uniform(0.5, 1.5, n)
    beta[:, T.index("cos1")] = rng.uniform(0.0, 0.08, n)
    beta[:, T.index("fellesferie")] = -rng.uniform(0.1, 0.3, n)
    beta[:, T.index("christmas")] = -rng.uniform(0.1, 0.35, n)
    beta[:, T.index("easter")] = -rng.uniform(0.0, 0.2, n)
    phi = rng.uniform(1.0, 3.0, n)
    mean = np.exp(beta @ X.T)  # (n, days)
    excess = np.maximum(phi - 1, 1e-9)
    census = np.where(phi[:, None] > 1.0001,
                      rng.negative_binomial(np.maximum(mean / excess[:, None], 1e-9), 1 / phi[:, None]),
                      rng.poisson(mean))
    ids = [f"K{i:03d}" for i in range(n)]
    h = len(history)
    daily = pd.DataFrame({"unit_id": np.repeat(ids, h), "date": np.tile(history.to_numpy(), n),
                          "census": census[:, :h].ravel().astype(float)})
    units = pd.DataFrame({"unit_id": ids, "unit_name": ids, "division": "D", "department": [f"A{i}" for i in range(n)],
                          "care_level": "inpatient", "specialty": "", "peer_group": ""})
    monthly = pd.DataFrame({"unit_id": ids, "month": "2025-12", "beds": np.ceil(mean.mean(axis=1) / 0.85),
                            "bed_days": mean.mean(axis=1) * 31, "fte_worked": 10.0})
    truth = pd.DataFrame({"unit_id": np.repeat(ids, len(budget)), "date": np.tile(budget.to_numpy(), n),
                          "mean": mean[:, h:].ravel(), "var": (phi[:, None] * mean[:, h:]).ravel()})
    return Dataset(units=units, monthly=monthly, daily=daily, source="<calibration>"), truth, phi


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wards", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    import benchmark as bm
    from benchmark.beds.backtest import backtest, model_levels
    from benchmark.beds.calendar import iso_week_label
    from benchmark.beds.recommend import recommend

    ds, truth, phi = generate(args.wards, args.seed)
    bd = bm.beds(ds, year=2026, backtest=False)
    truth["week"] = iso_week_label(pd.DatetimeIndex(truth["date"]))
    print(f"{args.wards} generated wards, mean census 4–60, φ 1–3, 3 years of history; seed {args.seed}\n")
    print("1. Recommended beds vs the ideal from the true distribution (budget year, 53 weeks)")
    print(f"{'service level':>14}{'weeks within 1 bed or 5 %':>28}{'mean |diff|':>13}{'mean diff':>11}")
    for s in (0.90, 0.95, 0.99):
        ideal, _, _ = recommend(truth, ds.units, s)
        got = bd.with_options(service_level=s).bed_plan
        m = got.merge(ideal[["unit_id", "week", "beds_recommended"]], on=["unit_id", "week"], suffixes=("", "_ideal"))
        diff = m["beds_recommended"] - m["beds_recommended_ideal"]
        ok = diff.abs() <= np.maximum(1, 0.05 * m["beds_recommended_ideal"])
        print(f"{s:>14.2f}{ok.mean():>28.1%}{diff.abs().mean():>13.2f}{diff.mean():>11.2f}")

    print("\n2. Backtest on the last history year (held out 52 weeks)")
    results = {0.95: backtest(ds.daily, ds.units, 0.95)}
    levels = model_levels(ds.daily, ds.units, GRID)
    b95 = results[0.95].pivot(index="unit_id", columns="method")
    share = b95["share_days_covered"]
    within = (share["model"] - 0.95).abs() <= 0.03
    print(f"  s = 0,95: model share of days covered, mean {share['model'].mean():.1%}, "
          f"within 3 points of 95 % for {within.mean():.0%} of wards; seasonal naive {share['seasonal_naive'].mean():.1%}; "
          f"85 % rule {share['occupancy_85'].mean():.1%}")
    print(f"{'method':<16}{'share covered':>14}{'bed-days':>10}{'pinball':>9}")
    for method in ("model", "seasonal_naive", "occupancy_85"):
        part = results[0.95][results[0.95]["method"] == method]
        print(f"{method:<16}{part['share_days_covered'].mean():>14.1%}{part['bed_days_planned'].mean():>10.0f}"
              f"{part['pinball_loss'].mean():>9.3f}")
    occ = b95["share_days_covered"]["occupancy_85"]
    occ_days = b95["bed_days_planned"]["occupancy_85"]
    lv = levels.assign(rule=levels["unit_id"].map(occ))
    ok = lv[lv["share_days_covered"] >= lv["rule"]].sort_values(["unit_id", "service_level"])
    c = ok.groupby("unit_id").first().rename(columns={"share_days_covered": "share", "bed_days_planned": "bed_days",
                                                       "service_level": "s"}).reindex(occ.index)
    equal_or_better = c["share"] >= occ
    fewer = c["bed_days"] <= occ_days
    print(f"\n  at an equal or better share than the 85 % rule (the lowest s in 0,50 … 0,99 that gives it): "
          f"median s {c['s'].median():.2f}; model share ≥ rule's for "
          f"{equal_or_better.mean():.0%} of wards, and with ≤ bed-days for {(fewer & equal_or_better).mean():.0%}")
    print(f"  mean bed-days: model {c['bed_days'].mean():.0f} vs 85 % rule {occ_days.mean():.0f}; "
          f"mean share: model {c['share'].mean():.1%} vs rule {occ.mean():.1%}")
    interpolated = []
    for unit, part in lv.sort_values("share_days_covered").groupby("unit_id"):
        curve = part.groupby("share_days_covered")["bed_days_planned"].min()  # the cheapest plan per share
        curve = curve[::-1].cummin()[::-1]  # a higher share never costs less than the best lower one
        interpolated.append((unit, np.interp(occ[unit], curve.index.to_numpy(), curve.to_numpy())))
    ip = pd.Series(dict(interpolated)).reindex(occ.index)
    print(f"  interpolated to exactly the rule's share: model needs ≤ the rule's bed-days for "
          f"{(ip <= occ_days).mean():.0%} of wards; mean {ip.mean():.0f} vs {occ_days.mean():.0f} "
          f"({ip.sum() / occ_days.sum() - 1:+.1%})")
    small = ds.daily.groupby("unit_id")["census"].mean() < 15
    print(f"  85 % rule share covered: small wards (mean < 15) {occ[small].mean():.1%}, "
          f"large {occ[~small].mean():.1%} — the rule fails small wards (de Bruin et al. 2010)")


if __name__ == "__main__":
    main()
