"""network.json: pandapower reads it back and reproduces hubc's figures on its own; the file is
the same bytes for the same design. And the equivalence hubc relies on: the hall copies modelled
as equivalent loads give the same campus as every copy in full."""

import json

import attrs
import pytest

from hubc.electrical.build import build_network
from hubc.electrical.stage import run_electrical
from hubc.electrical.studies import Grid, _pp, quiet, short_circuit
from hubc.emit.network import network_json
from hubc.racks import run_racks
from hubc.spec.convert import structure
from hubc.spec.source import load_path
from tests.conftest import SPECS
from tests.electrical_fixtures import rows, substation_spec


@pytest.fixture(scope="module")
def pilot():
    doc, _ = load_path(SPECS / "pilot-10mw.toml")
    spec, _ = structure(doc)
    return run_electrical(spec, run_racks(spec, source=doc.source).row_loads(), doc.source, strict=False)


def test_network_json_reproduces_the_studies_in_pandapower(pilot):
    pp, sc = _pp()
    data = network_json(pilot)
    assert data == network_json(pilot)  # deterministic bytes
    with quiet():
        net = pp.from_json_string(data.decode("utf-8"))
        pp.runpp(net, numba=False)
    st = pilot.studies
    # the normal load flow: grid import and every branch's loading
    assert float(net.res_ext_grid["p_mw"].sum()) == pytest.approx(st.grid.import_mw, abs=1e-3)
    branches = {b.id: b for b in st.branches}
    for i, name in net.line["name"].items():
        assert float(net.res_line.at[i, "loading_percent"]) / 100 == pytest.approx(branches[name].normal_loading, abs=1e-4)
    for i, name in net.trafo["name"].items():
        assert float(net.res_trafo.at[i, "loading_percent"]) / 100 == pytest.approx(branches[name].normal_loading, abs=1e-4)
    # IEC 60909 maximum at the MV buses (the utility case governs there)
    with quiet():
        sc.calc_sc(net, case="max", ip=True, lv_tol_percent=10)
    buses = {b.id: b for b in st.buses}
    checked = 0
    for i, name in net.bus["name"].items():
        b = buses[name]
        if b.role in ("mv-section", "feeder-end") and b.max_case == "max/utility":
            assert float(net.res_bus_sc.at[i, "ikss_ka"]) == pytest.approx(b.ikss_max_ka, abs=2e-3)
            assert float(net.res_bus_sc.at[i, "ip_ka"]) == pytest.approx(b.ip_max_ka, abs=2e-3)
            checked += 1
    assert checked >= 2
    # the LV boards: hubc's duty is at the unit substations' lower impedance tolerance (-10 %)
    with quiet():
        lowered = net.trafo["vn_lv_kv"] < 1.0  # unit substations (hall and mechanical)
        net.trafo.loc[lowered, "vk_percent"] *= 0.9
        net.trafo.loc[lowered, "vkr_percent"] *= 0.9
        sc.calc_sc(net, case="max", ip=True, lv_tol_percent=10)
    for i, name in net.bus["name"].items():
        if buses[name].role == "lv-board":
            assert float(net.res_bus_sc.at[i, "ikss_ka"]) == pytest.approx(buses[name].ikss_max_ka, abs=2e-3)


def test_network_json_names_and_states(pilot):
    doc = json.loads(network_json(pilot))
    assert doc["_module"] == "pandapower.auxiliary" and doc["_class"] == "pandapowerNet"
    pp, _sc = _pp()
    with quiet():
        net = pp.from_json_string(json.dumps(doc))
    names = set(net.bus["name"])
    assert {b.id for b in pilot.network.buses} == names
    sw = dict(zip(net.switch["name"], net.switch["closed"]))
    assert all(sw[s.id] == s.closed for s in pilot.network.switches)
    # standby gensets behind open breakers; the standby utility circuit open
    assert not any(sw[s.id] for s in pilot.network.switches if s.role == "generator")


