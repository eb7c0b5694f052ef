"""Timing of the statistics layer at national scale (prints a table; not a test).

Run: .venv/bin/python tests/perf/bench_stats.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from benchmark.stats import assess, composite, funnel, xmr_signals


def _best(fn, repeat=5) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def main() -> None:
    rng = np.random.default_rng(1)
    n = 10_000
    den = rng.integers(20, 3000, n).astype(float)
    p = np.sin(rng.normal(np.arcsin(np.sqrt(0.2)), 0.05, n)) ** 2  # overdispersed: φ > 1
    num = rng.binomial(den.astype(int), p).astype(float)
    fte = rng.uniform(5, 400, n)
    money = 3 * fte + rng.normal(0, 1, n) * np.sqrt(fte)
    values = pd.DataFrame(rng.normal(size=(n, 9)), columns=[f"c{i}" for i in range(9)])
    values = values.mask(rng.random((n, 9)) < 0.05)
    dirs = {c: (1 if i % 2 else -1) for i, c in enumerate(values.columns)}
    weights = {c: 1.0 + i for i, c in enumerate(values.columns)}
    months = [f"{2023 + i // 12}-{i % 12 + 1:02d}" for i in range(36)]
    series = pd.DataFrame({
        "entity_id": np.repeat(np.arange(n), 36).astype(str),
        "criterion": "c0",
        "month": np.tile(months, n),
        "value": rng.normal(10, 1, n * 36),
    })
    rows = [
        ("funnel proportion (additive)", n,
         lambda: funnel(num, den, overdispersion="additive")),
        ("assess proportion (multiplicative)", n,
         lambda: assess(num, den, model="proportion")),
        ("assess proportion (additive, robust τ²)", n,
         lambda: assess(num, den, model="proportion", overdispersion="additive")),
        ("assess indirect shmi", n, lambda: assess(num, den * 0.2, model="indirect")),
        ("assess scaled (multiplicative)", n, lambda: assess(money, fte, model="scaled")),
        ("assess scaled (additive)", n,
         lambda: assess(money, fte, model="scaled", overdispersion="additive")),
        ("composite zscore 10 000 × 9", n, lambda: composite(values, dirs, weights)),
        ("composite rank 10 000 × 9", n, lambda: composite(values, dirs, weights, "rank")),
        ("xmr_signals 10 000 series × 36 months", n * 36, lambda: xmr_signals(series)),
    ]
    print(f"{'operation':45s} {'rows':>9s} {'best ms':>9s}")
    for name, size, fn in rows:
        print(f"{name:45s} {size:9d} {_best(fn, 3 if size > n else 5):9.1f}")


if __name__ == "__main__":
    main()
