"""The national-scale writers: the Arrow CSV writer against pandas and Python's %.10g, and the
workbook above its row threshold (ranking + criterion summaries + a note) against a pivot."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import benchmark as bm
from benchmark.outputs import workbook_summary
from benchmark.outputs.tables import csv_bytes, round_significant
from benchmark.outputs.xlsx import write_xlsx


def test_rounding_to_ten_digits_is_the_decimal_of_percent_g():
    """Oracle: Python's correctly rounded ``%.10g``. Values over 40 orders of magnitude, signs, ties
    rare enough not to matter; every cell the fast path rounds equals float('%.10g' % x) exactly."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(20_000) * 10.0 ** rng.integers(-12, 28, 20_000)
    x[:5] = [0.1, 1 / 3, 2 / 3 * 1e-7, 123456789012345.0, -0.0]
    rounded, rest = round_significant(x)
    oracle = np.array([float(f"{v:.10g}") for v in x])
    assert rest.sum() < len(x) / 20  # the few below 1e-13: formatted by Python instead
    assert np.array_equal(rounded[~rest], oracle[~rest])
    tiny, left = round_significant(np.array([1e-20, 5e40, np.nan, np.inf]))
    assert left.tolist() == [True, True, False, False]  # outside exact powers of ten: Python formats them


def test_csv_reads_back_as_pandas_wrote_it():
    frame = pd.DataFrame({
        "text": ["plain", "a, b", 'say "hi"', "two\nlines", " leading", "", None, "æøå – 7,2 %"],
        "number": [1.5, np.nan, np.inf, -0.0001234, 12345678.9, 1e-12, 3.0, 0.1 + 0.2],
        "count": np.arange(8, dtype="int64"),
        "flag": [True, False, True, False, True, False, True, False],
    })
    frame["text"] = frame["text"].astype("str")
    mine = pd.read_csv(io.BytesIO(csv_bytes(frame)), keep_default_na=False, dtype=str)
    theirs = pd.read_csv(io.StringIO(frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")),
                         keep_default_na=False, dtype=str)
    assert mine["text"].tolist() == theirs["text"].tolist()
    assert mine["count"].tolist() == theirs["count"].tolist()
    assert mine["flag"].tolist() == theirs["flag"].tolist() == ["True", "False"] * 4
    assert pd.to_numeric(mine["number"]).equals(pd.to_numeric(theirs["number"]))
    assert mine["number"].tolist()[-1] == "0.3"  # ten digits: the sum's last bit does not show
    assert csv_bytes(frame).startswith(b"text,number,count,flag\n") and csv_bytes(frame).endswith(b"\n")
    assert csv_bytes(frame.iloc[0:0]) == b"text,number,count,flag\n"


@pytest.fixture(scope="module")
def demo_result():
    return bm.score(bm.load_dataset("fixtures/demo"), bm.load_criteria(), period="2025Q3")


def test_a_workbook_above_the_threshold_holds_ranking_summaries_and_a_note(demo_result, tmp_path, monkeypatch):
    res = demo_result
    monkeypatch.setattr(workbook_summary, "FULL_WORKBOOK_MAX_SCORES", len(res.scores) - 1)
    path = write_xlsx(res, tmp_path / "benchmark.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[:3] == ["Merknad", "Rangering", "Kriterier per gruppe"]
    assert "Kriterier per enhet" not in book.sheetnames
    note = [r[0] for r in book["Merknad"].iter_rows(values_only=True)][1]
    assert "scores.csv" in note and "parquet/scores.parquet" in note
    assert f"{len(res.scores):,}".replace(",", "\u00a0") in note
    ranking = list(book["Rangering"].iter_rows(values_only=True))
    assert len(ranking) == len(res.ranking) + 1  # every entity, as in ranking.csv
    rows = list(book["Kriterier per gruppe"].iter_rows(values_only=True))
    head, body = rows[0], rows[1:]
    got = pd.DataFrame(body, columns=head)
    # oracle: the same numbers by a plain loop over the scored rows, group by group
    scored = res.scores[res.scores["scored"].astype(bool)]

    def key(crit, n, above, median, potential):
        return (crit, int(n), int(above), round(float(median), 9),
                None if potential is None or pd.isna(potential) else round(float(potential), 6))

    expected = sorted(key(crit, len(g), (g["flag"] == "above_95").sum(), g["value"].median(),
                          g["potential"].sum(min_count=1))
                      for (crit, _group), g in scored.groupby(["criterion", "peer_group"]))
    shown = sorted(key(r["Kriterium"], r["Enheter med verdi"], r["Antall over (95 %)"], r["Verdi, median"],
                       r["Potensial i alt"]) for _, r in got.iterrows())
    assert shown == expected
    meta = dict(list(book["Om kjøringen"].iter_rows(values_only=True))[1:])
    assert "Merknad" in meta["Innhold i arbeidsboken"]


def test_a_workbook_at_the_threshold_is_complete(demo_result, tmp_path, monkeypatch):
    res = demo_result
    monkeypatch.setattr(workbook_summary, "FULL_WORKBOOK_MAX_SCORES", len(res.scores))
    book = openpyxl.load_workbook(write_xlsx(res, tmp_path / "benchmark.xlsx"), read_only=True)
    assert "Merknad" not in book.sheetnames
    assert len(list(book["Kriterier per enhet"].iter_rows(values_only=True))) == len(res.scores) + 1
