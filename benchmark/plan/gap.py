"""The gap to the frame per unit, department and division, and the audit's indicators (SPEC §11).

- ``gap = cost_total − pay_frame`` (blank where the entity has no frame for the year);
- ``measures_risk_adjusted``: the budget measures of the budget year (each measure's latest
  report in the year) at their full-year planned effect × the catalogue's probability for their
  risk class; a measure counts for its unit (``unit_id``), its department (a department of the
  division) and its division ("Flere avdelinger", "Divisjon" … count for the division only);
  income and cost measures both count, as both close a division's challenge;
- ``unresolved = gap − measures_risk_adjusted`` (uløst utfordring);
- ``fte_needed_for_activity``: the year's planned activity (activity_plans, the care level's
  activity column of the catalogue's ``activity_per_fte``) ÷ (12 × the peer-group median of
  activity per FTE-month in the benchmark run);
- a department or division ``has_rota`` / ``has_activity_plan`` when every unit in it has one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.issues import DataError, Issue

GAP_COLUMNS = ["level", "entity_id", "cost_total", "pay_frame", "gap", "measures_risk_adjusted", "unresolved",
               "fte_plan", "fte_frame", "fte_needed_for_activity", "has_rota", "has_activity_plan"]
INDICATOR_COLUMNS = ["division", "units", "units_with_rota", "units_with_activity_plan"]
DEFAULT_PROBABILITIES = {"low": 0.9, "medium": 0.6, "high": 0.3}


def department_ids(units: pd.DataFrame) -> pd.Series:
    """Department entity ids as the benchmark names them (qualified by division if names repeat)."""
    repeated = units.groupby("department")["division"].transform("nunique") > 1
    return units["department"].where(~repeated, units["division"] + " / " + units["department"])


def frames_of_year(frames: pd.DataFrame | None, year: int, source: str = "frames") -> pd.DataFrame:
    """Frame rows of ``year`` with ``level`` and the key; a frame given twice is an error."""
    if frames is None or frames.empty:
        return pd.DataFrame(columns=["level", "division", "department", "unit_id", "pay_frame", "fte_frame"])
    f = frames[frames["year"] == year].copy()
    for c in ("department", "unit_id"):
        f[c] = f[c].fillna("").astype(str) if c in f else ""
    if "fte_frame" not in f:
        f["fte_frame"] = np.nan
    f["level"] = np.where(f["unit_id"] != "", "unit", np.where(f["department"] != "", "department", "division"))
    dup = f.duplicated(["level", "division", "department", "unit_id"], keep=False)
    if dup.any():
        raise DataError(issues=[Issue(source, "duplicate_frame", f"the {year} frame of this entity is given more "
                                      "than once", row=int(i) + 2, column="pay_frame",
                                      value=f"{f.at[i, 'division']} {f.at[i, 'department']} {f.at[i, 'unit_id']}".strip())
                                for i in f.index[dup]])
    return f


def measures_of_year(measures: pd.DataFrame | None, year: int, probabilities) -> pd.DataFrame:
    """Each measure's latest report in ``year`` with ``risk_adjusted`` = planned effect × probability."""
    if measures is None or measures.empty:
        return pd.DataFrame(columns=["division", "department", "unit_id", "risk_adjusted"])
    m = measures[measures["report_month"].str[:4] == str(year)]
    m = m.sort_values("report_month").drop_duplicates("measure_id", keep="last")
    prob = pd.to_numeric(m["risk"].map({k: float(v) for k, v in dict(probabilities).items()}),
                         errors="coerce").fillna(0.0).astype(float)
    return m.assign(risk_adjusted=m["effect_planned"].astype(float) * prob,
                    unit_id=m["unit_id"].fillna("").astype(str) if "unit_id" in m else "")


def fte_needed(units: pd.DataFrame, activity_plans: pd.DataFrame | None, year: int, benchmark) -> pd.Series:
    """FTE each unit needs for its planned activity at its peer group's median productivity."""
    out = pd.Series(np.nan, index=units["unit_id"].to_numpy())
    if benchmark is None or activity_plans is None or activity_plans.empty:
        return out
    crit = next((c for c in benchmark.catalogue.criteria if c.id == "activity_per_fte"), None)
    scores = benchmark.scores
    if crit is None or scores is None or scores.empty:
        return out
    s = scores[(scores["criterion"] == "activity_per_fte") & (scores["level"] == "unit")]
    s = s[pd.to_numeric(s["value"], errors="coerce").notna()]
    median = s.groupby("peer_group")["value"].median()
    group = s.set_index("entity_id")["peer_group"]
    plan = activity_plans[activity_plans["month"].str[:4] == str(year)]
    for care, unit_ids in units.groupby("care_level")["unit_id"]:
        expr = crit.numerator_for(care) if hasattr(crit, "numerator_for") else crit.numerator_by_care_level.get(care)
        column = getattr(expr, "text", expr)
        if not column or column not in plan.columns:
            continue
        total = plan[plan["unit_id"].isin(unit_ids)].groupby("unit_id")[column].sum(min_count=1)
        productivity = total.index.map(group).map(median)
        out.loc[total.index] = total.to_numpy(float) / (12.0 * np.asarray(productivity, float))
    return out


