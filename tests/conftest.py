"""Shared fixtures: paths of the repository, the demo trust and the default catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "demo"
DEFAULT_CRITERIA = ROOT / "criteria" / "default.toml"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_path() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def default_criteria_path() -> Path:
    return DEFAULT_CRITERIA
