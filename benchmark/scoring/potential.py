"""Improvement potential: the gap from the shrunken value to the target, in FTE or kNOK.

For each entity and criterion (SPEC §5, catalogue ``[criterion.potential]``):

- gap = target − shrunk when higher is better, shrunk − target when lower is better; zero when the
  entity is at or better than the target (no credit for being better);
- ``absolute``: potential = volume × gap; ``relative``: volume × gap / target (activity per FTE:
  FTE worked × (1 − shrunk/target) = the FTE the activity would not need at target productivity);
- volume is the catalogue's volume expression summed over the window (default the denominator);
- ``fte`` potentials are FTE-months divided by the window's months, i.e. årsverk at the period's
  average staffing; ``knok`` potentials are annualised, × 12 / months, the way budget measures are
  stated;
- the interval: for ``months`` criteria the parametric bootstrap of
  :mod:`benchmark.scoring.calibrated`, which carries the uncertainty of the peer centre, of τ²
  and of the target; for the other models shrunk ± 1.96 × shrunk_se (clipped at zero).

The shrunken value is used so that a small unit's chance extreme does not become a large
"potential". ``potential_fte``/``potential_knok`` per entity sum only criteria marked additive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959964


def _gap(x: pd.Series, target: pd.Series, direction: pd.Series) -> pd.Series:
    return ((target - x) * direction).clip(lower=0)


def criterion_potential(scores: pd.DataFrame, units: dict[str, str], gaps: dict[str, str]) -> pd.DataFrame:
    """Columns potential, potential_low, potential_high, potential_unit for each scores row.

    ``units``/``gaps`` map criterion id → potential unit (fte|knok|none) and gap kind.
    """
    direction = scores["direction"].map({"higher_is_better": 1.0, "lower_is_better": -1.0})
    unit = scores["criterion"].map(units).fillna("none")
    relative = scores["criterion"].map(gaps).eq("relative")
    months = scores["n_months"].where(scores["n_months"] > 0)
    scale = np.where(unit == "fte", 1.0 / months, np.where(unit == "knok", 12.0 / months, np.nan))
    out = pd.DataFrame(index=scores.index)
    shrunk, se, target = scores["shrunk"], scores["shrunk_se"].fillna(0), scores["target"]
    for name, x in (("potential", shrunk), ("potential_a", shrunk - Z95 * se), ("potential_b", shrunk + Z95 * se)):
        gap = _gap(x, target, direction)
        gap = gap.where(~relative, gap / target.where(target != 0))
        out[name] = scores["volume"] * gap * scale
    ok = scores["scored"].astype(bool) & (unit != "none")
    for col in ("potential", "potential_a", "potential_b"):
        out[col] = out[col].where(ok, 0.0).fillna(0.0)
    out["potential_low"] = np.minimum(out["potential_a"], out["potential_b"])
    out["potential_high"] = np.maximum(out["potential_a"], out["potential_b"])
    if "gap_low" in scores:  # "months" criteria: the parametric-bootstrap interval of the gap
        boot = scores["gap_low"].notna() & ok
        for col, gap in (("potential_low", "gap_low"), ("potential_high", "gap_high")):
            out.loc[boot, col] = (scores["volume"] * scores[gap] * scale)[boot]
    out["potential_unit"] = np.where(unit == "none", "", unit)
    return out[["potential", "potential_low", "potential_high", "potential_unit"]]


def entity_potential(scores: pd.DataFrame) -> pd.DataFrame:
    """Per entity: additive FTE and kNOK potentials with intervals (sums of the criteria's)."""
    add = scores[scores["potential_additive"].astype(bool)]
    cols = {}
    for unit in ("fte", "knok"):
        part = add[add["potential_unit"] == unit]
        sums = part.groupby("entity_id")[["potential", "potential_low", "potential_high"]].sum()
        cols[f"potential_{unit}"] = sums["potential"]
        cols[f"potential_{unit}_low"] = sums["potential_low"]
        cols[f"potential_{unit}_high"] = sums["potential_high"]
    out = pd.DataFrame(cols).reindex(scores["entity_id"].unique()).fillna(0.0)
    out.index.name = "entity_id"
    return out
