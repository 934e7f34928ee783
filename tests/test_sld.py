"""The single-line diagram drawn from the network: structure read back with xml.etree (every
network element has an element with its id, switch states as the network says, a signable title
block, ISO sheets in mm, legible text that does not overlap), a snapshot of a small hand-built
network, and every example read back the same way."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import attrs
import pytest

from hubc.electrical.network import (
    Bus,
    ExternalGrid,
    Generator,
    Line,
    Load,
    Network,
    Shunt,
    StaticGenerator,
    Switch,
    Transformer,
)
from hubc.emit.sld import BusDuty, HallSheet, SldInput, TitleInfo, render_sld, sheet_file
from hubc.emit.sld.inputs import BlockRow
from hubc.emit.sld.sheet import SIZES, drawing_number
from hubc.emit.sld.text import overlaps, svg_text_boxes

SVG = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------- a small network


def _mv_tx(tid: str, hv: str, lv: str, mva: float = 40.0) -> Transformer:
    return Transformer(
        id=tid, unit=tid, hv_bus=hv, lv_bus=lv, role="main", sn_mva=mva, vn_hv_kv=154.0, vn_lv_kv=22.9, vk_percent=12.5,
        vkr_percent=0.4, pfe_kw=20.0, i0_percent=0.05, vector_group="YNd1", tap_min=-8, tap_max=8, tap_step_percent=1.25,
        on_load_tap_changer=True, area="ss",
    )


def _uss(tid: str, hv: str, lv: str, area: str, copy: int, role: str = "unit-substation") -> Transformer:
    return Transformer(
        id=tid, unit=tid, hv_bus=hv, lv_bus=lv, role=role, sn_mva=3.0, vn_hv_kv=22.9, vn_lv_kv=0.415, vk_percent=7.0,
        vkr_percent=0.9, pfe_kw=3.0, i0_percent=0.3, vector_group="Dyn11", area=area, copy=copy,
    )


def _cable(lid: str, frm: str, to: str, area: str, copy: int = 0) -> Line:
    return Line(
        id=lid, from_bus=frm, to_bus=to, kind="cable", type_name="3 x 1C 240 mm2 Cu XLPE 18/30 kV", length_km=0.4,
        r_ohm_per_km=0.098, x_ohm_per_km=0.11, c_nf_per_km=300.0, max_i_ka=0.45, size_mm2=240.0, area=area, copy=copy,
        role="mv-feeder",
    )


def tiny_network(name: str = "tiny") -> Network:
    """154 kV utility -> HV bus -> two main transformers -> two MV sections with a normally open
    tie; a hall of two copies (copy 1 in full: two blocks on one feeder; copy 2 an equivalent
    load), one genset in a paralleling group, a BESS at the HV bus and a mechanical feeder."""
    b = [
        Bus(id="grid.utility", vn_kv=154.0, role="utility", section="", area="grid"),
        Bus(id="ss.hv-1", vn_kv=154.0, role="hv-section", section="ss.hv-1", area="ss"),
        Bus(id="ss.tx-1.hv", vn_kv=154.0, role="transformer-hv", section="ss.hv-1", area="ss"),
        Bus(id="ss.tx-2.hv", vn_kv=154.0, role="transformer-hv", section="ss.hv-1", area="ss"),
        Bus(id="ss.mv-1", vn_kv=22.9, role="mv-section", section="ss.mv-1", area="ss"),
        Bus(id="ss.mv-2", vn_kv=22.9, role="mv-section", section="ss.mv-2", area="ss"),
        Bus(id="hall.c01.mvf-01.rmu", vn_kv=22.9, role="feeder-end", section="ss.mv-1", area="hall", copy=1),
        Bus(id="hall.c02.mvf-01.rmu", vn_kv=22.9, role="feeder-end", section="ss.mv-2", area="hall", copy=2, detail="equivalent", typical="hall.c01.mvf-01.rmu"),
        Bus(id="campus.mech-mvf-01.rmu", vn_kv=22.9, role="feeder-end", section="ss.mv-2", area="campus"),
        Bus(id="campus.mech-mvf-01.uss-1.lv", vn_kv=0.415, role="lv-board", section="ss.mv-2", area="campus"),
        Bus(id="ss.mv-1.gg-1", vn_kv=22.9, role="generator-bus", section="ss.mv-1", area="campus"),
        Bus(id="ss.mv-1.gg-1.gen-01.term", vn_kv=22.9, role="generator-terminal", section="ss.mv-1", area="campus"),
        Bus(id="ss.mv-2.cap", vn_kv=22.9, role="capacitor", section="ss.mv-2", area="ss"),
    ]
    for blk in ("ups-01a", "ups-01b"):
        b += [
            Bus(id=f"hall.c01.{blk}.lv", vn_kv=0.415, role="lv-board", section="ss.mv-1", area="hall", copy=1),
            Bus(id=f"hall.c01.{blk}.ups", vn_kv=0.415, role="ups-input", section="ss.mv-1", area="hall", copy=1),
        ]
    lines = [
        Line(id="tl-1.c1", from_bus="grid.utility", to_bus="ss.hv-1", kind="overhead", type_name="ACSR 410 mm2", length_km=8.5, r_ohm_per_km=0.07, x_ohm_per_km=0.4, c_nf_per_km=9.0, max_i_ka=0.8, area="tl-1", role="transmission"),
        _cable("hall.c01.mvf-01", "ss.mv-1", "hall.c01.mvf-01.rmu", "hall", 1),
        _cable("hall.c02.mvf-01", "ss.mv-2", "hall.c02.mvf-01.rmu", "hall", 2),
        _cable("campus.mech-mvf-01", "ss.mv-2", "campus.mech-mvf-01.rmu", "campus"),
    ]
    trafos = [_mv_tx("ss.tx-1", "ss.tx-1.hv", "ss.mv-1"), _mv_tx("ss.tx-2", "ss.tx-2.hv", "ss.mv-2")]
    trafos += [_uss(f"hall.c01.{blk}.uss", "hall.c01.mvf-01.rmu", f"hall.c01.{blk}.lv", "hall", 1) for blk in ("ups-01a", "ups-01b")]
    trafos.append(_uss("campus.mech-mvf-01.uss-1", "campus.mech-mvf-01.rmu", "campus.mech-mvf-01.uss-1.lv", "campus", 0, "mechanical"))

    def sw(sid, bus, element, kind, role, closed=True, ek="bus", area="ss", copy=0):
        return Switch(id=sid, bus=bus, element=element, element_kind=ek, kind="CB", role=role, closed=closed, area=area, copy=copy)

    switches = [
        sw("tl-1.c1.cb", "ss.hv-1", "tl-1.c1", "line", "line", ek="line"),
        sw("ss.tx-1.hv-cb", "ss.hv-1", "ss.tx-1.hv", "bus", "transformer-hv"),
        sw("ss.tx-2.hv-cb", "ss.hv-1", "ss.tx-2.hv", "bus", "transformer-hv"),
        sw("ss.mv-1.incomer", "ss.mv-1", "ss.tx-1", "transformer", "incomer", ek="transformer"),
        sw("ss.mv-2.incomer", "ss.mv-2", "ss.tx-2", "transformer", "incomer", ek="transformer"),
        sw("ss.mv-tie-1-2", "ss.mv-1", "ss.mv-2", "bus", "tie", closed=False),
        sw("hall.c01.mvf-01.cb", "ss.mv-1", "hall.c01.mvf-01", "line", "feeder", ek="line", area="hall", copy=1),
        sw("hall.c02.mvf-01.cb", "ss.mv-2", "hall.c02.mvf-01", "line", "feeder", ek="line", area="hall", copy=2),
        sw("campus.mech-mvf-01.cb", "ss.mv-2", "campus.mech-mvf-01", "line", "feeder", ek="line", area="campus"),
        sw("campus.mech-mvf-01.uss-1.cb", "campus.mech-mvf-01.rmu", "campus.mech-mvf-01.uss-1", "transformer", "unit-substation", ek="transformer", area="campus"),
        sw("ss.mv-1.gg-1.cb", "ss.mv-1", "ss.mv-1.gg-1", "bus", "generator-group", closed=False, area="campus"),
        sw("ss.mv-1.gg-1.gen-01.cb", "ss.mv-1.gg-1", "ss.mv-1.gg-1.gen-01.term", "bus", "generator", closed=False, area="campus"),
        sw("ss.mv-2.cap.cb", "ss.mv-2", "ss.mv-2.cap", "bus", "capacitor"),
    ]
    loads = [
        Load(id="hall.c02.mvf-01.rmu.equivalent", bus="hall.c02.mvf-01.rmu", kind="equivalent", p_mw=5.1, q_mvar=1.7, area="hall", copy=2, represents=("hall.ups-01a", "hall.ups-01b")),
        Load(id="campus.mech-mvf-01.uss-1.load", bus="campus.mech-mvf-01.uss-1.lv", kind="mechanical", p_mw=1.2, q_mvar=0.4, area="campus"),
    ]
    for blk in ("ups-01a", "ups-01b"):
        switches += [
            sw(f"hall.c01.{blk}.uss-cb", "hall.c01.mvf-01.rmu", f"hall.c01.{blk}.uss", "transformer", "unit-substation", ek="transformer", area="hall", copy=1),
            sw(f"hall.c01.{blk}.ups-cb", f"hall.c01.{blk}.lv", f"hall.c01.{blk}.ups", "bus", "ups-input", area="hall", copy=1),
        ]
        loads.append(Load(id=f"hall.c01.{blk}", bus=f"hall.c01.{blk}.ups", kind="ups", p_mw=2.5, q_mvar=0.8, area="hall", copy=1, block=f"hall.{blk}"))
    return Network(
        name=name,
        f_hz=60.0,
        philosophy="main-tie-main",
        generator_transfer="open",
        buses=tuple(b),
        lines=tuple(lines),
        transformers=tuple(trafos),
        switches=tuple(switches),
        ext_grids=(ExternalGrid(id="grid.source", bus="grid.utility", vm_pu=1.0, s_sc_max_mva=13337.0, s_sc_min_mva=6668.0, rx_max=0.1, rx_min=0.1, fault_level_max_ka=50.0, fault_level_min_ka=25.0, x_r=10.0, source="test"),),
        generators=(Generator(id="ss.mv-1.gg-1.gen-01", bus="ss.mv-1.gg-1.gen-01.term", group="ss.mv-1", paralleling_group="ss.mv-1.gg-1", sn_mva=3.75, p_mw=3.0, vn_kv=22.9, xdss_pu=0.15, rdss_ohm=0.3, cos_phi=0.8),),
        sgens=(StaticGenerator(id="bess-1", bus="ss.hv-1", kind="bess", sn_mva=20.0, p_mw=0.0, k=1.2),),
        loads=tuple(loads),
        shunts=(Shunt(id="ss.mv-2.cap.bank", bus="ss.mv-2.cap", vn_kv=22.9, step_mvar=0.6, steps=3, detuning_percent=7.0, area="ss"),),
    )


def tiny_input(name: str = "Tiny <A&B> campus", many_halls: int = 1) -> SldInput:
    net = tiny_network()
    assert net.problems() == []
    hall = HallSheet(
        hall="hall",
        copies=2,
        topology="2N",
        ups=("2 x 1,250 kW modules = 2,500 kW", "battery 5 min"),
        busway="row busways 2000 A, 1,250 kW per feed",
        outputs={
            "hall.ups-01a": (BlockRow(item="hall.row-01", kw=900.0, path="A", other="hall.ups-01b"), BlockRow(item="hall.row-02", kw=900.0, path="A", other="hall.ups-01b")),
            "hall.ups-01b": (BlockRow(item="hall.row-01", kw=900.0, path="B", other="hall.ups-01a"), BlockRow(item="hall.row-02", kw=900.0, path="B", other="hall.ups-01a")),
        },
        roles={"hall.ups-01a": "distributed", "hall.ups-01b": "distributed"},
    )
    return SldInput(
        network=net,
        title=TitleInfo(campus_id="tiny-campus", campus_name=name, utility_name="KEPCO Test S/S", version="0.0.0"),
        duty={
            "ss.hv-1": BusDuty(ikss_max_ka=21.3, rated_ka=31.5, rated_a=1250.0, kind="hv-gis"),
            "ss.mv-1": BusDuty(ikss_max_ka=14.2, rated_ka=16.0, rated_a=1600.0, kind="mv-switchgear"),
            "hall.c01.ups-01a.lv": BusDuty(ikss_max_ka=61.0, rated_ka=85.0, rated_a=5000.0, kind="lv-board"),
        },
        plants={"bess-1": ("80 MWh / 20 MW (sized)", "20 x container", "peak shaving")},
        unconnected=("ppa-wind: 50 MW (PPA, delivered over the grid)",),
        halls=(hall,),
        notes=("A note with <markup> & an ampersand.",),
    )


# ------------------------------------------------------------------------------ read back


def parse(files: dict[str, bytes]) -> dict[str, ET.Element]:
    return {k: ET.fromstring(v) for k, v in files.items() if k.endswith(".svg")}


def element_ids(roots: dict[str, ET.Element]) -> Counter:
    return Counter(el.get("id") for root in roots.values() for el in root.iter() if el.get("id"))


def network_ids(net: Network) -> list[str]:
    tables = (net.buses, net.lines, net.transformers, net.switches, net.ext_grids, net.generators, net.sgens, net.loads, net.motors, net.shunts)
    return [x.id for t in tables for x in t]


def on_typical_sheet(x, halls: set[str]) -> bool:
    """Is `x` drawn on its hall's typical sheet: the typical copy below its ring main units."""
    if x.area not in halls or x.copy != 1:
        return False
    if isinstance(x, Bus):
        return x.role in ("lv-board", "ups-input", "generator-terminal")  # a block's own set (lv-per-block)
    if isinstance(x, Transformer):
        return x.role == "unit-substation"
    if isinstance(x, Switch):
        return x.role in ("unit-substation", "ups-input", "ats-normal", "generator")
    return isinstance(x, Load) and x.kind == "ups"


