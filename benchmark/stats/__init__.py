"""Statistics for peer comparison: arrays in, DataFrames out (DESIGN.md §4).

The functions are imported eagerly: ``funnel`` and ``composite`` share their names with their
modules, and importing a submodule rebinds the package attribute to the module, so a lazy
lookup would later return the module instead of the function. ``rank_intervals`` alone is
resolved lazily (module ``__getattr__``) so that ``benchmark.stats`` works while ``ranks`` is
absent or being written, and its cost is only paid when used.
"""

from __future__ import annotations

import importlib
from typing import Any

from benchmark.stats.assess import assess
from benchmark.stats.composite import composite, normalise
from benchmark.stats.funnel import funnel
from benchmark.stats.shrinkage import shrink
from benchmark.stats.spc import u_prime_signals, xmr_signals

__all__ = ["assess", "composite", "funnel", "normalise", "rank_intervals", "shrink",
           "u_prime_signals", "xmr_signals"]


def __getattr__(name: str) -> Any:
    if name == "rank_intervals":
        value = importlib.import_module("benchmark.stats.ranks").rank_intervals
        globals()[name] = value
        return value
    raise AttributeError(f"module 'benchmark.stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
