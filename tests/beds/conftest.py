"""Small real datasets for the bed draft: a slice of the demo trust, validated like files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"


def demo_slice(units_wanted: int = 3, department: str = "Kirurgisk avdeling Hamar") -> dict[str, pd.DataFrame]:
    units = pd.read_csv(DEMO / "units.csv", dtype=str, keep_default_na=False)
    monthly = pd.read_csv(DEMO / "monthly.csv", dtype=str, keep_default_na=False)
    daily = pd.read_csv(DEMO / "daily.csv", dtype=str, keep_default_na=False)
    wards = units[(units["department"] == department) & (units["care_level"] == "inpatient")]["unit_id"]
    wards = list(wards)[:units_wanted]
    return {"units": units[units["unit_id"].isin(wards)], "monthly": monthly[monthly["unit_id"].isin(wards)],
            "daily": daily[daily["unit_id"].isin(wards)]}


@pytest.fixture(scope="session")
def slice_tables() -> dict[str, pd.DataFrame]:
    return demo_slice()


@pytest.fixture(scope="session")
def slice_dataset(slice_tables):
    from benchmark.dataset.load import dataset_from_frames

    t = slice_tables
    return dataset_from_frames(t["units"], t["monthly"], daily=t["daily"])


@pytest.fixture(scope="session")
def slice_beds(slice_dataset):
    import benchmark as bm

    return bm.beds(slice_dataset, year=2026)


def write_folder(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder
