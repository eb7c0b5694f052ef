"""``bm.plan``: the staffing budget of a budget year, priced, and set against the frame (SPEC §11).

The pipeline, in verbs: active units → hours (roll out the rota, split the shifts; staffing plans
where a unit has no rota) → absence rates → price → staffing budget per unit and month → gap per
unit, department and division → indicators per division. :meth:`Plan.reprice` re-runs only the
cheap steps from "price" on, with a changed tariff.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from benchmark.issues import DataError, Issue, UsageError
from benchmark.plan import gap as gapmod
from benchmark.plan.hours_table import plan_hours, rota_hours
from benchmark.plan.pricing import COST_COLUMNS, layout, price
from benchmark.plan.tariff import Tariff

BUDGET_COLUMNS = ["unit_id", "month", "fte_plan", "hours_plan", "cost_base", "cost_evening_night", "cost_weekend",
                  "cost_holiday", "cost_social", "cost_cover", "cost_total"]
BASIS_NB = {"rota": "turnus i GAT", "staffing_plans": "bemanningsplan (årskostnad)", "none": "ingen plan"}


@dataclass(frozen=True)
class Plan:
    """A priced staffing budget. ``staffing_budget``, ``gap``, ``indicators`` as in SPEC §6.

    ``units``: one row per unit with its names, ``basis`` (rota | staffing_plans | none), absence
    rate and cost parts for the year; ``hours``: the tariff-free hours table that
    :meth:`reprice` prices again.
    """

    year: int
    tariff: Tariff
    staffing_budget: pd.DataFrame
    gap: pd.DataFrame
    indicators: pd.DataFrame
    units: pd.DataFrame
    hours: pd.DataFrame = field(repr=False)
    absence: pd.Series = field(repr=False)
    context: dict = field(repr=False, default_factory=dict)
    notes: tuple[str, ...] = ()

    def reprice(self, tariff: Tariff) -> Plan:
        """The same plan priced with another tariff (no new roll-out; milliseconds)."""
        return _assemble(self.year, tariff, self.hours, self.absence, self.context)


def active_units(units: pd.DataFrame, year: int) -> pd.DataFrame:
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    keep = pd.Series(True, index=units.index)
    if "active_from" in units:
        keep &= ~(units["active_from"].notna() & (units["active_from"] > last))
    if "active_to" in units:
        keep &= ~(units["active_to"].notna() & (units["active_to"] < first))
    return units[keep].reset_index(drop=True)


def absence_rates(monthly: pd.DataFrame, year: int) -> pd.Series:
    """Sick-leave rate per unit over the 12 months before ``year`` (or the latest 12 months of data
    before it); sums over the window, then divided. Units without data get the trust's rate."""
    before = monthly[monthly["month"] < f"{year}-01"]
    if before.empty:
        return pd.Series(dtype=float)
    months = sorted(before["month"].unique())[-12:]
    w = before[before["month"].isin(months)]
    sums = w.groupby("unit_id")[["sick_leave_days", "possible_days"]].sum()
    rate = sums["sick_leave_days"] / sums["possible_days"].where(sums["possible_days"] > 0)
    trust = w["sick_leave_days"].sum() / w["possible_days"].sum() if w["possible_days"].sum() > 0 else 0.0
    out = rate.fillna(trust)
    out.attrs["trust"] = float(trust)
    out.attrs["window"] = f"{months[0]} – {months[-1]}"
    return out


def _check_roles(hours: pd.DataFrame, tariff: Tariff, rota: pd.DataFrame | None, source: str) -> None:
    known = {r.id for r in tariff.roles}
    missing = sorted(set(hours["role"]) - known) if not hours.empty else []
    if missing:
        issues = []
        for role in missing:
            rows = rota.index[rota["role"] == role] if rota is not None else []
            where = f" (rota rows {', '.join(str(i + 2) for i in rows[:10])}{' …' if len(rows) > 10 else ''})" \
                if len(rows) else ""
            issues.append(Issue(tariff.source, "unknown_role", f"the role {role!r} of the plan has no annual pay in "
                                f"the tariff{where}", column="role", value=role,
                                hint=f"Add a [[role]] with id = {role!r} to the tariff, or correct the role"))
        raise DataError(issues=issues, title=f"The plan cannot be priced with {source}")