def check_drawing(files: dict[str, bytes], net: Network) -> None:
    """What every SLD must satisfy, for the tiny network and for every example."""
    roots = parse(files)
    assert "sld.svg" in roots and "sld.dot" in files
    ids = element_ids(roots)
    # every network element is drawn (or is a member of a drawn typical), once over all sheets
    missing = [i for i in network_ids(net) if ids[i] == 0]
    assert missing == []
    assert [k for k, v in ids.items() if v > 1] == []
    # the overview (and its continuation sheets) holds everything but the hall typicals below
    # their ring main units (sld/<hall>.svg, continued on sld/<hall>.<n>.svg)
    overview = {k: r for k, r in roots.items() if k == "sld.svg" or k.startswith("sld/overview.")}
    halls = {k.removeprefix("sld/").split(".")[0] for k in roots if k not in overview}
    overview_ids = element_ids(overview)
    for x in (*net.buses, *net.lines, *net.transformers, *net.switches, *net.loads):
        assert overview_ids[x.id] == (0 if on_typical_sheet(x, halls) else 1), x.id
    # switches: drawn state = network normal state; a typical's members are in the drawn state
    sw = {s.id: s for s in net.switches}
    for root in roots.values():
        for el in root.iter(f"{SVG}g"):
            if el.get("id") in sw and el.get("class") == "switch":
                assert el.get("data-normal") == ("closed" if sw[el.get("id")].closed else "open"), el.get("id")
            if el.get("id") in sw and el.get("class") == "member":
                assert sw[el.get("id")].closed == sw[el.get("data-typical")].closed, el.get("id")
    for name, root in roots.items():
        check_sheet(root, name)


