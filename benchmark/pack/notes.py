"""Reading notes: plain-language sentences written from the very numbers the package prints.

Each sentence takes its figures from the :class:`~benchmark.pack.content.Part`'s 12-month figures,
monthly frame, unit flags and the masked ranking — the frames the tables are made of — and formats
them with the one number formatter, so a note and its table cannot disagree. A sensitive figure
that disclosure control withholds is not mentioned, nor anything derived from it.
"""

from __future__ import annotations

import math

from benchmark.explanation import numbers as fmt
from benchmark.pack.words import activity_word, month_label

DEFINITE = {  # the care level's units, definite plural ("sengepostene")
    "inpatient": ("sengepostene", "the inpatient wards"), "outpatient": ("poliklinikkene", "the outpatient clinics"),
    "day_treatment": ("dagbehandlingsenhetene", "the day-treatment units"),
    "surgery": ("operasjonsenhetene", "the theatres"), "emergency": ("akuttmottakene", "the emergency departments"),
    "prehospital": ("de prehospitale enhetene", "the prehospital units"),
    "diagnostics": ("diagnostikkenhetene", "the diagnostic units"), "support": ("støtteenhetene", "the support units"),
}


def _ok(x) -> bool:
    return x is not None and isinstance(x, int | float) and not math.isnan(float(x))


def _subject(part, lang: str, capital: bool = False) -> str:
    if len(part.units) == 1 and not part.flags.empty:
        return str(part.flags["entity_name"].iloc[0])
    if len(part.units) == 1:
        return part.name
    pair = DEFINITE.get(part.care_level, (part.name.lower(), part.name.lower()))
    text = pair[1] if lang == "en" else pair[0]
    return text[:1].upper() + text[1:] if capital else text


def _span(months: list[str], lang: str) -> str:
    return f"{month_label(months[0], lang)}–{month_label(months[-1], lang)}" if months else ""


def _share(x: float, lang: str) -> str:
    return fmt.percent(abs(x), 0 if abs(x) >= 0.01 else 1, lang)


def index_note(part, lang: str) -> str | None:
    last, prev = part.year["last"], part.year["prev"]
    idx = last.get("index")
    if not part.activity or not _ok(idx):
        return None
    act = part.activity
    span = _span(part.year["last_months"], lang)
    who = _subject(part, lang)
    diff = idx - 1
    if lang == "en":
        if abs(diff) < 0.005:
            text = f"Over the last 12 months ({span}) {who} delivered about as many {act} per FTE as comparable units"
        else:
            text = (f"Over the last 12 months ({span}) {who} delivered {_share(diff, lang)} "
                    f"{'fewer' if diff < 0 else 'more'} {act} per FTE than comparable units")
        text += f" (index {fmt.number(idx, 2, lang)})."
        if _ok(prev.get("index")):
            text += f" The 12 months before, the index was {fmt.number(prev['index'], 2, lang)}."
        return text
    if abs(diff) < 0.005:
        text = f"Siste 12 måneder ({span}) leverte {who} omtrent like mange {act} per årsverk som sammenlignbare enheter"
    else:
        text = (f"Siste 12 måneder ({span}) leverte {who} {_share(diff, lang)} {'færre' if diff < 0 else 'flere'} "
                f"{act} per årsverk enn sammenlignbare enheter")
    text += f" (indeks {fmt.number(idx, 2, lang)})."
    if _ok(prev.get("index")):
        text += f" De 12 månedene før var indeksen {fmt.number(prev['index'], 2, lang)}."
    return text


def funnel_note(part, period: str, lang: str) -> str | None:
    f = part.flags
    if f.empty:
        return None
    below = f[f["flag"].astype(str).str.startswith("below")]["entity_name"].astype(str).tolist()
    above = f[f["flag"].astype(str).str.startswith("above")]["entity_name"].astype(str).tolist()
    n = len(f)
    missing = len(part.units) - n
    if lang == "en":
        rest = f" ({missing} not assessed: too small to be scored)" if missing else ""
        if not below and not above:
            return (f"In {period} all {n} assessed units are within normal variation in activity per FTE{rest}."
                    if n > 1 else f"In {period} the unit is within normal variation in activity per FTE{rest}.")
        bits = []
        if below:
            bits.append(f"{len(below)} below the limits ({', '.join(below)})")
        if above:
            bits.append(f"{len(above)} above ({', '.join(above)})")
        return (f"In {period}, of {n} assessed units, " + " and ".join(bits)
                + f" in activity per FTE; the others are within{rest}.")
    rest = f" ({missing} er ikke vurdert: for liten til å få en verdi)" if missing else ""
    if not below and not above:
        return (f"I {period} ligger alle {n} vurderte enhetene innenfor normal variasjon i aktivitet per årsverk{rest}."
                if n > 1 else f"I {period} ligger enheten innenfor normal variasjon i aktivitet per årsverk{rest}.")
    bits = []
    if below:
        bits.append(f"{len(below)} under grensen for normal variasjon ({', '.join(below)})")
    if above:
        bits.append(f"{len(above)} over ({', '.join(above)})")
    return (f"I {period} ligger " + " og ".join(bits) + f" av {n} vurderte enheter i aktivitet per årsverk; "
            f"de øvrige er innenfor{rest}.")


def chppd_note(part, lang: str) -> str | None:
    last = part.year["last"]
    if part.care_level != "inpatient" or not _ok(last.get("chppd")):
        return None
    x, y = fmt.number(last["chppd"], 1, lang), fmt.number(last.get("peer_chppd"), 1, lang)
    if lang == "en":
        return f"Care hours per patient day were {x} over the last 12 months, against {y} for comparable wards."
    return f"Pleietimer per liggedøgn var {x} siste 12 måneder, mot {y} for sammenlignbare sengeposter."


def plan_note(part, lang: str) -> str | None:
    last = part.year["last"]
    worked, planned, diff = last.get("fte_worked_mean"), last.get("fte_planned_mean"), last.get("vs_plan_mean")
    if not (_ok(worked) and _ok(planned) and _ok(diff)) or planned <= 0:
        return None
    share = diff / planned
    budget, vp = last.get("fte_budget_mean"), last.get("variable_pay_vs_budget")
    if lang == "en":
        more = "more" if diff > 0 else "fewer"
        text = (f"Over the last 12 months {fmt.number(worked, 1, lang)} FTE were worked per month on average, "
                f"{fmt.number(abs(diff), 1, lang)} FTE ({_share(share, lang)}) {more} than the staffing plan "
                f"({fmt.number(planned, 1, lang)})")
        text += f"; the budget had {fmt.number(budget, 1, lang)} FTE." if _ok(budget) else "."
        if _ok(vp):
            text += f" Variable pay was {_share(vp, lang)} {'above' if vp > 0 else 'below'} its budget."
        return text
    more = "flere" if diff > 0 else "færre"
    text = (f"Siste 12 måneder ble det i snitt utført {fmt.number(worked, 1, lang)} årsverk per måned, "
            f"{fmt.number(abs(diff), 1, lang)} årsverk ({_share(share, lang)}) {more} enn bemanningsplanen "
            f"({fmt.number(planned, 1, lang)})")
    text += f"; budsjettet hadde {fmt.number(budget, 1, lang)} årsverk." if _ok(budget) else "."
    if _ok(vp):
        text += f" Variabel lønn var {_share(vp, lang)} {'over' if vp > 0 else 'under'} budsjettet."
    return text


def pay_note(part, d, lang: str) -> str | None:
    last, prev = part.year["last"], part.year["prev"]
    v, a = last.get("variable_pay_share"), last.get("agency_share")
    if not _ok(v):
        return None
    if lang == "en":
        text = f"Variable pay was {fmt.percent(v, 1, lang)} of pay"
        text += f" and agency {fmt.percent(a, 1, lang)} of pay including agency" if _ok(a) else ""
        text += " over the last 12 months"
        if _ok(prev.get("variable_pay_share")):
            text += f" (the year before {fmt.percent(prev['variable_pay_share'], 1, lang)}"
            text += f" and {fmt.percent(prev['agency_share'], 1, lang)})" if _ok(prev.get("agency_share")) else ")"
    else:
        text = f"Variabel lønn var {fmt.percent(v, 1, lang)} av lønnen"
        text += f" og innleie {fmt.percent(a, 1, lang)} av lønn med innleie" if _ok(a) else ""
        text += " siste 12 måneder"
        if _ok(prev.get("variable_pay_share")):
            text += f" (året før {fmt.percent(prev['variable_pay_share'], 1, lang)}"
            text += f" og {fmt.percent(prev['agency_share'], 1, lang)})" if _ok(prev.get("agency_share")) else ")"
    text += "."
    s = last.get("sick_leave_rate")
    if not d.total_allowed(part.units, "sick_leave_rate"):
        text += (" Sick leave is not shown for the care level as a whole, because the figures of at least one of "
                 "its units are suppressed (privacy)." if lang == "en" else
                 " Sykefravær vises ikke samlet for omsorgsnivået, fordi tallene for minst én av enhetene er "
                 "skjermet (personvern).")
    elif _ok(s):
        p = prev.get("sick_leave_rate")
        if lang == "en":
            text += f" Sick leave was {fmt.percent(s, 1, lang)}" + (f" (the year before {fmt.percent(p, 1, lang)})." if _ok(p) else ".")
        else:
            text += f" Sykefraværet var {fmt.percent(s, 1, lang)}" + (f" (året før {fmt.percent(p, 1, lang)})." if _ok(p) else ".")
    return text


