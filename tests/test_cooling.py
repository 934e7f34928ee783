"""Cooling sizing, checked against hand arithmetic on the starter campus (Gyeonggi-do -> the Seoul
station: 0.4 % design 32.3 °C dry-bulb, 26.1 °C wet-bulb) and the catalog figures it cites."""

import math

import attrs
import pytest

from hubc.cooling.sizing import header, size_cooling
from hubc.pipeline import check_spec
from hubc.spec.model import Phase, PhaseHall
from tests.conftest import CASES

BASE = CASES / "plan" / "base.toml"  # the starter: 4 GB200 SUs + 2 spine racks, 4.524 MW IT

IT = 4 * (8 * 132 + 2 * 30) + 2 * 30  # 4,524 kW
LIQUID = 4 * 8 * 132 * 0.80  # 3,379.2 kW
AIR = IT - LIQUID  # 1,144.8 kW
# Plant heat: IT + CDU pumps (2 %) + CRAH fans (3 % of air heat) + power-chain losses (4 % of IT).
HEAT = IT + 0.02 * LIQUID + 0.03 * AIR + 0.04 * IT
DESIGN_Q = HEAT * 1.1  # policy.sizing_margin 0.1


def _spec(tmp_path, *edits):
    text = BASE.read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "c.toml"
    path.write_text(text)
    checked = check_spec(path)
    assert checked.ok, checked.diagnostics
    return checked.spec


HYBRID_30_40 = (
    ('kind = "dry-cooler"', 'kind = "hybrid"'),
    ('cdus = 2\n', 'cdus = "auto"\n'),
    ('cdu_scope = "row"', 'cdu_scope = "hall"\nsupply_temp_c = 30\nreturn_temp_c = 40'),
)


def test_small_campus_plant_by_hand(tmp_path):
    """Hybrid plant, CDUs sized by hubc: every count, flow and header computed by hand."""
    r = size_cooling(_spec(tmp_path, *HYBRID_30_40))
    assert r.climate.station == "Seoul (KMA 108)" and r.climate.design_dry_bulb_c == 32.3
    (h,) = r.halls
    assert h.crah_units == math.ceil(AIR / 250) + 1 == 6  # air heat, N+1, no growth margin
    assert h.cdus_per_loop == math.ceil(LIQUID / 1000) + 1 == 5  # auto: liquid / cdu_kw + N+1
    # TCS: PG25, 60 Q / (rho cp dT) = 60 x 3379.2 / (1.02 x 3.93 x 10) = 5,058 L/min -> DN200 at <= 3 m/s.
    assert h.tcs.flow_l_per_min == pytest.approx(60 * LIQUID / (1.02 * 3.93 * 10))
    assert h.tcs.size == "DN200"
    assert h.tcs.velocity_m_per_s == pytest.approx(h.tcs.flow_l_per_min / 60000 / (math.pi * 0.2027**2 / 4))

    (p,) = r.plants  # no phases: one campus plant
    assert p.id == "campus-plant" and p.halls == (("hall-a", 1),)
    assert p.heat_kw == pytest.approx(HEAT) and p.design_heat_kw == pytest.approx(DESIGN_Q)
    assert (p.fws_supply_c, p.fws_return_c) == (27.0, 37.0)  # TCS 30 C less the 3 K CDU approach; dT 10 K
    units = {u.family: u for u in p.units}
    # Dry coolers carry all the heat up to the changeover: ITD = dT + 4 K approach = 14 K of the
    # 15 K rating -> 1,400 kW each; ceil(5,288 / 1,400) = 4, N+1.
    assert units["dry-cooler"].design_unit_kw == pytest.approx(1500 * 14 / 15)
    assert units["dry-cooler"].count == math.ceil(DESIGN_Q / 1400) + 1 == 5
    # At 32.3 C the dry coolers reach 36.3 C: they carry (37 - 36.3) / 10 = 7 % of the heat; the
    # trim chillers the rest, at 1.35 x 1,500 kW (27 C leaving water, capped) -> 4 incl. N+1.
    assert p.design_free_fraction == pytest.approx((37 - 36.3) / 10)
    assert units["chiller"].duty_kw == pytest.approx(DESIGN_Q * 0.93)
    assert units["chiller"].design_unit_kw == pytest.approx(1500 * 1.35)
    assert units["chiller"].count == math.ceil(DESIGN_Q * 0.93 / 2025) + 1 == 4
    # FWS: water, 60 x 5,288 / (4.18 x 10) = 7,590 L/min -> DN250; pump 35 m at 75 % -> 58 kW: 1 + 1.
    assert p.fws.flow_l_per_min == pytest.approx(60 * DESIGN_Q / (4.18 * 10))
    assert p.fws.size == "DN250"
    assert p.pumps == 2
    eq = {e.family: e.quantity for e in r.equipment()}
    assert eq == {"crah": 6, "cdu": 5, "dry-cooler": 5, "chiller": 4, "pump": 2}
    assert all(d.rule and d.inputs and d.result for d in r.decisions)