def check_sheet(root: ET.Element, name: str) -> None:
    w, h = root.get("width"), root.get("height")
    assert w.endswith("mm") and h.endswith("mm")
    size = (float(w[:-2]), float(h[:-2]))
    assert size in SIZES.values(), (name, size)
    assert root.get("viewBox") == f"0 0 {size[0]:g} {size[1]:g}"
    # legible at print size and no label over another
    sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
    assert min(sizes) >= 2.5
    assert overlaps(svg_text_boxes(root)) == [], name
    # the signable title block
    block = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "title-block")
    fields = {t.get("data-field") for t in block.iter(f"{SVG}text") if t.get("data-field")}
    assert {"drawing-no", "rev", "sheet", "size", "scale", "date", "drawn", "checked", "approved"} <= fields
    texts = ["".join(t.itertext()) for t in block.iter(f"{SVG}text")]
    assert "NTS" in texts and f"ISO {root.get('data-sheet-size')}" in texts
    assert any(re.fullmatch(r"[A-Z0-9-]+-E-SLD-\d{3}", s) for s in texts)
    # the legend names what the drawing uses
    legend = " ".join("".join(t.itertext()) for g in root.iter(f"{SVG}g") if g.get("class") == "legend" for t in g.iter(f"{SVG}text"))
    for what in ("normally open (N.O.)", "normally closed (N.C.)", "PV", "wind", "utility", "cable", "A path", "B path", "generator", "BESS", "transformer", "capacitor bank"):
        assert what in legend


