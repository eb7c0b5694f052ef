"""Statistics for peer comparison: arrays in, DataFrames out (DESIGN.md §4).

Exports are imported lazily (module ``__getattr__``) so that ``import benchmark.stats`` stays
cheap and a module still being written (``ranks``) cannot break the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "funnel": "benchmark.stats.funnel",
    "assess": "benchmark.stats.assess",
    "shrink": "benchmark.stats.shrinkage",
    "composite": "benchmark.stats.composite",
    "normalise": "benchmark.stats.composite",
    "xmr_signals": "benchmark.stats.spc",
    "rank_intervals": "benchmark.stats.ranks",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'benchmark.stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
