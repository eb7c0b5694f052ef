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
from benchmark.dataset.parse import start_problems
from benchmark.dataset.read import decode
from benchmark.dataset.sniff import MAX_CELL_CHARS, OLE2, ZIP, looks_binary, workbook_problem
from benchmark.issues import DataError, Issue, UsageError, errors
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


def _error(issues: list[Issue]) -> DataError:
    return DataError(issues=issues, title="The status sheet has problems")


class _Cell(str):
    """A cell that is not a value: an Excel error (``#REF!``) or a formula without a stored result."""

    kind = "error"


def _formula(text: str) -> _Cell:
    cell = _Cell(text)
    cell.kind = "formula"
    return cell


def _rows(path: Path, sheet: str | None = None) -> tuple[list[list[object]], str]:
    """The sheet's rows and the name to use for it in messages; raises DataError if unreadable."""
    source = path.name
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls") or (path.exists() and path.is_file()
                                                              and path.read_bytes()[:4] in (ZIP, OLE2[:4])):
        problem = workbook_problem(path)
        if problem is not None:
            raise _error(issues=[problem])
        return _workbook_rows(path, sheet)
    if sheet:
        raise UsageError("--sheet is only for Excel workbooks; this file is read as CSV")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _error(issues=[Issue(source, "missing_file", "there is no file at this path")]) from None
    except IsADirectoryError:
        raise _error(issues=[Issue(source, "not_a_table", "this is a folder, not a status sheet")]) from None
    except OSError as exc:
        raise _error(issues=[Issue(source, "unreadable_file", f"the file cannot be read ({exc.strerror})")]) from None
    text, _ = decode(data)
    if looks_binary(text):
        raise _error(issues=[Issue(source, "not_a_table", "this is not a text table or an Excel workbook")])
    sep = ";" if text.count(";") >= text.count(",") else ","
    csv.field_size_limit(1 << 30)
    try:
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=sep)], source
    except csv.Error as exc:
        raise _error(issues=[Issue(source, "not_a_table", f"the file cannot be read as a table ({exc})")]) from None