# ---------------------------------------------------------------------------------- tests


def test_tiny_network_drawing_is_complete_and_well_formed():
    inp = tiny_input()
    files = render_sld(inp)
    check_drawing(files, inp.network)
    # small enough to go on one A1 sheet with its hall typical beside the overview
    assert set(files) == {"sld.svg", "sld.dot"}
    root = parse(files)["sld.svg"]
    assert root.get("data-sheet-size") == "A1"
    assert root.find(f"{SVG}title").text == "Tiny <A&B> campus single-line diagram - overview"
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert drawing_number("tiny-campus", 1) == "TINY-CAMPUS-E-SLD-001" and "TINY-CAMPUS-E-SLD-001" in text
    assert "Ik'' 14.2 kA" in text and "16 kA 1,600 A" in text  # duty and rating at the MV section
    assert "Ik'' —" in text and "rated —" in text  # a bus the studies have not covered
    assert "80 MWh / 20 MW (sized)" in text and "ppa-wind" in text


def test_tie_drawn_open_and_members_of_typicals_point_at_the_drawn_one():
    files = render_sld(tiny_input())
    root = parse(files)["sld.svg"]
    tie = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "ss.mv-tie-1-2")
    assert tie.get("data-normal") == "open" and tie.get("data-role") == "tie"
    gen = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "ss.mv-1.gg-1.gen-01.cb")
    assert gen.get("data-normal") == "open"
    for m in root.iter(f"{SVG}g"):
        if m.get("class") == "member":
            assert any(g.get("id") == m.get("data-typical") for g in root.iter(f"{SVG}g"))


