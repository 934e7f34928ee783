"""RFQ-ready technical data: per BOM line, what a buyer states in a request for quotation.

In: the finished `Design` (the BOM lines of `procurement`; the electrical network, its ratings and
sizing; the cooling and energy results) and the standard data of `hubc.catalog.rfq`. Out: one
`SpecRow` per line and parameter, in BOM order: the bom.xlsx "Specifications" sheet and
bom-specs.csv.

Each figure says where it comes from (`basis`):
* "design": chosen or computed by hubc for this campus (the network's transformer %Z, vector
  group, losses; the switchgear ratings chosen from the short-circuit duty; the cable sections
  and lengths; UPS, genset, CDU and BESS sizes), with the rule or study that set it;
* "standard": what the cited standard fixes for that rating (insulation levels by Um, the cable
  voltage class);
* "estimate": a planning choice the tender confirms (cooling class, UPS topology, emissions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from hubc.catalog import electrical as ecat
from hubc.catalog import rfq

if TYPE_CHECKING:
    from hubc.procurement.bom import BomLine


class Design(Protocol):
    """What this module reads of `hubc.design.Design` (named here: design imports procurement)."""

    procurement: Any
    electrical: Any
    cooling: Any
    energy: Any


class SpecRow(NamedTuple):
    line_id: str
    category: str
    parameter: str
    value: str
    unit: str
    basis: str  # "design" | "standard" | "estimate" | "vendor"
    source: str


SPEC_COLUMNS = ("Line id", "Category", "Parameter", "Value", "Unit", "Basis", "Source")

# The rule behind figures hubc computed itself.
DESIGN_NETWORK = "hubc design: electrical network (design.json electrical.network)"
DESIGN_RATINGS = "hubc design: ratings chosen from the short-circuit and load-flow duty (design.json electrical.ratings)"
DESIGN_SIZING = "hubc design: electrical sizing (design.json electrical.sizing)"


def _g(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.4g}" if abs(x) < 1000 else f"{x:,.1f}"


class _Rows:
    """Rows of one BOM line."""

    def __init__(self, line: BomLine):
        self.line = line
        self.rows: list[SpecRow] = []

    def add(self, parameter: str, value, unit: str, basis: str, source: str) -> None:
        text = _g(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
        self.rows.append(SpecRow(self.line.line_id, self.line.category, parameter, text, unit, basis, source))

    def std(self, parameter: str, value, unit: str, table: str) -> None:
        self.add(parameter, value, unit, "estimate" if rfq.table(table)["tag"] == "U" else "standard", rfq.tagged(rfq.table(table)))


def _um(system_kv: float) -> float:
    """Highest voltage for equipment of a system voltage: the switchgear class hubc rates it in;
    LV (up to 1 kV) takes the catalog's lowest insulation level (Um 1.1 kV, IEC 60076-11)."""
    if system_kv <= 1.0:
        return min(row["um_kv"] for row in rfq.table("insulation_level"))
    return ecat.switchgear_class(system_kv).rated_voltage_kv


def _insulation(r: _Rows, side: str, system_kv: float) -> None:
    row = rfq.insulation_level(_um(system_kv))
    basis = "standard" if row["tag"] != "U" else "estimate"
    r.add(f"{side} highest voltage for equipment Um", row["um_kv"], "kV", basis, rfq.tagged(row))
    if row["li_kv"]:
        r.add(f"{side} lightning impulse withstand (BIL)", row["li_kv"], "kV peak", basis, rfq.tagged(row))
    if row["si_kv"]:
        r.add(f"{side} switching impulse withstand", row["si_kv"], "kV peak", basis, rfq.tagged(row))
    if row["ac_kv"]:
        r.add(f"{side} power-frequency withstand (1 min)", row["ac_kv"], "kV rms", basis, rfq.tagged(row))
    if 20 <= system_kv <= 24:
        k = rfq.table("korean_mv_practice")
        r.add(f"{side} Korean 22.9 kV practice", f"{k['rated_voltage_kv']:g} kV rated, BIL {k['li_kv']:g} kV", "", "estimate", rfq.tagged(k))


# ----------------------------------------------------------------------------- transformers


def _transformer_units(design: Design, line: BomLine, role: str) -> list[list]:
    """The network's transformers of a line, grouped by physical unit (windings of a split secondary)."""
    net = design.electrical.network if design.electrical is not None else None
    if net is None:
        return []
    units: dict[str, list] = {}
    for t in net.transformers:
        if t.role == role and (t.area == line.area or role == "mechanical"):
            units.setdefault(t.unit, []).append(t)
    return [units[k] for k in sorted(units)]


