"""The typed electrical network: the single model design.json, the BOM's switchgear and cables,
the failure studies, network.json and the SLD are read from.

Field names follow pandapower's (`vn_kv`, `sn_mva`, `vk_percent`, `vkr_percent`, `length_km`,
`r_ohm_per_km`, ...) so the conversion to a pandapower net (`hubc.electrical.studies`) is one
`create_*` call per element table. Inputs only: results live in the study records.

Ids are stable and say what an element is, dot-separated from the area down:
`grid.utility`, `tl-345.c1`, `ss.hv-1`, `ss.hv-coupler`, `ss.hv-ring-1-2` (ring breaker), `ss.hv-d1a` and `ss.hv-d1.cb-2` (a breaker-and-a-half
diameter's node and centre breaker), `ss.tx-1`, `ss.tx-1.hv-cb` (`.hv-ds` in a ring or diameter), `ss.tx-1a`
(winding a of a split secondary), `ss.mv-1a` (the section it feeds), `ss.mv-1a.incomer`,
`ss.mv-tie-1-2`, `ss.mv-1.transfer-4` (to reserve bus `ss.mv-4`), `ss.mv-1.gen-03` (a genset of
section mv-1) and its terminal `ss.mv-1.gen-03.term` and breaker `ss.mv-1.gen-03.cb`,
`hall-a.c01.mvf-02` (MV feeder 2 of copy 1 of hall-a) with its breaker `.cb` and its hall end
`.rmu`, `hall-a.c01.ups-01a.uss` (the unit substation of a power block), `.lv` (its LV board),
`.ups-cb` and `.ups` (the UPS input), `campus.mech-mvf-01.uss-2`. Buses carry their voltage, role
and MV section; switches their kind and normal state.

Identical hall copies: copy 1 of each distinct hall is modelled in full (the typical); every
other copy keeps its own feeder breakers and cables to its own `.rmu` bus, where one `equivalent`
load stands for the typical copy's unit substations and UPS (their P and Q at that bus from the
typical copy's load flow). `Bus.typical` names the typical bus an equivalent one stands for, so a
drawing can say "typical x N". tests/test_network_equivalence.py checks the equivalence against a
network with every copy in full.
"""

from __future__ import annotations

import attrs

from hubc.core.derived import NOT_IN_JSON

BUS_ROLES = (
    "utility",  # the point of connection at the utility substation (the grid's source)
    "hv-section",  # campus HV (GIS) bus section
    "transformer-hv",  # a main transformer's HV terminal, behind its HV breaker
    "mv-section",  # MV bus section fed by a main-transformer winding (or the utility)
    "mv-reserve",  # reserve bus fed by a reserve transformer winding
    "feeder-end",  # the hall (or mechanical plant) end of an MV feeder: ring main unit
    "lv-board",  # LV switchboard behind a unit substation
    "ups-input",  # a UPS system's input terminal behind its input breaker
    "generator-terminal",  # a genset's terminal behind its breaker
    "generator-bus",  # a paralleling group's bus (MV), tied to its MV section by the group breaker
    "collector",  # a behind-the-meter plant's collector bus (MV) behind its step-up transformers
    "capacitor",  # a capacitor bank's terminal behind its breaker on an MV section
)
SWITCH_KINDS = ("CB", "LBS", "DS")
SWITCH_ROLES = (
    "line",
    "coupler",
    "transformer-hv",
    "incomer",
    "tie",
    "transfer",
    "feeder",
    "unit-substation",
    "ups-input",
    "generator",
    "generator-group",  # a paralleling group's breaker to its MV section
    "ats-normal",  # a block transfer switch's unit-substation side (lv-per-block; its genset side is a "generator" switch)
    "plant",  # a behind-the-meter plant's step-up transformer bay on the campus bus
    "ring",  # a ring bus's breaker between two circuit nodes
    "diameter",  # a breaker-and-a-half diameter's breaker (main bus - node, node - node)
    "capacitor",  # a capacitor bank's breaker on its MV section
)
THROUGH_ROLES = ("tie", "transfer", "coupler", "ring", "diameter")  # breakers between two buses: current, no loading


@attrs.frozen(kw_only=True)
class Bus:
    id: str
    vn_kv: float
    role: str  # one of BUS_ROLES
    section: str  # MV (or HV) section the bus is on or hangs from; "" for the utility
    area: str  # substation id, hall id, "campus", transmission id
    copy: int = 0  # hall copy (1-based); 0 outside halls
    detail: str = "full"  # "full" | "equivalent" (a copy's feeder end with an equivalent load)
    typical: str = ""  # for an equivalent bus: the typical copy's bus it stands for