def potential_note(part, res, lang: str) -> str | None:
    r = res.ranking.assign(entity_id=res.ranking["entity_id"].astype(str)).set_index("entity_id").reindex(list(part.units))
    f, k = r["potential_fte"].sum(min_count=1), r["potential_knok"].sum(min_count=1)
    if not _ok(f) and not _ok(k):
        return None
    if lang == "en":
        return (f"The improvement potential of the care level adds up to {fmt.number(f, 1, lang)} FTE and "
                f"{fmt.number(k, 0, lang)} kNOK a year (the sum over the units; see each unit's interval).")
    return (f"Forbedringspotensialet for omsorgsnivået er til sammen {fmt.number(f, 1, lang)} årsverk og "
            f"{fmt.number(k, 0, lang)} kNOK per år (summen over enhetene; se intervallet for hver enhet).")


def part_notes(part, d, lang: str) -> tuple[str, ...]:
    res = d.res
    notes = [index_note(part, lang), funnel_note(part, res.period.label, lang), chppd_note(part, lang),
             plan_note(part, lang), pay_note(part, d, lang), potential_note(part, res, lang)]
    return tuple(n for n in notes if n)


def measures_note(row: dict | None, lang: str) -> str | None:
    if not row:
        return None
    n, planned, ra = row.get("n_measures"), row.get("effect_planned"), row.get("effect_risk_adjusted")
    hr, real, rvr = row.get("high_risk_share"), row.get("effect_realised"), row.get("realisation_vs_risk")
    rc, cov = row.get("remaining_challenge"), row.get("risk_adjusted_coverage")
    if lang == "en":
        text = (f"The clinic's {fmt.number(n, 0, lang)} budget measures are planned at {fmt.number(planned, 0, lang)} kNOK "
                f"for the year, {fmt.number(ra, 0, lang)} kNOK risk-adjusted")
        text += f"; {fmt.percent(hr, 0, lang)} of the planned effect is high risk." if _ok(hr) else "."
        if _ok(real):
            text += f" Realised so far: {fmt.number(real, 0, lang)} kNOK"
            text += f", {fmt.percent(rvr, 0, lang)} of what was expected given the risk." if _ok(rvr) else "."
        if _ok(rc) and _ok(cov):
            text += (f" Risk-adjusted, the measures cover {fmt.percent(cov, 0, lang)} of the remaining challenge of "
                     f"{fmt.number(rc, 0, lang)} kNOK.")
        return text
    text = (f"Klinikkens {fmt.number(n, 0, lang)} budsjettiltak er planlagt til {fmt.number(planned, 0, lang)} kNOK i året, "
            f"{fmt.number(ra, 0, lang)} kNOK risikojustert")
    text += f"; {fmt.percent(hr, 0, lang)} av planlagt effekt har høy risiko." if _ok(hr) else "."
    if _ok(real):
        text += f" Realisert hittil: {fmt.number(real, 0, lang)} kNOK"
        text += f", {fmt.percent(rvr, 0, lang)} av det som var forventet etter risiko." if _ok(rvr) else "."
    if _ok(rc) and _ok(cov):
        text += (f" Risikojustert dekker tiltakene {fmt.percent(cov, 0, lang)} av restutfordringen på "
                 f"{fmt.number(rc, 0, lang)} kNOK.")
    return text


def gap_note(pkg, lang: str) -> str | None:
    t = pkg.gap
    if t is None:
        return None
    top = t.rows[t.rows["level_word"].isin(["klinikk", "clinic"])] if "level_word" in t.rows else t.rows.iloc[0:0]
    if top.empty:
        return None
    r = top.iloc[0]
    year = pkg.plan_year
    if lang == "en":
        text = (f"The staffing plans for {year} cost {fmt.number(r.get('cost_total'), 0, lang)} kNOK against a pay frame "
                f"of {fmt.number(r.get('pay_frame'), 0, lang)} kNOK (gap {fmt.number(r.get('gap'), 0, lang, signed=True)} kNOK)")
        if _ok(r.get("unresolved")):
            text += (f"; after the risk-adjusted measures ({fmt.number(r.get('measures_risk_adjusted'), 0, lang)} kNOK) "
                     f"{fmt.number(r.get('unresolved'), 0, lang)} kNOK is unresolved")
        return text + "."
    text = (f"Bemanningsplanene for {year} koster {fmt.number(r.get('cost_total'), 0, lang)} kNOK mot en lønnsramme på "
            f"{fmt.number(r.get('pay_frame'), 0, lang)} kNOK (gap {fmt.number(r.get('gap'), 0, lang, signed=True)} kNOK)")
    if _ok(r.get("unresolved")):
        text += (f"; etter risikojusterte tiltak ({fmt.number(r.get('measures_risk_adjusted'), 0, lang)} kNOK) er "
                 f"{fmt.number(r.get('unresolved'), 0, lang)} kNOK uløst")
    return text + "."


def clinic_notes(pkg, lang: str) -> tuple[str, ...]:
    """The clinic's first page: each care level's index sentence, the measures and the planning gap."""
    notes = [index_note(p, lang) for p in pkg.parts]
    notes += [measures_note(pkg.measures_row, lang), gap_note(pkg, lang)]
    return tuple(n for n in notes if n)


__all__ = ["part_notes", "clinic_notes", "activity_word"]
