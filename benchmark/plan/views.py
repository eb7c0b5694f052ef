"""What the plan app (notebooks/plan.py) shows, as tables in Norwegian — the app only lays them out.

The expensive plan (roll-out and hour split) is computed once per source and year and cached;
a changed supplement rate or absence cover only re-prices (:meth:`Plan.reprice`, milliseconds).
"""

from __future__ import annotations

import functools

import pandas as pd

from benchmark.plan.core import BASIS_NB
from benchmark.plan.waterfall import breakdown as _breakdown

_RECENT: dict[int, tuple] = {}


def breakdown(pl) -> pd.DataFrame:
    """:func:`benchmark.plan.waterfall.breakdown`, kept for the last few plans (one slider move
    asks for it several times)."""
    hit = _RECENT.get(id(pl))
    if hit is not None and hit[0] is pl:
        return hit[1]
    b = _breakdown(pl)
    if len(_RECENT) >= 4:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[id(pl)] = (pl, b)
    return b

HEAD = {"entity_name": "Navn", "basis": "Grunnlag", "pay_frame": "Ramme (kNOK)", "cost_total": "Plankostnad (kNOK)",
        "gap": "Gap (kNOK)", "measures_risk_adjusted": "Tiltak risikojustert (kNOK)", "unresolved": "Uløst (kNOK)",
        "fte_plan": "Årsverk i plan", "fte_needed_for_activity": "Årsverk aktiviteten krever",
        "cost_supplements": "Tillegg (kNOK)", "cost_cover": "Dekning (kNOK)", "division": "Divisjon",
        "units": "Enheter", "units_with_rota": "Med turnus i GAT", "units_with_activity_plan": "Med aktivitetsplan"}


@functools.lru_cache(maxsize=8)
def base_plan(source: str, year: int):
    """The plan of ``source`` for ``year`` priced with the shipped tariff, with the benchmark's peer medians."""
    from benchmark.plan import load_tariff, plan
    from benchmark.plan.benchmark_source import latest_benchmark
    from benchmark.views import load_source

    ds = load_source(source)
    res, _ = latest_benchmark(ds, None)
    return plan(ds, year, load_tariff(), benchmark=res)


def year_choices(source: str) -> list[str]:
    from benchmark.views import load_source

    ds = load_source(source)
    years = sorted({int(y) for y in ds.frames["year"]}) if ds.frames is not None else []
    return [str(y) for y in years] or [str(int(ds.months[-1][:4]) + 1)]


def repriced(pl, evening_night_rate: float, absence: float | None, vacation_weeks: float):
    """The plan with the app's assumptions (``absence`` None: each unit's own sick-leave rate)."""
    t = pl.tariff.with_supplement("evening_night", rate=evening_night_rate).with_cover(
        vacation_weeks=vacation_weeks, absence="unit" if absence is None else float(absence))
    return pl.reprice(t)


def entity_choices(pl, level: str, division: str | None = None, department: str | None = None) -> dict[str, str]:
    b = breakdown(pl)
    b = b[b["level"] == level]
    if division:
        b = b[b["division"] == division]
    if department and level == "unit":
        b = b[b["department"] == department]
    return dict(zip(b["entity_name"].astype(str), b["entity_id"].astype(str), strict=False))


def row_of(pl, level: str, entity_id: str) -> pd.Series:
    b = breakdown(pl)
    return b[(b["level"] == level) & (b["entity_id"] == entity_id)].iloc[0]


def drivers_view(pl, level: str, entity_id: str, top: int = 15) -> pd.DataFrame:
    """The units under an entity with the largest gaps (units without a frame last)."""
    b = breakdown(pl)
    u = b[b["level"] == "unit"]
    if level == "division":
        u = u[u["division"] == entity_id]
    elif level == "department":
        dept = b[(b["level"] == "department") & (b["entity_id"] == entity_id)]
        u = u[(u["division"] == dept["division"].iloc[0]) & (u["department"] == dept["department"].iloc[0])]
    else:
        u = u[u["entity_id"] == entity_id]
    u = u.sort_values("gap", ascending=False, na_position="last").head(top)
    u = u.assign(basis=u["basis"].map(lambda x: BASIS_NB.get(x, x)))
    cols = ["entity_name", "basis", "pay_frame", "cost_total", "gap", "measures_risk_adjusted", "unresolved",
            "fte_plan", "fte_needed_for_activity"]
    return u[cols].round(1).rename(columns=HEAD).reset_index(drop=True)


def indicators_view(pl) -> pd.DataFrame:
    return pl.indicators.rename(columns=HEAD)


def summary_line(row: pd.Series) -> str:
    from benchmark.explanation.numbers import number

    if pd.isna(row["pay_frame"]):
        return f"**{row['entity_name']}**: plankostnad {number(row['cost_total'])} kNOK; ingen ramme for året."
    word = "over" if row["gap"] > 0 else "under"
    return (f"**{row['entity_name']}**: plankostnad {number(row['cost_total'])} kNOK mot ramme "
            f"{number(row['pay_frame'])} kNOK — {number(abs(row['gap']))} kNOK {word} rammen; tiltak "
            f"(risikojustert) {number(row['measures_risk_adjusted'])} kNOK; uløst utfordring "
            f"**{number(row['unresolved'])} kNOK**.")


def formats(frame: pd.DataFrame) -> dict:
    """marimo ``format_mapping``: Norwegian numbers (14 000; 7,2) in every numeric column."""
    from benchmark.explanation.numbers import number

    out = {}
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(frame[col]):
            decimals = 1 if "Årsverk" in str(col) else 0
            out[col] = lambda x, d=decimals: number(x, d)
    return out
