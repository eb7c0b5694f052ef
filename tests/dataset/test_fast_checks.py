"""The vectorised checks of a national file against brute-force oracles written cell by cell:
blank rows, the plain-number cast, and the cross-table rules (known units, active spans)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmark.dataset import rules
from benchmark.dataset.numbers import parse_numbers
from benchmark.dataset.read import RawTable, _blank_rows

CELLS = ["", " ", "   ", "    ", "\u00a0", "a", "abc", "abcd", "12", " 7 ", None]


def blank_oracle(frame: pd.DataFrame) -> list[bool]:
    """A row is blank when every cell is missing, or at most three characters that strip to nothing."""
    out = []
    for _, row in frame.iterrows():
        cells = ["" if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else str(v) for v in row]
        out.append(all(len(c) <= 3 and c.strip() == "" for c in cells))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_blank_rows_match_the_cell_by_cell_oracle(seed):
    rng = np.random.default_rng(seed)
    n, k = 400, int(rng.integers(1, 6))
    weights = rng.dirichlet(np.ones(len(CELLS)) * (0.3 if seed % 2 else 3.0))
    frame = pd.DataFrame({f"c{j}": pd.array(rng.choice(np.array(CELLS, dtype=object), n, p=weights),
                                            dtype="str") for j in range(k)})
    frame.index = np.arange(n) * 2 + 5  # blank lines removed earlier: the index is not positional
    got = _blank_rows(frame)
    assert got.index.equals(frame.index)
    assert got.tolist() == blank_oracle(frame)


def test_plain_numbers_with_and_without_blanks_and_spaces():
    for cells in (["1", "2.5", "-3e2", "+4"], ["1", "", " 2.5 ", "7"], ["1", "nan"], ["0,5", "1"]):
        values, bad = parse_numbers(pd.Series(cells, dtype="str"))
        oracle = []
        for c in cells:
            c = c.strip().replace(",", ".")
            oracle.append(float(c) if c and c != "nan" else np.nan)
        assert np.allclose(values.to_numpy(), oracle, equal_nan=True), cells
        assert bad.tolist() == [c.strip() == "nan" for c in cells]


def raw(name: str, frame: pd.DataFrame) -> RawTable:
    return RawTable(name, f"{name}.csv", frame, 2)


def test_known_units_and_active_spans_match_row_by_row_oracles():
    rng = np.random.default_rng(3)
    units = pd.DataFrame({"unit_id": pd.array([f"U{i}" for i in range(30)], dtype="str"),
                          "division": pd.array(["D"] * 30, dtype="str")})
    starts = pd.to_datetime([None if rng.random() < 0.3 else f"2025-{rng.integers(1, 7):02d}-01" for _ in range(30)])
    ends = pd.to_datetime([None if rng.random() < 0.3 else f"2025-{rng.integers(6, 13):02d}-28" for _ in range(30)])
    units["active_from"], units["active_to"] = starts, ends
    ids = rng.choice([f"U{i}" for i in range(34)], 600)  # U30–U33 are not units
    months = [f"2025-{m:02d}" for m in rng.integers(1, 13, 600)]
    monthly = pd.DataFrame({"unit_id": pd.array(ids, dtype="str"), "month": pd.array(months, dtype="str")},
                           index=np.arange(600) * 3)
    unknown = rules.known_units(units, raw("monthly", monthly), monthly, optional=False)
    expected_unknown = [i for i, u in zip(monthly.index, ids, strict=True) if u not in set(units["unit_id"])]
    assert [i.row for i in unknown] == [i + 2 for i in expected_unknown]
    spans = {u: (f, t) for u, f, t in zip(units["unit_id"], starts, ends, strict=True)}
    expected = []
    for i, u, m in zip(monthly.index, ids, months, strict=True):
        if u not in spans:
            continue
        f, t = spans[u]
        if (not pd.isna(f) and m < f"{f:%Y-%m}") or (not pd.isna(t) and m > f"{t:%Y-%m}"):
            expected.append((i + 2, rules._span_words(None if pd.isna(f) else f"{f:%Y-%m}",
                                                      None if pd.isna(t) else f"{t:%Y-%m}")))
    got = rules.active_span(raw("units", units), units, raw("monthly", monthly), monthly)
    got = [(i.row, i.message.split("(")[1].rstrip(")")) for i in got if i.rule == "outside_active_span"]
    assert got == expected and len(expected) > 20
