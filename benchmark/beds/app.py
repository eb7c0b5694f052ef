"""What ``notebooks/beds.py`` shows, prepared here so the notebook holds presentation only.

The draft is computed once per source and year (cached); the notebook's levers call
:meth:`BedsResult.with_options`, which re-runs only the recommendation on the stored forecast.
Tables come back with Norwegian headers and numbers already formatted (14 000; 7,2 %).
"""

from __future__ import annotations

import functools

import pandas as pd

from benchmark.beds.messages import explain_week
from benchmark.beds.report import tradeoff_rows
from benchmark.explanation import numbers as fmt


def source_from_args(args: dict) -> str:
    """``-- --source PATH`` (default: the demo trust)."""
    value = args.get("source") if args else None
    return str(value) if value else "demo"


def default_year(ds) -> int:
    """The year after the last day (or month) of history: the next budget year."""
    if ds.daily is not None and len(ds.daily):
        return int(ds.daily["date"].max().year) + 1
    return int(max(ds.monthly["month"])[:4]) + 1


@functools.lru_cache(maxsize=4)
def draft(source: str, year: int | None = None):
    """The bed draft of ``source`` (a folder, a workbook or ``demo``), cached per source and year."""
    from benchmark.beds.result import beds
    from benchmark.views import load_source

    ds = load_source(source)
    return beds(ds, year=year or default_year(ds))


def ward_choices(bd) -> dict[str, str]:
    """Label → unit_id, in the order of the units table."""
    names = bd.units.set_index("unit_id")["unit_name"]
    return {f"{names.get(u, u)} ({u})": u for u in dict.fromkeys(bd.bed_plan["unit_id"])}


def week_explanation(bd, unit_id: str, week: int, lang: str = "nb") -> str:
    plan = bd.ward(unit_id)
    row = plan[plan["week"].str.endswith(f"-W{week:02d}")]
    if row.empty:
        return ""
    return explain_week(row.iloc[0], lang)


def service_text(bd, lang: str = "nb") -> str:
    """'Servicenivå 0,95: posten er full høyst 1 av 20 dager i snitt.' (the slider shows a point)."""
    from benchmark.beds.messages import odds_text

    s = fmt.number(bd.service_level, 2, lang)
    if lang == "nb":
        return f"Servicenivå {s}: posten er full høyst {odds_text(1 - bd.service_level, lang)} dager i snitt."
    return f"Service level {s}: the ward is full on at most {odds_text(1 - bd.service_level, lang)} days on average."


def week_table(bd, unit_id: str, lang: str = "nb") -> pd.DataFrame:
    """The ward's weeks with Norwegian headers and formatted numbers."""
    p = bd.ward(unit_id)
    yes = "stengt" if lang == "nb" else "closed"
    return pd.DataFrame({
        "Uke" if lang == "nb" else "Week": p["week"].str[-2:].astype(int).to_numpy(),
        "Forventet belegg" if lang == "nb" else "Expected census": [fmt.number(x, 1, lang) for x in p["census_mean"]],
        "Belegg 95-persentil" if lang == "nb" else "Census p95": [fmt.number(x, 0, lang) for x in p["census_p95"]],
        "Anbefalte senger" if lang == "nb" else "Recommended beds": [
            yes if c else fmt.number(x, 0, lang) for x, c in zip(p["beds_recommended"], p["closed"], strict=True)],
        "Senger i dag" if lang == "nb" else "Beds today": [fmt.number(x, 0, lang) for x in p["beds_current"]],
        "Belegg" if lang == "nb" else "Occupancy": [fmt.percent(x, 0, lang) for x in p["occupancy_expected"]],
        "Dager over fullt" if lang == "nb" else "Overflow days": [fmt.number(x, 2, lang) for x in p["overflow_days_expected"]],
        "Årsverk" if lang == "nb" else "FTE": [fmt.number(x, 1, lang) for x in p["fte_expected"]],
    })


def tradeoff_table(bd, unit_id: str, lang: str = "nb") -> pd.DataFrame:
    heads = (["Senger", "Senger i snitt", "Planlagte sengedøgn", "Dager over fullt", "Servicenivå", "Belegg"]
             if lang == "nb" else ["Beds", "Mean beds", "Bed-days planned", "Overflow days", "Service level",
                                   "Occupancy"])
    return pd.DataFrame(tradeoff_rows(bd, unit_id, lang), columns=heads)


def basis_note(bd, unit_id: str, lang: str = "nb") -> str:
    basis = bd.ward(unit_id)["basis"].iloc[0]
    if basis == "daily":
        return ""
    return ("Grunnlag: månedssnitt av liggedøgn – uten variasjonsanalyse (for kort daglig historikk)."
            if lang == "nb" else "Basis: monthly means of bed_days – no variation analysis (too little daily history).")