@attrs.frozen(kw_only=True)
class Line:
    """A cable or overhead line; `parallel` identical sets per phase."""

    id: str
    from_bus: str
    to_bus: str
    kind: str  # "cable" | "overhead" | "submarine"
    type_name: str  # e.g. "3 x 1C 240 mm2 Cu XLPE 18/30 kV"
    length_km: float
    r_ohm_per_km: float  # per set, at 90 °C
    x_ohm_per_km: float
    c_nf_per_km: float
    max_i_ka: float  # per set, installed (table ampacity x derating)
    parallel: int = 1
    size_mm2: float = 0.0  # cable conductor section (0 for overhead lines)
    material: str = "Cu"
    area: str = ""
    copy: int = 0
    role: str = ""  # "transmission" | "mv-feeder" | "mechanical-feeder"
    source: str = ""
    estimate: bool = True  # planning impedances (catalog tag U)


@attrs.frozen(kw_only=True)
class Transformer:
    """A two-winding transformer (a split-secondary unit is one Transformer per winding, all on
    the unit's HV terminal; `unit` names the physical transformer)."""

    id: str
    unit: str  # physical transformer id (== id unless a winding of a split secondary)
    hv_bus: str
    lv_bus: str
    role: str  # "main" | "unit-substation" | "mechanical" | "generator-step-up" | "plant-step-up"
    sn_mva: float
    vn_hv_kv: float
    vn_lv_kv: float
    vk_percent: float
    vkr_percent: float
    pfe_kw: float
    i0_percent: float
    vector_group: str
    tap_side: str = "hv"  # "hv" | "lv" | "" (no tap changer)
    tap_neutral: int = 0
    tap_min: int = 0
    tap_max: int = 0
    tap_step_percent: float = 0.0
    tap_pos: int = 0
    on_load_tap_changer: bool = False
    vk_min_percent: float = 0.0  # the IEC 60076-5 minimum for the unit's rating
    reserve: bool = False  # a reserve main transformer (reserve-transformer philosophy)
    area: str = ""
    copy: int = 0
    source: str = ""


@attrs.frozen(kw_only=True)
class Switch:
    """A breaker, load-break switch or disconnector: between two buses (`element_kind` "bus")
    or at one end of a line or transformer. `closed` is the normal state."""

    id: str
    bus: str
    element: str  # the other bus, or the line / transformer id
    element_kind: str  # "bus" | "line" | "transformer"
    kind: str  # "CB" | "LBS" | "DS"
    role: str  # one of SWITCH_ROLES
    closed: bool
    z_ohm: float = 0.0  # ties and couplers carry a small impedance so their current is reported
    area: str = ""
    copy: int = 0


@attrs.frozen(kw_only=True)
class ExternalGrid:
    id: str
    bus: str
    vm_pu: float
    s_sc_max_mva: float
    s_sc_min_mva: float
    rx_max: float
    rx_min: float
    fault_level_max_ka: float
    fault_level_min_ka: float
    x_r: float
    source: str


@attrs.frozen(kw_only=True)
class Generator:
    """A synchronous genset (standby: its breaker is normally open)."""

    id: str
    bus: str  # its terminal bus
    group: str  # the island (MV section) it backs up
    paralleling_group: str = ""  # its paralleling group's bus id ("" when it sits on the section)
    sn_mva: float
    p_mw: float  # data-centre continuous rating
    vn_kv: float
    xdss_pu: float
    rdss_ohm: float
    cos_phi: float
    source: str = ""


@attrs.frozen(kw_only=True)
class StaticGenerator:
    """A converter-connected source: BESS PCS, PV or wind (a current source in IEC 60909)."""

    id: str
    bus: str
    kind: str  # "bess" | "solar" | "wind"
    sn_mva: float
    p_mw: float  # output in the design load flow (0: the worst case for import)
    k: float  # short-circuit current / rated current
    q_mvar: float = 0.0  # reactive power supplied (power-factor correction by a BESS PCS; + = capacitive)
    connection: str = ""  # how it is connected (collector system, step-up transformers)
    plant: str = ""  # the spec's renewable or BESS id (a plant may be split over collector buses)
    source: str = ""


@attrs.frozen(kw_only=True)
class Load:
    id: str
    bus: str
    kind: str  # "ups" | "mechanical" | "equivalent"
    p_mw: float
    q_mvar: float
    area: str = ""
    copy: int = 0
    block: str = ""  # the power block (UPS) a "ups" load is, in assignment ids
    represents: tuple[str, ...] = ()  # an equivalent load: the typical copy's blocks it stands for


@attrs.frozen(kw_only=True)
class Shunt:
    """A switched capacitor bank on an MV section (power-factor correction, IEC 60871-1): `steps`
    of `step_mvar` each, all in service in the design load flow. pandapower's shunt: q_mvar per
    step at 1.0 pu, negative for a capacitor. Neglected in IEC 60909 (§3.7)."""

    id: str
    bus: str
    vn_kv: float
    step_mvar: float  # effective output of one step at rated voltage (positive)
    steps: int
    detuning_percent: float = 0.0
    area: str = ""
    source: str = ""


@attrs.frozen(kw_only=True)
class Motor:
    """A group of direct-on-line induction motors (short-circuit contribution, IEC 60909-0 §6.8)."""

    id: str
    bus: str
    pn_mech_mw: float
    cos_phi: float
    efficiency_percent: float
    lrc_pu: float
    rx: float
    vn_kv: float
    area: str = "campus"


