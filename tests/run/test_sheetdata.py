"""The bulk row writer of benchmark.xlsx: every kind of cell reads back as written."""

from __future__ import annotations

import zipfile

import numpy as np
import openpyxl
import pandas as pd
import xlsxwriter

from benchmark.outputs.sheetdata import fill_sheets


def _workbook(tmp_path, frame: pd.DataFrame, formats: dict[str, str]):
    skeleton, path = tmp_path / "s.xlsx", tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(skeleton), {"constant_memory": True})
    ws = book.add_worksheet("T")
    ws.write_row(0, 0, list(frame.columns))
    for j, col in enumerate(frame.columns):
        if col in formats:
            ws.write_blank(1, j, None, book.add_format({"num_format": formats[col]}))
    ws.autofilter(0, 0, len(frame), len(frame.columns) - 1)
    book.add_worksheet("Other").write(0, 0, "kept")
    book.close()
    return fill_sheets(skeleton, path, {"xl/worksheets/sheet1.xml": frame})


def test_numbers_text_booleans_and_blanks_read_back(tmp_path):
    frame = pd.DataFrame({
        "text": ["Sengepost A & B", "<kirurgi>", " leading space", "", None, "ctrl\x01char", "æøå – 7,2 %"],
        "number": [1.5, np.nan, np.inf, -0.0001234, 12345678.9, 1e-12, 3.0],
        "count": np.arange(7, dtype="int64"),
        "flag": [True, False, True, False, True, False, True],
    })
    path = _workbook(tmp_path, frame, {"number": "#,##0.0"})
    book = openpyxl.load_workbook(path)
    ws = book["T"]
    assert ws.dimensions == "A1:D8"
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    # a control character is stored as Excel's escape _xHHHH_ (as xlsxwriter does); Excel decodes
    # it, openpyxl shows it as stored
    assert [r[0] for r in rows] == ["Sengepost A & B", "<kirurgi>", " leading space", None, None,
                                    "ctrl_x0001_char", "æøå – 7,2 %"]
    assert [r[1] for r in rows] == [1.5, None, None, -0.0001234, 12345678.9, 1e-12, 3.0]
    assert [r[2] for r in rows] == list(range(7))
    assert [r[3] for r in rows] == [True, False, True, False, True, False, True]
    assert ws["B2"].number_format == "#,##0.0"  # the column's format from the sample row
    assert ws["A2"].number_format == "General"
    assert ws.auto_filter.ref == "A1:D8"
    assert book["Other"]["A1"].value == "kept"


def test_large_tables_are_written_in_chunks_and_stay_in_order(tmp_path):
    n = 45_001  # more than two chunks
    frame = pd.DataFrame({"id": [f"U{i:06d}" for i in range(n)], "value": np.arange(n) / 7})
    path = _workbook(tmp_path, frame, {})
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    ws = openpyxl.load_workbook(path, read_only=True)["T"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == n
    assert rows[0] == ("U000000", 0.0) and rows[-1] == (f"U{n - 1:06d}", (n - 1) / 7)


def test_the_run_workbook_is_well_formed_spreadsheetml(tmp_path):
    """Independent of LibreOffice (not on every machine): every part parses as XML, cells sit in
    their rows in column order with matching references, and the worksheet's elements come in
    the order the schema (ECMA-376 CT_Worksheet) requires, which Excel enforces."""
    import re
    import xml.etree.ElementTree as ET

    import benchmark as bm
    from benchmark.outputs.xlsx import write_xlsx

    res = bm.score(bm.load_dataset("fixtures/demo"), bm.load_criteria(), period="2025Q3")
    path = write_xlsx(res, tmp_path / "benchmark.xlsx")
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    order = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetProtection",
             "autoFilter", "mergeCells", "conditionalFormatting", "dataValidations", "printOptions",
             "pageMargins", "pageSetup", "headerFooter", "drawing", "tableParts", "extLst"]
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) >= 4
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                ET.fromstring(z.read(name))  # raises on malformed XML
        for name in sheets:
            root = ET.fromstring(z.read(name))
            tags = [child.tag.replace(ns, "") for child in root]
            positions = [order.index(t) for t in tags if t in order]
            assert positions == sorted(positions), (name, tags)
            rows = root.find(f"{ns}sheetData").findall(f"{ns}row")
            assert [int(r.get("r")) for r in rows] == list(range(1, len(rows) + 1)), name
            for row in rows:
                refs = [c.get("r") for c in row.findall(f"{ns}c")]
                assert all(re.fullmatch(rf"[A-Z]+{row.get('r')}", ref) for ref in refs), (name, refs[:3])
                letters = [ref.rstrip("0123456789") for ref in refs]
                assert sorted(letters, key=lambda s: (len(s), s)) == letters, (name, refs[:5])
                assert len(set(letters)) == len(letters)
            dim = root.find(f"{ns}dimension").get("ref")
            assert dim.endswith(str(len(rows))), (name, dim)
