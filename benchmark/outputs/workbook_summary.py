"""What ``benchmark.xlsx`` holds above :data:`FULL_WORKBOOK_MAX_SCORES` score rows, and why.

A national run has 90 000 criterion scores (10 000 units × 9 criteria). A workbook with every one
of them takes longer to write than the rest of the run (SPEC §9 allows 2 s for all outputs) and is
slow to open and filter in Excel; nobody reads 90 000 rows in a spreadsheet. Above the threshold
the workbook therefore holds the full ranking (one row per entity), a summary per criterion and
peer group (:func:`criterion_summary`), the measures, the criteria and the run's metadata — and a
note sheet saying that every entity's criterion scores are in ``scores.csv``,
``parquet/scores.parquet`` and the run history. At or below the threshold (a trust, a region) the
workbook is complete as before, with the "criteria per entity" sheet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmark.labels import FLAG_LABELS, FLAG_ORDER

# 50 000 score rows ≈ 5 500 units at the default catalogue's 9 criteria (more than a regional
# health authority), written in about 1 s; above it the workbook holds the summaries instead
FULL_WORKBOOK_MAX_SCORES = 50_000

SUMMARY_HEADINGS = {
    "entities_scored": ("Enheter med verdi", "Entities scored"),
    "not_scored": ("Ikke beregnet", "Not scored"),
    "value_p25": ("Verdi, nedre kvartil", "Value, lower quartile"),
    "value": ("Verdi, median", "Value, median"),
    "value_p75": ("Verdi, øvre kvartil", "Value, upper quartile"),
    "target": ("Mål (median i gruppen)", "Target (group median)"),
    "potential": ("Potensial i alt", "Potential in total"),
    "potential_unit": ("Enhet for potensial", "Potential unit"),
    "workbook_content": ("Innhold i arbeidsboken", "Workbook content"),
    **{f"flag_{f}": (f"Antall {FLAG_LABELS['nb'][f]}", f"Number {FLAG_LABELS['en'][f]}") for f in FLAG_ORDER},
}

NOTE = {
    "nb": ("Arbeidsboken har rangeringen av alle {entities} og et sammendrag per kriterium og "
           "sammenligningsgruppe. Kriterieverdiene for hver enhet ({rows} rader) står ikke her, fordi "
           "en så stor arbeidsbok er treg å skrive og å åpne i Excel: de står i scores.csv og "
           "parquet/scores.parquet i samme mappe, og i kjøringshistorikken (benchmark explain, appene). "
           "Med høyst {limit} kriterieverdier har arbeidsboken alle."),
    "en": ("The workbook has the ranking of all {entities} and a summary per criterion and peer group. "
           "The criterion scores of each entity ({rows} rows) are not here, because a workbook that large is "
           "slow to write and to open in Excel: they are in scores.csv and parquet/scores.parquet in the same "
           "folder, and in the run history (benchmark explain, the apps). With at most {limit} criterion "
           "scores the workbook holds them all."),
}


def summary_heading(key: str, lang: str) -> str | None:
    pair = SUMMARY_HEADINGS.get(key)
    return None if pair is None else pair[0 if lang == "nb" else 1]


def is_complete(scores: pd.DataFrame | None) -> bool:
    """Does the workbook hold every criterion score (at most the threshold's rows)?"""
    return scores is None or len(scores) <= FULL_WORKBOOK_MAX_SCORES


def criterion_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per criterion and peer group: entities scored and not, the count of each funnel
    flag, the quartiles of the value, the group's target and the potential summed (the same
    numbers a controller would get with a pivot table on ``scores.csv``)."""
    s = scores
    scored = s["scored"].astype(bool) if "scored" in s else pd.Series(True, index=s.index)
    keys = ["criterion", "peer_group"]
    order = pd.unique(s["criterion"])  # the catalogue's order, as in scores.csv
    grouped = s[scored].groupby(keys, sort=False, observed=True)
    out = grouped.size().rename("entities_scored").to_frame()
    out["not_scored"] = s[~scored].groupby(keys, sort=False, observed=True).size().reindex(out.index).fillna(0)
    flags = pd.crosstab([s.loc[scored, "criterion"], s.loc[scored, "peer_group"]], s.loc[scored, "flag"])
    for f in FLAG_ORDER:
        out[f"flag_{f}"] = flags[f].reindex(out.index).fillna(0) if f in flags else 0
    value = grouped["value"]
    out["value_p25"], out["value"], out["value_p75"] = value.quantile(0.25), value.median(), value.quantile(0.75)
    out["target"] = grouped["target"].median()
    out["potential"] = grouped["potential"].sum(min_count=1) if "potential" in s else np.nan
    out["potential_unit"] = grouped["potential_unit"].first() if "potential_unit" in s else ""
    out = out.reset_index()
    counts = [c for c in out.columns if c == "not_scored" or c.startswith("flag_") or c == "entities_scored"]
    out[counts] = out[counts].astype("int64")
    rank = {c: i for i, c in enumerate(order)}
    out = out.sort_values(["criterion", "peer_group"], key=lambda c: c.map(rank) if c.name == "criterion" else c,
                          kind="stable")
    return out.reset_index(drop=True)


def note_frame(res, lang: str) -> pd.DataFrame:
    """The note sheet: why the per-entity scores are not in this workbook and where they are."""
    from benchmark.explanation.numbers import number

    entities = {"nb": f"{number(len(res.ranking), 0, 'nb')} enhetene", "en": f"{number(len(res.ranking), 0, 'en')} entities"}
    text = NOTE[lang].format(entities=entities[lang], rows=number(len(res.scores), 0, lang),
                             limit=number(FULL_WORKBOOK_MAX_SCORES, 0, lang))
    head = {"nb": "Merknad", "en": "Note"}[lang]
    return pd.DataFrame({head: [text]})
