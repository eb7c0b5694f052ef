"""Demo GAT tables for the staffing budget (SPEC §3, §11), derived from the demo units and months.

Own seeded RNG, so the older demo tables keep their bytes. For every unit open in 2025–2026 and
not picked to be without one (about one in eight), a six-week base rotation (grunnturnus) per line:
24/7 units (wards, emergency, ambulance) work D/A/N shifts every day of the week, the others
weekday day shifts. Lines have 100, 80, 75 or 50 % positions and work about their share of a
35,5-hour week. Roles follow the care level (jordmor in obstetrics, doctors in clinics).

Frames for 2025 and 2026 per unit, department and division (sums of the units' frames): the
unit's planned size × an assumed cost per FTE × a division factor, so some divisions' plans
exceed their frame. Activity plans for 2025–2026 are last year's activity (same month) grown by
about 2 %, for most units but not all. GAT-style exports of one ward (long xlsx and wide
Windows-1252 csv with a merged month header and noise rows) go to ``fixtures/gat/``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261201
YEARS = (2025, 2026)
ROUND_THE_CLOCK = {"inpatient", "emergency", "prehospital"}
SHIFT_CODES = pd.DataFrame({
    "shift_code": ["D", "A", "N", "M", "F", "FE", "S"],
    "start": ["07:30", "15:00", "22:00", "08:00", "", "", ""],
    "end": ["15:30", "22:30", "07:30", "15:45", "", "", ""],
    "break_minutes": [30, 30, 0, 30, 0, 0, 0],
    "counts_as_work": ["true", "true", "true", "true", "false", "false", "false"],
    "category": ["day", "evening", "night", "day", "off", "leave", "absence"],
})
ROLES = {  # care level → (role, share of lines)
    "inpatient": (("sykepleier", 0.5), ("spesialsykepleier", 0.15), ("helsefagarbeider", 0.3), ("merkantil", 0.05)),
    "emergency": (("sykepleier", 0.55), ("spesialsykepleier", 0.25), ("lege i spesialisering", 0.15),
                  ("merkantil", 0.05)),
    "prehospital": (("spesialsykepleier", 0.4), ("helsefagarbeider", 0.6)),
    "outpatient": (("sykepleier", 0.45), ("overlege", 0.2), ("lege i spesialisering", 0.15), ("merkantil", 0.2)),
    "day_treatment": (("sykepleier", 0.6), ("spesialsykepleier", 0.2), ("overlege", 0.1), ("merkantil", 0.1)),
    "surgery": (("spesialsykepleier", 0.6), ("sykepleier", 0.2), ("overlege", 0.15), ("merkantil", 0.05)),
    "diagnostics": (("sykepleier", 0.3), ("helsefagarbeider", 0.3), ("overlege", 0.2), ("merkantil", 0.2)),
    "support": (("merkantil", 0.8), ("helsefagarbeider", 0.2)),
}
COST_PER_FTE = {True: 1110.0, False: 1040.0}  # kNOK a year incl. social costs: assumed for the frames
DIVISION_FACTOR = (1.0, 0.96, 1.03, 0.95, 0.99, 1.04, 0.97, 1.02)  # < 1: the plans exceed the frame


def _lines(rng: np.random.Generator, unit_id: str, care: str, specialty: str, fte: float) -> list[dict]:
    roles = ROLES[care]
    if specialty == "gynekologi" and care == "inpatient":
        roles = (("jordmor", 0.5), ("sykepleier", 0.2), ("helsefagarbeider", 0.25), ("merkantil", 0.05))
    pcts = rng.choice([100.0, 80.0, 75.0, 50.0], size=max(2, int(round(fte / 0.82))), p=[0.45, 0.3, 0.15, 0.1])
    names = [r for r, _ in roles]
    shares = np.array([s for _, s in roles])
    role = rng.choice(names, size=len(pcts), p=shares / shares.sum())
    rows = []
    for k, (pct, r) in enumerate(zip(pcts, role, strict=True)):
        cells = np.array(["F"] * 42, dtype=object)
        if care in ROUND_THE_CLOCK and r != "merkantil":
            n = int(round(6 * 35.5 * pct / 100 / 7.6))
            days = rng.choice(42, size=n, replace=False)
            cells[days] = rng.choice(["D", "A", "N"], size=n, p=[0.45, 0.33, 0.22])
        else:
            weekdays = np.array([d for d in range(42) if d % 7 < 5])
            n = min(len(weekdays), int(round(6 * 37.5 * pct / 100 / 7.25)))
            cells[rng.choice(weekdays, size=n, replace=False)] = "M" if r == "merkantil" else "D"
        for c, code in enumerate(cells):
            rows.append({"unit_id": unit_id, "plan_id": f"TURNUS-{unit_id}", "position_id": f"{unit_id}-L{k + 1:02d}",
                         "role": r, "position_pct": pct, "rota_week": c // 7 + 1, "weekday": c % 7 + 1,
                         "rota_weeks": 6, "shift_code": code})
    return rows


def generate_plan_tables(units: pd.DataFrame, monthly: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """rota (base rotations), shift_codes, frames and activity_plans for the demo units."""
    rng = np.random.default_rng(SEED)
    open_units = units[units["active_to"].fillna("").astype(str).isin(["", "nan"])
                       | (units["active_to"].astype(str) >= "2025-01-01")].reset_index(drop=True)
    last = monthly[monthly["month"] > "2024-09"]
    size = last.groupby("unit_id")["fte_contracted"].mean()
    without = set(open_units["unit_id"].iloc[rng.permutation(len(open_units))[: len(open_units) // 8]])
    rota_rows, frames = [], []
    for u in open_units.itertuples(index=False):
        fte = float(size.get(u.unit_id, 10.0))
        if u.unit_id not in without:
            rota_rows += _lines(rng, u.unit_id, u.care_level, u.specialty, fte)
        rotating = u.care_level in ROUND_THE_CLOCK
        div = list(dict.fromkeys(units["division"])).index(u.division)
        for year in YEARS:
            frame = fte * COST_PER_FTE[rotating] * DIVISION_FACTOR[div % 8] * (1 + 0.04 * rng.standard_normal()) \
                * (0.90 if year == 2026 else 1.0)  # 2026: a tight frame (nedtrekk)
            frames.append({"year": year, "division": u.division, "department": u.department,
                           "unit_id": u.unit_id, "pay_frame": round(frame, 0), "fte_frame": round(fte, 1)})
    frames = pd.DataFrame(frames)
    dept = frames.groupby(["year", "division", "department"], as_index=False, sort=False)[
        ["pay_frame", "fte_frame"]].sum().assign(unit_id="")
    div = frames.groupby(["year", "division"], as_index=False, sort=False)[["pay_frame", "fte_frame"]].sum().assign(
        department="", unit_id="")
    frames = pd.concat([div, dept, frames], ignore_index=True)[
        ["year", "division", "department", "unit_id", "pay_frame", "fte_frame"]]
    frames["fte_frame"] = frames["fte_frame"].round(1)
    activity_cols = ["drg_points", "outpatient_visits", "bed_days", "admissions", "day_treatments", "operations",
                     "ambulance_missions", "examinations"]
    no_activity = set(open_units["unit_id"].iloc[rng.permutation(len(open_units))[: len(open_units) // 6]])
    no_activity |= set(open_units.loc[open_units["care_level"] == "support", "unit_id"])
    base = monthly[(monthly["month"] >= "2024-01") & (monthly["month"] <= "2024-12")
                   & monthly["unit_id"].isin(set(open_units["unit_id"]) - no_activity)]
    plans = []
    for year in YEARS:
        growth = 1 + 0.02 * (year - 2024) + 0.03 * rng.standard_normal(len(base))
        p = base[["unit_id", "month", *activity_cols]].copy()
        p["month"] = str(year) + p["month"].str[4:]
        p[activity_cols] = (p[activity_cols].to_numpy(float) * growth[:, None]).round(1)
        plans.append(p)
    return {"rota": pd.DataFrame(rota_rows), "shift_codes": SHIFT_CODES.copy(), "frames": frames,
            "activity_plans": pd.concat(plans, ignore_index=True)}


def write_plan_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write the GAT tables beside the demo tables (rota as Parquet: 150 units' lines are large)."""
    plan = generate_plan_tables(tables["units"], tables["monthly"])
    plan["rota"].to_parquet(folder / "rota.parquet", index=False)
    for name in ("shift_codes", "frames", "activity_plans"):
        plan[name].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n", float_format="%.10g")


