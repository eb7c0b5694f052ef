"""Property: ``bm.load_dataset`` raises only ``bm.DataError`` for bad data, whatever the damage.

Random corruptions of (a slice of) the demo tables — a cell replaced by something odd, a column
dropped, a row duplicated, blank or delimiter-only lines, a title line, a truncated or re-encoded
file, stray bytes — must either load or give a DataError whose every issue names a file; never an
ArrowInvalid, KeyError, TypeError or IndexError from inside the package.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import benchmark as bm

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def _slice() -> dict[str, list[str]]:
    units = (DEMO / "units.csv").read_text(encoding="utf-8").splitlines()[:13]
    ids = {line.split(",")[0] for line in units[1:]}
    monthly = (DEMO / "monthly.csv").read_text(encoding="utf-8").splitlines()
    rows = [m for m in monthly[1:] if m.split(",")[0] in ids and m.split(",")[1] >= "2025-04"]
    divisions = {line.split(",")[1] for line in units[1:]}
    measures = (DEMO / "measures.csv").read_text(encoding="utf-8").splitlines()
    measures = [measures[0], *[m for m in measures[1:] if m.split(",")[2] in divisions][:8]]
    return {"units": units, "monthly": [monthly[0], *rows], "measures": measures}


BASE = _slice()
ODD = ["", " ", "x", "-1", "1e309", "14.000", "1.234,5", "1,234", "nan", "NaN", "inf", "#REF!", "31.13.2024",
       "2025-13", "\u00a0", "y" * 40_000, '"', "D1-001", "0", "Pågår", "ukjent", "2025-09-01", "1 2 3", "−3"]

edit = st.one_of(
    st.tuples(st.just("cell"), st.integers(0, 200), st.integers(0, 40), st.sampled_from(ODD)),
    st.tuples(st.just("drop_column"), st.integers(0, 40)),
    st.tuples(st.just("duplicate_row"), st.integers(1, 200)),
    st.tuples(st.just("blank_line"), st.integers(1, 200), st.sampled_from(["", ",,,,", ";;;;", "   "])),
    st.tuples(st.just("title_line"), st.sampled_from(["Rapport 2025", "units;monthly", ""])),
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("encoding"), st.sampled_from(["utf-16", "cp1252", "utf-8-sig"])),
    st.tuples(st.just("bytes"), st.integers(0, 5000), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delimiter"), st.integers(1, 200)),
)


def corrupt(lines: list[str], edits) -> bytes:
    lines = list(lines)
    encoding, raw_edits = "utf-8", []
    for e in edits:
        match e:
            case ("cell", r, c, value):
                r = r % len(lines)
                cells = lines[r].split(",")
                cells[c % len(cells)] = value
                lines[r] = ",".join(cells)
            case ("drop_column", c):
                width = len(lines[0].split(","))
                lines = [",".join(x for j, x in enumerate(line.split(",")) if j != c % width) for line in lines]
            case ("duplicate_row", r):
                lines.insert(r % len(lines), lines[r % len(lines)])
            case ("blank_line", r, text):
                lines.insert(1 + r % len(lines), text)
            case ("title_line", text):
                lines.insert(0, text)
            case ("delimiter", r):
                r = r % len(lines)
                lines[r] = lines[r].replace(",", ";")
            case ("encoding", enc):
                encoding = enc
            case _:
                raw_edits.append(e)
    data = ("\n".join(lines) + "\n").encode(encoding, errors="replace")
    for e in raw_edits:
        match e:
            case ("truncate", share):
                data = data[: int(len(data) * share)]
            case ("bytes", pos, junk):
                pos = pos % (len(data) + 1)
                data = data[:pos] + junk + data[pos:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(table=st.sampled_from(["units", "monthly", "measures"]), edits=st.lists(edit, min_size=1, max_size=4))
def test_load_dataset_raises_only_data_error(tmp_path_factory, table, edits):
    folder = tmp_path_factory.mktemp("corrupt")
    for name, lines in BASE.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / f"{table}.csv").write_bytes(corrupt(BASE[table], edits))
    try:
        ds = bm.load_dataset(folder)
    except bm.DataError as exc:
        assert exc.issues and all(i.source for i in exc.issues)
    else:
        assert len(ds.units) > 0 and len(ds.monthly) > 0
    shutil.rmtree(folder, ignore_errors=True)


def test_the_uncorrupted_slice_loads(tmp_path):
    for name, lines in BASE.items():
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = bm.load_dataset(tmp_path)
    assert len(ds.units) == 12 and ds.months == ["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09"]
