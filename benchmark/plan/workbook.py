"""``plan.xlsx``: the staffing budget as a controller opens it (Norwegian headings by default).

Sheets (English names with ``lang="en"``; the assumptions are listed in Norwegian): Divisjoner, Avdelinger, Enheter (one per level: frame, plan cost and its parts, gap,
measures, unresolved, FTE), Fossefall (the waterfall figures per division), Månedsbudsjett (unit ×
month, as staffing_budget.csv), Indikatorer (the audit's follow-up), Forutsetninger (the tariff's
rates and the stated assumptions). Frozen header, autofilter, kNOK with thousands separators.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmark.plan.core import BASIS_NB
from benchmark.plan.waterfall import breakdown, waterfall

HEADINGS = {
    "nb": {"entity_id": "Id", "entity_name": "Navn", "division": "Divisjon", "department": "Avdeling",
           "basis": "Grunnlag", "pay_frame": "Lønnsramme", "cost_total": "Plankostnad", "cost_base": "Grunnlønn",
           "cost_evening_night": "Kvelds-/nattillegg", "cost_weekend": "Helgetillegg", "cost_holiday": "Høytidstillegg",
           "cost_social": "Sosiale kostnader", "cost_cover": "Dekning ferie/fravær", "gap": "Gap",
           "measures_risk_adjusted": "Tiltak (risikojustert)", "unresolved": "Uløst utfordring",
           "fte_plan": "Årsverk i plan", "fte_frame": "Årsverk i ramme",
           "fte_needed_for_activity": "Årsverk aktiviteten krever", "has_rota": "Turnus i GAT",
           "has_activity_plan": "Aktivitetsplan", "hours_plan": "Timer i plan", "unit_id": "Enhet", "month": "Måned",
           "units": "Enheter", "units_with_rota": "Med turnus i GAT", "units_with_activity_plan": "Med aktivitetsplan",
           "label": "Steg", "value": "kNOK", "start": "Fra", "end": "Til"},
}
HEADINGS["en"] = {k: k.replace("_", " ") for k in HEADINGS["nb"]} | {
    "entity_id": "Id", "entity_name": "Name", "pay_frame": "Pay frame", "cost_total": "Plan cost",
    "cost_base": "Base pay", "gap": "Gap", "measures_risk_adjusted": "Measures (risk-adjusted)",
    "unresolved": "Unresolved", "fte_plan": "FTE in plan", "fte_frame": "FTE in frame",
    "fte_needed_for_activity": "FTE needed for activity", "label": "Step", "value": "kNOK", "start": "From",
    "end": "To"}
SHEETS = {"en": {"division": "Divisions", "department": "Departments", "unit": "Units", "waterfall": "Waterfall",
                 "budget": "Monthly budget", "indicators": "Indicators", "assumptions": "Assumptions"},
          "nb": {"division": "Divisjoner", "department": "Avdelinger", "unit": "Enheter", "waterfall": "Fossefall",
                 "budget": "Månedsbudsjett", "indicators": "Indikatorer", "assumptions": "Forutsetninger"}}
LEVEL_COLUMNS = ["entity_id", "entity_name", "division", "department", "basis", "pay_frame", "cost_total", "cost_base",
                 "cost_evening_night", "cost_weekend", "cost_holiday", "cost_social", "cost_cover", "gap",
                 "measures_risk_adjusted", "unresolved", "fte_plan", "fte_frame", "fte_needed_for_activity",
                 "hours_plan", "has_rota", "has_activity_plan"]
FTE_COLUMNS = {"fte_plan", "fte_frame", "fte_needed_for_activity"}


def _write(book, sheet, frame: pd.DataFrame, heads: dict, fmt: dict) -> None:
    ws = book.add_worksheet(sheet)
    for c, col in enumerate(frame.columns):
        ws.write(0, c, heads.get(col, col), fmt["head"])
        values = frame[col].tolist()
        style = fmt["fte"] if col in FTE_COLUMNS else (fmt["knok"] if pd.api.types.is_float_dtype(frame[col]) else None)
        for r, v in enumerate(values, start=1):
            if v is None or (isinstance(v, float) and v != v):
                ws.write_blank(r, c, None, style)
            elif isinstance(v, bool):
                ws.write(r, c, "ja" if v else "nei")
            else:
                ws.write(r, c, v, style)
        width = max([len(str(heads.get(col, col)))] + [len(str(v)) for v in values[:200]]) + 2
        ws.set_column(c, c, min(width, 45))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))


def write_plan_xlsx(pl, path: Path, lang: str = "nb", metadata: dict | None = None) -> Path:
    import xlsxwriter

    lang = "nb" if lang not in HEADINGS else lang
    heads, names = HEADINGS[lang], SHEETS[lang]
    b = breakdown(pl)
    if lang == "nb":
        b["basis"] = b["basis"].map(lambda x: BASIS_NB.get(x, x) if isinstance(x, str) else x)
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    fmt = {"head": book.add_format({"bold": True, "bg_color": "#E8EEF4", "text_wrap": True}),
           "knok": book.add_format({"num_format": "#,##0"}), "fte": book.add_format({"num_format": "0.0"})}
    for level in ("division", "department", "unit"):
        t = b[b["level"] == level]
        cols = [c for c in LEVEL_COLUMNS if not (level != "unit" and c == "basis")]
        _write(book, names[level], t[cols].reset_index(drop=True), heads, fmt)
    steps = []
    for _, row in b[b["level"] == "division"].iterrows():
        if pd.notna(row["pay_frame"]):
            w = waterfall(row, lang)
            w.insert(0, "division", row["entity_id"])
            steps.append(w[["division", "label", "value", "start", "end"]])
    if steps:
        _write(book, names["waterfall"], pd.concat(steps, ignore_index=True), heads, fmt)
    _write(book, names["budget"], pl.staffing_budget, heads, fmt)
    _write(book, names["indicators"], pl.indicators, heads, fmt)
    rows = list(pl.tariff.assumptions()) + [("Merknad", n) for n in pl.notes]
    rows += [(k, str(v)) for k, v in (metadata or {}).items()]
    rows.append(("Budsjettår", str(pl.year)))
    if pl.context.get("benchmark_period"):
        rows.append(("Produktivitet fra benchmark", f"{pl.context['benchmark_period']} "
                                                     f"(kjøring {pl.context.get('benchmark_run') or 'i minnet'})"))
    _write(book, names["assumptions"], pd.DataFrame(rows, columns=["Forutsetning", "Verdi"]), heads, fmt)
    book.close()
    return Path(path)
