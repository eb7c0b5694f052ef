"""Budget measures (tiltak): realisation against risk, calibration from history, data quality,
and the importer for the divisions' status sheets."""

from __future__ import annotations

from benchmark.measures.history import calibrate, quality_flags
from benchmark.measures.realisation import measure_status, realisation
from benchmark.measures.status_sheet import import_status_sheet

__all__ = ["calibrate", "import_status_sheet", "measure_status", "quality_flags", "realisation"]
