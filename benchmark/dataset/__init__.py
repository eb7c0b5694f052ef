"""Input data: the contract (SPEC §3), Norwegian-aware readers and validation with every problem."""

from __future__ import annotations

from benchmark.dataset.load import (
    dataset_from_frames,
    load_dataset,
    validate_dataset,
    write_dataset,
)
from benchmark.dataset.model import Dataset

__all__ = ["Dataset", "dataset_from_frames", "load_dataset", "validate_dataset", "write_dataset"]
