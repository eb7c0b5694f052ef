"""Import a division's "Status tiltak - budsjett ÅÅÅÅ" sheet (xlsx, or ``;`` CSV in UTF-8 or
Windows-1252) into the ``measures`` table of the data contract.

The sheets look like the tables of seed 004: title rows ("Status tiltak - budsjett 2024 Måned: Per
mars", "Divisjon Elverum - Hamar"), a header row whose cells may hold line breaks ("Planlagt
\\nnedtak \\nårsverk", "Innslagstids-\\npunkt", "Virkning 2024 \\n(1000 kr)"; the seed even spells
"Beskivelse"), section rows "Inntektsøkende tiltak" / "Kostnadsreduserende tiltak" that give each
measure its ``kind``, measure rows, and sum rows ("Sum inntektsøkende tiltak", "Sum
kostnadsreduserende tiltak", "Sum tiltak" with total FTE and effect). Numbers are Norwegian
(``2 700``, ``-0,8``; ``-`` for an empty sum).

Every declared sum is checked against the rows it covers; a mismatch is an error naming the sheet
row, the declared and the computed value. Rows without progress become ``unknown`` (warning);
starts given as text ("andre halvår", "senere i året") are mapped to a month
(:data:`benchmark.measures.realisation.TEXT_STARTS`) and flagged imprecise (warning).

Measure ids are stable across the monthly reports of the same sheet: ``M`` + the first 10 hex digits
of sha1(division | department | description | kind | risk | start | n), where n counts identical
rows above — not of progress or effects, which change from month to month.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.dataset.numbers import parse_numbers
from benchmark.dataset.read import decode
from benchmark.issues import DataError, Issue, errors
from benchmark.measures.realisation import start_month
from benchmark.periods import is_month
from benchmark.vocabulary import Progress, Risk, Status, normalise

HEADERS = {
    "department": ("område/avdeling", "område / avdeling", "område", "avdeling"),
    "description": ("beskrivelse", "beskivelse", "tiltak"),
    "progress": ("fremdrift",),
    "fte_reduction_planned": ("planlagt nedtak årsverk", "planlagt nedtak", "nedtak årsverk"),
    "start": ("innslagstidspunkt", "innslagstids punkt"),
    "effect_planned": ("virkning",),
    "risk": ("risikovurdering", "risiko"),
    "status": ("status",),
    "effect_realised": ("realisert", "realisert effekt"),
}
SECTIONS = {"inntektsøkende tiltak": "income", "kostnadsreduserende tiltak": "cost"}
KNOK_TOLERANCE, FTE_TOLERANCE = 0.5, 0.05


def _norm(text: object) -> str:
    t = "" if text is None else str(text)
    t = re.sub(r"-\s*\n\s*", "", t)  # "Innslagstids-\npunkt" → "Innslagstidspunkt"
    return re.sub(r"\s+", " ", t).strip().lower()


def _rows(path: Path) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        sheet = load_workbook(path, data_only=True, read_only=True).active
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    text, _ = decode(path.read_bytes())
    sep = ";" if text.count(";") >= text.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=sep)]


def _header(rows: list[list[object]], source: str) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(rows):
        cells = [_norm(c) for c in row]
        if any(c.startswith("fremdrift") for c in cells) and any(c.startswith("virkning") for c in cells):
            found: dict[str, int] = {}
            for j, cell in enumerate(cells):
                for field, names in HEADERS.items():
                    if field not in found and any(cell == n or cell.startswith(n) for n in names):
                        found[field] = j
                        break
            return i, found
    raise DataError(issues=[Issue(source, "no_header", "no header row with 'Fremdrift' and 'Virkning' was found",
                                  hint="Is this a 'Status tiltak' sheet?")])


def _number(value: object) -> tuple[float, bool]:
    """(value, ok); blank and '-' are 0 for sums and NaN-free; text that is not a number is not ok."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan, True
    text = str(value).strip()
    if text in ("", "-", "–"):
        return np.nan, True
    values, bad = parse_numbers(pd.Series([value], dtype=object))
    return float(values.iloc[0]), not bool(bad.iloc[0])


