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


@pytest.fixture(scope="session")
def example_outputs() -> dict[str, dict[str, bytes]]:
    """Every example built once per test session, in process: {spec stem: {output path: bytes}}."""
    from hubc.pipeline import build_spec, check_spec

    return {path.stem: dict(build_spec(check_spec(path)).plan) for path in sorted(SPECS.glob("*.toml"))}


@pytest.fixture(scope="session")
def built_100mw():
    """The 100 MW example built once per session, in process, with its design (BOM and report tests)."""
    from hubc.pipeline import build_spec, check_spec

    return build_spec(check_spec(SPECS / "gb200-100mw.toml"))
