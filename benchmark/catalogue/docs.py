"""The criteria catalogue as readable Markdown for leaders and management dialogues (nb / en).

For each criterion: what it measures, the formula in words (column names translated into the
words of the HR and finance exports), direction, target, peer group, period window, the data
columns it reads, and how a gap becomes improvement potential.
"""

from __future__ import annotations

import ast

from benchmark.catalogue.model import Catalogue, Criterion

COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "drg_points": ("DRG-poeng", "DRG points"), "outpatient_visits": ("polikliniske konsultasjoner", "outpatient visits"),
    "bed_days": ("liggedøgn", "bed days"), "admissions": ("opphold", "admissions"),
    "day_treatments": ("dagbehandlinger", "day treatments"), "operations": ("operasjoner", "operations"),
    "ambulance_missions": ("ambulanseoppdrag", "ambulance missions"), "examinations": ("undersøkelser", "examinations"),
    "beds": ("senger", "beds"), "fte_worked": ("utførte årsverk", "FTE worked"),
    "fte_contracted": ("avtalte årsverk", "contracted FTE"), "fte_planned": ("årsverk i bemanningsplanen", "FTE in the staffing plan"),
    "fte_budget": ("budsjetterte årsverk", "budgeted FTE"), "pay_fixed": ("fastlønn", "fixed pay"),
    "pay_overtime": ("overtid", "overtime"), "pay_extra_shifts": ("ekstravakter", "extra shifts"),
    "pay_shift_displacement": ("forskyvning", "shift displacement"), "pay_call_out": ("utrykning", "call-outs"),
    "pay_other_variable": ("annen variabel lønn", "other variable pay"), "agency_cost": ("innleie fra byrå", "agency hire"),
    "pay_budget": ("lønnsbudsjett", "pay budget"), "variable_pay_budget": ("budsjett variabel lønn", "variable pay budget"),
    "sick_leave_days": ("sykefraværsdagsverk", "sick-leave days"), "possible_days": ("mulige dagsverk", "possible days"),
    "leavers": ("sluttere", "leavers"), "headcount": ("antall ansatte", "headcount"),
    "cost_total": ("kostnader", "costs"), "cost_budget": ("kostnadsbudsjett", "cost budget"),
    "revenue": ("inntekter", "revenue"), "revenue_budget": ("inntektsbudsjett", "revenue budget"),
    "effect_realised": ("realisert effekt hittil i år", "effect realised to date"),
    "effect_risk_adjusted_to_date": ("risikojustert forventet effekt hittil i år", "risk-adjusted expected effect to date"),
    "effect_planned": ("planlagt effekt", "planned effect"),
}
CARE_WORDS = {
    "inpatient": ("sengeposter", "wards"), "outpatient": ("poliklinikker", "outpatient clinics"),
    "day_treatment": ("dagbehandling", "day treatment"), "surgery": ("operasjon", "theatres"),
    "emergency": ("akuttmottak", "emergency"), "prehospital": ("ambulanse", "ambulances"),
    "diagnostics": ("diagnostikk", "diagnostics"), "support": ("støtteenheter", "support units"),
}
L = {
    "nb": {"title": "Kriteriene", "version": "Versjon", "hash": "Fingeravtrykk", "measures": "Hva det måler",
           "why": "Hvorfor det betyr noe", "formula": "Formel i ord", "direction": "Retning",
           "higher_is_better": "høyere er bedre", "lower_is_better": "lavere er bedre", "target": "Mål",
           "median": "medianen i sammenligningsgruppen", "upper_quartile": "grensen til beste kvartil i gruppen",
           "mean": "gjennomsnittet i gruppen", "fixed": "fast verdi", "peers": "Sammenlignes med",
           "care_level": "enheter på samme omsorgsnivå", "all": "alle enheter på samme nivå",
           "window": "Periode", "period": "perioden som kjøres", "month": "siste måned i perioden",
           "quarter": "kvartalet", "year": "hittil i år", "rolling_12": "siste 12 måneder",
           "columns": "Data (kolonner)", "potential": "Forbedringspotensial", "weight": "Vekt i samlet score",
           "min": "Minstestørrelse (nevner)", "by_care": "Aktivitetsmål per omsorgsnivå", "not_scored": "måles ikke",
           "pot_fte": "Gapet til målet regnet om til årsverk", "pot_knok": "Gapet til målet regnet om til kroner per år",
           "pot_none": "Ingen potensial beregnes", "additive": "telles med i summen av potensialet",
           "not_additive": "telles ikke med i summen (overlapper med andre kriterier)",
           "risk": "Risikovurdering av tiltak: andel av planlagt effekt som ventes realisert",
           "low": "lav", "medium": "middels", "high": "høy", "divided_by": "delt på", "times": "ganger",
           "plus": "pluss", "minus": "minus", "summed": "Teller og nevner summeres over perioden før de deles."},
    "en": {"title": "The criteria", "version": "Version", "hash": "Fingerprint", "measures": "What it measures",
           "why": "Why it matters", "formula": "Formula in words", "direction": "Direction",
           "higher_is_better": "higher is better", "lower_is_better": "lower is better", "target": "Target",
           "median": "the peer group's median", "upper_quartile": "the better quartile boundary of the group",
           "mean": "the group's mean", "fixed": "fixed value", "peers": "Compared with",
           "care_level": "units of the same care level", "all": "all entities of the same level",
           "window": "Period", "period": "the period that is run", "month": "the period's last month",
           "quarter": "the quarter", "year": "year to date", "rolling_12": "the last 12 months",
           "columns": "Data (columns)", "potential": "Improvement potential", "weight": "Weight in the composite",
           "min": "Minimum size (denominator)", "by_care": "Activity measure per care level", "not_scored": "not measured",
           "pot_fte": "The gap to the target converted to FTE", "pot_knok": "The gap to the target converted to kroner a year",
           "pot_none": "No potential is computed", "additive": "counted in the total potential",
           "not_additive": "not counted in the total (overlaps other criteria)",
           "risk": "Risk assessment of measures: share of the planned effect expected to be realised",
           "low": "low", "medium": "medium", "high": "high", "divided_by": "divided by", "times": "times",
           "plus": "plus", "minus": "minus", "summed": "Numerator and denominator are summed over the period before dividing."},
}


