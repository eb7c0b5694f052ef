"""Rules on the GAT tables of a dataset (SPEC §3, §11): shift codes, rota rows, plan validity.

Each rule returns issues naming the file, the row as the user sees it, the column and the value;
every problem is reported at once. The plan never guesses: an unknown shift code, a row without a
position percentage, a date outside the plan's validity or a shift that ends before it starts
without crossing midnight stops the plan with these issues.
"""

from __future__ import annotations

import pandas as pd

from benchmark.dataset.read import RawTable
from benchmark.issues import Issue
from benchmark.plan.codes import CATEGORIES, parse_bool, parse_category, parse_time

MAX_ROWS_LISTED = 20


def _rows_text(table: RawTable, index: pd.Index) -> str:
    rows = [str(table.row(i)) for i in index[:MAX_ROWS_LISTED]]
    more = f" and {len(index) - MAX_ROWS_LISTED} more" if len(index) > MAX_ROWS_LISTED else ""
    return ", ".join(rows) + more


def check_shift_codes(table: RawTable, codes: pd.DataFrame) -> list[Issue]:
    issues: list[Issue] = []
    src = table.source
    raw = table.frame
    crosses = raw.get("crosses_midnight", None)
    for i in codes.index:
        code = codes.at[i, "shift_code"]
        row = table.row(i)
        works = parse_bool(codes.at[i, "counts_as_work"]) if "counts_as_work" in codes else None
        if works is None:
            issues.append(Issue(src, "bad_boolean", "counts_as_work must be true or false (ja/nei)",
                                row=row, column="counts_as_work", value=codes.at[i, "counts_as_work"]))
        if "category" in codes and parse_category(codes.at[i, "category"]) is None:
            issues.append(Issue(src, "unknown_category", f"not a shift category; use one of {', '.join(CATEGORIES)} "
                                "(or dag, kveld, natt, fri, fravær, permisjon)", row=row, column="category",
                                value=codes.at[i, "category"]))
        if not works:
            continue
        times = {}
        for col in ("start", "end"):
            text = str(codes.at[i, col]) if col in codes else ""
            minutes, next_day = parse_time(text)
            if minutes is None:
                issues.append(Issue(src, "bad_time", f"a working shift needs a {col} time written HH:MM "
                                    f"(shift code {code})", row=row, column=col, value=text))
            times[col] = (minutes, next_day)
        if times["start"][0] is None or times["end"][0] is None:
            continue
        start, end = times["start"][0], times["end"][0]
        explicit = None if crosses is None else parse_bool(crosses.at[i])
        if times["end"][1]:
            explicit = True
        if end == start:
            issues.append(Issue(src, "zero_length_shift", f"shift code {code} starts and ends at the same time",
                                row=row, column="end", value=codes.at[i, "end"]))
        elif end < start and explicit is False:
            issues.append(Issue(src, "ends_before_start", f"shift code {code} ends ({codes.at[i, 'end']}) before "
                                f"it starts ({codes.at[i, 'start']}) but is marked as not crossing midnight",
                                row=row, column="end", value=codes.at[i, "end"],
                                hint="Correct the times, or mark the shift as crossing midnight"))
        duration = (end - start) % (24 * 60)
        brk = pd.to_numeric(pd.Series([codes.at[i, "break_minutes"] if "break_minutes" in codes else 0]),
                            errors="coerce").fillna(0).iloc[0]
        if duration and brk >= duration:
            issues.append(Issue(src, "break_too_long", f"the break of shift code {code} is as long as the shift",
                                row=row, column="break_minutes", value=brk))
    return issues


