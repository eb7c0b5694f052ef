"""Import a GAT roster export (xlsx or ;-csv in UTF-8/Windows-1252) into ``rota`` and ``shift_codes``.

GAT (Visma) has no public export format; trusts export list views to Excel. Two layouts are read:

- **long**: one row per date and employee — Dato, Ansattnr, Vaktkode, plus Stilling,
  Stillingsprosent and Enhet/Avdeling where the view has them;
- **wide**: one row per employee, one column per date; the date header may be a full date
  (``05.01.2026``) or a day (``ma 05``) under a month row (``Januar 2026``) whose merged cells span
  the month's days.

Noise is expected: title lines, ``Enhet: …``, ``Periode: 01.01.2026 - 31.12.2026`` and
``Utskrevet …`` above the header, blank rows, repeated headers at page breaks, and ``Sum``/``Totalt``/
``Antall`` rows; these are skipped and counted, never data rows. Employee numbers become
pseudonymous position ids. Every problem is reported at once naming file, row and value: an
unknown shift code, an employee without a position percentage, a date outside the plan's validity
(the export's ``Periode``/``Gyldig fra … til …``, or ``--valid-from/--valid-to``), or a shift
ending before it starts without crossing midnight (in the shift-code table).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from benchmark.dataset.read import RawTable, decode
from benchmark.issues import DataError, Issue, UsageError

COLUMNS = {
    "date": ("dato", "date", "vaktdato"),
    "employee": ("ansattnr", "ansattnummer", "ansatt nr", "ansatt", "ressursnr", "tjenestenr", "employee",
                 "position_id", "turnuslinje", "linje"),
    "shift_code": ("vaktkode", "vakt", "kode", "shift_code"),
    "unit_id": ("enhet", "enhetsid", "avdeling", "kostnadssted", "arbeidssted", "unit_id"),
    "role": ("stilling", "stillingskategori", "yrkesgruppe", "role"),
    "position_pct": ("stillingsprosent", "stilling %", "stilling%", "stillingsandel", "st.%", "st %", "position_pct"),
    "name": ("navn", "name", "ansattnavn"),
}
CODE_COLUMNS = {
    "shift_code": ("vaktkode", "kode", "shift_code", "vakt"),
    "start": ("fra", "start", "fra kl", "starttid"),
    "end": ("til", "slutt", "end", "til kl", "sluttid"),
    "break_minutes": ("pause", "pause min", "pause (min)", "break_minutes", "spisepause"),
    "counts_as_work": ("arbeid", "teller som arbeid", "arbeidstid", "counts_as_work"),
    "category": ("kategori", "type", "category"),
    "crosses_midnight": ("over midnatt", "crosses_midnight"),
}
MONTHS_NB = {"januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8,
             "september": 9, "oktober": 10, "november": 11, "desember": 12, "jan": 1, "feb": 2, "mar": 3,
             "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "okt": 10, "nov": 11, "des": 12}
NOISE = re.compile(r"^\s*(sum|totalt|antall|side \d|utskrevet|skrevet ut)", re.I)
DATE_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$|^\s*(\d{4})-(\d{2})-(\d{2})")
PERIOD_RE = re.compile(r"(\d{1,2}\.\d{1,2}\.\d{4})\s*(?:-|–|til)\s*(\d{1,2}\.\d{1,2}\.\d{4})")


@dataclass
class Sheet:
    source: str
    rows: list[list[str]]  # cells as text; row i is file row i + 1
    values: list[list[object]] = field(default_factory=list)  # raw values (dates from Excel)


@dataclass
class Imported:
    rota: pd.DataFrame
    shift_codes: pd.DataFrame
    layout: str
    skipped: list[int]
    validity: tuple[date, date] | None


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text if text is not None else "").strip().lower())


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%d.%m.%Y")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """Every row of the file as text cells; merged cells of a workbook carry their value to every cell."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, data_only=True)
        except Exception as exc:
            raise UsageError(f"{path.name} cannot be read as an Excel workbook ({exc})") from None
        ws = wb[sheet] if sheet else wb.worksheets[0]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            v = values[rng.min_row - 1][rng.min_col - 1]
            for r in range(rng.min_row - 1, rng.max_row):
                for c in range(rng.min_col - 1, rng.max_col):
                    values[r][c] = v
        return Sheet(f"{path.name}" + (f" (sheet {ws.title})" if sheet else ""),
                     [[_text(v) for v in row] for row in values], values)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path} cannot be read ({exc.strerror})") from None
    text, _ = decode(data)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    sep = ";" if first.count(";") >= first.count(",") else ","
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=sep)]
    return Sheet(path.name, rows, [list(r) for r in rows])


