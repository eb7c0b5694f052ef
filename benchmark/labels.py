"""Column headings and other table words in Norwegian and English (one table of words).

Used by the Excel workbook and the summary page; unknown keys fall back to the key itself, so a
new column still shows, under its English identifier.
"""

from __future__ import annotations

# funnel flags (SPEC §6 scores.csv ``flag``): their order, colours and words, one table for the
# charts, the workbook and the pages (here, not in :mod:`benchmark.charts`, so the workbook's
# writer does not import altair)
FLAG_ORDER = ["below_99.8", "below_95", "within", "above_95", "above_99.8"]
FLAG_COLOURS = ["#b35806", "#f1a340", "#b8bcc2", "#8e9fd1", "#2d3f8f"]
FLAG_LABELS = {
    "nb": {"below_99.8": "klart under (99,8 %)", "below_95": "under (95 %)", "within": "innenfor",
           "above_95": "over (95 %)", "above_99.8": "klart over (99,8 %)"},
    "en": {"below_99.8": "clearly below (99.8 %)", "below_95": "below (95 %)", "within": "within",
           "above_95": "above (95 %)", "above_99.8": "clearly above (99.8 %)"},
}

HEADINGS: dict[str, tuple[str, str]] = {
    # sheets
    "sheet_ranking": ("Rangering", "Ranking"), "sheet_scores": ("Kriterier per enhet", "Criteria per entity"),
    "sheet_measures": ("Tiltak", "Measures"), "sheet_trend": ("Utvikling", "Trend"),
    "sheet_criteria": ("Kriteriesett", "Criteria used"), "sheet_metadata": ("Om kjøringen", "About the run"),
    # common columns
    "period": ("Periode", "Period"), "level": ("Nivå", "Level"), "entity_id": ("Id", "Id"),
    "entity_name": ("Navn", "Name"), "peer_group": ("Sammenligningsgruppe", "Peer group"),
    "division": ("Divisjon", "Division"), "department": ("Avdeling/område", "Department"),
    "care_level": ("Omsorgsnivå", "Care level"),
    "composite": ("Samlet score", "Composite score"), "composite_se": ("Standardfeil score", "Score s.e."),
    "rank": ("Plass", "Rank"), "rank_low": ("Plass fra", "Rank from"), "rank_high": ("Plass til", "Rank to"),
    "peer_n": ("Antall i gruppen", "Entities in group"), "coverage": ("Dekning (vekter)", "Coverage (weights)"),
    "n_criteria": ("Antall kriterier", "Criteria"),
    "headcount": ("Ansatte (snitt i perioden)", "Employees (period average)"),
    # one potential (SPEC §5): the total in kNOK a year, and its two parts beside it
    "potential_fte": ("herav bemanning, årsverk", "of which staffing, FTE"), "potential_fte_low": ("Årsverk fra", "FTE from"),
    "potential_fte_high": ("Årsverk til", "FTE to"),
    "potential_knok": ("herav andre kostnader, kNOK/år", "of which other costs, kNOK/yr"),
    "potential_knok_low": ("kNOK fra", "kNOK from"), "potential_knok_high": ("kNOK til", "kNOK to"),
    "potential_total_knok": ("Forbedringspotensial i alt, kNOK/år", "Improvement potential in total, kNOK/yr"),
    "potential_rank": ("Plass etter potensial", "Potential rank"),
    "sensitivity_median_shift": ("Median flytting", "Median rank shift"),
    "sensitivity_max_shift": ("Største flytting", "Largest rank shift"),
    # scores
    "criterion": ("Kriterium", "Criterion"), "criterion_id": ("Kriterie-id", "Criterion id"), "criterion_name": ("Kriteriets navn", "Criterion name"), "value": ("Verdi", "Value"), "numerator": ("Teller", "Numerator"),
    "denominator": ("Nevner", "Denominator"), "target": ("Mål", "Target"), "z": ("z", "z"),
    "flag": ("Avvik", "Flag"), "shrunk": ("Justert verdi", "Shrunk value"), "percentile": ("Persentil", "Percentile"),
    "potential": ("Potensial", "Potential"), "potential_unit": ("Enhet for potensial", "Potential unit"),
    "potential_low": ("Potensial fra", "Potential from"), "potential_high": ("Potensial til", "Potential to"),
    "lower95": ("Nedre 95 %", "Lower 95 %"), "upper95": ("Øvre 95 %", "Upper 95 %"),
    "lower998": ("Nedre 99,8 %", "Lower 99.8 %"), "upper998": ("Øvre 99,8 %", "Upper 99.8 %"),
    "scored": ("Beregnet", "Scored"), "not_scored_reason": ("Ikke beregnet fordi", "Not scored because"),
    # measures
    "report_month": ("Rapportmåned", "Report month"), "n_measures": ("Antall tiltak", "Measures"),
    "effect_planned": ("Planlagt effekt", "Planned effect"), "effect_risk_adjusted": ("Risikojustert effekt", "Risk-adjusted effect"),
    "effect_expected_to_date": ("Forventet hittil", "Expected to date"),
    "effect_risk_adjusted_to_date": ("Risikojustert forventet hittil", "Risk-adjusted expected to date"),
    "effect_realised": ("Realisert", "Realised"), "realisation_vs_risk": ("Realisert mot risiko", "Realised vs risk"),
    "high_risk_share": ("Andel høy risiko", "High-risk share"),
    "n_delayed_or_not_started": ("Forsinket/ikke startet", "Delayed/not started"),
    "n_unknown_progress": ("Ukjent fremdrift", "Unknown progress"),
    "remaining_challenge": ("Restutfordring", "Remaining challenge"),
    "risk_adjusted_coverage": ("Risikojustert dekning", "Risk-adjusted coverage"),
    # trend
    "value_prev_period": ("Forrige periode", "Previous period"), "value_prev_year": ("Året før", "Year before"),
    "change_prev_period": ("Endring fra forrige periode", "Change from previous period"),
    "change_prev_year": ("Endring fra året før", "Change from year before"),
    "spc_signal": ("Signal (prosesskontroll)", "SPC signal"), "spc_rule": ("Regel", "Rule"),
    "spc_direction": ("Retning", "Direction"), "trend": ("Utvikling", "Trend"),
    "spc_chart": ("Kontrollkort", "Control chart"),
    # criteria sheet and metadata
    "name": ("Navn", "Name"), "description": ("Beskrivelse", "Description"), "formula": ("Formel", "Formula"),
    "direction": ("Retning", "Direction"), "weight": ("Vekt", "Weight"), "additive": ("Summeres", "Additive"),
    "higher_is_better": ("høyere er bedre", "higher is better"), "lower_is_better": ("lavere er bedre", "lower is better"),
    "key": ("Egenskap", "Item"), "value_col": ("Verdi", "Value"), "run_id": ("Kjøring", "Run"),
    "catalogue_version": ("Versjon av kriteriesett", "Catalogue version"),
    "catalogue_hash": ("Fingeravtrykk kriteriesett", "Catalogue hash"),
    "data_fingerprint": ("Fingeravtrykk data", "Data fingerprint"), "seed": ("Frø (seed)", "Seed"),
    "printing": ("Utskrift", "Printing"),
    "package_version": ("Programversjon", "Package version"), "started_at": ("Startet", "Started"),
    "data_source": ("Datakilde", "Data source"),
}