def _workbook_rows(path: Path, sheet: str | None) -> tuple[list[list[object]], str]:
    """Rows of the one sheet that is a status sheet (any sheet, not only the active one).

    Cells are read twice in step — their stored values and their formulas — so a formula
    whose result was never stored (a file written by a program, not saved by Excel) is
    reported instead of being read as blank or 0.
    """
    from openpyxl import load_workbook

    try:
        values_wb = load_workbook(path, data_only=True, read_only=True)
        formulas_wb = load_workbook(path, data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError on damaged files
        raise _error(issues=[Issue(path.name, "not_a_workbook", f"the workbook is damaged and cannot be read "
                                      f"({exc})", hint="Open it in Excel and save it again")]) from None
    try:
        names = values_wb.sheetnames
        if sheet is not None and sheet not in names:
            raise UsageError(f"the workbook {path.name} has no sheet '{sheet}'; its sheets are: {', '.join(names)}")
        candidates = [sheet] if sheet else names
        found = []
        for name in candidates:
            rows = []
            for vals, forms in zip(values_wb[name].iter_rows(), formulas_wb[name].iter_rows(), strict=False):
                row = []
                for v, f in zip(vals, forms, strict=False):
                    if v.data_type == "e":
                        row.append(_Cell(str(v.value)))
                    elif v.value is None and isinstance(f.value, str) and f.value.startswith("="):
                        row.append(_formula(f.value))
                    else:
                        row.append(v.value)
                rows.append(row)
            if _find_header(rows) is not None:
                found.append((name, rows))
    finally:
        values_wb.close()
        formulas_wb.close()
    if not found:
        where = f"sheet '{sheet}'" if sheet else f"any of the sheets ({', '.join(names)})"
        raise _error(issues=[Issue(path.name, "no_header", f"no header row with 'Fremdrift' and 'Virkning' was "
                                      f"found in {where}", hint="Is this a 'Status tiltak' sheet?")])
    if len(found) > 1:
        raise UsageError(f"the workbook {path.name} has {len(found)} status sheets ("
                         + ", ".join(f"'{n}'" for n, _ in found) + "); choose one with --sheet NAME")
    name, rows = found[0]
    return rows, f"sheet '{name}' of {path.name}" if len(names) > 1 else path.name


def _find_header(rows: list[list[object]]) -> int | None:
    for i, row in enumerate(rows):
        cells = [_norm(c) for c in row]
        if any(c.startswith("fremdrift") for c in cells) and any(c.startswith("virkning") for c in cells):
            return i
    return None


def _header(rows: list[list[object]], source: str) -> tuple[int, dict[str, int]]:
    i = _find_header(rows)
    if i is not None:
        cells = [_norm(c) for c in rows[i]]
        found: dict[str, int] = {}
        for j, cell in enumerate(cells):
            for field, names in HEADERS.items():
                if field not in found and any(cell == n or cell.startswith(n) for n in names):
                    found[field] = j
                    break
        return i, found
    raise _error(issues=[Issue(source, "no_header", "no header row with 'Fremdrift' and 'Virkning' was found",
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


def _special_cells(source: str, line: int, row: list[object], header: list[str]) -> list[Issue]:
    """Excel error cells and formulas without a stored result: reported, never read as blank or 0."""
    issues = []
    for j, c in enumerate(row):
        if isinstance(c, _Cell):
            column = header[j] if j < len(header) and header[j] else f"column {j + 1}"
            if c.kind == "formula":
                issues.append(Issue(source, "formula_without_value", "the cell holds a formula whose result was "
                                    "never stored, so its value is unknown", row=line, column=column, value=str(c),
                                    hint="Open the file in Excel and save it (Excel stores the results)"))
            else:
                issues.append(Issue(source, "excel_error", f"the cell holds the Excel error {c} instead of a value",
                                    row=line, column=column, value=str(c)))
    return issues


def _clip(source: str, line: int, field: str, text: str, issues: list[Issue]) -> str:
    if len(text) > MAX_CELL_CHARS:
        issues.append(Issue(source, "text_too_long", f"the text has {len(text)} characters, more than Excel's "
                            f"limit of {MAX_CELL_CHARS} for a cell; only the first {MAX_CELL_CHARS} are kept",
                            row=line, column=field, value=text[:40] + "…", level="warning"))
        return text[:MAX_CELL_CHARS]
    return text


def import_status_sheet(path: str | Path, division: str, report_month: str,
                        sheet: str | None = None) -> tuple[pd.DataFrame, list[Issue]]:
    """Measures rows of the sheet and the warnings; raises :class:`DataError` listing every error.

    ``sheet`` names the worksheet of a workbook with several status sheets; by default the one
    sheet that has a status header is read, whichever sheet is active.
    """
    path = Path(path)
    if not str(division).strip():
        raise UsageError("--division must name the division the sheet belongs to (it is blank)")
    division = str(division).strip()
    if not is_month(report_month):
        raise _error(issues=[Issue(path.name, "bad_month", "the report month must be written YYYY-MM",
                                      value=report_month)])
    rows, source = _rows(path, sheet)
    head, cols = _header(rows, source)
    header = [re.sub(r"\s+", " ", str(c or "")).strip() for c in rows[head]]
    issues: list[Issue] = []
    for needed in ("description", "effect_planned", "risk"):
        if needed not in cols:
            issues.append(Issue(source, "missing_column", "a column of the status sheet is missing", row=head + 1,
                                column=needed))
    if errors(issues):
        raise _error(issues=issues)

    def cell(row: list[object], field: str) -> object:
        j = cols.get(field)
        return row[j] if j is not None and j < len(row) else None

    kind, records, sums = None, [], []
    for i in range(head + 1, len(rows)):
        row, line = rows[i], i + 1
        texts = [_norm(c) for c in row if _norm(c)]
        if not texts:
            continue
        issues += _special_cells(source, line, row, header)
        first = texts[0]
        if first in SECTIONS:
            kind = SECTIONS[first]
            continue
        if first.startswith("sum"):
            sums.append((line, first, row))
            continue
        if kind is None:
            issues.append(Issue(source, "row_before_section", "a measure row above the first section row, so it is "
                                "not known whether it raises income or cuts cost; it was not imported", row=line,
                                value=str(cell(row, "description") or texts[0]),
                                hint="Put the row under 'Inntektsøkende tiltak' or 'Kostnadsreduserende tiltak'"))
            continue
        effect, ok = _number(cell(row, "effect_planned"))
        fte, ok_fte = _number(cell(row, "fte_reduction_planned"))
        for field, good, raw in (("effect_planned", ok, cell(row, "effect_planned")),
                                 ("fte_reduction_planned", ok_fte, cell(row, "fte_reduction_planned"))):
            if not good and not isinstance(raw, _Cell):
                issues.append(Issue(source, "not_a_number", "expected a number (like 2 700 or -0,8)", row=line,
                                    column=field, value=raw))
        description = _clip(source, line, "description",
                            re.sub(r"\s+", " ", str(cell(row, "description") or "")).strip(), issues)
        records.append({"line": line, "kind": kind, "effect_unknown": isinstance(cell(row, "effect_planned"), _Cell), "department": str(cell(row, "department") or "").strip(),
                        "description": description,
                        "progress_raw": str(cell(row, "progress") or "").strip(), "fte": fte, "effect": effect,
                        "start": str(cell(row, "start") or "").strip(), "risk_raw": str(cell(row, "risk") or "").strip(),
                        "status_raw": str(cell(row, "status") or "").strip(),
                        "realised": _number(cell(row, "effect_realised"))[0] if "effect_realised" in cols else np.nan})
    frame = pd.DataFrame(records)
    if frame.empty:
        raise _error(issues=[*issues, Issue(source, "no_measures", "the sheet has no measure rows")])
    issues += _check_sums(source, frame, sums, cols)
    out, more = _to_measures(source, frame, division, report_month)
    issues += more
    if errors(issues):
        raise _error(issues=issues)
    return out, issues


def _check_sums(source: str, frame: pd.DataFrame, sums, cols: dict[str, int]) -> list[Issue]:
    issues = []
    for line, label, row in sums:
        covered = frame if label.startswith("sum tiltak") else frame[frame["kind"] == (
            "income" if "inntekt" in label else "cost")]
        j = cols["effect_planned"]
        if j < len(row) and isinstance(row[j], _Cell):
            continue  # reported as an error cell; there is no declared sum to compare
        declared, _ = _number(row[j] if j < len(row) else None)
        if np.isnan(declared):  # the sum may sit in another column: take the last number of the row
            numbers = [_number(c)[0] for c in row if _number(c)[1] and not np.isnan(_number(c)[0])]
            declared = numbers[-1] if numbers else 0.0
        if covered["effect_unknown"].any():
            continue  # a covered row holds an error cell (reported); its sum cannot be checked
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
    # normalise() gives None for an unknown word; pandas 3 turns that into NaN, so test with isna
    progress = f["progress_raw"].map(lambda t: normalise(Progress, t) if t else "unknown")
    risk = f["risk_raw"].map(lambda t: normalise(Risk, t))
    status = f["status_raw"].map(lambda t: normalise(Status, t) if t else "")
    for i, r in f.iterrows():  # a sheet has tens of rows: messages per row are fine here
        if not r["progress_raw"]:
            issues.append(Issue(source, "blank_progress", "progress is blank; it is read as 'unknown'",
                                row=r["line"], column="progress", level="warning"))
        elif pd.isna(progress[i]):
            issues.append(Issue(source, "unknown_category", "not a known progress (Ikke startet, Pågår, Forsinket, "
                                "Fullført)", row=r["line"], column="progress", value=r["progress_raw"]))
        if pd.isna(risk[i]):
            issues.append(Issue(source, "unknown_category", "the risk must be Lav, Middels or Høy", row=r["line"],
                                column="risk", value=r["risk_raw"]))
        if r["status_raw"] and pd.isna(status[i]):
            issues.append(Issue(source, "unknown_category", "the status must be grønn, gul or rød (green, yellow, "
                                "red)", row=r["line"], column="status", value=r["status_raw"]))
        if not r["description"]:
            issues.append(Issue(source, "blank_description", "the measure has no description", row=r["line"],
                                column="description", level="warning"))
    bad_date, unknown = start_problems(f["start"])
    for i in f.index[bad_date]:
        issues.append(Issue(source, "bad_date", "not a date: write 31.01.2024 or 2024-01-31 (day 1–31, month 1–12)",
                            row=f.at[i, "line"], column="start", value=f.at[i, "start"]))
    for i in f.index[unknown]:
        issues.append(Issue(source, "unknown_start", "the start is neither a date nor a known phrase; it is read as "
                            "January", row=f.at[i, "line"], column="start", value=f.at[i, "start"], level="warning"))
    month_no, imprecise = start_month(f["start"].where((f["start"] != "") & ~bad_date, "01.01." + report_month[:4]))
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
