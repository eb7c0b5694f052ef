"""The words of the analysis package, bokmål and English, in one table.

Kept apart from the numbers so a reviewer can read every sentence a clinic leader will see in one
place. Activity words name the monthly column a care level's activity is counted in (SPEC §3).
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "title": "Analysepakke", "subtitle": "Aktivitet og bemanning per omsorgsnivå",
        "division": "Klinikk/divisjon", "period": "Periode", "run": "Kjøring", "made": "Laget",
        "catalogue": "Kriteriesett", "window": "Månedene i pakken",
        "contents": "Innhold", "how_to_read": "Slik leser du pakken",
        "how_to_read_text": "Pakken har én del per omsorgsnivå i klinikken. Hver del brukes på tre måter: "
        "<b>evaluering</b> (året mot sammenlignbare enheter), <b>gjennomføring</b> (måned for måned mot plan) og "
        "<b>planlegging</b> (bemanningsbudsjett og sengeutkast for budsjettåret, når de finnes). "
        "«Sammenlignbare enheter» er enheter med samme omsorgsnivå (og tjenesteområde) i hele foretaket; "
        "medianen er den midterste enheten. Tallene er summert over månedene før de er delt "
        "(aktivitet per årsverk = sum aktivitet ÷ sum årsverk).",
        "overview": "Klinikken samlet", "overview_table": "Omsorgsnivåene siste 12 måneder",
        "care_level": "Omsorgsnivå", "units": "Enheter", "unit": "Enhet", "department": "Avdeling",
        "peer_group": "Sammenligningsgruppe",
        "evaluation": "Evaluering: året mot sammenlignbare enheter",
        "execution": "Gjennomføring: måned mot plan",
        "planning": "Planlegging",
        "monthly": "Aktivitet og årsverk måned for måned",
        "monthly_eval": "Evaluering: mot sammenlignbare enheter", "monthly_exec": "Gjennomføring: mot plan og budsjett",
        "month": "Måned", "activity": "Aktivitet", "fte_worked": "Utførte årsverk",
        "per_fte": "Aktivitet per årsverk", "peer_per_fte": "Median sammenlignbare",
        "index": "Indeks mot median", "index_short": "Indeks", "fte_planned": "Årsverk i bemanningsplan",
        "fte_budget": "Budsjetterte årsverk", "vs_plan": "Utført − plan",
        "activity_plan": "Planlagt aktivitet", "vs_activity_plan": "Aktivitet mot plan",
        "chppd": "Pleietimer per liggedøgn", "peer_chppd": "Median sammenlignbare (pleietimer)",
        "bed_days": "Liggedøgn",
        "weekday": "Ukedag", "weekday_profile": "Belegg og bemanning gjennom uka",
        "census": "Belegg (pasienter kl. 24)", "beds_open": "Driftede senger", "occupancy": "Beleggsprosent",
        "hours_per_patient": "Pleietimer per pasient ved jevn bemanning",
        "pay_section": "Variabel lønn, innleie og sykefravær",
        "variable_pay_share": "Andel variabel lønn", "variable_pay_vs_budget": "Variabel lønn mot budsjett", "agency_share": "Andel innleie",
        "sick_leave_rate": "Sykefravær", "variable_pay": "Variabel lønn (kNOK)", "agency": "Innleie (kNOK)",
        "units_table": "Enhetene: plassering, intervall og potensial",
        "value": "Aktivitet per årsverk", "target": "Median gruppen", "position": "Plassering i trakten",
        "rank": "Plass (intervall)", "potential_fte": "Potensial årsverk", "potential_fte_interval": "Årsverk fra–til",
        "potential_knok": "Potensial kNOK/år",
        "staffing": "Bemanningsplan mot utførte årsverk (snitt per måned i perioden)",
        "fte_contracted": "Avtalte årsverk", "worked_vs_plan": "Utført mot plan",
        "measures": "Klinikkens budsjettiltak mot risiko", "measures_none": "Ingen tiltak registrert for klinikken i kjøringen.",
        "effect_planned": "Planlagt effekt (kNOK)", "effect_risk_adjusted": "Risikojustert (kNOK)",
        "effect_realised": "Realisert hittil (kNOK)", "realisation_vs_risk": "Realisert mot risikojustert forventning",
        "high_risk_share": "Andel høy risiko", "remaining_challenge": "Restutfordring (kNOK)",
        "risk_adjusted_coverage": "Risikojustert dekning", "n_measures": "Antall tiltak",
        "n_delayed": "Forsinket/ikke startet",
        "whole_division": "Hele klinikken",
        "notes": "Lesenotater", "funnel": "Enhetene i trakten (aktivitet per årsverk i perioden)",
        "funnel_note": "Hver prikk er en sammenlignbar enhet; klinikkens enheter er blå (navngitt når de er få, ellers de "
        "som ligger utenfor grensene; alle står i tabellen under). Linjene er "
        "grensene for normal variasjon (95 % og 99,8 %) rundt medianen. Utenfor grensene er forskjellen "
        "større enn tilfeldig variasjon forklarer.",
        "chart_activity": "Aktivitet og årsverk per måned (indeks, gjennomsnittet av månedene = 100)",
        "chart_index": "Aktivitet per årsverk mot median for sammenlignbare enheter (1,00 = medianen)",
        "gap": "Bemanningsbudsjett mot ramme (fra plan-{year}/gap.csv)",
        "gap_level": "Nivå", "cost_total": "Plankostnad (kNOK)", "pay_frame": "Lønnsramme (kNOK)",
        "gap_col": "Gap (kNOK)", "measures_risk_adjusted": "Tiltak risikojustert (kNOK)",
        "unresolved": "Uløst utfordring (kNOK)", "fte_plan": "Årsverk i plan", "fte_frame": "Årsverk i ramme",
        "fte_needed": "Årsverk aktiviteten krever",
        "beds": "Utkast til sengekapasitet {year} (fra beds-{year}/bed_plan.csv)",
        "weeks": "Uker", "beds_recommended_mean": "Anbefalte senger (snitt)", "beds_recommended_range": "Anbefalt (min–maks)",
        "beds_current": "Senger i dag", "occupancy_expected": "Forventet belegg", "census_p95": "Belegg 95-persentil (maks uke)",
        "planning_none": "Bemanningsbudsjett og sengeutkast for {year} finnes ikke ennå ved siden av kjøringshistorikken "
        "(plan-{year}/gap.csv, beds-{year}/bed_plan.csv). Kjør «benchmark plan» og «benchmark beds» for budsjettåret.",
        "no_activity": "Omsorgsnivået måles ikke på aktivitet i kriteriesettet; bare årsverk og lønn vises.",
        "no_daily": "Daglige beleggstall (tabellen daily) finnes ikke i datasettet; ukeprofilen kan ikke vises.",
        "masked_note": "Sykefravær vises ikke for enheter med færre enn {n} ansatte, og ikke for en enhet til i samme "
        "gruppe når det ellers kunne regnes ut (personvern).",
        "masked_total_note": "Sykefravær: {mask} – vises ikke samlet for omsorgsnivået fordi minst én av "
        "enhetene er skjermet (personvern).",
        "analyst_note": "Analytikerversjon: skjermede verdier vises. Skal ikke deles med ledere.",
        "sum": "Sum", "total": "Totalt", "flagged": "utenfor",
        "source": "Kilde: kjøring {run} ({period}), data {source}.",
        "page": "Side", "units_of_level": "{n} enheter",
        "peer_index_12": "Indeks siste 12 mnd", "change_12": "Endring fra 12 mnd før",
        "activity_12": "Aktivitet siste 12 mnd", "fte_12": "Årsverk (snitt) siste 12 mnd",
        "weekday_note": "Snitt over dagene i de siste 12 månedene. Pleietimer per pasient regner med at årsverkene "
        "fordeles likt på alle dager; høyere tall i helgene betyr færre pasienter per vakt hvis bemanningen ikke "
        "senkes.",
        "activity_unit": "Aktivitetsmål", "index_prev": "Indeks 12 mnd før",
        "dataset_problem": "Deler av pakken mangler fordi {why} (liggedøgn, budsjetterte årsverk, aktivitetsplan, "
        "daglig belegg og antall ansatte leses derfra). Personvernet bruker da antall ansatte lagret med kjøringen, og "
        "skjermer alle enheter der det mangler. Kjør «benchmark run» på nytt for å få dem med.",
        "ds_none": "kjøringen ikke har lagret datakilden", "ds_missing": "datakilden {source} finnes ikke lenger",
        "ds_invalid": "datakilden {source} ikke lenger er gyldig", "ds_changed": "datakilden {source} er endret etter kjøringen",
    },
    "en": {
        "title": "Analysis package", "subtitle": "Activity and staffing per care level",
        "division": "Clinic/division", "period": "Period", "run": "Run", "made": "Made",
        "catalogue": "Criteria set", "window": "Months in the package",
        "contents": "Contents", "how_to_read": "How to read the package",
        "how_to_read_text": "The package has one part per care level of the clinic. Each part is used three ways: "
        "<b>evaluation</b> (the year against comparable units), <b>execution</b> (month by month against plan) and "
        "<b>planning</b> (staffing budget and bed draft for the budget year, when they exist). "
        "\"Comparable units\" are units of the same care level (and service area) across the trust; the median "
        "is the middle unit. Figures are summed over the months before dividing "
        "(activity per FTE = total activity ÷ total FTE).",
        "overview": "The clinic as a whole", "overview_table": "The care levels over the last 12 months",
        "care_level": "Care level", "units": "Units", "unit": "Unit", "department": "Department",
        "peer_group": "Peer group",
        "evaluation": "Evaluation: the year against comparable units",
        "execution": "Execution: month against plan",
        "planning": "Planning",
        "monthly": "Activity and FTE month by month",
        "monthly_eval": "Evaluation: against comparable units", "monthly_exec": "Execution: against plan and budget",
        "month": "Month", "activity": "Activity", "fte_worked": "FTE worked",
        "per_fte": "Activity per FTE", "peer_per_fte": "Median of comparable units",
        "index": "Index against median", "index_short": "Index", "fte_planned": "FTE in staffing plan",
        "fte_budget": "Budgeted FTE", "vs_plan": "Worked − plan",
        "activity_plan": "Planned activity", "vs_activity_plan": "Activity against plan",
        "chppd": "Care hours per patient day", "peer_chppd": "Median of comparable units (hours)",
        "bed_days": "Bed days",
        "weekday": "Weekday", "weekday_profile": "Census and staffing through the week",
        "census": "Census (patients at midnight)", "beds_open": "Staffed beds", "occupancy": "Occupancy",
        "hours_per_patient": "Care hours per patient if staffing is even",
        "pay_section": "Variable pay, agency and sick leave",
        "variable_pay_share": "Variable pay share", "variable_pay_vs_budget": "Variable pay against budget", "agency_share": "Agency share",
        "sick_leave_rate": "Sick leave", "variable_pay": "Variable pay (kNOK)", "agency": "Agency (kNOK)",
        "units_table": "The units: position, interval and potential",
        "value": "Activity per FTE", "target": "Group median", "position": "Position in the funnel",
        "rank": "Rank (interval)", "potential_fte": "Potential FTE", "potential_fte_interval": "FTE from–to",
        "potential_knok": "Potential kNOK/yr",
        "staffing": "Staffing plan against FTE worked (mean per month in the period)",
        "fte_contracted": "Contracted FTE", "worked_vs_plan": "Worked against plan",
        "measures": "The clinic's budget measures against risk", "measures_none": "No measures recorded for the clinic in the run.",
        "effect_planned": "Planned effect (kNOK)", "effect_risk_adjusted": "Risk-adjusted (kNOK)",
        "effect_realised": "Realised to date (kNOK)", "realisation_vs_risk": "Realised against risk-adjusted expectation",
        "high_risk_share": "High-risk share", "remaining_challenge": "Remaining challenge (kNOK)",
        "risk_adjusted_coverage": "Risk-adjusted coverage", "n_measures": "Measures",
        "n_delayed": "Delayed/not started",
        "whole_division": "Whole clinic",
        "notes": "Reading notes", "funnel": "The units in the funnel (activity per FTE in the period)",
        "funnel_note": "Each dot is a comparable unit; the clinic's units are blue (named when they are few, else those "
        "outside the limits; all are in the table below). The lines are the limits "
        "of normal variation (95 % and 99.8 %) around the median. Outside them the difference is larger than "
        "chance explains.",
        "chart_activity": "Activity and FTE per month (index, mean of the months = 100)",
        "chart_index": "Activity per FTE against the median of comparable units (1.00 = the median)",
        "gap": "Staffing budget against the frame (from plan-{year}/gap.csv)",
        "gap_level": "Level", "cost_total": "Plan cost (kNOK)", "pay_frame": "Pay frame (kNOK)",
        "gap_col": "Gap (kNOK)", "measures_risk_adjusted": "Measures risk-adjusted (kNOK)",
        "unresolved": "Unresolved (kNOK)", "fte_plan": "FTE in plan", "fte_frame": "FTE in frame",
        "fte_needed": "FTE the activity needs",
        "beds": "Bed-capacity draft {year} (from beds-{year}/bed_plan.csv)",
        "weeks": "Weeks", "beds_recommended_mean": "Recommended beds (mean)", "beds_recommended_range": "Recommended (min–max)",
        "beds_current": "Beds today", "occupancy_expected": "Expected occupancy", "census_p95": "Census 95th percentile (max week)",
        "planning_none": "No staffing budget or bed draft for {year} next to the run history yet "
        "(plan-{year}/gap.csv, beds-{year}/bed_plan.csv). Run \"benchmark plan\" and \"benchmark beds\" for the budget year.",
        "no_activity": "The care level is not measured on activity in the criteria set; only FTE and pay are shown.",
        "no_daily": "Daily census (the daily table) is not in the dataset; the weekday profile cannot be shown.",
        "masked_note": "Sick leave is not shown for units with fewer than {n} employees, nor for one more unit of the "
        "same group where it could otherwise be worked out (privacy).",
        "masked_total_note": "Sick leave: {mask} – not shown for the care level as a whole because at least one "
        "of its units is suppressed (privacy).",
        "analyst_note": "Analyst version: suppressed values are shown. Not to be shared with leaders.",
        "sum": "Total", "total": "Total", "flagged": "outside",
        "source": "Source: run {run} ({period}), data {source}.",
        "page": "Page", "units_of_level": "{n} units",
        "peer_index_12": "Index last 12 months", "change_12": "Change from 12 months before",
        "activity_12": "Activity last 12 months", "fte_12": "FTE (mean) last 12 months",
        "weekday_note": "Mean over the days of the last 12 months. Care hours per patient assume the FTE are spread "
        "evenly over all days; higher figures at weekends mean fewer patients per shift unless staffing is lowered.",
        "activity_unit": "Activity measure", "index_prev": "Index 12 months before",
        "dataset_problem": "Parts of the package are missing because {why} (bed days, budgeted FTE, the activity plan, "
        "daily census and headcount are read from it). Disclosure control then uses the headcount recorded with the "
        "run and suppresses every unit where it is missing. Run \"benchmark run\" again to include them.",
        "ds_none": "the run did not record its data source", "ds_missing": "the data source {source} is no longer there",
        "ds_invalid": "the data source {source} no longer passes validation", "ds_changed": "the data source {source} has changed since the run",
    },
}

ACTIVITY = {  # the monthly activity columns (SPEC §3) in words
    "drg_points": ("DRG-poeng", "DRG points"), "outpatient_visits": ("konsultasjoner", "outpatient visits"),
    "bed_days": ("liggedøgn", "bed days"), "admissions": ("opphold", "admissions"),
    "day_treatments": ("dagbehandlinger", "day treatments"), "operations": ("operasjoner", "operations"),
    "ambulance_missions": ("oppdrag", "ambulance missions"), "examinations": ("undersøkelser", "examinations"),
}

WEEKDAYS = {"nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}

MONTHS = {"nb": ("jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des."),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def w(key: str, lang: str, **fields: object) -> str:
    """The word or sentence ``key`` in ``lang`` with ``fields`` filled in."""
    text = WORDS["en" if lang == "en" else "nb"][key]
    return text.format(**fields) if fields else text


def activity_word(column: str, lang: str) -> str:
    """``drg_points`` → "DRG-poeng"; several measures (``bed_days + drg_points``) joined by "og"/"and"."""
    words = []
    for part in column.split(" + "):
        pair = ACTIVITY.get(part.strip())
        words.append(part.strip() if pair is None else (pair[1] if lang == "en" else pair[0]))
    return (" and " if lang == "en" else " og ").join(w for w in words if w)


def month_label(month: str, lang: str) -> str:
    """``2025-09`` → ``sep. 2025`` / ``Sep 2025``."""
    year, m = month.split("-")
    return f"{MONTHS['en' if lang == 'en' else 'nb'][int(m) - 1]} {year}"
