"""Money is rounded once: phase amounts are allocated so they add up to the line and the total."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubc.procurement.bom import allocate_phases

SPECS = Path(__file__).resolve().parent.parent / "specs"


def test_allocation_by_hand():
    # 3 units at 0.5 KRW: rounding each phase alone gives 1 + 1 + 1 = 3 KRW for a 2 KRW line.
    shares = allocate_phases([("p1", 1.0), ("p2", 1.0), ("p3", 1.0)], 3.0, 0.5, 2)
    assert [s.extended_cost_krw for s in shares] == [1, 0, 1]  # ROUND(0.5), ROUND(1)-1, 2-1
    assert sum(s.extended_cost_krw for s in shares) == 2
    # A measured quantity split in thirds still adds up to the line exactly.
    q = 10.0
    shares = allocate_phases([("a", q / 3), ("b", q / 3), ("c", q / 3)], q, 1_234_567.891, 12_345_679)
    assert sum(s.extended_cost_krw for s in shares) == 12_345_679


@pytest.mark.parametrize("name", ["pilot-10mw", "gb200-100mw"])
def test_phases_add_up_to_lines_and_total(name):
    from hubc.pipeline import build_spec, check_spec

    proc = build_spec(check_spec(SPECS / f"{name}.toml")).design.procurement
    for line in proc.lines:
        assert sum(s.extended_cost_krw for s in line.phases) == line.extended_cost_krw, line.line_id
    assert sum(proc.capex_by_phase().values()) == proc.total_krw
