"""Benchmarking and scoring of hospital units within peer groups.

The public API (SPEC §6)::

    import benchmark as bm
    ds = bm.load_dataset(path)                 # validated; raises bm.DataError listing every problem
    cat = bm.load_criteria("criteria/default.toml")
    res = bm.score(ds, cat, period="2025Q3", level="unit", seed=1)
    res.scores, res.ranking, res.measures
    bm.explain(res, "unit-id", lang="nb")

Heavy modules are imported lazily so the command line starts instantly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from benchmark.issues import CriteriaError, DataError, Issue, UsageError

__version__ = "0.1.0"

__all__ = [
    "CriteriaError",
    "DataError",
    "Issue",
    "UsageError",
    "__version__",
    "beds",
    "explain",
    "load_criteria",
    "load_dataset",
    "load_tariff",
    "plan",
    "score",
    "stats",
]

_LAZY = {
    "load_dataset": ("benchmark.dataset", "load_dataset"),
    "Dataset": ("benchmark.dataset", "Dataset"),
    "load_criteria": ("benchmark.catalogue", "load_criteria"),
    "Catalogue": ("benchmark.catalogue", "Catalogue"),
    "score": ("benchmark.scoring", "score"),
    "Result": ("benchmark.scoring", "Result"),
    "explain": ("benchmark.explanation", "explain"),
    "stats": ("benchmark.stats", None),
    "plan": ("benchmark.plan", None),  # a callable package: bm.plan(ds, year, tariff)
    "load_tariff": ("benchmark.plan", "load_tariff"),
    "beds": ("benchmark.beds", None),  # a callable package: bm.beds(ds, year=…), bm.beds.recommend
}

if TYPE_CHECKING:  # pragma: no cover
    from benchmark import stats  # noqa: F401
    from benchmark.catalogue import Catalogue, load_criteria  # noqa: F401
    from benchmark.dataset import Dataset, load_dataset  # noqa: F401
    from benchmark.explanation import explain  # noqa: F401
    from benchmark.scoring import Result, score  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attr is None else getattr(module, attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'benchmark' has no attribute {name!r}")