def _transformer(line: BomLine, design: Design, kind: str) -> list[SpecRow]:
    r = _Rows(line)
    role = {"main": "main", "unit-substation": "mechanical" if line.area == "campus" else "unit-substation"}[kind]
    units = _transformer_units(design, line, role)
    if not units:
        return _transformer_from_sizing(r, design, kind)
    w = units[0]
    t = w[0]
    spec = rfq.table("transformer")[kind]
    r.add("Type", spec["kind"], "", "estimate", rfq.tagged(spec))
    r.add("Rated power", sum(x.sn_mva for x in w), "MVA", "design", DESIGN_NETWORK)
    if len(w) > 1:
        r.add("LV windings", f"{len(w)} x {t.sn_mva:g} MVA (split secondary)", "", "design", DESIGN_NETWORK)
    r.add("Rated voltages HV / LV", f"{t.vn_hv_kv:g} / {t.vn_lv_kv:g}", "kV", "design", DESIGN_NETWORK)
    r.add("Vector group", t.vector_group + (" (each LV winding)" if len(w) > 1 else ""), "", "design", t.source or DESIGN_NETWORK)
    r.add("Short-circuit impedance %Z (at rated power of a winding)", t.vk_percent, "%", "design", t.source or DESIGN_NETWORK)
    r.add("Frequency", design.electrical.network.f_hz, "Hz", "design", DESIGN_NETWORK)
    if t.on_load_tap_changer or t.tap_max:
        span = max(abs(t.tap_min), abs(t.tap_max)) * t.tap_step_percent
        kind_tc = "on-load (OLTC)" if t.on_load_tap_changer else "off-circuit"
        positions = t.tap_max - t.tap_min + 1
        r.add("Tap changer", f"{kind_tc} on the {t.tap_side.upper()} winding, +/-{span:g} % in {positions} positions of {t.tap_step_percent:g} %", "", "design", t.source or DESIGN_NETWORK)
    r.add("Cooling class", spec["cooling"], "", "estimate", rfq.tagged(spec))
    r.add("Temperature rise", spec["temperature_rise"], "", "estimate", rfq.tagged(spec))
    _insulation(r, "HV", t.vn_hv_kv)
    _insulation(r, "LV", t.vn_lv_kv)
    losses = rfq.tagged(rfq.table("transformer_losses"))
    r.add("No-load loss (planning value, to be guaranteed)", sum(x.pfe_kw for x in w), "kW", "estimate", f"{t.source or DESIGN_NETWORK}; {losses}")
    load_loss = sum(x.vkr_percent / 100 * x.sn_mva * 1000 for x in w)
    r.add("Load loss at rated current (planning value, to be guaranteed)", round(load_loss, 1), "kW", "estimate", f"{DESIGN_NETWORK}: P_k = vkr % x rated power; {losses}")
    return r.rows


def _transformer_from_sizing(r: _Rows, design: Design, kind: str) -> list[SpecRow]:
    """Without a network (a build without studies): the sizing's figures and the catalog's rules."""
    sz = design.electrical.sizing if design.electrical is not None else None
    spec = rfq.table("transformer")[kind]
    r.add("Type", spec["kind"], "", "estimate", rfq.tagged(spec))
    r.add("Rated power", r.line.rating, r.line.rating_unit, "design", DESIGN_SIZING)
    if sz is not None and kind == "unit-substation":
        r.add("Rated voltages HV / LV", f"{sz.mv_voltage_kv:g} / {sz.lv_voltage_v / 1000:g}", "kV", "design", DESIGN_SIZING)
        r.add("Short-circuit impedance %Z", round(sz.uss_z_pu * 100, 2), "%", "design", ecat.transformer_z_source(sz.uss_kva))
    vg = ecat.table("transformer_vector_group")
    r.add("Vector group", vg["main" if kind == "main" else "unit_substation"], "", "estimate", ecat.tagged(vg))
    r.add("Cooling class", spec["cooling"], "", "estimate", rfq.tagged(spec))
    return r.rows


# ----------------------------------------------------------------------------- switchgear

_BAY_LINE = re.compile(r"^(?P<area>[^/]+)/(?P<kind>mv-switchgear|hv-gis)-(?P<role>.+)-(?P<amps>[0-9.]+)a(?:#\d+)?$")


