"""The HV bus scheme in the network: buses and breakers as built, the BOM and design.json's
count from the network, HV bus and stuck-breaker failures with their switching, the duty per
HV bus (hand-counted on the ANSI example and variants of it)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from hubc.racks import run_racks
from tests.test_energy_stage import spec_of

SPECS = Path(__file__).resolve().parents[1] / "specs"
MESA = (SPECS / "mesa-ansi-50mw.toml").read_text("utf-8")
ONE_STAGE = MESA.replace(
    '[substation.hv_stage]\nvoltage_kv = 69\ntransformer_mva = 100\ntransformers = 2\nredundancy = "N+1"\nbus_scheme = "ring"\n', ""
).replace(" = 230\n", " = 69\n")  # a one-stage 69 kV supply


@functools.cache
def _electrical(text: str):
    from hubc.electrical.stage import run_electrical

    spec, src = spec_of(text)
    return run_electrical(spec, run_racks(spec, source=src).row_loads(), src, strict=False)


def _scheme(text: str, scheme: str, stage_scheme: str | None = None) -> str:
    out = text.replace('bus_scheme = "breaker-and-a-half"', f'bus_scheme = "{scheme}"')
    return out.replace('bus_scheme = "ring"', f'bus_scheme = "{stage_scheme}"') if stage_scheme else out


def _hv_breakers(net, prefix: str) -> list:
    nodes = {b.id for b in net.buses if b.role == "hv-section" and b.id.startswith(prefix + "-")}
    return [s for s in net.switches if s.kind == "CB" and (s.bus in nodes or (s.element_kind == "bus" and s.element in nodes))]


def test_breaker_and_a_half_and_ring_by_hand():
    res = _electrical(MESA)
    net = res.network
    # 230 kV breaker-and-a-half with 4 circuits (2 lines, 2 HV/HV transformers): 2 diameters of
    # 3 breakers = 6, every circuit on a diameter node through a disconnector (no own breaker)
    hv = _hv_breakers(net, "ss-main.hv")
    assert sorted(s.id for s in hv) == [f"ss-main.hv-d{d}.cb-{k}" for d in (1, 2) for k in (1, 2, 3)]
    assert {s.role for s in hv} == {"diameter"}
    # ring order: source, transformer, source, transformer - each diameter holds a line and a transformer
    nodes = {s.id: s.bus for s in net.switches if s.kind == "DS" and s.bus.startswith("ss-main.hv-d")}
    assert nodes == {"tl-mesa-230.c1.ds": "ss-main.hv-d1a", "ss-main.ivt-1.hv-ds": "ss-main.hv-d1b", "tl-mesa-230.c2.ds": "ss-main.hv-d2a", "ss-main.ivt-2.hv-ds": "ss-main.hv-d2b"}
    # 69 kV ring of 5 circuits (2 HV/HV transformers, 3 main transformers): 5 breakers, one per circuit
    ring = _hv_breakers(net, "ss-main.iv")
    assert sorted(s.id for s in ring) == sorted(["ss-main.iv-ring-1-2", "ss-main.iv-ring-2-3", "ss-main.iv-ring-3-4", "ss-main.iv-ring-4-5", "ss-main.iv-ring-5-1"])
    # design.json's count and the BOM both come from the network and agree: 6 + 5 = 11
    assert [(b.id, b.circuits, b.breakers) for b in res.hv_scheme.buses] == [("ss-main.hv", 4, 6), ("ss-main.iv", 5, 5)]
    bom = {e.id: e.quantity for e in res.equipment()}
    assert bom["ss-main/hv-gis-diameter-2000a"] + bom["ss-main/hv-gis-ring-1250a"] == res.hv_scheme.breakers == 11


def test_every_hv_bus_has_its_own_duty_and_rating():
    res = _electrical(MESA)
    hv_nodes = [b.id for b in res.network.buses if b.role == "hv-section"]
    rated = {r.bus: r for r in res.ratings.buses}
    # 2 main buses + 4 diameter nodes at 230 kV, 5 ring nodes at 69 kV
    assert len(hv_nodes) == 11 and all(b in rated for b in hv_nodes)
    studied = {b.id: b for b in res.studies.buses}
    assert all(studied[b].ikss_max_ka and rated[b].rated_short_circuit_ka >= studied[b].ikss_max_ka for b in hv_nodes)


def test_stuck_breaker_and_bus_faults_are_scenarios_with_switching():
    res = _electrical(MESA)
    sc = {x.id: x for x in res.studies.scenarios}
    # a stuck centre breaker of diameter 1 takes both its nodes: the breakers around them open
    x = sc["ss-main.hv-d1.cb-2/stuck"]
    assert x.kind == "hv-breaker" and x.switching == ("open ss-main.hv-d1.cb-1", "open ss-main.hv-d1.cb-2", "open ss-main.hv-d1.cb-3")
    assert x.lost_kw == 0 and x.converged  # line 2 and HV/HV transformer 2 carry the campus
    # a 230 kV main bus fault: its two diameter breakers open, nothing else is lost
    assert sc["ss-main.hv-1/fails"].switching == ("open ss-main.hv-d1.cb-1", "open ss-main.hv-d2.cb-1")
    # a ring node fault isolates its circuit: node 2 holds main transformer 1, whose section
    # transfers to the reserve transformer as for its loss
    y = sc["ss-main.iv-2/fails"]
    assert y.switching[:2] == ("open ss-main.iv-ring-1-2", "open ss-main.iv-ring-2-3") and y.lost_kw == 0
    # the main transformer's loss in a ring: cleared by the ring breakers, isolated by its
    # disconnector, the ring reclosed
    assert sc["ss-main.tx-1/fails"].switching[:5] == (
        "open ss-main.iv-ring-1-2", "open ss-main.iv-ring-2-3", "open ss-main.tx-1.hv-ds", "close ss-main.iv-ring-1-2", "close ss-main.iv-ring-2-3",
    )


@pytest.mark.parametrize(
    ("scheme", "breakers"),
    [
        # 2 lines + 3 main transformers = 5 circuits at 69 kV
        ("single", 5),  # one per circuit, one bus
        ("sectionalised", 6),  # plus the bus-section breaker
        ("double-bus", 6),  # plus the coupler
        ("breaker-and-a-half", 9),  # 3 diameters (the third with one circuit) x 3
        ("ring", 5),  # one per circuit
    ],
)
def test_scheme_breakers_counted_from_the_network(scheme, breakers):
    from hubc.electrical.hv_scheme import breakers as rule

    res = _electrical(_scheme(ONE_STAGE, scheme))
    (bus,) = res.hv_scheme.buses
    assert (bus.scheme, bus.circuits, bus.breakers) == (scheme, 5, breakers)
    assert rule(scheme, 5)[0] == breakers == len(_hv_breakers(res.network, "ss-main.hv"))
    gis = sum(e.quantity for e in res.equipment() if e.family == "hv-switchgear" and "-ds-" not in e.id)
    assert gis == breakers


def test_a_stuck_bus_section_breaker_puts_the_campus_on_its_gensets():
    res = _electrical(_scheme(ONE_STAGE, "sectionalised"))
    x = next(x for x in res.studies.scenarios if x.id == "ss-main.hv-coupler/stuck")
    # both sections cleared: every line and transformer breaker and the coupler open; no main
    # transformer is left on the utility, so every MV section is on its gensets
    assert "open ss-main.hv-coupler" in x.switching and sum(a.startswith("open tl-mesa-230.c") for a in x.switching) == 2
    assert x.lost_kw == pytest.approx(res.sizing.facility_kw, rel=0.05)
    codes = [d.code for d in res.diagnostics]
    assert "HUB759" in codes and "HUB751" not in codes
    # a single section fault loses one line and its transformer(s); the other section carries on
    y = next(x for x in res.studies.scenarios if x.id == "ss-main.hv-1/fails")
    assert y.converged


def test_a_user_catalog_profile_sets_the_network_frequency(tmp_path):
    from hubc.electrical.stage import run_electrical
    from hubc.pipeline import check_spec

    # a 50 Hz profile of a user catalog file under which the pilot's 22.9 kV supply is standard
    fields = {
        "id": '"grid50"', "name": '"a 50 Hz grid code"', "frequency_hz": "50", "frequency_source": '"the code\'s frequency clause"',
        "voltages_kv": "[22.9, 154]", "voltages_source": '"its voltage table"', "mv_voltages_kv": "[22.9]",
        "mv_voltages_source": '"its voltage table"', "checks": "[]", "tag": '"S"',
    }
    (tmp_path / "grid50.toml").write_text("[[grid_profile]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items()), "utf-8")
    pilot = (SPECS / "pilot-10mw.toml").read_text("utf-8")
    path = tmp_path / "campus.toml"
    path.write_text(pilot.replace("[grid]\n", '[grid]\ncode = "grid50"\n') + '\n[catalog]\nfiles = ["grid50.toml"]\n', "utf-8")
    checked = check_spec(path)
    spec, src = checked.spec, checked.source
    rows = run_racks(spec, source=src).row_loads()
    res = run_electrical(spec, rows, src, strict=False, catalog=checked.catalog)
    assert res.network.f_hz == 50 and res.hv_scheme.frequency_hz == 50 and res.hv_scheme.grid_code == "grid50"
    # without the build's catalog the code is unknown to the shipped one: its default (KEPCO, 60 Hz)
    assert run_electrical(spec, rows, src, strict=False, studies=False).hv_scheme.frequency_hz == 60


def test_the_sld_draws_the_hv_stage_and_the_scheme_breakers(example_outputs):
    svg = example_outputs["mesa-ansi-50mw"]["sld.svg"].decode()
    # the HV/HV transformers between the 230 and 69 kV levels, their disconnectors on both sides
    for eid in ("ss-main.ivt-1", "ss-main.ivt-2", "ss-main.ivt-1.hv-ds", "ss-main.ivt-1.lv-ds"):
        assert f'id="{eid}"' in svg
    # every diameter and ring breaker of the network, by its id
    for d in (1, 2):
        for k in (1, 2, 3):
            assert f'id="ss-main.hv-d{d}.cb-{k}"' in svg
    for a, b in ((1, 2), (2, 3), (3, 4), (4, 5), (5, 1)):
        assert f'id="ss-main.iv-ring-{a}-{b}"' in svg
    # each level's title names its scheme with the breakers counted from the network; the notes
    # spell each diameter and the ring out
    assert "breaker-and-a-half</text>" in svg and "4 circuits, 6 CBs" in svg and "5 circuits, 5 CBs" in svg
    assert "diameter d1: hv-1 - cb-1 - hv-d1a (tl-mesa-230.c1) - cb-2 - hv-d1b (ss-main.ivt-1) - cb-3 - hv-2" in svg
