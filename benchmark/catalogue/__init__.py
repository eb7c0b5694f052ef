"""Criteria catalogues: the TOML format, safe formulas, validation with every problem, docs."""

from __future__ import annotations

from benchmark.catalogue.expression import Expression, ExpressionError, parse_expression
from benchmark.catalogue.model import Catalogue, Criterion, Potential
from benchmark.catalogue.parse import (
    check_criteria,
    default_catalogue_path,
    load_criteria,
    parse_catalogue,
)

__all__ = [
    "Catalogue", "Criterion", "Expression", "ExpressionError", "Potential", "check_criteria",
    "default_catalogue_path", "load_criteria", "parse_catalogue", "parse_expression",
]
