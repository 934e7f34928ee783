import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
CASES = Path(__file__).resolve().parent / "cases"

# Waiver expiry depends on "today": pin it so results do not change with the calendar.
os.environ.setdefault("HUBC_TODAY", "2026-11-22")


@pytest.fixture
def example_specs() -> list[Path]:
    return sorted(SPECS.glob("*.toml"))