def _check_plan_roles(plans: pd.DataFrame, unit_ids: set, year: int, pay: dict, source: str) -> None:
    """A staffing-plan row without annual_cost is priced by its role: the role must be in the tariff."""
    used = plans["unit_id"].isin(unit_ids) & (plans["valid_from"] <= pd.Timestamp(year, 12, 31)) \
        & (plans["valid_to"] >= pd.Timestamp(year, 1, 1))
    if "annual_cost" in plans:
        used &= plans["annual_cost"].isna()
    bad = used & ~plans["role"].isin(set(pay))
    if bad.any():
        raise DataError(issues=[Issue("staffing_plans", "unknown_role", "the row has no annual_cost and its role has "
                                      f"no annual pay in the tariff {source}", row=int(i) + 2, column="role",
                                      value=plans.at[i, "role"]) for i in plans.index[bad][:200]],
                        title="The staffing plans cannot be priced")


def plan(ds, year: int, tariff: Tariff, benchmark=None) -> Plan:
    """Price every active unit's plan for ``year`` and set it against the frame (SPEC §11).

    ``benchmark``: a :class:`~benchmark.scoring.Result` (the latest benchmark run) whose peer
    medians of activity per FTE turn the activity plan into ``fte_needed_for_activity``.
    """
    year = int(year)
    if not 1900 < year < 2200:
        raise UsageError(f"the budget year {year} is not a year")
    units = active_units(ds.units, year)
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    rota = ds.rota
    parts = []
    if rota is not None and len(rota):
        in_year = rota["date"].between(first, last) if "date" in rota else pd.Series(False, index=rota.index)
        base = rota["date"].isna() if "date" in rota else pd.Series(True, index=rota.index)
        r = rota[(in_year | base) & rota["unit_id"].isin(units["unit_id"])]
        if len(r):
            parts.append(rota_hours(r, ds.shift_codes, year, ds.staffing_plans))
    with_rota = set(parts[0]["unit_id"]) if parts else set()
    if ds.staffing_plans is not None:
        pay = {r.id: r.annual_pay for r in tariff.roles}
        _check_plan_roles(ds.staffing_plans, set(units["unit_id"]) - with_rota, year, pay, tariff.source)
        parts.append(plan_hours(ds.staffing_plans, year, set(units["unit_id"]) - with_rota, pay))
    parts = [p for p in parts if len(p)]
    hours = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["unit_id", "role", "month", "fte_days", "hours", "evening_night", "weekend", "holiday",
                 "fixed_pay", "from_rota"])
    _check_roles(hours[hours["from_rota"].astype(bool)], tariff, rota, tariff.source)
    absence = absence_rates(ds.monthly, year)
    activity = ds.activity_plans
    has_activity = set(activity.loc[activity["month"].str[:4] == str(year), "unit_id"]) if activity is not None else set()
    probabilities = benchmark.catalogue.risk_probabilities if benchmark is not None else _default_probabilities()
    context = {
        "units": units, "with_rota": with_rota, "has_activity": has_activity,
        "frames": gapmod.frames_of_year(ds.frames, year),
        "measures": gapmod.measures_of_year(ds.measures, year, probabilities),
        "needed": gapmod.fte_needed(units, activity, year, benchmark),
        "benchmark_run": getattr(benchmark, "run_id", None) if benchmark is not None else None,
        "benchmark_period": getattr(getattr(benchmark, "period", None), "label", None),
        "probabilities": dict(probabilities), "data_source": getattr(ds, "source", ""),
        "fingerprint": ds.fingerprint(),
    }
    return _assemble(year, tariff, hours, absence, context)


def _default_probabilities():
    from benchmark.catalogue import default_catalogue_path, load_criteria

    return load_criteria(default_catalogue_path()).risk_probabilities


def _assemble(year: int, tariff: Tariff, hours: pd.DataFrame, absence: pd.Series, context: dict) -> Plan:
    """Price and sum up; everything that does not depend on the tariff is laid out once and kept
    in ``context`` (shared by the re-priced plans), so a re-price is numpy sums only."""
    units = context["units"]
    unit_ids = pd.Index(units["unit_id"])
    n_days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    if "_layout" not in context:
        context["_layout"] = layout(hours, unit_ids, absence, year)
        context["_structure"] = gapmod.structure(units, context["frames"], context["measures"], context["needed"],
                                                 context["with_rota"], context["has_activity"])
    lay, struct = context["_layout"], context["_structure"]
    costs = price(lay, tariff, n_days)
    n_cells = len(lay.cells)
    budget = lay.cells.copy()
    for col in ("fte_plan", "hours", *COST_COLUMNS):
        budget[col] = np.bincount(lay.cell, weights=costs[col], minlength=n_cells)
    budget = budget.rename(columns={"hours": "hours_plan"})[BUDGET_COLUMNS]
    n_units = len(units)
    per_unit = pd.DataFrame({c: np.bincount(lay.cell_unit, weights=budget[c].to_numpy(), minlength=n_units)
                             for c in [*COST_COLUMNS, "hours_plan", "fte_plan"]})
    per_unit["fte_plan"] /= 12.0
    has_cells = np.bincount(lay.cell_unit, minlength=n_units) > 0
    per_unit = per_unit.where(np.broadcast_to(has_cells[:, None], per_unit.shape))
    gap = gapmod.gap_from_structure(struct, per_unit["cost_total"].fillna(0.0).to_numpy(),
                                    per_unit["fte_plan"].fillna(0.0).to_numpy())
    if "_indicators" not in context:
        uc = pd.DataFrame({"unit_id": units["unit_id"], "has_rota": struct["has_rota"],
                           "has_activity_plan": struct["has_activity"]})
        context["_indicators"] = gapmod.indicators(units, uc)
        from_plans = np.zeros(n_units, bool)
        from_plans[lay.unit[~lay.columns["from_rota"]]] = True
        basis = np.where(struct["has_rota"], "rota", np.where(from_plans, "staffing_plans", "none"))
        context["_basis"] = basis
    cols = ["unit_id", "unit_name", "division", "department", "care_level"]
    detail = units[[c for c in cols if c in units]].reset_index(drop=True)
    detail = pd.concat([detail, per_unit], axis=1)
    detail["has_rota"] = struct["has_rota"]
    detail["has_activity_plan"] = struct["has_activity"]
    detail["basis"] = context["_basis"]
    detail["absence_rate"] = detail["unit_id"].map(absence) if len(absence) else np.nan
    notes = []
    n_plans = int((detail["basis"] == "staffing_plans").sum())
    n_none = int((detail["basis"] == "none").sum())
    if n_plans:
        notes.append(f"{n_plans} enheter har ingen turnus i GAT for {year}; kostnaden er tatt fra "
                     "bemanningsplanens årskostnad (staffing_plans.annual_cost) uten tillegg beregnet fra vakter.")
    if n_none:
        notes.append(f"{n_none} enheter har verken turnus eller bemanningsplan for {year}; plankostnaden er 0.")
    if context["measures"].empty:
        notes.append(f"Ingen budsjettiltak er registrert for {year}.")
    if context.get("benchmark_run") is None and context.get("benchmark_period") is None:
        notes.append("Ingen benchmark-kjøring er gitt; årsverk som aktivitetsplanen krever er ikke beregnet.")
    return Plan(year, tariff, budget, gap, context["_indicators"], detail, hours, absence, context, tuple(notes))


def with_supplement_rate(pl: Plan, sid: str, rate: float) -> Plan:
    return pl.reprice(dataclasses.replace(pl.tariff).with_supplement(sid, rate=rate))