@attrs.frozen(kw_only=True)
class Network:
    name: str
    f_hz: float
    philosophy: str
    generator_transfer: str  # "open" | "closed" transition retransfer
    buses: tuple[Bus, ...]
    lines: tuple[Line, ...]
    transformers: tuple[Transformer, ...]
    switches: tuple[Switch, ...]
    ext_grids: tuple[ExternalGrid, ...]
    generators: tuple[Generator, ...] = ()
    sgens: tuple[StaticGenerator, ...] = ()
    loads: tuple[Load, ...] = ()
    motors: tuple[Motor, ...] = ()
    shunts: tuple[Shunt, ...] = ()
    notes: tuple[str, ...] = ()
    # element id -> element, filled on first use (Network.element); not part of the design
    _ids: dict = attrs.field(init=False, factory=dict, eq=False, repr=False, metadata=NOT_IN_JSON)

    def bus(self, bus_id: str) -> Bus:
        return self._index()[bus_id]

    def element(self, eid: str):
        return self._index()[eid]

    def _index(self) -> dict[str, object]:
        """Element id -> element, built once per network (ids are unique, `problems`); the first
        table that holds an id wins, as the linear search it replaces did."""
        if not self._ids:
            for table in (self.shunts, self.motors, self.loads, self.sgens, self.generators, self.ext_grids, self.switches, self.transformers, self.lines, self.buses):
                self._ids.update((x.id, x) for x in table)
        return self._ids

    def buses_with(self, role: str) -> tuple[Bus, ...]:
        return tuple(b for b in self.buses if b.role == role)

    def switches_with(self, role: str) -> tuple[Switch, ...]:
        return tuple(s for s in self.switches if s.role == role)

    def on_bus(self, bus_id: str) -> tuple:
        """Every element connected to a bus (branches at either end, switches, injections)."""
        out: list = []
        out += [x for x in self.lines if bus_id in (x.from_bus, x.to_bus)]
        out += [x for x in self.transformers if bus_id in (x.hv_bus, x.lv_bus)]
        out += [x for x in self.switches if x.bus == bus_id or (x.element_kind == "bus" and x.element == bus_id)]
        for table in (self.ext_grids, self.generators, self.sgens, self.loads, self.motors, self.shunts):
            out += [x for x in table if x.bus == bus_id]
        return tuple(out)

    def problems(self) -> list[str]:
        """Structural problems: duplicate ids, references to missing buses or elements, unknown
        roles. Empty for a well-formed network (a bug otherwise, checked in tests)."""
        out: list[str] = []
        ids: dict[str, int] = {}
        for table in (self.buses, self.lines, self.transformers, self.switches, self.ext_grids, self.generators, self.sgens, self.loads, self.motors, self.shunts):
            for x in table:
                ids[x.id] = ids.get(x.id, 0) + 1
        out += [f"duplicate id {k}" for k, n in sorted(ids.items()) if n > 1]
        buses = {b.id for b in self.buses}
        lines = {x.id for x in self.lines}
        trafos = {x.id for x in self.transformers}
        out += [f"bus {b.id}: unknown role {b.role}" for b in self.buses if b.role not in BUS_ROLES]
        for x in self.lines:
            out += [f"line {x.id}: no bus {b}" for b in (x.from_bus, x.to_bus) if b not in buses]
        for x in self.transformers:
            out += [f"transformer {x.id}: no bus {b}" for b in (x.hv_bus, x.lv_bus) if b not in buses]
        for s in self.switches:
            if s.bus not in buses:
                out.append(f"switch {s.id}: no bus {s.bus}")
            target = {"bus": buses, "line": lines, "transformer": trafos}.get(s.element_kind)
            if target is None or s.element not in target:
                out.append(f"switch {s.id}: no {s.element_kind} {s.element}")
            if s.kind not in SWITCH_KINDS or s.role not in SWITCH_ROLES:
                out.append(f"switch {s.id}: unknown kind/role {s.kind}/{s.role}")
        for table in (self.ext_grids, self.generators, self.sgens, self.loads, self.motors, self.shunts):
            out += [f"{x.id}: no bus {x.bus}" for x in table if x.bus not in buses]
        return out

    def counts(self) -> dict[str, int]:
        return {
            "buses": len(self.buses),
            "lines": len(self.lines),
            "transformers": len(self.transformers),
            "switches": len(self.switches),
            "generators": len(self.generators),
            "static_generators": len(self.sgens),
            "loads": len(self.loads),
            "motors": len(self.motors),
            "shunts": len(self.shunts),
            "equivalent_buses": sum(1 for b in self.buses if b.detail == "equivalent"),
        }


__all__ = [
    "BUS_ROLES",
    "SWITCH_KINDS",
    "SWITCH_ROLES",
    "THROUGH_ROLES",
    "Bus",
    "ExternalGrid",
    "Generator",
    "Line",
    "Load",
    "Motor",
    "Network",
    "Shunt",
    "StaticGenerator",
    "Switch",
    "Transformer",
]