def check_rota(table: RawTable, rota: pd.DataFrame, codes: pd.DataFrame | None,
               plans: pd.DataFrame | None, codes_source: str = "shift_codes") -> list[Issue]:
    issues: list[Issue] = []
    src = table.source
    if codes is None:
        return [Issue(src, "missing_table", "rota needs the shift_codes table to know what each code means",
                      hint="Add shift_codes.csv (shift_code, start, end, break_minutes, counts_as_work, category)")]
    known = set(codes["shift_code"].astype(str))
    if "shift_code" in rota:
        unknown = rota.loc[~rota["shift_code"].isin(known), "shift_code"]
        for code, group in unknown.groupby(unknown, sort=True):
            issues.append(Issue(src, "unknown_shift_code", f"the shift code {code!r} is not in {codes_source} "
                                f"(rows {_rows_text(table, group.index)})", row=table.row(group.index[0]),
                                column="shift_code", value=code,
                                hint="Add the code to the shift-code table, or correct the rota"))
    if "position_pct" in rota:
        pct = rota["position_pct"]
        bad = pct.notna() & ((pct <= 0) | (pct > 100))
        for i in bad[bad].index[:500]:
            issues.append(Issue(src, "bad_position_pct", "position_pct is a percentage above 0 and at most 100",
                                row=table.row(i), column="position_pct", value=table.frame.at[i, "position_pct"]))
    has_date = rota["date"].notna() if "date" in rota else pd.Series(False, index=rota.index)
    base_cols = [c for c in ("rota_week", "weekday", "rota_weeks") if c in rota]
    has_base = rota[base_cols].notna().all(axis=1) if len(base_cols) == 3 else pd.Series(False, index=rota.index)
    neither = ~has_date & ~has_base
    for i in neither[neither].index[:500]:
        issues.append(Issue(src, "no_day", "a rota row needs a date, or rota_week, weekday and rota_weeks "
                            "(a base rotation)", row=table.row(i), column="date"))
    if len(base_cols) == 3:
        b = rota.loc[has_base, base_cols]
        bad = (b % 1 != 0).any(axis=1) | (b["weekday"] > 7) | (b["rota_week"] > b["rota_weeks"])
        for i in bad[bad].index[:500]:
            issues.append(Issue(src, "bad_base_rotation", "weekday must be 1–7 and rota_week a whole number "
                                "no larger than rota_weeks", row=table.row(i), column="rota_week",
                                value=f"{rota.at[i, 'rota_week']:g}/{rota.at[i, 'weekday']:g}/{rota.at[i, 'rota_weeks']:g}"))
    if len(base_cols) == 3 and has_base.any() and {"unit_id", "plan_id", "position_id"} <= set(rota.columns):
        b = rota.loc[has_base, ["unit_id", "plan_id", "position_id", *base_cols]]
        g = b.groupby(["unit_id", "plan_id", "position_id"], sort=False)
        size, weeks = g.size(), g["rota_weeks"].agg(["min", "max"])
        incomplete = (size != weeks["max"] * 7) | (weeks["min"] != weeks["max"])
        for key in incomplete[incomplete].index[:500]:
            i = rota.index[(rota["unit_id"] == key[0]) & (rota["plan_id"] == key[1]) & (rota["position_id"] == key[2])
                           & has_base][0]
            issues.append(Issue(src, "incomplete_base_rotation", f"the base rotation of position {key[2]} has "
                                f"{size[key]} rows but {weeks.at[key, 'max']:g} weeks need {weeks.at[key, 'max'] * 7:g} "
                                "(one per week and weekday), with the same rota_weeks on every row",
                                row=table.row(i), column="rota_week", value=key[2]))
    key = [c for c in ("unit_id", "plan_id", "position_id") if c in rota]
    if len(key) == 3 and has_date.any():
        day = rota.loc[has_date, key + ["date"]]
        dup = day.duplicated(keep=False)
        for i in dup[dup].index[:500]:
            issues.append(Issue(src, "duplicate_day", "the position has more than one row on this date",
                                row=table.row(i), column="date", value=table.frame.at[i, "date"]))
    if plans is not None and "plan_id" in rota and has_date.any():
        span = plans.groupby("plan_id")[["valid_from", "valid_to"]].agg({"valid_from": "min", "valid_to": "max"})
        d = rota.loc[has_date, ["plan_id", "date"]].join(span, on="plan_id")
        outside = d["valid_from"].notna() & ((d["date"] < d["valid_from"]) | (d["date"] > d["valid_to"]))
        for i in outside[outside].index[:500]:
            issues.append(Issue(src, "outside_validity", f"the date is outside the validity of plan "
                                f"{rota.at[i, 'plan_id']} ({d.at[i, 'valid_from']:%Y-%m-%d} – "
                                f"{d.at[i, 'valid_to']:%Y-%m-%d} in staffing_plans)", row=table.row(i),
                                column="date", value=table.frame.at[i, "date"]))
    return issues


def check_plan_tables(raw: dict[str, RawTable], typed: dict[str, pd.DataFrame]) -> list[Issue]:
    """All GAT rules on a dataset being loaded (called from benchmark.dataset.load)."""
    issues: list[Issue] = []
    codes = typed.get("shift_codes")
    if codes is not None and {"shift_code", "counts_as_work"} <= set(codes.columns):
        issues += check_shift_codes(raw["shift_codes"], codes)
    if "rota" in typed:
        issues += check_rota(raw["rota"], typed["rota"], codes, typed.get("staffing_plans"),
                             raw["shift_codes"].source if codes is not None else "shift_codes")
    return issues