def with_blocks(net: Network, n: int) -> Network:
    """The tiny network with `n` more power blocks on the typical copy's feeder."""
    buses, trafos, switches, loads = [], [], [], []
    for k in range(2, 2 + n):
        blk = f"ups-{k:02d}a"
        lv, ups = f"hall.c01.{blk}.lv", f"hall.c01.{blk}.ups"
        buses += [Bus(id=lv, vn_kv=0.415, role="lv-board", section="ss.mv-1", area="hall", copy=1), Bus(id=ups, vn_kv=0.415, role="ups-input", section="ss.mv-1", area="hall", copy=1)]
        trafos.append(_uss(f"hall.c01.{blk}.uss", "hall.c01.mvf-01.rmu", lv, "hall", 1))
        switches += [
            Switch(id=f"hall.c01.{blk}.uss-cb", bus="hall.c01.mvf-01.rmu", element=f"hall.c01.{blk}.uss", element_kind="transformer", kind="CB", role="unit-substation", closed=True, area="hall", copy=1),
            Switch(id=f"hall.c01.{blk}.ups-cb", bus=lv, element=ups, element_kind="bus", kind="CB", role="ups-input", closed=True, area="hall", copy=1),
        ]
        loads.append(Load(id=f"hall.c01.{blk}", bus=ups, kind="ups", p_mw=2.5, q_mvar=0.8, area="hall", copy=1, block=f"hall.{blk}"))
    return attrs.evolve(net, buses=net.buses + tuple(buses), transformers=net.transformers + tuple(trafos), switches=net.switches + tuple(switches), loads=net.loads + tuple(loads))


