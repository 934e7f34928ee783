"""The operating philosophy decides the outcome: a two-section 22.9 kV bus on two 20 MVA units,
ties open (main-tie-main) or closed. Hand figures: 20 MVA at the IEC 60076-5 minimum 8 %,
In = 504 A; Ik'' = 1.1 x 22.9 kV / (sqrt3 (Z_T / K_T + Z_Q)) with Z_T = 0.08 x 22.9^2 / 20 =
2.098 ohm, K_T = 0.997, Z_Q = 1.1 x 22.9^2 / (sqrt3 x 154 x 40) = 0.054 ohm (40 kA at 154 kV):
6.74 kA on one unit, 13.15 kA on two in parallel."""

import pytest

from hubc.electrical.stage import run_electrical
from tests.electrical_fixtures import rows, substation_spec

LOADS = [500.0] * 8


@pytest.fixture(scope="module")
def open_ties():
    spec, src = substation_spec(philosophy="main-tie-main")
    return run_electrical(spec, rows("hall-1", LOADS), src, strict=False)


@pytest.fixture(scope="module")
def closed_ties():
    spec, src = substation_spec(philosophy="closed-ties")
    return run_electrical(spec, rows("hall-1", LOADS), src, strict=False)


def _bus(res, bid):
    return next(b for b in res.studies.buses if b.id == bid)


def test_tie_state_decides_the_short_circuit_duty_and_rating(open_ties, closed_ties):
    one = _bus(open_ties, "ss.mv-1")
    two = _bus(closed_ties, "ss.mv-1")
    assert one.ikss_max_ka == pytest.approx(6.74, rel=0.015)
    assert two.ikss_max_ka == pytest.approx(13.15, rel=0.015)
    assert open_ties.ratings.bus("ss.mv-1").rated_short_circuit_ka == 8.0
    assert closed_ties.ratings.bus("ss.mv-1").rated_short_circuit_ka == 16.0
    # the tie itself: normally open, closes after a loss; in the closed-ties design it is closed
    tie_open = next(s for s in open_ties.network.switches if s.id == "ss.mv-tie-1-2")
    tie_closed = next(s for s in closed_ties.network.switches if s.id == "ss.mv-tie-1-2")
    assert (tie_open.closed, tie_closed.closed) == (False, True)


def test_loss_of_an_incomer_closes_the_tie_and_the_neighbour_carries_both(open_ties):
    st = open_ties.studies
    normal = {b.id: b for b in st.branches}
    lost = st.scenario("ss.tx-1/fails")
    assert lost.switching == ("open ss.tx-1.hv-cb", "open ss.mv-1.incomer", "close ss.mv-tie-1-2")
    # tx-2 carries both sections: its loading is (about) the sum of the two normal loadings
    both = normal["ss.tx-1"].normal_loading + normal["ss.tx-2"].normal_loading
    assert lost.worst_loading >= normal["ss.tx-2"].worst_loading - 1e-6
    assert normal["ss.tx-2"].worst_loading == pytest.approx(both, rel=0.02)
    # the tie now carries section 1's load current
    tie = normal["ss.mv-tie-1-2"]
    assert tie.worst_current_a == pytest.approx(normal["ss.tx-1"].normal_current_a * 154 / 22.9, rel=0.05)
    assert tie.normal_current_a == 0.0


def test_closed_ties_share_after_a_loss(closed_ties):
    lost = closed_ties.studies.scenario("ss.tx-1/fails")
    assert lost.switching == ("open ss.tx-1.hv-cb", "open ss.mv-1.incomer")  # nothing to close
    assert closed_ties.sizing.arrangement().ties[0].normally_closed


def test_tier4_maintenance_plus_failure_uses_both_reserves():
    # N+2 with two reserve units: one main transformer in maintenance, another fails: both
    # sections transfer, each to its own reserve bus, and no load is lost
    spec, src = substation_spec(tier=4, transformers=4, mva=10, redundancy="N+2", philosophy="reserve-transformer")
    res = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    s = res.studies.scenario("ss.tx-1/maintenance")
    assert s.maintenance == ("ss.tx-1",) and s.failed == ("ss.tx-2",)
    assert "close ss.mv-1.transfer-3" in s.switching and "close ss.mv-2.transfer-4" in s.switching
    assert s.lost_kw == 0 and s.ok
    gen = res.studies.scenario("campus/utility-outage/generator-maintenance/generator-fails")
    assert gen.kind == "maintenance+failure" and gen.ok