def structure(units: pd.DataFrame, frames: pd.DataFrame, measures: pd.DataFrame, needed: pd.Series,
              with_rota: set, has_activity: set) -> dict:
    """What the gap table needs that does not change with the tariff: the entities of every level,
    which units belong to each, their frames and risk-adjusted measures, the FTE the activity needs."""
    u = units[["unit_id", "division", "department"]].reset_index(drop=True).copy()
    u["department_id"] = department_ids(u).to_numpy()
    dept_of = u.drop_duplicates(["division", "department"])[["division", "department", "department_id"]]
    fkey = frames.merge(dept_of, how="left", on=["division", "department"])
    fkey["entity_id"] = np.where(fkey["level"] == "unit", fkey["unit_id"],
                                 np.where(fkey["level"] == "department", fkey["department_id"], fkey["division"]))
    fsum = fkey.groupby(["level", "entity_id"])[["pay_frame", "fte_frame"]].sum(min_count=1)
    m = measures.copy()
    if not m.empty:
        m = m.merge(dept_of, how="left", on=["division", "department"])
        m["department_id"] = m["department_id"].fillna(m["unit_id"].map(u.set_index("unit_id")["department_id"]))
    has_rota = u["unit_id"].isin(with_rota).to_numpy()
    has_act = u["unit_id"].isin(has_activity).to_numpy()
    need = u["unit_id"].map(needed).to_numpy(float) if len(needed) else np.full(len(u), np.nan)
    levels = []
    for level, key in (("unit", "unit_id"), ("department", "department_id"), ("division", "division")):
        codes, ids = pd.factorize(u[key])
        n = len(ids)
        ent = pd.DataFrame({"level": level, "entity_id": np.asarray(ids, dtype=object)})
        lookup = fsum.xs(level, level="level") if level in fsum.index.get_level_values(0) else None
        ent["pay_frame"] = ent["entity_id"].map(lookup["pay_frame"]) if lookup is not None else np.nan
        ent["fte_frame"] = ent["entity_id"].map(lookup["fte_frame"]) if lookup is not None else np.nan
        if not m.empty:
            mk = m[key]
            msum = m[mk.notna() & (mk != "")].groupby(mk)["risk_adjusted"].sum()
            ent["measures_risk_adjusted"] = ent["entity_id"].map(msum).fillna(0.0).astype(float)
        else:
            ent["measures_risk_adjusted"] = 0.0
        counted = np.bincount(codes, weights=(~np.isnan(need)).astype(float), minlength=n)
        total_need = np.bincount(codes, weights=np.nan_to_num(need), minlength=n)
        ent["fte_needed_for_activity"] = np.where(counted > 0, total_need, np.nan)
        ent["has_rota"] = np.bincount(codes, weights=(~has_rota).astype(float), minlength=n) == 0
        ent["has_activity_plan"] = np.bincount(codes, weights=(~has_act).astype(float), minlength=n) == 0
        levels.append((ent, codes))
    return {"levels": levels, "has_rota": has_rota, "has_activity": has_act}


def gap_from_structure(struct: dict, cost_unit: np.ndarray, fte_unit: np.ndarray) -> pd.DataFrame:
    """One row per unit, department and division (columns :data:`GAP_COLUMNS`) for the units' costs."""
    parts = []
    for ent, codes in struct["levels"]:
        t = ent.copy()
        t["cost_total"] = np.bincount(codes, weights=cost_unit, minlength=len(ent))
        t["fte_plan"] = np.bincount(codes, weights=fte_unit, minlength=len(ent))
        parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out["gap"] = out["cost_total"] - out["pay_frame"]
    out["unresolved"] = out["gap"] - out["measures_risk_adjusted"]
    return out[GAP_COLUMNS]


def indicators(units: pd.DataFrame, unit_costs: pd.DataFrame) -> pd.DataFrame:
    """Per division: units, units with a GAT rota in the year, units with an activity plan."""
    u = units[["unit_id", "division"]].join(unit_costs.set_index("unit_id")[["has_rota", "has_activity_plan"]],
                                            on="unit_id")
    u[["has_rota", "has_activity_plan"]] = u[["has_rota", "has_activity_plan"]].fillna(False).astype(bool)
    g = u.groupby("division", sort=True)
    out = pd.DataFrame({"units": g.size(), "units_with_rota": g["has_rota"].sum(),
                        "units_with_activity_plan": g["has_activity_plan"].sum()}).reset_index()
    return out[INDICATOR_COLUMNS].astype({"units": int, "units_with_rota": int, "units_with_activity_plan": int})
