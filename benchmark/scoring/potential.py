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


def _gap(x: np.ndarray, target: np.ndarray, direction: np.ndarray) -> np.ndarray:
    gap = (target - x) * direction
    return np.where(gap < 0, 0.0, gap)  # clip at zero; NaN stays NaN


def criterion_potential(scores: pd.DataFrame, units: dict[str, str], gaps: dict[str, str]) -> pd.DataFrame:
    """Columns potential, potential_low, potential_high, potential_unit for each scores row.

    ``units``/``gaps`` map criterion id → potential unit (fte|knok|none) and gap kind. Arrays
    throughout (the criterion's unit and gap kind read by criterion code, not mapped per row).
    """
    def col(name: str) -> np.ndarray:
        return scores[name].to_numpy(dtype=float, na_value=np.nan)

    crit_code, crit_ids = pd.factorize(scores["criterion"])
    unit = np.array([("none" if units.get(c) is None else units[c]) for c in crit_ids] + ["none"],
                    dtype=object)[crit_code]
    relative = np.array([gaps.get(c) == "relative" for c in crit_ids] + [False])[crit_code]
    d_code, d_labels = pd.factorize(scores["direction"])
    direction = np.array([{"higher_is_better": 1.0, "lower_is_better": -1.0}.get(d, np.nan) for d in d_labels]
                         + [np.nan])[d_code]
    n_months = col("n_months")
    with np.errstate(invalid="ignore", divide="ignore"):
        months = np.where(n_months > 0, n_months, np.nan)
        scale = np.where(unit == "fte", 1.0 / months, np.where(unit == "knok", 12.0 / months, np.nan))
        shrunk, se, target, volume = col("shrunk"), np.nan_to_num(col("shrunk_se"), nan=0.0), col("target"), col("volume")
        ok = scores["scored"].to_numpy(dtype=bool) & (unit != "none")
        out = {}
        for name, x in (("potential", shrunk), ("potential_a", shrunk - Z95 * se), ("potential_b", shrunk + Z95 * se)):
            gap = _gap(x, target, direction)
            gap = np.where(relative, gap / np.where(target != 0, target, np.nan), gap)
            value = volume * gap * scale
            out[name] = np.where(ok & ~np.isnan(value), value, 0.0)
        low, high = np.minimum(out["potential_a"], out["potential_b"]), np.maximum(out["potential_a"], out["potential_b"])
        if "gap_low" in scores:  # "months" criteria: the parametric-bootstrap interval of the gap
            gap_low = col("gap_low")
            boot = ~np.isnan(gap_low) & ok
            low = np.where(boot, volume * gap_low * scale, low)
            high = np.where(boot, volume * col("gap_high") * scale, high)
    return pd.DataFrame({"potential": out["potential"], "potential_low": low, "potential_high": high,
                         "potential_unit": pd.array(np.where(unit == "none", "", unit), dtype="str")},
                        index=scores.index)


def entity_potential(scores: pd.DataFrame) -> pd.DataFrame:
    """Per entity: additive FTE and kNOK potentials with intervals (sums of the criteria's)."""
    cols = ["entity_id", "potential_unit", "potential", "potential_low", "potential_high"]
    add = scores[cols][scores["potential_additive"].astype(bool).to_numpy()]  # five columns, not all
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
