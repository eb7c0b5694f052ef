"""The run test of the SPC rules (runs of equal non-zero states) against a cell-by-cell oracle."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.stats.spc import _in_long_run


def _oracle(state: np.ndarray, length: int) -> np.ndarray:
    """Walk each row, measure every run of equal non-zero values, mark its cells if long enough."""
    out = np.zeros(state.shape, dtype=bool)
    for r, row in enumerate(state.tolist()):
        start = 0
        for t in range(1, len(row) + 1):
            if t == len(row) or row[t] != row[start]:
                if row[start] != 0 and t - start >= length:
                    out[r, start:t] = True
                start = t
    return out if length > 0 else np.ones(state.shape, dtype=bool)


@pytest.mark.parametrize("width", [1, 2, 6, 7, 10, 13])
def test_long_runs_equal_a_cell_by_cell_walk(width):
    rng = np.random.default_rng(width)
    state = rng.integers(-1, 2, (400, width)).astype(np.int8)
    state[rng.random(state.shape) < 0.6] = 1  # long runs of +1 happen
    for length in range(0, 10):
        assert np.array_equal(_in_long_run(state, length), _oracle(state, length)), length


def test_a_run_of_seven_at_the_end_marks_exactly_its_cells():
    state = np.array([[0, -1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1]], dtype=np.int8)
    expected = np.array(
        [[False, False, True, True, True, True, True, True, True, False, False, False]]
    )
    assert np.array_equal(_in_long_run(state, 7), expected)
    assert not _in_long_run(state, 8).any()
