"""Scoring: criterion values, peer assessment, composite, rank intervals, potential, trend."""

from __future__ import annotations

from benchmark.scoring.pipeline import score
from benchmark.scoring.result import Result

__all__ = ["Result", "score"]
