"""What kind of file is this? Named before anything tries (and fails) to read it.

"File is not a zip file" says nothing to an analyst who saved an old ``.xls`` or a
password-protected workbook. Both are OLE2 compound files (magic ``D0 CF 11 E0``); an encrypted
Office Open XML workbook carries an ``EncryptedPackage`` stream inside, an old workbook a
``Workbook``/``Book`` stream. Text is recognised as UTF-16 by its byte-order mark or by the zero
bytes every other byte, so such a file is read, not called binary.
"""

from __future__ import annotations

from pathlib import Path

from benchmark.issues import Issue

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
MAX_CELL_CHARS = 32_767  # Excel's limit on the text of one cell


def workbook_problem(path: Path, source: str | None = None) -> Issue | None:
    """An issue when ``path`` is not a readable .xlsx workbook (missing, .xls, encrypted, corrupt)."""
    source = source or path.name
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            rest = fh.read(1 << 20) if head == OLE2 else b""
    except FileNotFoundError:
        return Issue(source, "missing_file", "there is no file at this path")
    except IsADirectoryError:
        return Issue(source, "not_a_workbook", "this is a folder, not an Excel workbook")
    except OSError as exc:
        return Issue(source, "unreadable_file", f"the file cannot be read ({exc.strerror})")
    if head == OLE2:
        if "EncryptedPackage".encode("utf-16-le") in rest:
            return Issue(source, "encrypted_workbook", "the workbook is password-protected (encrypted), so it "
                         "cannot be read", hint="Open it in Excel and save a copy without a password")
        return Issue(source, "old_excel_format", "this is an old Excel 97–2003 workbook (.xls), which cannot be "
                     "read", hint="Open it in Excel and save it as an Excel workbook (.xlsx)")
    if not head:
        return Issue(source, "not_a_workbook", "the file is empty")
    if head[:4] != ZIP:
        return Issue(source, "not_a_workbook", "this is not an Excel workbook (.xlsx)",
                     hint="Is it a CSV file with the wrong extension? Then rename it to .csv")
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and its encoding: UTF-16 (BOM or zero-byte pattern), UTF-8 (with or without BOM), else Windows-1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace"), "utf-16"  # a broken file is reported, not raised
    sample = data[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * len(sample) / 2 and sample[0::2].count(0) == 0:
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * len(sample) / 2 and sample[1::2].count(0) == 0:
        return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def looks_binary(text: str) -> bool:
    return "\x00" in text[:4096]