# --- GAT-style exports of one ward (fixtures/gat/) --------------------------------------------

WEEKDAY_NB = ("ma", "ti", "on", "to", "fr", "lø", "sø")
MONTH_NB = ("Januar", "Februar", "Mars", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
            "November", "Desember")
EXPORT_FIRST, EXPORT_LAST = "2026-01-05", "2026-03-29"  # twelve weeks


def export_rows(rota: pd.DataFrame, unit_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One unit's base rotation laid out day by day over the export period, with made-up employee numbers."""
    r = rota[rota["unit_id"] == unit_id]
    lines = r.drop_duplicates("position_id")[["position_id", "role", "position_pct"]].reset_index(drop=True)
    lines["employee"] = [str(41000 + 37 * k) for k in range(len(lines))]
    days = pd.date_range(EXPORT_FIRST, EXPORT_LAST, freq="D")
    monday = pd.Timestamp(EXPORT_FIRST) - pd.Timedelta(days=pd.Timestamp(EXPORT_FIRST).weekday())
    cell = ((days - monday).days // 7 % 6) * 7 + days.day_of_week
    pattern = r.assign(cell=(r["rota_week"] - 1) * 7 + r["weekday"] - 1).pivot(
        index="position_id", columns="cell", values="shift_code")
    grid = pattern.loc[lines["position_id"]].to_numpy()[:, cell]
    return lines, pd.DataFrame(grid, columns=days)


def write_gat_exports(folder: Path, demo_folder: Path) -> list[Path]:
    """Long xlsx and csv, wide xlsx (merged month cells) and cp1252 csv of the first ward with a rota."""
    import xlsxwriter

    folder.mkdir(parents=True, exist_ok=True)
    rota = pd.read_parquet(demo_folder / "rota.parquet")
    units = pd.read_csv(demo_folder / "units.csv", keep_default_na=False)
    ward = units[(units["care_level"] == "inpatient") & units["unit_id"].isin(set(rota["unit_id"]))].iloc[0]
    lines, grid = export_rows(rota, ward["unit_id"])
    period = f"Periode: {pd.Timestamp(EXPORT_FIRST):%d.%m.%Y} - {pd.Timestamp(EXPORT_LAST):%d.%m.%Y}"
    noise = [["Vaktplan - arbeidsplan"], [f"Enhet: {ward['unit_id']}"], [f"Turnus: GAT-2026-{ward['unit_id']}"],
             [period], ["Utskrevet 01.12.2026"], []]
    codes = SHIFT_CODES.assign(counts_as_work=SHIFT_CODES["counts_as_work"].map({"true": "Ja", "false": "Nei"}),
                               category=SHIFT_CODES["category"].map({"day": "Dag", "evening": "Kveld", "night": "Natt",
                                                                    "off": "Fri", "leave": "Permisjon",
                                                                    "absence": "Fravær"}))
    code_rows = [["Vaktkode", "Fra", "Til", "Pause", "Arbeid", "Kategori"]] + codes.astype(str).values.tolist()
    role = lines["role"].str.capitalize()
    pct = lines["position_pct"].map(lambda p: f"{p:g} %")
    long_head = ["Dato", "Ansattnr", "Navn", "Stilling", "Stillingsprosent", "Vaktkode"]
    long_rows = []
    for k, d in enumerate(grid.columns):
        if k and k % 28 == 0:
            long_rows.append(long_head)  # a page break repeats the header
        for j in range(len(lines)):
            long_rows.append([f"{d:%d.%m.%Y}", lines.at[j, "employee"], f"Ansatt {j + 1}", role[j], pct[j],
                              grid.iat[j, k]])
    long_rows.append([f"Sum vakter: {int((grid.isin(['D', 'A', 'N', 'M'])).to_numpy().sum())}"])
    day_head = [f"{WEEKDAY_NB[d.weekday()]} {d.day:02d}" for d in grid.columns]
    month_row = ["", "", "", ""] + [MONTH_NB[d.month - 1] + f" {d.year}" if (k == 0 or d.day == 1) else ""
                                    for k, d in enumerate(grid.columns)]
    wide_head = ["Ansattnr", "Navn", "Stilling", "Stillingsprosent", *day_head]
    wide_rows = [[lines.at[j, "employee"], f"Ansatt {j + 1}", role[j], pct[j], *grid.iloc[j].tolist()]
                 for j in range(len(lines))]
    wide_rows.append(["Sum"])
    paths = []
    for name, rows in (("gat_long.csv", noise + [long_head] + long_rows),
                       ("gat_wide_cp1252.csv", noise + [month_row, wide_head] + wide_rows)):
        buf = io_text(rows)
        path = folder / name
        path.write_bytes(buf.encode("cp1252" if "cp1252" in name else "utf-8"))
        paths.append(path)
    (folder / "vaktkoder.csv").write_text(io_text(code_rows), encoding="utf-8")
    paths.append(folder / "vaktkoder.csv")
    for name, wide in (("gat_long.xlsx", False), ("gat_wide.xlsx", True)):
        path = folder / name
        book = xlsxwriter.Workbook(str(path))
        book.set_properties({"created": pd.Timestamp("2026-12-01").to_pydatetime()})
        ws = book.add_worksheet("Vaktplan")
        r0 = 0
        for row in noise:
            for c, v in enumerate(row):
                ws.write(r0, c, v)
            r0 += 1
        if wide:
            months = pd.Series(grid.columns.month)
            for m, idx in months.groupby(months).groups.items():
                a, b = 4 + min(idx), 4 + max(idx)
                label = f"{MONTH_NB[m - 1]} {grid.columns[min(idx)].year}"
                ws.merge_range(r0, a, r0, b, label) if b > a else ws.write(r0, a, label)
            r0 += 1
            body = [wide_head] + wide_rows
        else:
            body = [long_head] + long_rows
        for row in body:
            for c, v in enumerate(row):
                ws.write(r0, c, v)
            r0 += 1
        wc = book.add_worksheet("Vaktkoder")
        for r, row in enumerate(code_rows):
            for c, v in enumerate(row):
                wc.write(r, c, v)
        book.close()
        paths.append(path)
    return paths


def io_text(rows: list[list[str]]) -> str:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buf.getvalue()
