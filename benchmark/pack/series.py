"""The package's computations: monthly sums per care level, the index against peer medians, care
hours per patient day and the weekday profile. Pure functions of frames, vectorised, no loops over
units.

Every ratio is formed from sums (SPEC §4–5): a care level's activity per FTE in a month is its
units' summed activity ÷ their summed FTE, never a mean of unit ratios.

**Index against the peer median.** A care level may hold units of several peer groups (care level
× service area, SPEC §4 ``[peers]``), so "the peer median" is taken per unit: each unit's expected
activity is its FTE × the median activity per FTE of its peer group (over every unit of that group
in the trust, the clinic's own included, as the scoring target is), and the care level's index is
Σ activity ÷ Σ expected activity — indirect standardisation, as in standardised mortality ratios.
With one peer group it is exactly (activity per FTE) ÷ (the group's median). The 12-month index
sums each unit's activity and FTE over the 12 months before dividing, then takes the medians of
those 12-month ratios, as the run scores a period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOURS_PER_FTE_MONTH = 1950 / 12  # SPEC §4: worked hours = fte_worked × 1 950 ÷ 12 per FTE-month


def peer_expected(rows: pd.DataFrame, by: list[str]) -> pd.Series:
    """Expected activity of each row: its ``fte`` × the median of ``activity``/``fte`` over the rows
    of the same ``by`` keys (e.g. peer group and month). Rows without FTE get NaN."""
    ratio = rows["activity"] / rows["fte"].where(rows["fte"] > 0)
    median = ratio.groupby([rows[k] for k in by]).transform("median")
    return rows["fte"] * median


def activity_rows(res, groups: pd.Series) -> pd.DataFrame:
    """Per unit and month: activity and FTE (the ``activity_per_fte`` numerator and denominator the
    run recorded) with the unit's peer group; empty when the run has no such criterion."""
    m = res.monthly
    if m is None or m.empty or "criterion" not in m:
        return pd.DataFrame(columns=["entity_id", "month", "activity", "fte", "group"])
    a = m[m["criterion"] == "activity_per_fte"]
    out = pd.DataFrame({"entity_id": a["entity_id"].astype(str).to_numpy(), "month": a["month"].astype(str).to_numpy(),
                        "activity": a["numerator"].astype(float).to_numpy(),
                        "fte": a["denominator"].astype(float).to_numpy()})
    out["group"] = out["entity_id"].map(groups)
    return out[out["group"].notna()].reset_index(drop=True)


def monthly_index(rows: pd.DataFrame, members: pd.Series) -> pd.DataFrame:
    """Per ``members`` value (e.g. care level of the clinic's units) and month: activity, FTE,
    expected activity at the peer medians, activity per FTE, the peers' median per FTE, the index.

    ``rows`` are the activity rows of *all* units (peers included); ``members`` maps the clinic's
    unit ids to the key they are summed under."""
    rows = rows.assign(expected=peer_expected(rows, ["group", "month"]))
    mine = rows[rows["entity_id"].isin(members.index)].assign(key=lambda d: d["entity_id"].map(members))
    sums = mine.groupby(["key", "month"])[["activity", "fte", "expected"]].sum(min_count=1)
    return _ratios(sums)


def window_index(rows: pd.DataFrame, members: pd.Series, months: list[str]) -> pd.DataFrame:
    """Like :func:`monthly_index` over a window of months (sum first, then medians of the window ratios)."""
    w = rows[rows["month"].isin(months)]
    per_unit = w.groupby(["entity_id", "group"], as_index=False)[["activity", "fte"]].sum(min_count=1)
    per_unit["expected"] = peer_expected(per_unit, ["group"])
    mine = per_unit[per_unit["entity_id"].isin(members.index)].assign(key=lambda d: d["entity_id"].map(members))
    sums = mine.groupby("key")[["activity", "fte", "expected"]].sum(min_count=1)
    out = _ratios(sums)
    out["fte_mean"] = out["fte"] / len(months) if months else np.nan  # FTE-months → average FTE
    return out


def unit_window_index(rows: pd.DataFrame, units: list[str], months: list[str]) -> pd.DataFrame:
    """Per unit over the window: activity, FTE, per FTE, the peer median per FTE and the index."""
    return window_index(rows, pd.Series(units, index=units), months)


def _ratios(sums: pd.DataFrame) -> pd.DataFrame:
    out = sums.copy()
    fte = out["fte"].where(out["fte"] > 0)
    out["per_fte"] = out["activity"] / fte
    out["peer_per_fte"] = out["expected"] / fte
    out["index"] = out["activity"] / out["expected"].where(out["expected"] > 0)
    return out


def chppd(monthly: pd.DataFrame, groups: pd.Series, members: pd.Series) -> pd.DataFrame:
    """Care hours per patient day per ``members`` key and month, with the peers' median.

    Hours are ``hours_worked`` where the dataset has it, else fte_worked × 1 950 ÷ 12 (SPEC §4);
    patient days are ``bed_days``. Only unit-months with bed days > 0 count, on both sides of the
    ratio. ``groups`` maps every inpatient unit (peers included) to its peer group."""
    m = monthly[monthly["unit_id"].isin(groups.index)]
    if "bed_days" not in m:
        return pd.DataFrame(columns=["hours", "bed_days", "chppd", "peer_chppd"])
    hours = m["hours_worked"].astype(float) if "hours_worked" in m else m["fte_worked"].astype(float) * HOURS_PER_FTE_MONTH
    d = pd.DataFrame({"unit_id": m["unit_id"].astype(str), "month": m["month"].astype(str), "hours": hours,
                      "bed_days": m["bed_days"].astype(float)})
    d = d[d["bed_days"] > 0]
    d["group"] = d["unit_id"].map(groups)
    d["value"] = d["hours"] / d["bed_days"]
    d["peer_median"] = d.groupby(["group", "month"])["value"].transform("median")
    d["expected_hours"] = d["peer_median"] * d["bed_days"]
    mine = d[d["unit_id"].isin(members.index)].assign(key=lambda x: x["unit_id"].map(members))
    sums = mine.groupby(["key", "month"])[["hours", "bed_days", "expected_hours"]].sum()
    sums["chppd"] = sums["hours"] / sums["bed_days"]
    sums["peer_chppd"] = sums["expected_hours"] / sums["bed_days"]  # bed-day-weighted mix of group medians
    return sums


