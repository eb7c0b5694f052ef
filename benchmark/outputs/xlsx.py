"""``benchmark.xlsx``: the result tables as a controller wants to open them.

One sheet per table (ranking, criteria scores, measures, trend) plus the criteria used and the
run's metadata; headings in Norwegian (English with ``lang="en"``); frozen header row,
autofilter, column widths from the content; number formats — kNOK with thousands separators,
percentages with one decimal, FTE with one decimal — and flags coloured as in the charts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.charts import FLAG_COLOURS, FLAG_ORDER
from benchmark.labels import heading

KNOK = "#,##0"
PCT = "0.0%"
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
}
SHEETS = ("ranking", "scores", "measures", "trend")


def _sheet_frame(res, name: str) -> pd.DataFrame | None:
    frame = getattr(res, name, None)
    if frame is None or frame.empty:
        return None
    if name == "scores":
        keep = ["period", "level", "entity_id", "entity_name", "peer_group", "criterion", "value", "numerator",
                "denominator", "target", "z", "flag", "shrunk", "percentile", "potential", "potential_unit",
                "potential_low", "potential_high", "lower95", "upper95", "lower998", "upper998", "scored",
                "not_scored_reason", "division", "department"]
        return frame[[c for c in keep if c in frame]]
    return frame


def write_xlsx(res, path: str | Path, lang: str = "nb", metadata: dict | None = None) -> Path:
    path = Path(path)
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        book = writer.book
        head = book.add_format({"bold": True, "bg_color": "#e8edf4", "border": 1, "text_wrap": True, "valign": "top"})
        fmt = {k: book.add_format({"num_format": v}) for k, v in set(FORMATS.items())}
        flag_fmt = {f: book.add_format({"bg_color": c, "font_color": "#ffffff" if f.endswith("99.8") else "#000000"})
                    for f, c in zip(FLAG_ORDER, FLAG_COLOURS, strict=True)}
        for name in SHEETS:
            frame = _sheet_frame(res, name)
            if frame is None:
                continue
            _write_table(writer, frame, heading(f"sheet_{name}", lang), lang, head, fmt, flag_fmt)
        _write_criteria(writer, res, lang, head)
        _write_metadata(writer, res, lang, head, metadata or {})
    return path


def _write_table(writer, frame: pd.DataFrame, sheet: str, lang: str, head, fmt, flag_fmt) -> None:
    out = frame.replace([np.inf, -np.inf], np.nan)
    out.to_excel(writer, sheet_name=sheet, index=False, header=False, startrow=1)
    ws = writer.sheets[sheet]
    for j, col in enumerate(out.columns):
        label = heading(col, lang)
        ws.write(0, j, label, head)
        sample = out[col].astype(str).str.len().head(200)
        width = min(45, max(len(label) * 0.9, float(sample.max() if len(sample) else 8)) + 2)
        ws.set_column(j, j, width, fmt.get(col))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(out), len(out.columns) - 1)
    if "flag" in out.columns:
        j = list(out.columns).index("flag")
        for flag, f in flag_fmt.items():
            ws.conditional_format(1, j, len(out), j, {"type": "cell", "criteria": "==", "value": f'"{flag}"', "format": f})


def _write_criteria(writer, res, lang: str, head) -> None:
    rows = []
    for c in res.catalogue.criteria:
        rows.append({heading("criterion", lang): c.id, heading("name", lang): c.name[lang],
                     heading("description", lang): c.description[lang],
                     heading("formula", lang): f"({c.numerator.text}) / ({c.denominator.text})",
                     heading("direction", lang): heading(c.direction, lang),
                     heading("target", lang): str(c.target), heading("weight", lang): c.weight,
                     heading("potential_unit", lang): c.potential.unit,
                     heading("additive", lang): c.potential.additive})
    frame = pd.DataFrame(rows)
    sheet = heading("sheet_criteria", lang)
    frame.to_excel(writer, sheet_name=sheet, index=False, header=False, startrow=1)
    ws = writer.sheets[sheet]
    for j, col in enumerate(frame.columns):
        ws.write(0, j, col, head)
        ws.set_column(j, j, 60 if j in (2, 3) else 22)
    ws.freeze_panes(1, 0)


def _write_metadata(writer, res, lang: str, head, metadata: dict) -> None:
    items = {"period": res.period.label, "level": res.level, "catalogue_version": res.catalogue.version,
             "catalogue_hash": res.catalogue.hash(), "data_fingerprint": res.dataset_fingerprint, "seed": res.seed,
             **{k: v for k, v in metadata.items()}}
    frame = pd.DataFrame({heading("key", lang): [heading(k, lang) for k in items], heading("value_col", lang):
                          [str(v) for v in items.values()]})
    sheet = heading("sheet_metadata", lang)
    frame.to_excel(writer, sheet_name=sheet, index=False, header=False, startrow=1)
    ws = writer.sheets[sheet]
    ws.write(0, 0, frame.columns[0], head)
    ws.write(0, 1, frame.columns[1], head)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 70)