def test_chiller_capacity_is_about_the_heat_not_three_times_it(tmp_path):
    """Issue 14: plants of 14-46 MW got 2.9-3.2x their heat in chillers (per hall copy, each with a tower)."""
    spec = _spec(
        tmp_path,
        ('kind = "dry-cooler"', 'kind = "chiller"\nchiller_kw = 2000'),
        ("pods = [", "copies = 4\npods = ["),
        ("contract_mw = 7", "contract_mw = 30"),
    )
    r = size_cooling(spec)
    (p,) = r.plants
    (ch,) = [u for u in p.units if u.family == "chiller"]
    firm = (ch.count - 1) * ch.design_unit_kw  # capacity with the redundant chiller out
    assert p.heat_kw == pytest.approx(4 * HEAT)
    assert 1.1 <= firm / p.heat_kw < 1.1 + ch.design_unit_kw / p.heat_kw  # growth margin plus rounding
    towers = next(u for u in p.units if u.family == "cooling-tower")
    assert towers.duty_kw > ch.duty_kw  # towers carry the compressor work too


def test_air_only_hall_has_no_cdu_and_crah_on_air_heat(tmp_path):
    spec = _spec(
        tmp_path,
        ("liquid_fraction = 0.80", "liquid_fraction = 0.0"),
        ("cdu_kw = 1000\ncdus = 2\n", ""),
        ("air_kw_per_row = 400", "air_kw_per_row = 1600"),
    )
    r = size_cooling(spec)
    (h,) = r.halls
    assert h.cdus == 0 and h.tcs is None
    assert h.crah_units == math.ceil(IT / 250) + 1
    assert "cdu" not in {e.family for e in r.equipment()}


def test_crah_redundancy_has_its_own_key(tmp_path):
    spec = _spec(tmp_path, ('cdu_redundancy = "N+1"', 'cdu_redundancy = "N+1"\ncrah_redundancy = "N+2"'))
    (h,) = size_cooling(spec).halls
    assert h.crah_units == math.ceil(AIR / 250) + 2


def test_plants_per_phase_per_building_and_per_campus(tmp_path):
    phases = (
        ("pods = [", "copies = 3\npods = ["),
        ("contract_mw = 7", "contract_mw = 25"),
    )
    spec = _spec(tmp_path, *phases, ('kind = "dry-cooler"', 'kind = "hybrid"'))
    with_phases = attrs.evolve(spec, phase=(
        Phase(id="p1", year=2027, halls=(PhaseHall(hall="hall-a", copies=1),)),
        Phase(id="p2", year=2028, halls=(PhaseHall(hall="hall-a", copies=2),)),
    ))
    r = size_cooling(with_phases)
    assert [(p.id, p.area, p.halls) for p in r.plants] == [
        ("p1-plant", "p1", (("hall-a", 1),)),
        ("p2-plant", "p2", (("hall-a", 2),)),
    ]
    assert r.plants[1].heat_kw == pytest.approx(2 * r.plants[0].heat_kw)
    building = size_cooling(attrs.evolve(with_phases, cooling_plant=attrs.evolve(with_phases.cooling_plant, scope="building")))
    (b,) = building.plants
    assert (b.count, b.area, b.halls) == (3, "hall-a", (("hall-a", 1),))
    campus = size_cooling(attrs.evolve(with_phases, cooling_plant=attrs.evolve(with_phases.cooling_plant, scope="campus")))
    assert [(p.id, p.halls) for p in campus.plants] == [("campus-plant", (("hall-a", 3),))]


def test_dry_coolers_alone_warn_when_the_loop_floats(tmp_path):
    r = size_cooling(_spec(tmp_path))  # TCS 25 C -> FWS 22 C against a 32.3 C design dry-bulb
    (p,) = r.plants
    assert p.supply_floats_to_c == pytest.approx(32.3 + 4)
    assert "HUB760" in {d.code for d in r.diagnostics}
    assert p.year.hours_above_supply > 0 and p.year.mechanical_hours == 0


def test_header_sizes_from_the_velocity_limit():
    # 1,000 L/min = 0.01667 m3/s; at 3 m/s it needs 84 mm of bore: DN100 (102.3 mm).
    h = header(1000.0)
    assert (h.dn, h.parallel) == (100, 1)
    assert h.velocity_m_per_s == pytest.approx(1000 / 60000 / (math.pi * 0.1023**2 / 4))
    big = header(400000.0)  # 6.67 m3/s: beyond one DN1200 (3.39 m3/s at 3 m/s) -> two
    assert (big.dn, big.parallel) == (1200, 2)


def test_cdu_pump_power_from_the_catalog_or_the_spec_feeds_the_critical_load(tmp_path):
    from hubc.core.types import RowLoad
    from hubc.electrical.sizing import size_electrical

    rows = tuple(
        RowLoad(hall="hall-a", row=r, it_kw=IT / 4, liquid_kw=LIQUID / 4, air_kw=AIR / 4, racks=10) for r in range(1, 5)
    )
    override = ('cdu_redundancy = "N+1"', 'cdu_redundancy = "N+1"\ncdu_pump_kw_per_kw = 0.05')
    for edit, ratio in (((), 0.02), ((override,), 0.05)):
        spec = _spec(tmp_path, *HYBRID_30_40, *edit)
        (h,) = size_cooling(spec).halls
        assert h.cdu_pump_kw == pytest.approx(LIQUID * ratio)
        (hp,) = size_electrical(spec, {"hall-a": rows}).halls
        assert hp.cdu_kw == pytest.approx(LIQUID * ratio)
        assert len([i for i in hp.items if i.kind == "cdu"]) == h.cdus_per_loop  # one load item per CDU
