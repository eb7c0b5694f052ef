"""The staffing budget from GAT staffing plans (SPEC §11): roll out, split, price, set against the frame.

Modules, in the order the plan runs: :mod:`codes` (shift codes), :mod:`rules` (input checks),
:mod:`calendar` (holidays, §10-10 windows), :mod:`rollout` (base rotations onto the year),
:mod:`hours` (hours per category), :mod:`hours_table`, :mod:`tariff`, :mod:`pricing`,
:mod:`gap`, :mod:`core` (``plan``); outputs in :mod:`outputs`, the GAT import in :mod:`gat`.
"""

import sys
import types

from benchmark.plan.core import Plan, plan
from benchmark.plan.tariff import Tariff, default_tariff_path, load_tariff, parse_tariff

__all__ = ["Plan", "Tariff", "default_tariff_path", "load_tariff", "parse_tariff", "plan"]


class _CallablePackage(types.ModuleType):
    """``bm.plan(ds, year=…, tariff=…)`` (SPEC §6) although ``benchmark.plan`` is also this package:
    importing the package binds the name ``plan`` in ``benchmark`` to the module, so the module
    itself calls :func:`benchmark.plan.core.plan`."""

    def __call__(self, ds, year: int, tariff: Tariff | None = None, benchmark=None) -> Plan:
        return plan(ds, year, tariff if tariff is not None else load_tariff(), benchmark)


sys.modules[__name__].__class__ = _CallablePackage