def monthly_sums(monthly: pd.DataFrame, members: pd.Series, columns: list[str]) -> pd.DataFrame:
    """Σ of ``columns`` per ``members`` key and month (NaN when no unit has a value)."""
    m = monthly[monthly["unit_id"].isin(members.index)]
    cols = [c for c in columns if c in m]
    frame = m[cols].astype(float).assign(key=m["unit_id"].map(members).to_numpy(), month=m["month"].astype(str).to_numpy())
    return frame.groupby(["key", "month"])[cols].sum(min_count=1).reindex(columns=columns)


def worked_vs_plan(monthly: pd.DataFrame, members: pd.Series) -> pd.DataFrame:
    """Per key and month: FTE worked minus FTE in the staffing plan, over the units that have a plan."""
    if "fte_planned" not in monthly:
        return pd.DataFrame(columns=["vs_plan"])
    m = monthly[monthly["unit_id"].isin(members.index) & monthly["fte_planned"].notna()]
    d = pd.DataFrame({"key": m["unit_id"].map(members).to_numpy(), "month": m["month"].astype(str).to_numpy(),
                      "diff": (m["fte_worked"] - m["fte_planned"]).astype(float).to_numpy()})
    return d.groupby(["key", "month"])[["diff"]].sum().rename(columns={"diff": "vs_plan"})


def weekday_profile(daily: pd.DataFrame, monthly: pd.DataFrame, units: list[str], months: list[str]) -> pd.DataFrame:
    """Census against staffing by weekday (0 = Monday) over ``months`` for ``units``.

    Census and staffed beds are summed over the units per day and averaged over the days of each
    weekday. ``hours_per_patient`` is the units' worked hours in the window spread evenly over its
    days (the rota's weekly pattern is not in the monthly data), divided by that weekday's mean
    census: what a flat staffing gives each patient on that weekday."""
    d = daily[daily["unit_id"].astype(str).isin(units)]
    dates = pd.to_datetime(d["date"].astype(str))
    d = d.assign(date=dates, month=dates.dt.strftime("%Y-%m"))
    d = d[d["month"].isin(months)]
    if d.empty:
        return pd.DataFrame(columns=["census", "beds_open", "occupancy", "hours_per_patient", "days"])
    cols = ["census"] + (["beds_open"] if "beds_open" in d else [])
    per_day = d.groupby("date")[cols].sum(min_count=1)
    have = sorted(d["unit_id"].astype(str).unique())
    m = monthly[monthly["unit_id"].astype(str).isin(have) & monthly["month"].isin(sorted(per_day.index.strftime("%Y-%m").unique()))]
    hours = (m["hours_worked"].sum() if "hours_worked" in m else m["fte_worked"].sum() * HOURS_PER_FTE_MONTH)
    calendar_days = sum(pd.Period(mo).days_in_month for mo in sorted(set(per_day.index.strftime("%Y-%m"))))
    per_day["weekday"] = per_day.index.day_of_week
    out = per_day.groupby("weekday")[cols].mean()
    out["days"] = per_day.groupby("weekday").size()
    if "beds_open" not in out:
        out["beds_open"] = np.nan
    out["occupancy"] = out["census"] / out["beds_open"].where(out["beds_open"] > 0)
    out["hours_per_patient"] = (hours / calendar_days) / out["census"].where(out["census"] > 0)
    return out.reindex(range(7))[["census", "beds_open", "occupancy", "hours_per_patient", "days"]]


VARIABLE_PAY = ("pay_overtime", "pay_extra_shifts", "pay_shift_displacement", "pay_call_out", "pay_other_variable")


def variable_pay_vs_budget(monthly: pd.DataFrame, members: pd.Series) -> pd.DataFrame:
    """Per key and month: Σ variable pay, Σ ``variable_pay_budget`` and variable pay ÷ budget − 1,
    over the unit-months that have a budget (so a unit without one does not count as overspending)."""
    if "variable_pay_budget" not in monthly:
        return pd.DataFrame(columns=["variable_pay", "variable_pay_budget", "variable_pay_vs_budget"])
    m = monthly[monthly["unit_id"].isin(members.index) & monthly["variable_pay_budget"].notna()]
    cols = [c for c in VARIABLE_PAY if c in m]
    d = pd.DataFrame({"key": m["unit_id"].map(members).to_numpy(), "month": m["month"].astype(str).to_numpy(),
                      "variable_pay": m[cols].astype(float).sum(axis=1).to_numpy(),
                      "variable_pay_budget": m["variable_pay_budget"].astype(float).to_numpy()})
    out = d.groupby(["key", "month"])[["variable_pay", "variable_pay_budget"]].sum()
    out["variable_pay_vs_budget"] = out["variable_pay"] / out["variable_pay_budget"].where(out["variable_pay_budget"] > 0) - 1
    return out
