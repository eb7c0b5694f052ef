"""``benchmark.xlsx``: the result tables as a controller wants to open them.

One sheet per output table (ranking, criteria scores, measures) plus the criteria used and the
run's metadata; headings in Norwegian (English with ``lang="en"``); frozen header row,
autofilter, column widths from the content; number formats — kNOK with thousands separators,
percentages with one decimal, FTE with one decimal — and flags coloured as in the charts.

Above :data:`~benchmark.outputs.workbook_summary.FULL_WORKBOOK_MAX_SCORES` criterion scores (a
national run) the per-entity scores sheet gives way to a summary per criterion and peer group and
a note sheet saying where every score is (scores.csv, parquet/, the run history); see
:mod:`benchmark.outputs.workbook_summary`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.explanation.messages import CARE_LEVEL_PLURAL
from benchmark.labels import FLAG_COLOURS, FLAG_LABELS, FLAG_ORDER, heading, peer_group_label
from benchmark.outputs.sheetdata import fill_sheets
from benchmark.outputs.workbook_summary import (
    criterion_summary,
    is_complete,
    note_frame,
    summary_heading,
)

KNOK = "#,##0"
PCT = "0.0 %"  # the space Norwegian writes before %: 7,2 % (a literal space in the format code)
FTE = "0.0"
DEC2 = "0.00"
DEC3 = "0.000"

FORMATS = {
    "potential_knok": KNOK, "potential_knok_low": KNOK, "potential_knok_high": KNOK, "potential_total_knok": KNOK,
    "potential_fte": FTE, "potential_fte_low": FTE, "potential_fte_high": FTE,
    "effect_planned": KNOK, "effect_risk_adjusted": KNOK, "effect_expected_to_date": KNOK,
    "effect_risk_adjusted_to_date": KNOK, "effect_realised": KNOK, "remaining_challenge": KNOK,
    "realisation_vs_risk": PCT, "high_risk_share": PCT, "risk_adjusted_coverage": PCT, "coverage": PCT,
    "composite": DEC2, "composite_se": DEC2, "z": DEC2, "z_adjusted": DEC2, "percentile": "0",
    "value": DEC3, "target": DEC3, "shrunk": DEC3, "numerator": "#,##0.0", "denominator": "#,##0.0",
    "potential": "#,##0.0", "potential_low": "#,##0.0", "potential_high": "#,##0.0",
    "lower95": DEC3, "upper95": DEC3, "lower998": DEC3, "upper998": DEC3,
    "rank": "0", "rank_low": "0", "rank_high": "0", "potential_rank": "0", "peer_n": "0",
    "sensitivity_median_shift": "0.0", "sensitivity_max_shift": "0", "headcount": "0",
}
# the columns of a criterion's value (value, target, shrunk, limits): shares shown as 7,2 %
VALUE_COLUMNS = ("value", "target", "shrunk", "lower95", "upper95", "lower998", "upper998", "value_p25", "value_p75")
SHEETS = ("ranking", "scores", "measures")  # the trend and sensitivity tables are in parquet/ and the store
SHEET_WORDS = {"summary": ("Kriterier per gruppe", "Criteria per group"), "note": ("Merknad", "Note")}


# What a controller reads first, on the left — and what a printed page holds: a sheet of 27
# columns printed one page wide is unreadable, so the print area is these columns (every column
# stays in the sheet, and the "Om kjøringen" sheet says so).
LEAD = {"ranking": ["entity_name", "entity_id", "peer_group", "rank", "rank_low", "rank_high", "composite",
                    "potential_total_knok", "potential_fte", "potential_knok", "potential_rank"],
        "scores": ["entity_name", "entity_id", "criterion", "criterion_name", "value", "target", "flag", "shrunk",
                   "potential", "potential_unit"]}


def _first(frame: pd.DataFrame, lead: list[str]) -> pd.DataFrame:
    """What a controller reads first on the left; period and level (constant) at the end."""
    head = [c for c in lead if c in frame]
    tail = [c for c in ("period", "level") if c in frame and c not in head]
    return frame[head + [c for c in frame.columns if c not in head and c not in tail] + tail]


def _sheet_frame(res, name: str) -> pd.DataFrame | None:
    if name == "summary":
        return criterion_summary(res.scores) if res.scores is not None and not res.scores.empty else None
    frame = getattr(res, name, None)
    if frame is None or frame.empty:
        return None
    if name == "ranking":
        return _first(frame, LEAD["ranking"])
    if name == "scores":
        keep = ["period", "level", "entity_id", "entity_name", "peer_group", "criterion", "value", "numerator",
                "denominator", "target", "z", "flag", "shrunk", "percentile", "potential", "potential_unit",
                "potential_low", "potential_high", "lower95", "upper95", "lower998", "upper998", "scored",
                "not_scored_reason", "division", "department"]
        return _first(frame[[c for c in keep if c in frame]], LEAD["scores"])
    return frame


TARGET_WORDS = {"nb": {"median": "median i gruppen", "upper_quartile": "beste kvartil i gruppen", "mean": "gjennomsnitt"},
                "en": {"median": "group median", "upper_quartile": "group's better quartile", "mean": "mean"}}
UNIT_WORDS = {"fte": {"nb": "årsverk", "en": "FTE"}, "knok": {"nb": "kNOK", "en": "kNOK"}}


def _readable(frame: pd.DataFrame, catalogue, lang: str) -> pd.DataFrame:
    """Codes a controller should not have to decode, in words: peer groups and care levels as the
    apps name them, flags as in the charts' legend, potential units; a criterion name beside its id.
    The csv and parquet files keep the codes (other tools read those)."""
    out = frame.copy()

    def words(col: str, mapping: dict[str, str]) -> None:
        if col in out:
            out[col] = out[col].map(mapping).fillna(out[col])  # a code without words stays as it is

    groups = {**{k: v[lang] for k, v in CARE_LEVEL_PLURAL.items()},
              "all": {"nb": "alle", "en": "all"}[lang], "mixed": {"nb": "blandet", "en": "mixed"}[lang]}
    if "peer_group" in out:  # care level × service area, as the explanations name it
        named = {g: peer_group_label(g, lang) for g in out["peer_group"].dropna().unique() if g not in groups}
        words("peer_group", {**groups, **named})
    words("care_level", groups)
    words("flag", FLAG_LABELS[lang])
    words("potential_unit", {k: v[lang] for k, v in UNIT_WORDS.items()})
    words("level", {"unit": {"nb": "enhet", "en": "unit"}[lang], "department": {"nb": "avdeling", "en": "department"}[lang],
                    "division": {"nb": "divisjon", "en": "division"}[lang]})
    if "scored" in out:
        out["scored"] = out["scored"].map({True: {"nb": "ja", "en": "yes"}[lang], False: {"nb": "nei", "en": "no"}[lang]})
    if "not_scored_reason" in out:
        from benchmark.explanation.messages import TEXT

        reason = out["not_scored_reason"].fillna("").astype(str)
        text = {r: (lambda c: TEXT[f"reason_{c}"][lang] if f"reason_{c}" in TEXT else c)(r.split(":")[0].strip())
                for r in pd.unique(reason)}
        out["not_scored_reason"] = reason.map(text)
    if "criterion" in out:
        names = {c.id: c.name[lang] for c in catalogue.criteria}
        out.insert(list(out.columns).index("criterion") + 1, "criterion_name", out["criterion"].map(names))
    return out


def write_xlsx(res, path: str | Path, lang: str = "nb", metadata: dict | None = None) -> Path:
    """Write the workbook: structure and styles by xlsxwriter, the large tables' rows in bulk.

    xlsxwriter spends ~5 µs of Python per cell, 10 s for the 2 million cells of a national run.
    So it writes each table sheet with its header and one sample row whose cells carry the column
    formats (widths, frozen header, autofilter, print titles, flag colours — everything but the
    data), and :mod:`benchmark.outputs.sheetdata` then puts every row in, column by column.
    """
    import xlsxwriter

    path = Path(path)
    skeleton = path.with_name(path.name + ".skeleton")
    book = xlsxwriter.Workbook(str(skeleton), {"constant_memory": True, "nan_inf_to_errors": False})
    tables: dict[str, pd.DataFrame] = {}
    try:
        head = book.add_format({"bold": True, "bg_color": "#e8edf4", "border": 1, "text_wrap": True,
                                "valign": "top"})
        fmt = {k: book.add_format({"num_format": v}) for k, v in set(FORMATS.items())}
        flag_fmt = {f: book.add_format({"bg_color": c, "font_color": "#ffffff" if f.endswith("99.8") else "#000000"})
                    for f, c in zip(FLAG_ORDER, FLAG_COLOURS, strict=True)}
        complete = is_complete(res.scores)
        if not complete:
            _write_frame(book, note_frame(res, lang), _sheet_name("note", lang), head, widths={0: 120}, wrap=True)
        for name in SHEETS if complete else ("ranking", "summary", "measures"):
            frame = _sheet_frame(res, name)
            if frame is not None:
                frame = _readable(frame, res.catalogue, lang)
                percent = [c.id for c in res.catalogue.criteria if c.value_format == "percent"]
                lead = [c for c in LEAD.get(name, []) if c in frame]
                printed = len(lead) if lead and list(frame.columns[:len(lead)]) == lead else None
                _write_table(book, frame, _sheet_name(name, lang), lang, head, fmt, flag_fmt,
                             percent_criteria=percent, pct=book.add_format({"num_format": PCT}),
                             print_columns=printed)
                tables[f"xl/worksheets/sheet{len(book.worksheets())}.xml"] = frame
        _write_frame(book, _criteria_frame(res, lang), heading("sheet_criteria", lang), head, widths={2: 60, 3: 60})
        meta = dict(metadata or {})
        sheets = {"nb": "Rangering og Kriterier per enhet" if complete else "Rangering",
                  "en": "Ranking and Criteria" if complete else "Ranking"}[lang]
        meta["printing"] = {"nb": f"{sheets} skrives ut med de viktigste kolonnene (én side bred); "
                                  "alle kolonnene finnes i arkene og i csv-filene.",
                            "en": f"{sheets} print their main columns (one page wide); "
                                  "every column is in the sheets and in the csv files."}[lang]
        if not complete:
            meta["workbook_content"] = {"nb": "rangering og sammendrag per kriterium (se Merknad)",
                                        "en": "ranking and summaries per criterion (see Note)"}[lang]
        _write_frame(book, _metadata_frame(res, lang, meta), heading("sheet_metadata", lang), head,
                     widths={0: 28, 1: 70})
    finally:
        book.close()
    try:
        fill_sheets(skeleton, path, tables)
    finally:
        skeleton.unlink(missing_ok=True)
    return path


def _sheet_name(name: str, lang: str) -> str:
    words = SHEET_WORDS.get(name)
    return heading(f"sheet_{name}", lang) if words is None else words[0 if lang == "nb" else 1]


def _cells(frame: pd.DataFrame):
    """Rows as Python values, NaN and ±inf as None (blank cells), numpy scalars as Python numbers."""
    data = frame.replace([np.inf, -np.inf], np.nan).astype(object)
    data = data.where(pd.notna(data), None)
    return data.itertuples(index=False, name=None)


def _write_table(book, frame: pd.DataFrame, sheet: str, lang: str, head, fmt, flag_fmt,
                 percent_criteria: list[str] | None = None, pct=None,
                 print_columns: int | None = None) -> None:
    """Header, layout and a sample row of column formats; :func:`fill_sheets` writes the data rows.

    Printing: A4 landscape, one page wide (as many pages tall as needed), the header on each page;
    ``print_columns`` limits the printed area to the first columns (the lead columns).
    A criterion measured as a share shows its value, target and limits as 7,2 % (a conditional
    number format on its rows), the others with three decimals."""
    ws = book.add_worksheet(sheet)
    labels = [summary_heading(c, lang) or heading(c, lang) for c in frame.columns] if "entities_scored" in frame \
        else [heading("criterion_id" if c == "criterion" else c, lang) for c in frame.columns]  # the code, beside its name
    # text one character in from the left edge: a right-aligned number and the text in the next
    # cell would otherwise touch ("0,5årsverk", "5,029innenfor"); numbers keep their alignment
    indented = book.add_format({"indent": 1})
    fmt = {**{col: indented for col in frame.columns if col not in fmt and _is_text(frame[col])}, **fmt}
    for j, col in enumerate(frame.columns):
        sample = frame[col].head(200).astype(str).str.len()
        width = min(45.0, max(len(labels[j]) * 0.9, float(sample.max() if len(sample) else 8)) + 2)
        ws.set_column(j, j, width + (1 if fmt.get(col) is indented else 0), fmt.get(col))
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(0)  # printed: the header row on every page
    ws.fit_to_pages(1, 0)  # one page wide
    if print_columns:
        ws.print_area(0, 0, max(len(frame), 1), print_columns - 1)
    ws.write_row(0, 0, labels, head)
    for j, col in enumerate(frame.columns):  # the sample row: a blank cell in each formatted column
        if col in fmt:
            ws.write_blank(1, j, None, fmt[col])
    ws.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    cols = list(frame.columns)
    if percent_criteria and "criterion" in cols and pct is not None:
        from xlsxwriter.utility import xl_col_to_name

        key = xl_col_to_name(cols.index("criterion"))
        test = ",".join(f'${key}2="{c}"' for c in percent_criteria)
        for col in VALUE_COLUMNS:
            if col in cols:
                j = cols.index(col)
                ws.conditional_format(1, j, max(len(frame), 1), j, {"type": "formula", "criteria": f"=OR({test})",
                                                                     "format": pct})
    if "flag" in frame.columns:
        j = list(frame.columns).index("flag")
        for flag, f in flag_fmt.items():
            ws.conditional_format(1, j, len(frame), j, {"type": "cell", "criteria": "==",
                                                          "value": f'"{FLAG_LABELS[lang][flag]}"', "format": f})


def _is_text(col: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)


def _write_frame(book, frame: pd.DataFrame, sheet: str, head, widths: dict[int, float], wrap: bool = False) -> None:
    ws = book.add_worksheet(sheet)
    wrapped = book.add_format({"text_wrap": True, "valign": "top"}) if wrap else None
    for j in range(len(frame.columns)):
        ws.set_column(j, j, widths.get(j, 22), wrapped)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)  # one page wide, as the table sheets
    ws.write_row(0, 0, list(frame.columns), head)
    for i, row in enumerate(_cells(frame), start=1):
        ws.write_row(i, 0, row)


def _criteria_frame(res, lang: str) -> pd.DataFrame:
    rows = []
    for c in res.catalogue.criteria:
        rows.append({heading("criterion_id", lang): c.id, heading("name", lang): c.name[lang],
                     heading("description", lang): c.description[lang],
                     heading("formula", lang): f"({c.numerator.text}) / ({c.denominator.text})",
                     heading("direction", lang): heading(c.direction, lang),
                     heading("target", lang): TARGET_WORDS[lang].get(str(c.target), str(c.target).replace(".", ",")
                                                                     if lang == "nb" else str(c.target)),
                     heading("weight", lang): c.weight,
                     heading("potential_unit", lang): UNIT_WORDS.get(c.potential.unit, {}).get(lang, "–"),
                     heading("additive", lang): {"nb": "ja", "en": "yes"}[lang] if c.potential.additive
                     else {"nb": "nei", "en": "no"}[lang]})
    return pd.DataFrame(rows)


def _metadata_frame(res, lang: str, metadata: dict) -> pd.DataFrame:
    level = {"nb": {"unit": "enhet", "department": "avdeling", "division": "divisjon"}}.get(lang, {})
    items = {"period": res.period.label, "level": level.get(res.level, res.level), "catalogue_version": res.catalogue.version,
             "catalogue_hash": res.catalogue.hash(), "data_fingerprint": res.dataset_fingerprint, "seed": res.seed,
             **dict(metadata)}
    return pd.DataFrame({heading("key", lang): [summary_heading(k, lang) or heading(k, lang) for k in items],
                         heading("value_col", lang): [str(v) for v in items.values()]})
