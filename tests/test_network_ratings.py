"""Ratings from duty: a generator group paralleled with the utility (closed-transition
retransfer) pushes the MV duty over a fixed rating; a design with an LV board below its duty is
rejected; cables are checked for their short-circuit withstand (IEC 60949)."""

import math

import attrs
import pytest

from hubc.diagnostics import HubcError
from hubc.electrical.ratings import min_cable_mm2
from hubc.electrical.stage import run_electrical
from tests.electrical_fixtures import rows, small_spec, substation_spec

LOADS = [500.0] * 8


def _codes(res, code):
    return [d for d in res.diagnostics if d.code == code]


def test_generator_paralleling_pushes_the_mv_duty_over_its_rating():
    # each 22.9 kV section: one 20 MVA unit (6.8 kA, peak 17.9 kA) and four 2.5 MVA gensets
    # (X''d 0.15: 4 x 1.1 x 63 A / 0.15 = 1.85 kA). With open transition the gensets never meet
    # the utility: 8 kA switchgear is enough. Closed transition parallels them: 8.6 kA > 8 kA.
    spec, src = substation_spec(philosophy="main-tie-main", transfer="open", extra="mv_switchgear_ka = 8")
    ok = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    assert not _codes(ok, "HUB752")
    spec, src = substation_spec(philosophy="main-tie-main", transfer="closed", extra="mv_switchgear_ka = 8")
    bad = run_electrical(spec, rows("hall-1", LOADS), src, strict=False)
    sets = sum(1 for g in bad.network.generators if g.group == "ss.mv-1")
    assert sets == 4
    one = next(b for b in ok.studies.buses if b.id == "ss.mv-1")
    both = next(b for b in bad.studies.buses if b.id == "ss.mv-1")
    gens = sets * 1.1 * (2.5 / (math.sqrt(3) * 22.9)) / 0.15
    assert both.ikss_max_ka == pytest.approx(one.ikss_max_ka + gens, rel=0.03)
    assert one.ikss_max_ka < 8 < both.ikss_max_ka
    d = _codes(bad, "HUB752")
    assert d and "ss.mv-1" in d[0].message and "rated 8 kA" in d[0].message and f"{both.ikss_max_ka:.1f} kA" in d[0].message
    assert d[0].path == ("electrical", "mv_switchgear_ka")
    assert bad.ratings.bus("ss.mv-1").ok is False


def test_a_board_below_its_duty_is_rejected():
    # 1,500 kVA unit substations (6 %, -10 % tolerance) give about 41 kA at the LV boards: a
    # specified 25 kA board is a build error naming the board, the duty and the rating
    spec, src = small_spec(topology="2N", rows=4)
    spec = attrs.evolve(spec, electrical=attrs.evolve(spec.electrical, lv_board_ka=25.0))
    with pytest.raises(HubcError) as exc:
        run_electrical(spec, rows("hall-1", [400.0] * 4), src)
    assert exc.value.exit_code == 1
    d = [x for x in exc.value.diagnostics if x.code == "HUB752"]
    assert d, [x.code for x in exc.value.diagnostics]
    assert d[0].message.startswith("LV board at hall-1.c01.ups-01a.lv is rated 25 kA")
    assert "duty is Ik'' 4" in d[0].message  # about 41 kA
    assert d[0].path == ("electrical", "lv_board_ka")


def test_cable_short_circuit_withstand():
    # IEC 60949: S >= I sqrt(t) / k; 20 kA for 0.5 s on Cu XLPE (k 143): 98.9 mm2
    assert min_cable_mm2(20.0, 0.5, 143) == pytest.approx(20000 * math.sqrt(0.5) / 143)
    assert min_cable_mm2(20.0, 0.5, 143) == pytest.approx(98.9, abs=0.1)
    spec, src = small_spec(topology="2N", rows=4)
    res = run_electrical(spec, rows("hall-1", [400.0] * 4), src, strict=False)
    checks = {c.line: c for c in res.ratings.cables}
    assert checks and all(c.ok for c in checks.values())
    for line in res.network.lines:
        if line.kind == "cable" and line.size_mm2:
            c = checks[line.id]
            bus = next(b for b in res.studies.buses if b.id == line.from_bus)
            assert c.min_mm2 == pytest.approx(min_cable_mm2(bus.ith_max_ka, 0.5, 143), abs=0.1)
