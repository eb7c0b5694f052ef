"""Words of the bed draft (nb/en): why a ward has the basis it has, and the plain explanation.

Every number goes through :mod:`benchmark.explanation.numbers`, the project's one formatter, so
Norwegian text reads "14 000", "7,2 %" and "0,95".
"""

from __future__ import annotations

import pandas as pd

from benchmark.beds.history import MIN_DAYS, MIN_MONTHS

TEXT = {
    "nb": {
        "no_daily_table": ("Datasettet har ingen tabell daily: variasjonsanalysen (ukedag, sesong, helligdager) "
                           "trenger daglig belegg. Utkastet under bygger på månedssnitt av liggedøgn og er "
                           "markert «månedssnitt»; det undervurderer variasjonen."),
        "short": ("{name}: daglig belegg bare fra {first} til {last} ({days} dager); utkastet trenger minst "
                  "to år ({min_days} dager) for å skille sesong fra trend."),
        "none_daily": "{name}: ingen daglig belegg.",
        "monthly_draft": " Gir utkast fra månedssnitt av liggedøgn ({months} måneder), markert som det.",
        "no_draft": " Heller ikke {min_months} måneder med liggedøgn ({months} finnes): ingen utkast.",
        "zero": "{name}: belegget er 0 hver dag i historikken; ingen prognose.",
        "gaps": "{name}: {missing} dager mangler i den daglige historikken (ikke fylt inn; modellen bruker dagene som finnes).",
        "explain": ("Med {beds} senger i uke {week} vil posten være full om lag {odds} dager "
                    "(forventet belegg {occupancy})."),
        "explain_closed": "Uke {week}: posten er stengt; pasientene legges på søsterpostene.",
        "odds": "1 av {n}",
        "odds_never": "nesten aldri",
        "odds_often": "{share} av",
    },
    "en": {
        "no_daily_table": ("The dataset has no daily table: the variation analysis (weekday, season, holidays) "
                           "needs a daily census. The draft below uses monthly means of bed_days and is "
                           "marked 'monthly mean'; it understates the variation."),
        "short": ("{name}: daily census only from {first} to {last} ({days} days); the draft needs at least "
                  "two years ({min_days} days) to tell the season from the trend."),
        "none_daily": "{name}: no daily census.",
        "monthly_draft": " Giving a draft from monthly means of bed_days ({months} months), marked as such.",
        "no_draft": " Nor {min_months} months of bed_days ({months} found): no draft.",
        "zero": "{name}: the census is 0 on every day of the history; no forecast.",
        "gaps": "{name}: {missing} days are missing from the daily history (not filled in; the model uses the days there are).",
        "explain": ("With {beds} beds in week {week} the ward will be full about {odds} days "
                    "(expected occupancy {occupancy})."),
        "explain_closed": "Week {week}: the ward is closed; its patients go to the sister wards.",
        "odds": "1 in {n}",
        "odds_never": "almost never",
        "odds_often": "{share} of",
    },
}


def status_messages(status: pd.DataFrame, names: pd.Series, has_daily_table: bool, lang: str = "nb") -> list[str]:
    """One sentence per ward that is not forecast from two years of daily census (and gaps)."""
    t = TEXT[lang]
    out = [t["no_daily_table"]] if not has_daily_table else []
    for _, row in status.iterrows():
        name = f"{names.get(row['unit_id'], row['unit_id'])} ({row['unit_id']})"
        if row["basis"] == "daily":
            if row["missing_days"] > 0:
                out.append(t["gaps"].format(name=name, missing=int(row["missing_days"])))
            continue
        if row.get("zero_census", False) and row["days"] >= MIN_DAYS:
            out.append(t["zero"].format(name=name))
            continue
        if not has_daily_table and row["basis"] == "monthly_mean":
            continue  # said once for all wards above
        if row["days"] > 0:
            text = t["short"].format(name=name, first=f"{row['first']:%Y-%m-%d}", last=f"{row['last']:%Y-%m-%d}",
                                     days=int(row["days"]), min_days=MIN_DAYS)
        else:
            text = t["none_daily"].format(name=name)
        if row["basis"] == "monthly_mean":
            text += t["monthly_draft"].format(months=int(row["months"]))
        else:
            text += t["no_draft"].format(months=int(row["months"]), min_months=MIN_MONTHS)
        out.append(text)
    return out


def odds_text(overflow_share: float, lang: str = "nb") -> str:
    """'1 av 20' for a share of full days of 0,05; 'nesten aldri' below 1 in 1000."""
    from benchmark.explanation import numbers as fmt

    t = TEXT[lang]
    if overflow_share < 0.001:
        return t["odds_never"]
    if overflow_share > 0.5:
        return t["odds_often"].format(share=fmt.percent(overflow_share, 0, lang))
    return t["odds"].format(n=fmt.number(1 / overflow_share, 0, lang))


def explain_week(row: pd.Series, lang: str = "nb") -> str:
    """The plain sentence for one bed_plan row (SPEC §12; issue 16 point 6)."""
    from benchmark.explanation import numbers as fmt

    t = TEXT[lang]
    week = int(str(row["week"])[-2:])
    if bool(row.get("closed", False)):
        return t["explain_closed"].format(week=week)
    share = 1 - float(row["service_level_expected"])
    return t["explain"].format(beds=fmt.number(row["beds_recommended"], 0, lang), week=week,
                               odds=odds_text(share, lang),
                               occupancy=fmt.percent(row["occupancy_expected"], 0, lang))