def import_status_sheet(path: str | Path, division: str, report_month: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Measures rows of the sheet and the warnings; raises :class:`DataError` listing every error."""
    path = Path(path)
    source = path.name
    if not is_month(report_month):
        raise DataError(issues=[Issue(source, "bad_month", "the report month must be written YYYY-MM",
                                      value=report_month)])
    rows = _rows(path)
    head, cols = _header(rows, source)
    issues: list[Issue] = []
    for needed in ("description", "effect_planned", "risk"):
        if needed not in cols:
            issues.append(Issue(source, "missing_column", "a column of the status sheet is missing", row=head + 1,
                                column=needed))
    if errors(issues):
        raise DataError(issues=issues)

    def cell(row: list[object], field: str) -> object:
        j = cols.get(field)
        return row[j] if j is not None and j < len(row) else None

    kind, records, sums = None, [], []
    for i in range(head + 1, len(rows)):
        row, line = rows[i], i + 1
        texts = [_norm(c) for c in row if _norm(c)]
        if not texts:
            continue
        first = texts[0]
        if first in SECTIONS:
            kind = SECTIONS[first]
            continue
        if first.startswith("sum"):
            sums.append((line, first, row))
            continue
        if kind is None:
            continue
        effect, ok = _number(cell(row, "effect_planned"))
        fte, ok_fte = _number(cell(row, "fte_reduction_planned"))
        for field, good, raw in (("effect_planned", ok, cell(row, "effect_planned")),
                                 ("fte_reduction_planned", ok_fte, cell(row, "fte_reduction_planned"))):
            if not good:
                issues.append(Issue(source, "not_a_number", "expected a number (like 2 700 or -0,8)", row=line,
                                    column=field, value=raw))
        records.append({"line": line, "kind": kind, "department": str(cell(row, "department") or "").strip(),
                        "description": re.sub(r"\s+", " ", str(cell(row, "description") or "")).strip(),
                        "progress_raw": str(cell(row, "progress") or "").strip(), "fte": fte, "effect": effect,
                        "start": str(cell(row, "start") or "").strip(), "risk_raw": str(cell(row, "risk") or "").strip(),
                        "status_raw": str(cell(row, "status") or "").strip(),
                        "realised": _number(cell(row, "effect_realised"))[0] if "effect_realised" in cols else np.nan})
    frame = pd.DataFrame(records)
    if frame.empty:
        raise DataError(issues=[*issues, Issue(source, "no_measures", "the sheet has no measure rows")])
    issues += _check_sums(source, frame, sums, cols)
    out, more = _to_measures(source, frame, division, report_month)
    issues += more
    if errors(issues):
        raise DataError(issues=issues)
    return out, issues


def _check_sums(source: str, frame: pd.DataFrame, sums, cols: dict[str, int]) -> list[Issue]:
    issues = []
    for line, label, row in sums:
        covered = frame if label.startswith("sum tiltak") else frame[frame["kind"] == (
            "income" if "inntekt" in label else "cost")]
        j = cols["effect_planned"]
        declared, _ = _number(row[j] if j < len(row) else None)
        if np.isnan(declared):  # the sum may sit in another column: take the last number of the row
            numbers = [_number(c)[0] for c in row if _number(c)[1] and not np.isnan(_number(c)[0])]
            declared = numbers[-1] if numbers else 0.0
        computed = float(covered["effect"].fillna(0).sum())
        if abs(declared - computed) > KNOK_TOLERANCE:
            issues.append(Issue(source, "sum_mismatch", f"declared {declared:,.0f} kNOK, the rows above add up to "
                                f"{computed:,.0f} kNOK".replace(",", " "), row=line, column="effect_planned",
                                value=label))
        if label.startswith("sum tiltak") and "fte_reduction_planned" in cols:
            k = cols["fte_reduction_planned"]
            fte_declared, _ = _number(row[k] if k < len(row) else None)
            fte_computed = float(covered["fte"].fillna(0).sum())
            if not np.isnan(fte_declared) and abs(fte_declared - fte_computed) > FTE_TOLERANCE:
                issues.append(Issue(source, "sum_mismatch", f"declared {fte_declared:.1f} FTE, the rows above add up "
                                    f"to {fte_computed:.1f} FTE", row=line, column="fte_reduction_planned", value=label))
    return issues


def _to_measures(source: str, f: pd.DataFrame, division: str, report_month: str) -> tuple[pd.DataFrame, list[Issue]]:
    issues: list[Issue] = []
    progress = f["progress_raw"].map(lambda t: normalise(Progress, t) if t else "unknown")
    risk = f["risk_raw"].map(lambda t: normalise(Risk, t))
    status = f["status_raw"].map(lambda t: normalise(Status, t) if t else "")
    for i, r in f.iterrows():  # a sheet has tens of rows: messages per row are fine here
        if not r["progress_raw"]:
            issues.append(Issue(source, "blank_progress", "progress is blank; it is read as 'unknown'",
                                row=r["line"], column="progress", level="warning"))
        elif progress[i] is None:
            issues.append(Issue(source, "unknown_category", "not a known progress (Ikke startet, Pågår, Forsinket, "
                                "Fullført)", row=r["line"], column="progress", value=r["progress_raw"]))
        if risk[i] is None:
            issues.append(Issue(source, "unknown_category", "the risk must be Lav, Middels or Høy", row=r["line"],
                                column="risk", value=r["risk_raw"]))
        if not r["description"]:
            issues.append(Issue(source, "blank_description", "the measure has no description", row=r["line"],
                                column="description", level="warning"))
    month_no, imprecise = start_month(f["start"].where(f["start"] != "", "01.01." + report_month[:4]))
    for i in f.index[imprecise & (f["start"] != "")]:
        issues.append(Issue(source, "imprecise_start", f"the start is text; read as month {month_no[i]:02d}",
                            row=f.at[i, "line"], column="start", value=f.at[i, "start"], level="warning"))
    keys = (division + "|" + f["department"] + "|" + f["description"] + "|" + f["kind"] + "|" + risk.fillna("")
            + "|" + f["start"])
    ordinal = keys.groupby(keys).cumcount().astype(str)
    ids = [("M" + hashlib.sha1(f"{k}|{n}".encode()).hexdigest()[:10]) for k, n in zip(keys, ordinal, strict=True)]
    out = pd.DataFrame({
        "measure_id": ids, "report_month": report_month, "division": division, "department": f["department"],
        "unit_id": "", "kind": f["kind"], "description": f["description"], "progress": progress.fillna("unknown"),
        "fte_reduction_planned": f["fte"], "start": f["start"], "effect_planned": f["effect"].fillna(0.0),
        "risk": risk.fillna(""), "status": status.fillna(""), "effect_realised": f["realised"],
        "start_month": [f"{report_month[:4]}-{m:02d}" for m in month_no], "start_imprecise": imprecise & (f["start"] != ""),
        "source_row": f["line"]})
    return out, issues
