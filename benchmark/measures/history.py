"""What history says: risk classes' realisation rates, and data-quality flags a controller raises.

Calibration: measures that reached the end of their budget year (a December report) show how
much of their planned effect each risk class actually delivered. The rate is a ratio estimator
Σ realised ÷ Σ planned over the measures of the class, with a 95 % interval from its linearised
variance across measures (Cochran 1977, §6.3): se² = n/(n−1) · Σ (r_i − rate·p_i)² / (Σ p_i)².
The result is shown beside the catalogue's defaults; it is never swapped in silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959964


def year_end_reports(measures: pd.DataFrame) -> pd.DataFrame:
    """Each measure's December report (budget years that have one)."""
    dec = measures[measures["report_month"].str[5:7] == "12"]
    return dec.sort_values("report_month").drop_duplicates("measure_id", keep="last")


def calibrate(measures: pd.DataFrame | None, risk_probabilities) -> pd.DataFrame:
    """Per risk class: n_measures, planned, realised, rate, rate_low, rate_high, default."""
    rows = []
    done = year_end_reports(measures) if measures is not None and not measures.empty else pd.DataFrame()
    for risk in ("low", "medium", "high"):
        part = done[done["risk"] == risk] if not done.empty else done
        part = part[part["effect_planned"] > 0] if not part.empty else part
        n = len(part)
        planned = float(part["effect_planned"].sum()) if n else 0.0
        realised = float(part["effect_realised"].fillna(0).sum()) if n else 0.0
        rate = realised / planned if planned > 0 else np.nan
        if n > 1 and planned > 0:
            resid = part["effect_realised"].fillna(0) - rate * part["effect_planned"]
            se = float(np.sqrt(n / (n - 1) * (resid**2).sum()) / planned)
        else:
            se = np.nan
        rows.append({"risk": risk, "n_measures": n, "planned": planned, "realised": realised, "rate": rate,
                     "rate_low": max(0.0, rate - Z95 * se) if np.isfinite(se) else np.nan,
                     "rate_high": rate + Z95 * se if np.isfinite(se) else np.nan,
                     "default": float(risk_probabilities.get(risk, np.nan))})
    return pd.DataFrame(rows)


MESSAGES = {
    "completed_but_red": ("Fullført, men status er rød", "Completed, but the status is red"),
    "delayed_but_green": ("Forsinket, men status er grønn", "Delayed, but the status is green"),
    "high_risk_green_nothing_realised": ("Høy risiko og grønn status, men ingenting er realisert",
                                         "High risk and green, but nothing is realised"),
    "realised_above_planned": ("Realisert effekt er større enn planlagt", "Realised effect exceeds the planned effect"),
    "blank_progress": ("Fremdrift mangler", "Progress is blank"),
}


def quality_flags(measures: pd.DataFrame | None) -> pd.DataFrame:
    """Data-quality flags on each measure's latest report, and changes of planned effect."""
    cols = ["measure_id", "report_month", "division", "department", "description", "rule", "message_nb", "message_en"]
    if measures is None or measures.empty:
        return pd.DataFrame(columns=cols)
    latest = measures.sort_values("report_month").drop_duplicates("measure_id", keep="last")
    status = latest.get("status", pd.Series("", index=latest.index)).fillna("")
    realised = latest["effect_realised"].fillna(0) if "effect_realised" in latest else 0
    rules = {
        "completed_but_red": (latest["progress"] == "completed") & (status == "red"),
        "delayed_but_green": (latest["progress"] == "delayed") & (status == "green"),
        "high_risk_green_nothing_realised": (latest["risk"] == "high") & (status == "green") & (realised <= 0),
        "realised_above_planned": (latest["effect_planned"] > 0) & (realised > latest["effect_planned"]),
        "blank_progress": latest["progress"] == "unknown",
    }
    frames = []
    for rule, mask in rules.items():
        part = latest[mask][["measure_id", "report_month", "division", "department", "description"]].copy()
        part["rule"] = rule
        part["message_nb"], part["message_en"] = MESSAGES[rule]
        frames.append(part)
    # any month where red status sits on a completed measure is worth a look too
    if "status" in measures:
        red_done = measures[(measures["progress"] == "completed") & (measures["status"] == "red")]
        red_done = red_done[~red_done["measure_id"].isin(latest[rules["completed_but_red"]]["measure_id"])]
        part = red_done[["measure_id", "report_month", "division", "department", "description"]].copy()
        part["rule"] = "completed_but_red"
        part["message_nb"], part["message_en"] = MESSAGES["completed_but_red"]
        frames.append(part)
    # planned effect changed between report months
    s = measures.sort_values(["measure_id", "report_month"])
    prev = s.groupby("measure_id")["effect_planned"].shift()
    prev_month = s.groupby("measure_id")["report_month"].shift()
    changed = s[prev.notna() & (prev != s["effect_planned"])].copy()
    if not changed.empty:
        old, before = prev[changed.index], prev_month[changed.index]
        changed["rule"] = "planned_effect_changed"
        changed["message_nb"] = [f"Planlagt effekt endret fra {a:,.0f} til {b:,.0f} kNOK ({m} → {n})".replace(",", " ")
                                 for a, b, m, n in zip(old, changed["effect_planned"], before, changed["report_month"], strict=True)]
        changed["message_en"] = [f"Planned effect changed from {a:,.0f} to {b:,.0f} kNOK ({m} → {n})"
                                 for a, b, m, n in zip(old, changed["effect_planned"], before, changed["report_month"], strict=True)]
        frames.append(changed[cols])
    return pd.concat(frames, ignore_index=True)[cols].sort_values(["rule", "division", "report_month"]).reset_index(drop=True)
