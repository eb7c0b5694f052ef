"""``bed_plan.csv``, ``backtest.csv`` and the Norwegian workbook ``beds.xlsx``.

The CSV files carry the SPEC §6 columns first (English names, codes, full precision) for other
tools. The workbook is for leaders: Norwegian headers (English with ``lang="en"``), a summary
sheet per department and week, one sheet per ward, the trade-off, the backtest, the Erlang
cross-check and the notes on wards that could not be forecast. Number formats are Excel's own
(``# ##0``, ``0,0 %`` appear with the reader's separators in a Norwegian Excel).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from benchmark.beds.recommend import PLAN_COLUMNS

HEAD = {
    "nb": {"unit_id": "Enhet-ID", "unit_name": "Post", "department": "Avdeling", "division": "Divisjon",
           "week": "Uke", "census_mean": "Forventet belegg", "census_p50": "Belegg median",
           "census_p90": "Belegg 90-persentil", "census_p95": "Belegg 95-persentil",
           "beds_recommended": "Anbefalte senger", "beds_current": "Senger i dag",
           "occupancy_expected": "Forventet beleggsprosent", "overflow_days_expected": "Forventede dager over fullt",
           "service_level_expected": "Forventet servicenivå", "closed": "Stengt", "basis": "Grunnlag",
           "care_hours_expected": "Pleietimer", "fte_expected": "Årsverk (ukesnitt)",
           "care_hours_per_patient_day": "Pleietimer per liggedøgn", "census_moved_in": "Belegg flyttet inn",
           "service_level_current": "Servicenivå med dagens senger", "days": "Dager",
           "beds_offset": "Senger i forhold til anbefalt", "beds_mean": "Senger i snitt",
           "bed_days_planned": "Planlagte sengedøgn", "method": "Metode",
           "share_days_covered": "Andel dager med plass", "pinball_loss": "Pinball-tap",
           "held_out_from": "Testår fra", "held_out_to": "Testår til",
           "admissions_per_day": "Innleggelser per døgn", "length_of_stay": "Liggetid (døgn)",
           "offered_load": "Tilbudt belastning", "beds_erlang": "Senger etter Erlang",
           "blocking_at_recommended": "Avvisningsandel med anbefalte senger", "note": "Merknad",
           "wards": "Poster"},
    "en": {},
}
BASIS = {"nb": {"daily": "daglig belegg", "monthly_mean": "månedssnitt (uten variasjonsanalyse)"},
         "en": {"daily": "daily census", "monthly_mean": "monthly mean (no variation analysis)"}}
METHOD = {"nb": {"model": "modell", "seasonal_naive": "samme uke i fjor", "occupancy_85": "85 % belegg"},
          "en": {"model": "model", "seasonal_naive": "same week last year", "occupancy_85": "85 % occupancy"}}
SHEETS = {"nb": ("Avdelinger", "Avveining", "Tilbaketest", "Erlang", "Merknader"),
          "en": ("Departments", "Trade-off", "Backtest", "Erlang", "Notes")}
PERCENT = {"occupancy_expected", "service_level_expected", "share_days_covered", "service_level_current",
           "blocking_at_recommended"}
DECIMAL = {"census_mean", "overflow_days_expected", "fte_expected", "care_hours_per_patient_day", "pinball_loss",
           "census_moved_in", "beds_mean", "length_of_stay", "offered_load", "admissions_per_day"}


def write_tables(bd, folder: Path) -> list[Path]:
    """bed_plan.csv and backtest.csv (SPEC §6 columns first)."""
    plan_path, bt_path = folder / "bed_plan.csv", folder / "backtest.csv"
    bd.bed_plan.to_csv(plan_path, index=False, lineterminator="\n")
    bd.backtest.to_csv(bt_path, index=False, lineterminator="\n")
    return [plan_path, bt_path]


def _head(lang: str, col: str) -> str:
    return HEAD["nb"].get(col, col) if lang == "nb" else col


def department_summary(bd) -> pd.DataFrame:
    """Per department and week: wards, expected census, recommended and current beds, overflow days."""
    plan = bd.bed_plan.merge(bd.units[["unit_id", "department", "division"]], on="unit_id", how="left")
    g = plan.groupby(["division", "department", "week"], sort=True)
    return pd.DataFrame({"wards": g["unit_id"].nunique(), "census_mean": g["census_mean"].sum(),
                         "beds_recommended": g["beds_recommended"].sum(), "beds_current": g["beds_current"].sum(),
                         "overflow_days_expected": g["overflow_days_expected"].sum(),
                         "fte_expected": g["fte_expected"].sum()}).reset_index()


def _sheet_name(text: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", text)[:31]
    name, i = base, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(name.lower())
    return name


def write_workbook(bd, path: Path, lang: str = "nb") -> Path:
    """The leaders' workbook (see the module docstring)."""
    names = bd.units.set_index("unit_id")["unit_name"]
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        fmt = {"pct": book.add_format({"num_format": "0.0 %"}), "dec": book.add_format({"num_format": "#,##0.0"}),
               "int": book.add_format({"num_format": "#,##0"}), "head": book.add_format({"bold": True, "text_wrap": True})}
        used: set[str] = set()

        def sheet(frame: pd.DataFrame, title: str, note: str | None = None) -> None:
            frame = frame.copy()
            if "basis" in frame:
                frame["basis"] = frame["basis"].map(BASIS[lang]).fillna(frame["basis"])
            if "method" in frame:
                frame["method"] = frame["method"].map(METHOD[lang]).fillna(frame["method"])
            if "closed" in frame:
                frame["closed"] = frame["closed"].map({True: "ja" if lang == "nb" else "yes", False: ""})
            cols = list(frame.columns)
            frame.columns = [_head(lang, c) for c in cols]
            name = _sheet_name(title, used)
            start = 2 if note else 0
            frame.to_excel(writer, sheet_name=name, index=False, startrow=start)
            ws = writer.sheets[name]
            if note:
                ws.write(0, 0, note)
            for i, c in enumerate(cols):
                ws.write(start, i, frame.columns[i], fmt["head"])
                style = fmt["pct"] if c in PERCENT else fmt["dec"] if c in DECIMAL else (
                    fmt["int"] if pd.api.types.is_numeric_dtype(frame.iloc[:, i]) else None)
                ws.set_column(i, i, 14 if c != "unit_name" else 40, style)
            ws.freeze_panes(start + 1, 0)

        s = SHEETS[lang]
        sheet(department_summary(bd), s[0], _title(bd, lang))
        sheet(bd.tradeoff.assign(unit_name=bd.tradeoff["unit_id"].map(names))[
            ["unit_id", "unit_name", *[c for c in bd.tradeoff.columns if c != "unit_id"]]], s[1])
        if len(bd.backtest):
            sheet(bd.backtest, s[2])
        if len(bd.erlang):
            sheet(bd.erlang, s[3])
        sheet(pd.DataFrame({"note": list(bd.messages if lang == "nb" else bd.messages_en) or ["–"]}), s[4])
        cols = [*PLAN_COLUMNS[1:], "closed", "basis", "fte_expected", "care_hours_expected"]
        for unit_id, part in bd.bed_plan.groupby("unit_id", sort=False):
            label = f"{unit_id} {names.get(unit_id, '')}".strip()
            sheet(part[cols], label, f"{names.get(unit_id, unit_id)} ({unit_id})")
    return path


def _title(bd, lang: str) -> str:
    from benchmark.explanation import numbers as fmt

    if lang == "nb":
        return (f"Utkast til sengekapasitet {bd.year}, servicenivå {fmt.number(bd.service_level, 2, 'nb')} "
                "(posten er full høyst 1 − servicenivå av dagene)")
    return f"Bed-capacity draft {bd.year}, service level {fmt.number(bd.service_level, 2, 'en')}"
