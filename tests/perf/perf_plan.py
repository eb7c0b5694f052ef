"""Speed of the staffing budget at national scale (SPEC §9): 10 000 units × 50 positions × 365 days ≤ 30 s.

    .venv/bin/python tests/perf/perf_plan.py [--units 10000] [--positions 50]

Builds a national rota as base rotations (six-week grunnturnus, one row per line, week and
weekday: 21 million rows with categorical columns, as a loaded rota table holds them), then runs
what ``bm.plan`` runs: roll-out onto 2026 (positions × days), hour split on the real calendar,
hours per position and month, per unit and role, pricing, gap per unit/department/division and
indicators. It also prices a day-by-day roster of the same size given directly as the
(positions × days) matrix, and re-prices with a changed rate. Prints a table: step, seconds,
target, share of target. Machine: state it with the figures (2 shared cores here).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np
import pandas as pd


def national_rota(n_units: int, n_pos: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_lines = n_units * n_pos
    weeks, cells = 6, 42
    unit = np.repeat(np.arange(n_units), n_pos)
    pct = rng.choice([100.0, 80.0, 75.0, 50.0], size=n_lines, p=[0.45, 0.3, 0.15, 0.1])
    role = rng.choice(["sykepleier", "spesialsykepleier", "helsefagarbeider", "merkantil"], size=n_lines,
                      p=[0.5, 0.15, 0.3, 0.05])
    codes = rng.choice(np.array(["D", "A", "N", "F"]), size=(n_lines, cells), p=[0.3, 0.2, 0.12, 0.38])
    unit_ids = np.char.add("U", np.char.zfill(np.arange(n_units).astype(str), 6))
    line = np.repeat(np.arange(n_lines), cells)
    rota = pd.DataFrame({
        "unit_id": pd.Categorical.from_codes(np.repeat(unit, cells), unit_ids),
        "plan_id": pd.Categorical.from_codes(np.repeat(unit, cells), np.char.add("T-", unit_ids)),
        "position_id": line.astype(np.int64),
        "role": pd.Categorical(np.repeat(role, cells)),
        "position_pct": np.repeat(pct, cells),
        "date": pd.NaT,
        "rota_week": np.tile(np.arange(cells) // 7 + 1, n_lines).astype(float),
        "weekday": np.tile(np.arange(cells) % 7 + 1, n_lines).astype(float),
        "rota_weeks": float(weeks),
        "shift_code": pd.Categorical(codes.ravel()),
    })
    n_div = max(8, n_units // 150)
    division = np.array([f"Divisjon {i % n_div + 1:03d}" for i in range(n_units)])
    units = pd.DataFrame({"unit_id": unit_ids, "unit_name": unit_ids, "division": division,
                          "department": np.char.add(division, np.char.add(" avd ", (np.arange(n_units) % 7).astype(str))),
                          "care_level": "inpatient"})
    return rota, units


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--positions", type=int, default=50)
    args = ap.parse_args()
    load0 = f"{os.getloadavg()[0]:.1f}"
    from benchmark.demo_plan import SHIFT_CODES
    from benchmark.plan import gap as gapmod
    from benchmark.plan import load_tariff
    from benchmark.plan.codes import typed_codes
    from benchmark.plan.core import _assemble
    from benchmark.plan.hours import split_hours
    from benchmark.plan.hours_table import roster_hours
    from benchmark.plan.rollout import Roster, roll_out

    timings: list[tuple[str, float, float, float | None]] = []
    cpu = time.process_time
    t, c = time.perf_counter(), cpu()
    rota, units = national_rota(args.units, args.positions)
    timings.append((f"generate base-rotation rota ({len(rota):,} rows)", time.perf_counter() - t, cpu() - c, None))
    tariff = load_tariff()
    start, start_cpu = time.perf_counter(), cpu()
    t, c = time.perf_counter(), cpu()
    table = split_hours(2026, typed_codes(SHIFT_CODES))
    timings.append(("hour split per (day, code) on the 2026 calendar", time.perf_counter() - t, cpu() - c, None))
    t, c = time.perf_counter(), cpu()
    roster = roll_out(rota, table.codes, 2026, None)
    timings.append((f"roll-out onto 2026 ({roster.days.shape[0]:,} positions × {roster.days.shape[1]} days)",
                    time.perf_counter() - t, cpu() - c, None))
    t, c = time.perf_counter(), cpu()
    hours = roster_hours(roster, table)
    timings.append((f"hours per position-month → unit-role-month ({len(hours):,} rows)", time.perf_counter() - t, cpu() - c, None))
    t, c = time.perf_counter(), cpu()
    frames = units.assign(year=2026, department="", unit_id=units["unit_id"], pay_frame=12_000.0, fte_frame=40.0)
    context = {"units": units, "with_rota": set(units["unit_id"]), "has_activity": set(),
               "frames": gapmod.frames_of_year(frames[["year", "division", "department", "unit_id", "pay_frame",
                                                       "fte_frame"]], 2026),
               "measures": gapmod.measures_of_year(None, 2026, {}), "needed": pd.Series(dtype=float)}
    pl = _assemble(2026, tariff, hours, pd.Series(0.07, index=units["unit_id"]), context)
    timings.append(("price, staffing budget, gap per level, indicators", time.perf_counter() - t, cpu() - c, None))
    timings.append(("bm.plan path end to end (from the loaded rota)", time.perf_counter() - start,
                    cpu() - start_cpu, 30.0))
    t, c = time.perf_counter(), cpu()
    pl.reprice(tariff.with_supplement("evening_night", rate=0.35))
    timings.append(("re-price with another rate (the app's slider)", time.perf_counter() - t, cpu() - c, None))
    # the same size given day by day: the (positions × days) matrix of a rolled-out kalenderplan
    rng = np.random.default_rng(2)
    day_roster = Roster(2026, roster.positions, rng.integers(0, len(table.codes), size=roster.days.shape,
                                                            dtype=np.int16))
    t, c = time.perf_counter(), cpu()
    roster_hours(day_roster, table)
    timings.append(("hours of a day-by-day roster of the same size", time.perf_counter() - t, cpu() - c, None))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nStaffing budget at {args.units:,} units × {args.positions} positions × 365 days — "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}, peak RSS {rss:,.0f} MiB")
    print(f"load average before/after: {load0} / {os.getloadavg()[0]:.1f} (2 cores shared)")
    print(f"{'step':<72} {'wall s':>8} {'CPU s':>7} {'target':>7} {'share':>6}")
    for name, sec, cpu_s, target in timings:
        share = f"{sec / target:5.0%}" if target else ""
        print(f"{name:<72} {sec:8.2f} {cpu_s:7.2f} {target if target else '':>7} {share:>6}")
    assert abs(pl.gap.loc[pl.gap["level"] == "division", "cost_total"].sum() - pl.staffing_budget["cost_total"].sum()) \
        < 1e-6 * pl.staffing_budget["cost_total"].sum()


if __name__ == "__main__":
    main()
