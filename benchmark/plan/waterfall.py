"""The figures a controller reads: cost parts per unit, department and division, and the waterfall.

The waterfall of an entity runs frame → plan base pay → supplements → social costs → cover (= plan
cost) → gap (plan cost − frame) → measures (risk-adjusted) → unresolved (gap − measures), each
step a bar from ``start`` to ``end`` (kNOK), so frame + gap = plan cost and gap − measures =
unresolved can be read off the bars.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.plan.gap import department_ids

PARTS = ["cost_base", "cost_supplements", "cost_social", "cost_cover"]
STEP_NAMES = {
    "nb": {"frame": "Lønnsramme", "cost_base": "Grunnlønn i plan", "cost_supplements": "Tillegg",
           "cost_social": "Sosiale kostnader", "cost_cover": "Dekning ferie og fravær", "gap": "Gap til ramme",
           "measures": "Tiltak (risikojustert)", "unresolved": "Uløst utfordring"},
    "en": {"frame": "Pay frame", "cost_base": "Plan base pay", "cost_supplements": "Supplements",
           "cost_social": "Social costs", "cost_cover": "Vacation and absence cover", "gap": "Gap to frame",
           "measures": "Measures (risk-adjusted)", "unresolved": "Unresolved challenge"},
}
LEVEL_NAMES = {"nb": {"unit": "enhet", "department": "avdeling", "division": "divisjon"},
               "en": {"unit": "unit", "department": "department", "division": "division"}}


def breakdown(pl) -> pd.DataFrame:
    """``pl.gap`` with names, hierarchy and cost parts (kNOK) at every level."""
    u = pl.units.copy()
    u["cost_supplements"] = u[["cost_evening_night", "cost_weekend", "cost_holiday"]].sum(axis=1)
    u["department_id"] = department_ids(u)
    cost_cols = ["cost_base", "cost_evening_night", "cost_weekend", "cost_holiday", "cost_supplements",
                 "cost_social", "cost_cover", "hours_plan"]
    u[cost_cols] = u[cost_cols].fillna(0.0)
    frames = []
    for level, key in (("unit", "unit_id"), ("department", "department_id"), ("division", "division")):
        g = u.groupby(key, sort=False)
        t = g[cost_cols].sum()
        t["division"] = g["division"].first()
        t["department"] = g["department"].first() if level != "division" else ""
        t["entity_name"] = g["unit_name"].first() if level == "unit" else (
            g["department"].first() if level == "department" else t.index.to_series())
        t["basis"] = g["basis"].first() if level == "unit" else ""
        t["units"] = g.size()
        t["units_with_rota"] = g["has_rota"].sum()
        t["units_with_activity_plan"] = g["has_activity_plan"].sum()
        t.index.name = "entity_id"
        t = t.reset_index()
        t.insert(0, "level", level)
        frames.append(t)
    parts = pd.concat(frames, ignore_index=True)
    return pl.gap.merge(parts, on=["level", "entity_id"], how="left")


def waterfall(row: pd.Series, lang: str = "nb") -> pd.DataFrame:
    """The steps of one entity's waterfall (a row of :func:`breakdown`)."""
    names = STEP_NAMES[lang]
    frame = float(row["pay_frame"]) if pd.notna(row["pay_frame"]) else np.nan
    cost = float(row["cost_total"])
    measures = float(row["measures_risk_adjusted"])
    steps = [("frame", "total", 0.0, frame)]
    level = 0.0
    for p in PARTS:
        steps.append((p, "cost", level, level + float(row[p])))
        level += float(row[p])
    steps += [("gap", "gap", frame, cost), ("measures", "measures", cost, cost - measures),
              ("unresolved", "total", frame, cost - measures)]
    out = pd.DataFrame(steps, columns=["step", "kind", "start", "end"])
    out["value"] = out["end"] - out["start"]
    out["label"] = out["step"].map(names)
    out["order"] = np.arange(len(out))
    return out