def test_equivalent_copies_match_every_copy_in_full():
    """Copy 1 in full and the other copies as their feeder-end P and Q give the campus (main
    transformers, sections, grid import, MV short-circuit duty) of a network with every copy in
    full: the equivalence that lets hubc study a 38-copy campus on two typical copies."""
    spec, src = substation_spec(copies=3, philosophy="main-tie-main")
    res = run_electrical(spec, rows("hall-1", [500.0] * 8), src, strict=False)
    cables = {(d.hall, d.feeder): d.cable for d in res.feeder_designs}
    eq = {(h, f): (p, q) for h, f, p, q in res.studies.equivalents}
    reduced = build_network(spec, res.sizing, res.assignment, cables, res.generator_plan, equivalents=eq)
    full = build_network(spec, res.sizing, res.assignment, cables, res.generator_plan, full_copies=True)
    assert sum(1 for b in full.buses if b.role == "lv-board") > sum(1 for b in reduced.buses if b.role == "lv-board")
    assert reduced.counts()["equivalent_buses"] > 0 and full.counts()["equivalent_buses"] == 0
    out = {}
    for name, net in (("reduced", reduced), ("full", full)):
        g = Grid(net, taps=dict(res.studies.normal_taps))
        assert g.solve(regulate=False)
        n = g.net
        out[name] = {
            "import": float(n.res_ext_grid["p_mw"].sum()),
            "q": float(n.res_ext_grid["q_mvar"].sum()),
            "tx": {t: float(n.res_trafo.at[g.trafo[t], "loading_percent"]) for t in ("ss.tx-1", "ss.tx-2")},
            "vm": {s: float(n.res_bus.at[g.bus[s], "vm_pu"]) for s in ("ss.mv-1", "ss.mv-2")},
            "feeders": {x.id: float(n.res_line.at[g.line[x.id], "loading_percent"]) for x in net.lines if x.role == "mv-feeder"},
        }
    r, f = out["reduced"], out["full"]
    assert r["import"] == pytest.approx(f["import"], rel=1e-4)
    assert r["q"] == pytest.approx(f["q"], rel=1e-3)
    for t in r["tx"]:
        assert r["tx"][t] == pytest.approx(f["tx"][t], rel=1e-4)
    for s in r["vm"]:
        assert r["vm"][s] == pytest.approx(f["vm"][s], abs=1e-5)
    for lid in r["feeders"]:
        assert r["feeders"][lid] == pytest.approx(f["feeders"][lid], rel=1e-3)
    # the MV short-circuit duty: loads do not feed faults, so the equivalents change nothing
    arr = res.sizing.arrangement()
    _c1, sr = short_circuit(reduced, arr, roles=("mv-section", "feeder-end"))
    _c2, sf = short_circuit(full, arr, roles=("mv-section", "feeder-end"))
    for bid, rec in sr.items():
        assert rec["ikss_max"][0] == pytest.approx(sf[bid]["ikss_max"][0], rel=1e-6)


def test_network_json_unchanged_by_a_rebuild(pilot):
    again = attrs.evolve(pilot)
    assert network_json(again) == network_json(pilot)


def test_design_json_lists_buses_branches_and_scenarios(pilot):
    from hubc.design_json import unstructure

    doc = json.loads(json.dumps(unstructure(pilot), allow_nan=False))
    st, rat = doc["studies"], doc["ratings"]
    buses = {b["id"]: b for b in st["buses"]}
    assert set(buses) == {b.id for b in pilot.network.buses}
    mv = buses["rx-switchgear.mv-1"]
    assert mv["vn_kv"] == 22.9 and mv["section"] == "rx-switchgear.mv-1"
    assert mv["ikss_max_ka"] > mv["ikss_min_ka"] > 0 and mv["ip_max_ka"] > mv["ikss_max_ka"]
    # every switchboard: its voltage, section, duty (Ik'' max and min, ip) and the rating chosen
    rated = {r["bus"]: r for r in rat["buses"]}
    r = rated["rx-switchgear.mv-1"]
    assert r["kind"] == "mv-switchgear" and r["section"] == "rx-switchgear.mv-1"
    assert r["duty_ikss_ka"] == mv["ikss_max_ka"] and r["duty_ikss_min_ka"] == mv["ikss_min_ka"]
    assert r["rated_short_circuit_ka"] >= r["duty_ikss_ka"] and r["rated_peak_ka"] >= r["duty_ip_ka"]
    lv = next(x for x in rat["buses"] if x["kind"] == "lv-board")
    assert lv["rated_peak_ka"] >= lv["duty_ip_ka"]
    branches = {b["id"]: b for b in st["branches"]}
    feeder = next(b for b in st["branches"] if b["role"] == "mv-feeder")
    assert 0 < feeder["normal_loading"] <= feeder["worst_loading"] and feeder["worst_scenario"]
    assert all(b["kind"] in ("line", "transformer", "switch", "generator") for b in branches.values())
    scen = {s["id"]: s for s in st["scenarios"]}
    standby = scen["feeder-pangyo.c1/fails"]
    assert standby["switching"] == ["open feeder-pangyo.c1.cb", "close feeder-pangyo.c2.cb"]
    assert standby["ok"] is True
    assert any(s["kind"] == "unit-substation" and s["switching"] for s in st["scenarios"])
    assert st["losses"]["total_kw"] > st["losses"]["ups_kw"] > 0
    assert st["worst"]["id"] in scen
    assert st["short_circuit_cases"][0]["id"] == "max/utility"