def test_a_hall_too_big_to_sit_beside_the_overview_gets_its_own_sheet():
    inp = tiny_input()
    big = with_blocks(inp.network, 24)
    assert big.problems() == []
    files = render_sld(attrs.evolve(inp, network=big))
    assert set(files) == {"sld.svg", sheet_file("hall"), "sld.dot"}
    check_drawing(files, big)
    roots = parse(files)
    typical = roots[sheet_file("hall")]
    block = next(g for g in typical.iter(f"{SVG}g") if g.get("class") == "title-block")
    assert "TINY-CAMPUS-E-SLD-002" in ["".join(t.itertext()) for t in block.iter(f"{SVG}text")]
    paths = Counter(g.get("data-path") for g in typical.iter(f"{SVG}g") if g.get("class") == "busway")
    assert paths == {"A": 2, "B": 2}
    text = " ".join("".join(t.itertext()) for t in roots["sld.svg"].iter(f"{SVG}text"))
    assert "to hall typical: sheet 2" in text


def wide_network(sections: int) -> Network:
    """A campus too wide for one A0 overview: `sections` main transformers, each on its own MV
    section (normally open ties between neighbours), six feeders to equivalent hall copies and a
    genset on each section."""
    net = tiny_network()
    buses = [b for b in net.buses if b.role in ("utility", "hv-section")]
    lines, trafos, switches, loads = [net.lines[0]], [], [net.switches[0]], []
    for k in range(1, sections + 1):
        sec, term = f"ss.mv-{k}", f"ss.tx-{k}.hv"
        buses += [Bus(id=term, vn_kv=154.0, role="transformer-hv", section="ss.hv-1", area="ss"), Bus(id=sec, vn_kv=22.9, role="mv-section", section=sec, area="ss")]
        trafos.append(_mv_tx(f"ss.tx-{k}", term, sec))
        switches += [
            Switch(id=f"ss.tx-{k}.hv-cb", bus="ss.hv-1", element=term, element_kind="bus", kind="CB", role="transformer-hv", closed=True, area="ss"),
            Switch(id=f"{sec}.incomer", bus=sec, element=f"ss.tx-{k}", element_kind="transformer", kind="CB", role="incomer", closed=True, area="ss"),
        ]
        if k > 1:
            switches.append(Switch(id=f"ss.mv-tie-{k - 1}-{k}", bus=f"ss.mv-{k - 1}", element=sec, element_kind="bus", kind="CB", role="tie", closed=False, area="ss"))
        for f in range(1, 7):
            c = (k - 1) * 6 + f + 1
            rmu = f"hall.c{c:03d}.mvf-01.rmu"
            buses.append(Bus(id=rmu, vn_kv=22.9, role="feeder-end", section=sec, area="hall", copy=c, detail="equivalent", typical="hall.c01.mvf-01.rmu"))
            lines.append(_cable(f"hall.c{c:03d}.mvf-01", sec, rmu, "hall", c))
            switches.append(Switch(id=f"hall.c{c:03d}.mvf-01.cb", bus=sec, element=f"hall.c{c:03d}.mvf-01", element_kind="line", kind="CB", role="feeder", closed=True, area="hall", copy=c))
            loads.append(Load(id=f"{rmu}.equivalent", bus=rmu, kind="equivalent", p_mw=5.0, q_mvar=1.6, area="hall", copy=c))
    return attrs.evolve(net, buses=tuple(buses), lines=tuple(lines), transformers=tuple(trafos), switches=tuple(switches), generators=(), sgens=(), loads=tuple(loads), shunts=())


def test_a_campus_wider_than_a0_continues_its_overview_on_further_sheets():
    net = wide_network(40)
    assert net.problems() == []
    inp = attrs.evolve(tiny_input(), network=net, halls=())
    files = render_sld(inp)
    overviews = ["sld.svg", *sorted(k for k in files if k.startswith("sld/overview."))]
    assert len(overviews) >= 2
    check_drawing(files, net)
    roots = parse(files)
    assert {roots[k].get("data-sheet-size") for k in overviews} == {"A0"}
    # the HV bus is drawn on every part, identified on the first and referred to after
    assert [sum(1 for g in roots[k].iter(f"{SVG}g") if g.get("id") == "ss.hv-1") for k in overviews] == [1] + [0] * (len(overviews) - 1)
    assert all(any(g.get("data-ref") == "ss.hv-1" for g in roots[k].iter(f"{SVG}g")) for k in overviews[1:])