def _find_header(sheet: Sheet, names: dict, need: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(sheet.rows[:60]):
        found = {}
        for c, cell in enumerate(row):
            key = _norm(cell)
            for col, synonyms in names.items():
                if key in synonyms and col not in found:
                    found[col] = c
        if all(n in found for n in need):
            return i, found
    return None


def _meta(sheet: Sheet, upto: int) -> dict[str, str]:
    """``Enhet: X``, ``Turnus: Y``, ``Periode: a - b`` lines above the header."""
    out = {}
    for row in sheet.rows[:upto]:
        cells = [c for c in row if c]
        line = " ".join(cells)
        m = PERIOD_RE.search(line)
        if m and ("periode" in line.lower() or "gyldig" in line.lower()):
            out["period"] = (m.group(1), m.group(2))
        for key, label in (("unit", r"(enhet|avdeling)"), ("plan", r"(turnus|plan|turnusplan)")):
            mm = re.match(rf"^\s*{label}\s*:?\s*$", cells[0], re.I) if cells else None
            if mm and len(cells) > 1:
                out[key] = cells[1]
                continue
            mm = re.match(rf"^\s*{label}\s*:\s*(.+)$", line, re.I)
            if mm:
                out[key] = mm.group(2).strip()
    return out


def parse_date(v: object) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    m = DATE_RE.match(str(v or ""))
    if not m:
        return None
    try:
        if m.group(1):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date(int(m.group(4)), int(m.group(5)), int(m.group(6)))
    except ValueError:
        return None


def _month_of(text: str) -> tuple[int, int] | None:
    t = _norm(text)
    m = re.match(r"^([a-zæøå]+)\.?\s+(\d{4})$", t)
    if m and m.group(1) in MONTHS_NB:
        return int(m.group(2)), MONTHS_NB[m.group(1)]
    m = re.match(r"^(\d{1,2})[./-](\d{4})$", t)
    if m:
        return int(m.group(2)), int(m.group(1))
    return None


def _pct(text: str) -> float | None:
    t = text.replace("%", "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _position_id(unit: str, employee: str) -> str:
    return "P" + hashlib.sha256(f"{unit}|{employee}".encode()).hexdigest()[:10]


def _records_long(sheet: Sheet, h: int, cols: dict[str, int]) -> tuple[list[dict], list[int]]:
    recs, skipped = [], []
    header = [_norm(c) for c in sheet.rows[h]]
    for i in range(h + 1, len(sheet.rows)):
        row = sheet.rows[i]
        cells = [c for c in row if c]
        if not cells:
            continue
        if NOISE.match(cells[0]) or [_norm(c) for c in row] == header:
            skipped.append(i + 1)
            continue

        def get(col, row=row):
            return row[cols[col]] if col in cols and cols[col] < len(row) else ""
        raw_date = sheet.values[i][cols["date"]] if cols["date"] < len(sheet.values[i]) else ""
        recs.append({"row": i + 1, "date_raw": get("date"), "date": parse_date(raw_date), "employee": get("employee"),
                     "shift_code": get("shift_code"), "unit_id": get("unit_id"), "role": get("role"),
                     "pct_raw": get("position_pct"), "column": "Vaktkode"})
    return recs, skipped


def _records_wide(sheet: Sheet, h: int, cols: dict[str, int], issues: list[Issue]) -> tuple[list[dict], list[int]]:
    header = sheet.rows[h]
    fixed = set(cols.values())
    month_row = sheet.rows[h - 1] if h > 0 else []
    dates: dict[int, date] = {}
    current = None
    for c, cell in enumerate(header):
        if c in fixed or not cell:
            continue
        d = parse_date(sheet.values[h][c])
        if d is None:
            above = month_row[c] if c < len(month_row) else ""
            current = _month_of(above) or current  # a merged month header in a csv only fills its first cell
            m = re.search(r"(\d{1,2})\.?\s*$", cell)
            if current and m:
                try:
                    d = date(current[0], current[1], int(m.group(1)))
                except ValueError:
                    d = None
        if d is None:
            issues.append(Issue(sheet.source, "bad_date", "a date column's header is not a date (write 05.01.2026, "
                                "or a day under a month row such as 'Januar 2026')", row=h + 1, column=cell, value=cell))
        else:
            dates[c] = d
    recs, skipped = [], []
    norm_header = [_norm(c) for c in header]
    for i in range(h + 1, len(sheet.rows)):
        row = sheet.rows[i]
        cells = [c for c in row if c]
        if not cells:
            continue
        if NOISE.match(cells[0]) or [_norm(c) for c in row] == norm_header:
            skipped.append(i + 1)
            continue

        def get(col, row=row):
            return row[cols[col]] if col in cols and cols[col] < len(row) else ""
        for c, d in dates.items():
            code = row[c] if c < len(row) else ""
            recs.append({"row": i + 1, "date_raw": header[c], "date": d, "employee": get("employee"),
                         "shift_code": code, "unit_id": get("unit_id"), "role": get("role"),
                         "pct_raw": get("position_pct"), "column": header[c]})
    return recs, skipped


def read_shift_codes(path: Path | None, sheet_of_export: Sheet | None) -> tuple[pd.DataFrame, RawTable]:
    sheet = read_sheet(path) if path is not None else sheet_of_export
    if sheet is None:
        raise UsageError("the shift codes are needed to know what each code means: give --shift-codes FILE "
                         "(vaktkode, fra, til, pause, arbeid, kategori), or a sheet 'Vaktkoder' in the workbook")
    found = _find_header(sheet, CODE_COLUMNS, ("shift_code", "counts_as_work", "category"))
    if found is None:
        raise UsageError(f"{sheet.source}: no header row with Vaktkode, Arbeid and Kategori (or shift_code, "
                         "counts_as_work, category) was found")
    h, cols = found
    data = []
    for row in sheet.rows[h + 1:]:
        data.append({k: (row[c] if c < len(row) else "") for k, c in cols.items()})
    frame = pd.DataFrame(data, index=range(len(data)))
    keep = frame["shift_code"].astype(str).str.strip() != ""
    frame = frame[keep]
    for col in ("start", "end", "break_minutes"):
        if col not in frame:
            frame[col] = ""
    return frame, RawTable("shift_codes", sheet.source, frame, h + 2)


def import_gat(path: str | Path, layout: str = "auto", shift_codes: str | Path | None = None,
               unit: str | None = None, plan_id: str | None = None, valid_from: str | None = None,
               valid_to: str | None = None) -> Imported:
    """Read a GAT export; raises :class:`DataError` listing every problem, :class:`UsageError` when
    the file cannot be understood at all (no header, no unit, no shift codes)."""
    from benchmark.plan.codes import parse_category
    from benchmark.plan.rules import check_shift_codes

    path = Path(path)
    if not path.exists():
        raise UsageError(f"there is no file at {path}")
    codes_sheet = None
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        code_sheet = next((n for n in names if _norm(n) in ("vaktkoder", "shift_codes", "vaktkode")), None)
        roster_sheet = next((n for n in names if n != code_sheet), names[0])
        sheet = read_sheet(path, roster_sheet if code_sheet else None)
        codes_sheet = read_sheet(path, code_sheet) if code_sheet else None
    else:
        sheet = read_sheet(path)
    issues: list[Issue] = []
    codes, codes_raw = read_shift_codes(Path(shift_codes) if shift_codes else None, codes_sheet)
    issues += check_shift_codes(codes_raw, codes)
    long_h = _find_header(sheet, COLUMNS, ("date", "employee", "shift_code"))
    wide_h = _find_header(sheet, {k: v for k, v in COLUMNS.items() if k not in ("date", "shift_code")}, ("employee",))
    if layout == "auto":
        layout = "long" if long_h is not None else "wide"
    if layout == "long":
        if long_h is None:
            raise UsageError(f"{sheet.source}: no header row with Dato, Ansattnr and Vaktkode was found "
                             "(a long export has one row per date and employee)")
        h, cols = long_h
        recs, skipped = _records_long(sheet, h, cols)
    elif layout == "wide":
        if wide_h is None:
            raise UsageError(f"{sheet.source}: no header row with Ansattnr was found (a wide export has one row "
                             "per employee and one column per date)")
        h, cols = wide_h
        recs, skipped = _records_wide(sheet, h, cols, issues)
    else:
        raise UsageError(f"unknown layout {layout!r}; use long, wide or auto")
    meta = _meta(sheet, h)
    unit_default = unit or meta.get("unit")
    if "unit_id" not in cols and not unit_default:
        raise UsageError(f"{sheet.source} names no unit (no Enhet/Avdeling column, no 'Enhet:' line): give --unit ID")
    validity = None
    if valid_from or valid_to or "period" in meta:
        a = parse_date(valid_from) if valid_from else parse_date(meta["period"][0]) if "period" in meta else None
        b = parse_date(valid_to) if valid_to else parse_date(meta["period"][1]) if "period" in meta else None
        if a is None or b is None:
            raise UsageError("the plan's validity needs both a first and a last date (dd.mm.yyyy or yyyy-mm-dd)")
        validity = (a, b)
    if "role" not in cols:
        raise UsageError(f"{sheet.source} has no Stilling (role) column; the tariff prices by role")
    known = set(codes["shift_code"].astype(str).str.strip())
    rows_by_code: dict[str, list[int]] = {}
    out = []
    src = sheet.source
    for r in recs:
        code = r["shift_code"].strip()
        if r["date"] is None:
            issues.append(Issue(src, "bad_date", "not a date (write 05.01.2026)", row=r["row"], column="Dato",
                                value=r["date_raw"]))
        elif validity and not (validity[0] <= r["date"] <= validity[1]):
            issues.append(Issue(src, "outside_validity", f"the date is outside the plan's validity "
                                f"({validity[0]:%d.%m.%Y} – {validity[1]:%d.%m.%Y})", row=r["row"],
                                column=r["column"] if layout == "wide" else "Dato", value=r["date_raw"]))
        if not r["employee"]:
            issues.append(Issue(src, "blank_employee", "the row has shifts but no employee number", row=r["row"],
                                column="Ansattnr"))
        pct = _pct(r["pct_raw"]) if r["pct_raw"] else None
        if pct is None:
            issues.append(Issue(src, "no_position_pct", f"employee {r['employee']} has no position percentage "
                                "(stillingsprosent)" if not r["pct_raw"] else "not a position percentage",
                                row=r["row"], column="Stillingsprosent", value=r["pct_raw"] or None))
        elif not 1 <= pct <= 100:
            issues.append(Issue(src, "bad_position_pct", "a position percentage is between 1 and 100 (GAT writes "
                                "80 for 80 %)", row=r["row"], column="Stillingsprosent", value=r["pct_raw"]))
        if not code:
            issues.append(Issue(src, "blank_shift_code", "the day has no shift code (use the code for a day off)",
                                row=r["row"], column=r["column"]))
        elif code not in known:
            rows_by_code.setdefault(code, []).append(r["row"])
        u = (r["unit_id"] or unit_default or "").strip()
        out.append({"unit_id": u, "plan_id": plan_id or meta.get("plan") or f"GAT-{u}",
                    "position_id": _position_id(u, r["employee"]), "role": r["role"].strip().lower(),
                    "position_pct": pct, "date": r["date"].isoformat() if r["date"] else "", "shift_code": code})
    for code, rows in sorted(rows_by_code.items()):
        shown = ", ".join(map(str, rows[:20])) + (f" and {len(rows) - 20} more" if len(rows) > 20 else "")
        issues.append(Issue(src, "unknown_shift_code", f"the shift code {code!r} is not in the shift-code table "
                            f"{codes_raw.source} (rows {shown})", row=rows[0], column="Vaktkode", value=code,
                            hint="Add the code to the shift-code table, or correct the export"))
    if issues:
        raise DataError(issues=issues, title=f"The GAT export {path.name} has problems")
    rota = pd.DataFrame(out, columns=["unit_id", "plan_id", "position_id", "role", "position_pct", "date", "shift_code"])
    rota = rota.sort_values(["unit_id", "plan_id", "position_id", "date"], kind="stable").reset_index(drop=True)
    dup = rota.duplicated(["unit_id", "plan_id", "position_id", "date"], keep=False)
    if dup.any():
        raise DataError(issues=[Issue(src, "duplicate_day", "an employee has more than one shift code on this date",
                                      value=f"{d}") for d in sorted(set(rota.loc[dup, "date"]))[:50]],
                        title=f"The GAT export {path.name} has problems")
    sc = pd.DataFrame({"shift_code": codes["shift_code"].str.strip(), "start": codes["start"], "end": codes["end"],
                       "break_minutes": pd.to_numeric(codes["break_minutes"].replace("", "0"), errors="coerce"),
                       "counts_as_work": codes["counts_as_work"].map(
                           lambda x: "true" if _norm(x) in ("ja", "j", "true", "yes", "1", "x") else "false"),
                       "category": codes["category"].map(parse_category)})
    return Imported(rota, sc.reset_index(drop=True), layout, skipped, validity)
