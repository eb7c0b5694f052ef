"""Plain-language explanations and one-page dialogue sheets (nb by default, en available)."""

from __future__ import annotations

from benchmark.explanation.narrative import Section, explain, explanation_sections

__all__ = ["Section", "explain", "explanation_sections"]
