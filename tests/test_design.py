"""The typed design: stages fill one Design record in order; emitters read results, not the spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubc.design import Design, StageOrderError
from hubc.stages import BUILD_STAGES, Stage, check_order

EXAMPLES = Path(__file__).resolve().parent.parent / "specs"


def test_build_stages_are_in_an_order_that_works():
    check_order(BUILD_STAGES)
    assert [s.fills for s in BUILD_STAGES] == ["summary", "racks", "cooling", "electrical", "energy", "procurement", "finance"]


def test_a_stage_before_what_it_needs_is_refused():
    by_name = {s.fills: s for s in BUILD_STAGES}
    swapped = (by_name["summary"], by_name["electrical"], by_name["racks"])
    with pytest.raises(ValueError, match="electrical.*racks"):
        check_order(swapped)
    with pytest.raises(ValueError, match="distinct"):
        check_order((by_name["racks"], by_name["racks"]))
    with pytest.raises(ValueError, match="distinct"):
        check_order((Stage("nonsense", "", (), by_name["racks"].run),))


def test_reading_a_result_before_its_stage_fails_by_name():
    with pytest.raises(StageOrderError, match="'racks'"):
        Design().need("racks")
    assert Design().results() == ()


def test_sld_labels_the_bess_and_renewables_as_sized(tmp_path):
    from hubc.pipeline import build_spec, check_spec

    built = build_spec(check_spec(EXAMPLES / "campus-1gw.toml"))
    design = built.design
    assert design.stages_done() == tuple(s.fills for s in BUILD_STAGES)
    bess = design.energy.bess
    svg = built.plan["sld.svg"].decode()
    assert f"{bess.installed_energy_mwh:,.0f} MWh / {bess.installed_power_mw:,.0f} MW" in svg
    assert ">auto<" not in svg and "auto-sized" not in svg
    for plant in design.energy.plants:
        if plant.kind != "ppa" and plant.capacity_mw > 0:
            assert f"{plant.capacity_mw:,.0f} " in svg