def heading(key: str, lang: str = "nb") -> str:
    pair = HEADINGS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "nb" else pair[1]


# Peer groups in words (issue 12): "inpatient:mental_health" → "døgnenheter i psykisk helsevern".
CARE_PLURAL: dict[str, tuple[str, str]] = {
    "inpatient": ("sengeposter", "inpatient wards"), "outpatient": ("poliklinikker", "outpatient clinics"),
    "day_treatment": ("dagbehandlingsenheter", "day-treatment units"), "surgery": ("operasjonsenheter", "theatres"),
    "emergency": ("akuttmottak", "emergency departments"), "prehospital": ("prehospitale enheter", "prehospital units"),
    "diagnostics": ("diagnostikkenheter", "diagnostic units"), "support": ("støtteenheter", "support units"),
}
# a ward outside somatics is a døgnenhet (døgnpost) in Norwegian usage
CARE_PLURAL_NON_SOMATIC = {"inpatient": ("døgnenheter", "inpatient units")}
SERVICE_AREA_WORDS: dict[str, tuple[str, str]] = {
    "somatic": ("somatikk", "somatic care"), "mental_health": ("psykisk helsevern", "mental health care"),
    "substance_abuse": ("TSB (rusbehandling)", "substance-abuse treatment"),
    "rehabilitation": ("rehabilitering", "rehabilitation"), "intensive": ("intensiv og overvåkning", "intensive care"),
}


def peer_group_label(group: str, lang: str = "nb", n: int | None = None) -> str:
    """A peer group in words, with its size in front when ``n`` is given.

    >>> peer_group_label("inpatient:mental_health")
    'døgnenheter i psykisk helsevern'
    >>> peer_group_label("inpatient:mental_health", n=9)
    '9 døgnenheter i psykisk helsevern'
    >>> peer_group_label("outpatient", "en", 12)
    '12 outpatient clinics'

    A label that is not care level[:service area] (a units.peer_group override) is quoted.
    """
    i = 0 if lang == "nb" else 1
    care, _, area = str(group).partition(":")
    prefix = "" if n is None else f"{n} "
    if care not in CARE_PLURAL:
        return prefix + (f"enheter i gruppen «{group}»" if i == 0 else f"entities in group '{group}'")
    if not area or area not in SERVICE_AREA_WORDS:
        return prefix + CARE_PLURAL[care][i]
    noun = (CARE_PLURAL_NON_SOMATIC.get(care, CARE_PLURAL[care]) if area != "somatic" else CARE_PLURAL[care])[i]
    return prefix + f"{noun} {'i' if i == 0 else 'in'} {SERVICE_AREA_WORDS[area][i]}"
