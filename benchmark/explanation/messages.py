"""Every word a leader reads, in bokmål and English, looked up by id.

Templates use ``str.format`` fields; numbers are formatted *before* they reach a template (by
:mod:`benchmark.explanation.numbers`) so a template never decides how a number looks. Keeping all
words here makes the two languages easy to review side by side and keeps the narrative code free
of prose.
"""

from __future__ import annotations

from benchmark.explanation.numbers import Lang

TEXT: dict[str, dict[str, str]] = {
    # headline -------------------------------------------------------------------------------
    "title": {
        "nb": "{name} – {period}",
        "en": "{name} – {period}",
    },
    "context": {
        "nb": "{level_word} i {division}. Sammenlignet med {peers}.",
        "en": "{level_word} in {division}. Compared with {peers}.",
    },
    "peer_fallback": {  # the unit's own group (care level × service area) was below [peers] min_size
        "nb": "Egen gruppe, {own}, har bare {n}, færre enn de {min_size} en sammenligningsgruppe trenger; "
        "enheten sammenlignes derfor med {target}.",
        "en": "Its own group, {own}, has only {n}, fewer than the {min_size} a peer group needs; the unit is "
        "therefore compared with {target}.",
    },
    "context_unscored": {  # no score this period: say which group it belongs to, not that it was compared
        "nb": "{level_word} i {division}. Hører til gruppen {peers}.",
        "en": "{level_word} in {division}. Belongs to the group of {peers}.",
    },
    "rank": {
        "nb": "Samlet score: {rank}. Intervallet viser hvilke plasser enheten med 95 % sikkerhet "
        "kan ha når tilfeldig variasjon tas med; enheter med overlappende intervaller kan ikke "
        "skilles fra hverandre.",
        "en": "Overall score: {rank}. The interval shows the places the unit may hold with 95 % "
        "confidence once chance variation is allowed for; units whose intervals overlap cannot be "
        "told apart.",
    },
    "rank_clear_top": {
        "nb": "Enheten er blant de beste i gruppen, også når usikkerheten tas med.",
        "en": "The unit is among the best in its group, even allowing for uncertainty.",
    },
    "rank_clear_bottom": {
        "nb": "Enheten ligger blant de svakeste i gruppen, også når usikkerheten tas med.",
        "en": "The unit is among the weakest in its group, even allowing for uncertainty.",
    },
    "rank_wide": {
        "nb": "Intervallet er bredt: rangeringen sier lite om denne enheten alene.",
        "en": "The interval is wide: the rank alone says little about this unit.",
    },
    "no_rank": {
        "nb": "Enheten har ingen samlet score denne perioden fordi ingen kriterier kunne beregnes.",
        "en": "The unit has no overall score this period because no criterion could be computed.",
    },
    "coverage": {
        "nb": "Scoren bygger på {n_scored} av {n_total} kriterier ({coverage} av vektene).",
        "en": "The score rests on {n_scored} of {n_total} criteria ({coverage} of the weights).",
    },
    # drivers --------------------------------------------------------------------------------
    "drivers_down": {
        "nb": "Det som trekker scoren ned (søylene mot venstre i figuren):",
        "en": "What pulls the score down (the bars to the left in the chart):",
    },
    "drivers_up": {
        "nb": "Det som trekker scoren opp (søylene mot høyre):",
        "en": "What pulls the score up (the bars to the right):",
    },
    "driver_line": {
        "nb": "{criterion}: {value} mot {target} ({target_word} for {peers}). {judgement}",
        "en": "{criterion}: {value} against {target} ({target_word} for {peers}). {judgement}",
    },
    "no_drivers_down": {
        "nb": "Ingen kriterier trekker scoren merkbart ned.",
        "en": "No criterion pulls the score down noticeably.",
    },
    # judgements (direction-aware; 'worse' only when outside the limits) ---------------------
    "within_better": {
        "nb": "Bedre enn målet, men innenfor normal variasjon.",
        "en": "Better than the target, but within normal variation.",
    },
    "within_worse": {
        "nb": "Svakere enn målet, men innenfor normal variasjon – ikke et tydelig avvik.",
        "en": "Worse than the target, but within normal variation – not a clear difference.",
    },
    "within_equal": {
        "nb": "På målet.",
        "en": "On target.",
    },
    "better_95": {
        "nb": "Bedre enn målet, utenfor normal variasjon (95 %-grensen).",
        "en": "Better than the target, beyond normal variation (95 % limit).",
    },
    "better_998": {
        "nb": "Bedre enn målet, klart utenfor normal variasjon (99,8 %-grensen).",
        "en": "Better than the target, clearly beyond normal variation (99.8 % limit).",
    },
    "worse_95": {
        "nb": "Svakere enn målet, utenfor normal variasjon (95 %-grensen).",
        "en": "Worse than the target, beyond normal variation (95 % limit).",
    },
    "worse_998": {
        "nb": "Svakere enn målet, klart utenfor normal variasjon (99,8 %-grensen).",
        "en": "Worse than the target, clearly beyond normal variation (99.8 % limit).",
    },
    # a fixed target and the peers' level on different sides of the value (judgement_text)
    "vs_target_better": {"nb": "Bedre enn målet", "en": "Better than the target"},
    "vs_target_worse": {"nb": "Svakere enn målet", "en": "Worse than the target"},
    "vs_target_equal": {"nb": "På målet", "en": "On target"},
    "vs_peers_better_95": {
        "nb": ", men bedre enn gruppens nivå{centre}, utenfor normal variasjon i gruppen (95 %-grensen).",
        "en": ", but better than the group's level{centre}, beyond normal variation in the group (95 % limit).",
    },
    "vs_peers_better_998": {
        "nb": ", men klart bedre enn gruppens nivå{centre}, klart utenfor normal variasjon i gruppen (99,8 %-grensen).",
        "en": ", but clearly better than the group's level{centre}, clearly beyond normal variation in the group "
        "(99.8 % limit).",
    },
    "vs_peers_worse_95": {
        "nb": ", men svakere enn gruppens nivå{centre}, utenfor normal variasjon i gruppen (95 %-grensen).",
        "en": ", but worse than the group's level{centre}, beyond normal variation in the group (95 % limit).",
    },
    "vs_peers_worse_998": {
        "nb": ", men klart svakere enn gruppens nivå{centre}, klart utenfor normal variasjon i gruppen "
        "(99,8 %-grensen).",
        "en": ", but clearly worse than the group's level{centre}, clearly beyond normal variation in the group "
        "(99.8 % limit).",
    },
    # potential ------------------------------------------------------------------------------
    "potential": {
        "nb": "Forbedringspotensial i alt: {total} per år – {parts}. Det forutsetter at enheten når målet for sin gruppe på "
        "{criteria}, med dagens aktivitet og bemanning; intervallet tar med usikkerheten i "
        "enhetens egne tall.",
        "en": "Improvement potential in total: {total} a year – {parts}. This assumes the unit reaches its group's target on "
        "{criteria}, at today's activity and staffing; the interval reflects the uncertainty in the "
        "unit's own figures.",
    },
    "potential_fte": {"nb": "bemanning {value} ({interval})", "en": "staffing {value} ({interval})"},
    "potential_knok": {"nb": "andre kostnader {value} per år ({interval})",
                       "en": "other costs {value} a year ({interval})"},
    "no_potential_data": {
        "nb": "Ingen forbedringspotensial er beregnet: ingen av kriteriene som gir potensial har tall for "
        "enheten i perioden.",
        "en": "No improvement potential is computed: none of the criteria that give a potential has figures "
        "for the unit in the period.",
    },
    "no_potential": {
        "nb": "Ingen beregnet forbedringspotensial: enheten er på eller bedre enn målet der "
        "potensial regnes.",
        "en": "No improvement potential computed: the unit is at or better than the target where "
        "potential is counted.",
    },
    # trend ----------------------------------------------------------------------------------
    "trend_line": {
        "nb": "{criterion} {moved} fra {prev} forrige periode til {value} nå – en {trend_word}, og "
        "månedstallene viser et signal i samme retning ({rule}).",
        "en": "{criterion} {moved} from {prev} in the previous period to {value} now – {trend_word}, and "
        "the monthly figures show a signal in the same direction ({rule}).",
    },
    "trend_none": {
        "nb": "Ingen tydelige endringer over tid (ingen signal i månedstallene i samme retning som endringen).",
        "en": "No clear changes over time (no signal in the monthly figures in the direction of the change).",
    },
    "trend_improving": {"nb": "bedring", "en": "an improvement"},
    "trend_deteriorating": {"nb": "forverring", "en": "a deterioration"},
    "above_average": {
        "nb": "Bidraget er likevel positivt: verdien er bedre enn snittet i gruppen.",
        "en": "Its contribution is still positive: the value is better than the group's average.",
    },
    "below_average": {
        "nb": "Bidraget er likevel negativt: verdien er svakere enn snittet i gruppen.",
        "en": "Its contribution is still negative: the value is worse than the group's average.",
    },
    "rose": {"nb": "økte", "en": "rose"},
    "fell": {"nb": "falt", "en": "fell"},
    "caveat_masked": {
        "nb": "{criterion}: {mask}.",
        "en": "{criterion}: {mask}.",
    },
    "trend_heading": {"nb": "Utvikling:", "en": "Trend:"},
    "improving": {"nb": "bedring", "en": "improvement"},
    "deteriorating": {"nb": "forverring", "en": "deterioration"},
    "stable": {"nb": "stabil", "en": "stable"},
    "rule_beyond_limits": {"nb": "et punkt utenfor kontrollgrensene", "en": "a point beyond the control limits"},
    "rule_run_of_7": {"nb": "7 måneder på rad på samme side av snittet", "en": "7 months in a row on one side of the mean"},
    "rule_trend_of_6": {"nb": "6 måneder på rad i samme retning", "en": "6 months in a row moving the same way"},
    "rule_trend_of_7": {"nb": "7 måneder på rad i samme retning", "en": "7 months in a row moving the same way"},
    "rule_two_of_three": {"nb": "2 av 3 måneder nær kontrollgrensen", "en": "2 of 3 months close to a control limit"},
    # measures -------------------------------------------------------------------------------
    "measures": {
        "nb": "Tiltak i {division} ({month}): realisert {realised} mot {expected} risikojustert "
        "forventet hittil i år ({ratio}). {high_risk} av planlagt effekt er vurdert som høy risiko.",
        "en": "Measures in {division} ({month}): {realised} realised against {expected} "
        "risk-adjusted expected to date ({ratio}). {high_risk} of the planned effect is rated high "
        "risk.",
    },
    "measures_coverage": {
        "nb": " Risikojustert dekker tiltakene {coverage} av restutfordringen på {challenge}.",
        "en": " Risk-adjusted, the measures cover {coverage} of the remaining challenge of {challenge}.",
    },
    "measures_delayed": {
        "nb": " {n} tiltak er forsinket eller ikke startet etter planlagt start.",
        "en": " {n} measures are delayed or not started after their planned start.",
    },
    # caveats --------------------------------------------------------------------------------
    "caveats_heading": {"nb": "Forbehold:", "en": "Caveats:"},
    "caveat_shrunk": {
        "nb": "{criterion}: usikkert tall (liten enhet eller store månedssvingninger), derfor trukket mot "
        "gruppens nivå ({raw} → {shrunk}) så tilfeldig variasjon ikke leses som god eller dårlig drift.",
        "en": "{criterion}: an uncertain figure (a small unit or large monthly swings), so pulled towards the "
        "group's level ({raw} → {shrunk}) so that chance is not read as good or poor performance.",
    },
    "caveat_not_scored": {
        "nb": "{criterion} er ikke beregnet: {reason}.",
        "en": "{criterion} is not scored: {reason}.",
    },
    "reason_below_min_size": {"nb": "for lite grunnlag (under minstestørrelsen)", "en": "too small a base (below the minimum size)"},
    "reason_zero_denominator": {"nb": "nevneren er null i perioden", "en": "the denominator is zero in the period"},
    "reason_no_activity_measure": {"nb": "omsorgsnivået har ikke et aktivitetsmål for dette kriteriet", "en": "the care level has no activity measure for this criterion"},
    "reason_no_data_in_window": {"nb": "ingen data i perioden", "en": "no data in the period"},
    "reason_missing_column": {"nb": "datagrunnlaget mangler kolonnen som trengs", "en": "the data lack the column it needs"},
    "reason_other": {"nb": "{code}", "en": "{code}"},
    # words ----------------------------------------------------------------------------------
    "level_unit": {"nb": "Enhet", "en": "Unit"},
    "level_department": {"nb": "Avdeling", "en": "Department"},
    "level_division": {"nb": "Divisjon", "en": "Division"},
    "target_median": {"nb": "median", "en": "median"},
    "target_upper_quartile": {"nb": "beste kvartil", "en": "better quartile"},
    "target_mean": {"nb": "gjennomsnitt", "en": "mean"},
    "target_fixed": {"nb": "fast mål", "en": "fixed target"},
    "peers_care_level": {"nb": "{n} {care_level}", "en": "{n} {care_level}"},
    "peers_group": {"nb": "{n} enheter i gruppen «{group}»", "en": "{n} entities in group '{group}'"},
    "and": {"nb": "og", "en": "and"},
}

CARE_LEVEL_PLURAL: dict[str, dict[str, str]] = {
    "inpatient": {"nb": "sengeposter", "en": "inpatient wards"},
    "outpatient": {"nb": "poliklinikker", "en": "outpatient clinics"},
    "day_treatment": {"nb": "dagbehandlingsenheter", "en": "day-treatment units"},
    "surgery": {"nb": "operasjonsenheter", "en": "theatres"},
    "emergency": {"nb": "akuttmottak", "en": "emergency departments"},
    "prehospital": {"nb": "prehospitale enheter", "en": "prehospital units"},
    "diagnostics": {"nb": "diagnostikkenheter", "en": "diagnostic units"},
    "support": {"nb": "støtteenheter", "en": "support units"},
}


def t(key: str, lang: Lang, **fields: object) -> str:
    """The text ``key`` in ``lang`` with ``fields`` filled in."""
    return TEXT[key][lang].format(**fields)