def words(expr_text: str, lang: str) -> str:
    """``pay_overtime + pay_extra_shifts`` → ``overtid pluss ekstravakter``."""
    w = L[lang]
    ops = {ast.Add: w["plus"], ast.Sub: w["minus"], ast.Mult: w["times"], ast.Div: w["divided_by"]}

    def say(node, inside_product: bool = False) -> str:
        match node:
            case ast.Name(id=name):
                pair = COLUMN_WORDS.get(name)
                return pair[0 if lang == "nb" else 1] if pair else name
            case ast.Constant(value=v):
                return f"{v:g}"
            case ast.BinOp(left=a, op=op, right=b):
                product = type(op) in (ast.Mult, ast.Div)
                inner = f"{say(a, product)} {ops[type(op)]} {say(b, product)}"
                return f"({inner})" if inside_product and not product else inner
            case ast.UnaryOp(operand=x):
                return f"-{say(x, True)}"
        return ast.unparse(node)

    root = ast.parse(expr_text, mode="eval").body
    return say(root)


def _grouped(expr_text: str, lang: str) -> str:
    text = words(expr_text, lang)
    return f"({text})" if f" {L[lang]['plus']} " in text or f" {L[lang]['minus']} " in text else text


def _criterion(c: Criterion, lang: str) -> list[str]:
    w = L[lang]
    target = w.get(c.target, str(c.target)) if isinstance(c.target, str) else f"{w['fixed']} {c.target:g}"
    lines = [f"## {c.name[lang]} (`{c.id}`)", "", f"**{w['measures']}:** {c.description[lang]}", "",
             f"**{w['why']}:** {c.rationale[lang]}", "",
             f"**{w['formula']}:** {_grouped(c.numerator.text, lang)} {w['divided_by']} {_grouped(c.denominator.text, lang)}. "
             f"{w['summed']}", ""]
    if c.numerator_by_care_level:
        lines.append(f"**{w['by_care']}:**")
        lines.append("")
        for level, expr in c.numerator_by_care_level.items():
            label = CARE_WORDS.get(level, (level, level))[0 if lang == "nb" else 1]
            lines.append(f"- {label}: {words(expr.text, lang) if expr is not None else w['not_scored']}")
        lines.append("")
    pot = {"fte": w["pot_fte"], "knok": w["pot_knok"], "none": w["pot_none"]}[c.potential.unit]
    if c.potential.unit != "none":
        pot += f" ({w['additive'] if c.potential.additive else w['not_additive']})"
    lines += [
        f"- **{w['direction']}:** {w[c.direction]}",
        f"- **{w['target']}:** {target}",
        f"- **{w['peers']}:** {w.get(c.peer_group, c.peer_group)}",
        f"- **{w['window']}:** {w.get(c.window, c.window)}",
        f"- **{w['weight']}:** {c.weight:g}",
        f"- **{w['min']}:** {c.min_denominator:g}",
        f"- **{w['columns']}:** {', '.join(f'`{x}`' for x in sorted(c.columns()))}",
        f"- **{w['potential']}:** {pot}", "",
    ]
    return lines


def catalogue_markdown(cat: Catalogue, lang: str = "nb") -> str:
    """The whole catalogue as Markdown in ``lang``."""
    w = L[lang]
    title = cat.title.get(lang) if cat.title else None
    lines = [f"# {title or w['title']}", "", f"{w['version']}: **{cat.version}** · {w['hash']}: `{cat.hash()[:12]}`", ""]
    for c in cat.criteria:
        lines += _criterion(c, lang)
    probs = ", ".join(f"{w[k]} {v:.0%}".replace(".", ",") if lang == "nb" else f"{w[k]} {v:.0%}"
                      for k, v in cat.risk_probabilities.items())
    lines += [f"*{w['risk']}: {probs}.*", ""]
    return "\n".join(lines)