def _boards_of(line: BomLine, design: Design):
    """The switchboards (ratings.buses) whose bays the line buys: bays of the line's role and
    rated current on boards of its kind."""
    el = design.electrical
    m = _BAY_LINE.match(line.line_id)
    if el is None or el.ratings is None or m is None:
        return None, []
    kind = "hv-gis" if m["kind"] == "hv-gis" else "mv-switchgear"
    boards = {b.bus: b for b in el.ratings.buses if b.kind == kind}
    amps = float(m["amps"])
    bays = [b for b in el.ratings.bays if b.bus in boards and b.role == m["role"] and abs(b.rated_current_a - amps) < 1e-6]
    return m, sorted({b.bus: boards[b.bus] for b in bays}.values(), key=lambda b: (-b.rated_short_circuit_ka, b.bus))


def _switchgear(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    m, boards = _boards_of(line, design)
    sw = rfq.table("switchgear")
    hv = line.family == "hv-switchgear"
    r.add("Type", sw["hv_kind" if hv else "mv_kind"], "", "estimate", rfq.tagged(sw))
    if m is None or not boards:
        r.add("Rating (from the BOM line)", f"{_g(line.rating)} {line.rating_unit}", "", "design", DESIGN_SIZING)
        return r.rows
    b = boards[0]  # the most onerous board these bays sit on
    sc = ecat.table("switchgear_short_circuit_ka")
    r.add("Bay function", m["role"], "", "design", DESIGN_RATINGS)
    r.add("Rated voltage Ur", b.rated_voltage_kv, "kV", "design", b.source)
    r.add("Service voltage", b.vn_kv, "kV", "design", DESIGN_NETWORK)
    r.add("Rated normal current Ir (bay)", float(m["amps"]), "A", "design", DESIGN_RATINGS + "; " + ecat.source("switchgear_rated_current_a"))
    r.add("Rated short-time withstand current Ik / duration tk", f"{b.rated_short_time_ka:g} kA / {sc['rated_duration_s']:g} s", "", "design", b.source)
    r.add("Rated peak withstand current Ip", b.rated_peak_ka, "kA", "design", b.source)
    r.add("Rated short-circuit breaking current Isc", b.rated_short_circuit_ka, "kA", "design", b.source)
    r.add("Rated short-circuit making current", b.rated_peak_ka, "kA peak", "design", b.source)
    tau = b.dc_time_constant_ms
    r.add("DC time constant of the breaking current", f"{tau:g} ms" + (f" ({b.dc_time_constant_note})" if b.dc_time_constant_note else ""), "", "design", ecat.source("switchgear_dc_time_constant"))
    r.add("Short-circuit duty at the busbar (Ik'' / ip)", f"{b.duty_ikss_ka:.1f} kA / {b.duty_ip_ka:.1f} kA", "", "design", "hubc design: IEC 60909-0:2016 short-circuit study (design.json electrical.studies)")
    _insulation(r, "Busbar", b.vn_kv)
    return r.rows


def _lv_switchboard(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    r.std("Type", rfq.table("lv_switchboard")["kind"], "", "lv_switchboard")
    el = design.electrical
    boards = [b for b in el.ratings.buses if b.kind == "lv-board" and b.area == line.area] if el is not None and el.ratings is not None else []
    if not boards:
        r.add("Rated current", line.rating, line.rating_unit, "design", DESIGN_SIZING)
        return r.rows
    b = max(boards, key=lambda x: (x.rated_short_circuit_ka, x.rated_current_a, x.bus))
    r.add("Rated operational voltage", f"{b.vn_kv * 1000:g} V (rated insulation {b.rated_voltage_kv * 1000:g} V)", "", "design", DESIGN_NETWORK)
    r.add("Rated current of the incomer and main busbar", b.rated_current_a, "A", "design", DESIGN_RATINGS)
    r.add("Incomer ACB ultimate breaking capacity Icu", b.rated_short_circuit_ka, "kA", "design", b.source)
    r.add("Busbar rated short-time withstand Icw (1 s)", b.rated_short_time_ka, "kA", "design", b.source)
    r.add("Rated peak withstand Ipk", b.rated_peak_ka, "kA", "design", b.source)
    r.add("Short-circuit duty (Ik'' / ip)", f"{max(x.duty_ikss_ka for x in boards):.1f} kA / {max(x.duty_ip_ka for x in boards):.1f} kA", "", "design", "hubc design: IEC 60909-0:2016 short-circuit study (design.json electrical.studies)")
    return r.rows


def _busway(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    r.std("Type", rfq.table("busway")["kind"], "", "busway")
    r.add("Rated current", line.rating, "A", "design", DESIGN_SIZING)
    r.add("Total length", line.quantity, line.unit, "design", DESIGN_SIZING)
    sz = design.electrical.sizing if design.electrical is not None else None
    if sz is not None:
        r.add("Rated operational voltage", sz.lv_voltage_v, "V", "design", DESIGN_SIZING)
    return r.rows


def _breaker(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    r.std("Type", "air circuit breaker, IEC 60947-2, electronic trip unit (LSI)", "", "lv_switchboard")
    r.add("Rated current In", line.rating, "A", "design", DESIGN_SIZING)
    el = design.electrical
    boards = [b for b in el.ratings.buses if b.kind == "lv-board" and b.area == line.area] if el is not None and el.ratings is not None else []
    if boards:
        b = max(boards, key=lambda x: (x.rated_short_circuit_ka, x.bus))
        r.add("Ultimate breaking capacity Icu (as the switchboard)", b.rated_short_circuit_ka, "kA", "design", b.source)
    return r.rows


# ----------------------------------------------------------------------------- cables


def _mv_cable(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    el = design.electrical
    net = el.network if el is not None else None
    role = "mechanical-feeder" if line.area == "campus" else "mv-feeder"
    runs = [x for x in net.lines if x.role == role and x.area == line.area and abs(x.size_mm2 - line.rating) < 1e-6] if net is not None else []
    c = rfq.table("cable")
    system_kv = el.sizing.mv_voltage_kv if el is not None else 22.9
    material = runs[0].material if runs else "Cu"
    r.add("Conductor", f"{material}, {c['conductor']}", "", "design", DESIGN_NETWORK + "; " + rfq.tagged(c))
    r.add("Cores x section", f"3 x 1C {line.rating:g}", "mm2", "design", DESIGN_NETWORK)
    r.add("Insulation", c["insulation"], "", "standard", rfq.tagged(c))
    vc = rfq.cable_voltage_class(system_kv, _um(system_kv))
    r.add("Rated voltage Uo/U (Um)", f"{vc['uo_kv']:g}/{vc['u_kv']:g} ({vc['um_kv']:g})", "kV", "standard", rfq.tagged(vc))
    r.add("Screen and sheath", c["screen"], "", "standard", rfq.tagged(c))
    if runs:
        sets = sorted({x.parallel for x in runs})
        r.add("Parallel sets per feeder", "/".join(str(s) for s in sets), "", "design", DESIGN_NETWORK)
        r.add("Route length per feeder", runs[0].length_km * 1000, "m", "design", DESIGN_NETWORK)
        r.add("Feeders", len(runs), "", "design", DESIGN_NETWORK)
    r.add("Circuit length (3 cores per circuit-metre)", line.quantity, line.unit, "design", DESIGN_NETWORK)
    checks = {x.line: x for x in el.ratings.cables} if el is not None and el.ratings is not None else {}
    worst = max((checks[x.id] for x in runs if x.id in checks), key=lambda k: (k.duty_ith_ka, k.line), default=None)
    if worst is not None:
        r.add("Short-circuit withstand (duty Ith / clearing time)", f"{worst.duty_ith_ka:.1f} kA / {worst.clearing_time_s:g} s (needs >= {worst.min_mm2:g} mm2)", "", "design", "hubc design: adiabatic check, IEC 60949 (design.json electrical.ratings.cables)")
    return r.rows


def _transmission_line(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    en = design.energy
    lines = [x for x in en.interconnect.lines if x.id == line.area] if en is not None else []
    if not lines:
        r.add("Rating", f"{_g(line.rating)} {line.rating_unit}", "", "design", DESIGN_SIZING)
        return r.rows
    x = lines[0]
    src = "hubc design: interconnect sizing (design.json energy.interconnect)"
    r.add("Nominal voltage", x.voltage_kv, "kV", "design", src)
    r.add("Construction", x.construction, "", "design", src)
    r.add("Circuits", x.circuits, "", "design", src)
    r.add("Conductor", x.conductor, "", "design", src)
    r.add("Conductor ampacity", x.conductor_ampacity_a, "A", "design", src)
    r.add("Route length", x.length_km, "km", "design", src)
    _insulation(r, "Line", x.voltage_kv)
    return r.rows


# ----------------------------------------------------------------------------- UPS, gensets


def _ups_module(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    el = design.electrical
    r.std("Topology and IEC 62040-3 classification", rfq.table("ups")["topology"], "", "ups")
    r.add("Module rating", line.rating, "kW", "design", DESIGN_SIZING)
    if el is not None:
        sz = el.sizing
        r.add("UPS system (block) rating and modules", f"{sz.block_kw:g} kW, {sz.modules_per_block} modules", "", "design", DESIGN_SIZING)
        r.add("Redundancy topology", sz.topology.label, "", "design", DESIGN_SIZING)
        r.add("Output voltage", sz.lv_voltage_v, "V", "design", DESIGN_SIZING)
        r.add("Output power factor", sz.power_factor, "", "design", DESIGN_SIZING)
        r.add("Efficiency in double-conversion mode at rated load (minimum)", f"{sz.ups_efficiency:.1%}", "", "design", DESIGN_SIZING + "; measured per IEC 62040-3:2021 Annex J")
        r.add("Battery autonomy at block rating", el.autonomy_min, "min", "design", DESIGN_SIZING)
    return r.rows


def _ups_battery(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    el = design.electrical
    r.add("Chemistry", "lithium-ion" if "li-ion" in line.catalog_id else line.catalog_id, "", "design", "hubc catalog entry " + line.catalog_id)
    r.add("Energy per string (end of life)", line.rating, line.rating_unit, "design", DESIGN_SIZING)
    if el is not None:
        r.add("Autonomy", f"{el.autonomy_min:g} min at {el.sizing.block_kw:g} kW", "", "design", DESIGN_SIZING)
        bt = ecat.table("ups_battery")
        r.add("Depth of discharge / end-of-life state of health", f"{bt['depth_of_discharge']:.0%} / {bt['eol_state_of_health']:.0%}", "", "estimate", f"estimate: kWh = P x t / (DoD x discharge efficiency x end-of-life SOH) [{bt['tag']}, {bt['date']}]")
    return r.rows


def _generator(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    g = rfq.table("generator")
    net = design.electrical.network if design.electrical is not None else None
    r.add("Rating class (ISO 8528-1)", g["rating_class"], "", "estimate", rfq.tagged(g))
    r.add("Rated active power (DCC)", line.rating, "kW", "design", DESIGN_SIZING)
    if net is not None and net.generators:
        x = net.generators[0]
        src = x.source or DESIGN_NETWORK
        r.add("Rated apparent power / power factor", f"{x.sn_mva * 1000:,.0f} kVA / {x.cos_phi:g}", "", "design", DESIGN_NETWORK)
        r.add("Rated voltage", x.vn_kv, "kV", "design", DESIGN_NETWORK)
        r.add("Frequency", net.f_hz, "Hz", "design", DESIGN_NETWORK)
        r.add("Subtransient reactance X''d (maximum)", x.xdss_pu, "pu", "estimate", src)
    r.add("Fuel", g["fuel"], "", "estimate", rfq.tagged(g))
    r.add("Emissions", g["emissions"], "", "estimate", rfq.tagged(g))
    return r.rows


# ----------------------------------------------------------------------------- cooling, BESS


def _cdu(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    c = rfq.table("cdu")
    r.add("Type", c["kind"], "", "standard", rfq.tagged(c))
    r.add("Heat transfer capacity", line.rating, "kW", "design", "hubc design: cooling sizing (design.json cooling.halls)")
    cool = design.cooling
    hall = next((h for h in cool.halls if h.hall == line.area), None) if cool is not None else None
    if hall is None:
        return r.rows
    src = "hubc design: cooling sizing (design.json cooling.halls, cooling.plants)"
    r.add("TCS supply / return", f"{hall.tcs_supply_c:g} / {hall.tcs_return_c:g}", "degC", "design", src)
    fws = [p.fws_supply_c for p in cool.plants if any(h == hall.hall for h, _n in p.halls)]
    if fws:
        r.add("FWS supply (design)", min(fws), "degC", "design", src)
        r.add("Approach temperature (TCS supply - FWS supply)", round(hall.tcs_supply_c - min(fws), 2), "K", "design", src)
    r.add("Redundancy per loop", f"{hall.cdus_per_loop} per loop, {hall.cdu_redundancy}", "", "design", src)
    return r.rows


def _cooling_plant(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    src = "hubc design: cooling sizing (design.json cooling.plants)"
    r.add("Rated capacity", line.rating, line.rating_unit, "design", src)
    cool = design.cooling
    plant = next((p for p in cool.plants if line.line_id.startswith(p.id + "/")), None) if cool is not None else None
    if plant is None:
        return r.rows
    unit = next((u for u in plant.units if u.family == line.family), None)
    if unit is not None:
        r.add("Capacity at the design condition", round(unit.design_unit_kw, 1), "kW", "design", src)
        r.add("Redundancy", unit.redundancy, "", "design", src)
    r.add("Facility water supply / return", f"{plant.fws_supply_c:g} / {plant.fws_return_c:g}", "degC", "design", src)
    cl = cool.climate
    r.add("Design ambient dry bulb / wet bulb", f"{cl.design_dry_bulb_c:g} / {cl.design_wet_bulb_c:g}", "degC", "design", cl.source)
    return r.rows


def _bess(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    b = design.energy.bess if design.energy is not None else None
    if b is None:
        r.add("Rating", f"{_g(line.rating)} {line.rating_unit}", "", "design", DESIGN_SIZING)
        return r.rows
    src = "hubc design: energy sizing (design.json energy.bess)"
    chem = re.search(r"\b(LFP|NCA|NMC|LTO)\b", b.container_name)
    r.add("Installed energy (nameplate)", round(b.installed_energy_mwh, 2), "MWh", "design", src)
    r.add("Installed power", round(b.installed_power_mw, 2), "MW", "design", src)
    if line.family == "bess-pcs":
        r.add("PCS unit rating", b.pcs_unit_mw, "MW", "design", src)
        return r.rows
    r.add("Container", f"{b.container_name}, {b.container_mwh:g} MWh", "", "design", src)
    r.add("Chemistry", chem[1] if chem else "as the container's datasheet", "", "design", "hubc energy catalog: " + b.container)
    r.add("C-rate", b.c_rate, "", "design", src)
    r.add("Round-trip efficiency (AC, incl. auxiliaries)", f"{b.round_trip_efficiency:.0%}", "", "design", src)
    r.add("Usable energy at end of life", round(b.usable_mwh_end_of_life, 1), "MWh", "design", src)
    return r.rows


def _by_rating(line: BomLine, design: Design) -> list[SpecRow]:
    r = _Rows(line)
    r.add("Key rating", line.rating, line.rating_unit, "design", "hubc design: " + line.system + " sizing")
    return r.rows


_BUILDERS: dict[str, Callable[[BomLine, Design], list[SpecRow]]] = {
    "main-transformer": lambda ln, d: _transformer(ln, d, "main"),
    "unit-substation": lambda ln, d: _transformer(ln, d, "unit-substation"),
    "mv-switchgear": _switchgear,
    "hv-switchgear": _switchgear,
    "lv-switchboard": _lv_switchboard,
    "busway": _busway,
    "breaker": _breaker,
    "mv-cable": _mv_cable,
    "transmission-line": _transmission_line,
    "ups-module": _ups_module,
    "ups-battery": _ups_battery,
    "generator": _generator,
    "cdu": _cdu,
    "chiller": _cooling_plant,
    "dry-cooler": _cooling_plant,
    "cooling-tower": _cooling_plant,
    "bess-container": _bess,
    "bess-pcs": _bess,
}


def _bidders(line: BomLine, vendors: Mapping[str, Any]) -> list[SpecRow]:
    """The domestic vendors who can bid, each with the product page or datasheet it rests on."""
    out = []
    for vid in line.domestic_vendors:
        v = vendors.get(vid)
        if v is not None:
            name = f"{v.name} ({v.name_ko})" if v.name_ko else v.name
            out.append(SpecRow(line.line_id, line.category, "Domestic bidder", name, "", "vendor", v.source))
    return out


def rfq_specs(design: Design, vendors: Mapping[str, Any] | None = None) -> tuple[SpecRow, ...]:
    """The technical data of every BOM line of the design, in BOM order; with the catalog's
    `vendors`, each line's domestic bidders and their sources follow its data."""
    proc = design.procurement
    if proc is None:
        return ()
    out: list[SpecRow] = []
    for line in proc.lines:
        out += _BUILDERS.get(line.family, _by_rating)(line, design)
        out += _bidders(line, vendors or {})
    return tuple(out)
