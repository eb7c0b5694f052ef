"""The Norwegian number parser (property tests) and CSV = Excel = Parquet."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.dataset import load_dataset, write_dataset
from benchmark.dataset.numbers import format_norwegian, parse_numbers

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(finite, st.integers(min_value=0, max_value=4), st.booleans())
@settings(max_examples=300, deadline=None)
def test_every_norwegian_formatted_number_parses_back(x, decimals, nbsp):
    text = format_norwegian(x, decimals, nbsp=nbsp)
    values, bad = parse_numbers(pd.Series([text]))
    assert not bad.iloc[0], text
    assert math.isclose(values.iloc[0], round(x, decimals), rel_tol=1e-12, abs_tol=10 ** -decimals / 2 + 1e-9)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), min_size=1, max_size=12))
@settings(max_examples=300, deadline=None)
def test_text_that_is_not_a_number_is_an_error_never_nan_or_zero(text):
    if text.strip() in ("", "-", "+", ".", ",") or text.strip().lower() in ("nan", "inf", "infinity", "-inf", "+inf",
                                                                            "-infinity", "+infinity", "+nan", "-nan"):
        return
    values, bad = parse_numbers(pd.Series([text]))
    blank = text.strip() == ""
    assert bad.iloc[0] or blank, repr(text)
    assert math.isnan(values.iloc[0])


def test_known_spellings():
    values, bad = parse_numbers(pd.Series(["14 000", "14\u00a0000", "0,8", "-1 599", "1.234,5", "1,234.5", "−3", "",
                                           "12,3,4", "1 2"]))
    assert values.iloc[:7].tolist() == [14000, 14000, 0.8, -1599, 1234.5, 1234.5, -3]
    assert bad.tolist() == [False] * 8 + [True, False]  # "1 2" is 12 with a space as thousands separator
    assert math.isnan(values.iloc[7])


def test_csv_excel_and_parquet_load_to_equal_frames(tmp_path, demo_path):
    ds = load_dataset(demo_path)
    write_dataset(ds, tmp_path / "csv", "csv")
    write_dataset(ds, tmp_path / "trust.xlsx", "xlsx")
    write_dataset(ds, tmp_path / "pq", "parquet")
    loaded = [load_dataset(tmp_path / "csv"), load_dataset(tmp_path / "trust.xlsx"), load_dataset(tmp_path / "pq")]
    for other in loaded:
        for name, frame in ds.tables().items():
            pd.testing.assert_frame_equal(frame, other.tables()[name], check_dtype=False, check_exact=False, rtol=1e-12)
        assert other.fingerprint() == ds.fingerprint()