def test_drawing_numbers_come_from_the_campus_id_and_fit_their_field():
    assert drawing_number("pilot-10mw", 2) == "PILOT-10MW-E-SLD-002"
    long = drawing_number("a-very-long-campus-identifier-for-testing", 1)
    assert long == drawing_number("a-very-long-campus-identifier-for-testing", 1)
    assert long != drawing_number("a-very-long-campus-identifier-for-testesting", 1)
    assert re.fullmatch(r"A-VERY-LONG-CAM-[0-9A-F]{4}-E-SLD-001", long)


def test_sheet_files_are_safe_names():
    assert sheet_file("hall-a") == "sld/hall-a.svg"
    assert sheet_file("../x y") == "sld/_x_y.svg"


def test_same_input_same_bytes():
    assert render_sld(tiny_input()) == render_sld(tiny_input())


def test_dot_is_the_network_topology():
    inp = tiny_input()
    dot = render_sld(inp)["sld.dot"].decode()
    assert dot.startswith("digraph sld {")
    for x in (*inp.network.buses, *inp.network.switches):
        assert f'"{x.id}"' in dot or f"{x.id}" in dot
    assert 'style=dashed' in dot  # the normally open tie and genset breaker


def test_snapshot(snapshot):
    files = render_sld(tiny_input(name="Snapshot campus"))
    assert files["sld.svg"].decode() == snapshot(name="svg")
    assert files["sld.dot"].decode() == snapshot(name="dot")


# ------------------------------------------------------------------------------- examples


@pytest.mark.slow
@pytest.mark.parametrize("name", ["pilot-10mw", "gb200-100mw", "campus-1gw"])
def test_every_example_is_drawn_from_its_network(name):
    from hubc.design import BuildInput, Design
    from hubc.emit.sld import emit_sld
    from hubc.pipeline import check_spec
    from hubc.stages import BUILD_STAGES
    from tests.conftest import SPECS

    checked = check_spec(SPECS / f"{name}.toml")
    inp = BuildInput(spec=checked.spec, source=checked.source, base_dir=checked.base_dir, catalog=checked.catalog)
    design = Design()
    for stage in BUILD_STAGES:
        if stage.fills == "procurement":
            break
        result, _diags = stage.run(inp, design, lambda _msg: None)
        design = attrs.evolve(design, **{stage.fills: result})
    files = emit_sld(design.electrical, checked.spec, design.energy)
    check_drawing(files, design.electrical.network)
    sizes = {root.get("data-sheet-size") for root in parse(files).values()}
    assert sizes <= {"A1", "A0"}
    text = " ".join("".join(t.itertext()) for root in parse(files).values() for t in root.iter(f"{SVG}text"))
    assert "Ik'' —" not in text  # the studies cover every bus drawn with a duty


def test_line_label_keeps_a_named_cable_whole_when_its_length_has_a_thousands_comma():
    """A supply cable known by its catalog name (no size_mm2) over 1 km: the label reads
    'cable 3.2 km, CNCV-W 325 mm²', not the name cut at the comma of '3,200 m'."""
    from hubc.electrical.network import Line, Switch
    from hubc.emit.sld.bays import line_lines
    from hubc.emit.sld.view import LineBay

    ln = Line(id="feeder-x.c1", from_bus="u", to_bus="mv-1", kind="cable", type_name="CNCV-W 325 mm2", length_km=3.2,
              r_ohm_per_km=0.07, x_ohm_per_km=0.115, c_nf_per_km=300, max_i_ka=0.6)
    sw = Switch(id="feeder-x.c1.cb", bus="mv-1", element="feeder-x.c1", element_kind="line", kind="CB", role="line", closed=True)
    lines = line_lines(LineBay(switch=sw, line=ln))
    assert lines[1] == "cable 3.2 km, CNCV-W 325 mm²"
    big = attrs.evolve(ln, size_mm2=240.0, parallel=2, length_km=1.25)
    assert line_lines(LineBay(switch=sw, line=big))[1] == "cable 1.25 km, 2 x 240 mm² Cu"
