"""Power-system studies of the typed network with pandapower: AC load flow in normal operation,
every single failure as its own load flow with explicit switching, and IEC 60909 short circuit.

In: `Network` (hubc/electrical/network.py), the sizing and assignment it was built from, the
generator plan. Out: `Studies` - every load-flow scenario with its switching actions and worst
loading, every bus with its voltages and its maximum and minimum Ik'', ip and Ith, every branch
with its normal and worst post-failure loading, losses by class and the grid exchange.

Why pandapower: its Newton-Raphson load flow and its IEC 60909 short-circuit module
(`pandapower.shortcircuit.calc_sc`: Ik'', ip with the equivalent-frequency kappa, the K_T and
K_G correction factors, converter contributions as current sources) are its core and are
validated against the standard's reference networks; the network is built with `create_*` and
handed off as pandapower JSON (`network.json`).

How the size is kept down (the 1 GW campus has 38 hall copies): each distinct hall is studied
once on its typical copy (copy 1, modelled in full), fed from its MV sections as slack buses held
at the voltage the campus load flow gives them. Its failures - a UPS block, a unit substation, a
feeder, a busway - are load flows of that small network (load moved to partner blocks by the
verifier's cord model), and they give each feeder's P and Q after the failure. The campus network
carries every copy's feeder cable with an equivalent load at its hall end (the typical copy's P
and Q there); the bus-section effect of a failure in any copy is screened by adding the change of
that copy's feeder powers onto the sections its feeders sit on, and the worst one per hall is
confirmed by a campus load flow. Identical states (a UPS out and its partner blocks loaded the
same way twice) are solved once.

Main transformers regulate their MV section with the OLTC (catalog `main_transformer_tap_changer`):
after each load flow the tap moves by the rounded voltage error over the step, up to three times.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence

import attrs
import numpy as np

from hubc.catalog import electrical as cat
from hubc.core.derived import derived
from hubc.electrical.arrangement import Arrangement
from hubc.electrical.build import GeneratorPlan, block_input, copy_prefix
from hubc.electrical.feeds import Assignment, HallAssignment
from hubc.electrical.generator_groups import block_generator_scenarios
from hubc.electrical.hv_scheme import hv_scheme_failures, hv_stage_failures, hv_switching, isolate
from hubc.electrical.network import THROUGH_ROLES, Network
from hubc.electrical.sizing import ElectricalSizing

TOL = 1e-6
BATCH_BUSES = 6000  # buses per batched load flow of independent scenario replicas (halls)
CAMPUS_BATCH_BUSES = 12000  # ... of campus replicas


@contextlib.contextmanager
def quiet():
    """pandapower logs and warns about things hubc handles (numba missing, aperiodic currents
    near generators, pandas downcasting); keep the build output clean."""
    log = logging.getLogger("pandapower")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        log.setLevel(level)


def _pp():
    with quiet():
        import pandapower as pp
        import pandapower.shortcircuit as sc
    return pp, sc


_EMPTY: dict = {}


def empty_net(name: str, f_hz: float):
    """A fresh empty pandapower net: a copy of one template (create_empty_network builds every
    table from scratch, which is slow)."""
    import copy

    pp, _sc = _pp()
    key = f_hz
    if key not in _EMPTY:
        with quiet():
            _EMPTY[key] = pp.create_empty_network(name="", f_hz=f_hz, sn_mva=1.0)
    n = copy.deepcopy(_EMPTY[key])
    n["name"] = name
    return n


# ============================================================================ records


@attrs.frozen(kw_only=True)
class FlowScenario:
    """One load flow: the failure (and maintenance), the switching that follows it, and the result."""

    id: str
    kind: str  # "normal" | "recharge" | "ups-system" | "unit-substation" | "mv-feeder" | "busway" | "bus-section" | "main-transformer" | "transmission" | "generator" | "generator-group" | "export" | "mechanical-feeder" | "mechanical-uss" | "maintenance+failure"
    area: str
    failed: tuple[str, ...]
    maintenance: tuple[str, ...]
    switching: tuple[str, ...]  # "open <switch id>", "close <switch id>"
    load_transfers: tuple[str, ...]
    worst_component: str
    worst_loading: float | None  # None: the load flow did not converge
    min_vm_pu: float | None
    min_vm_bus: str
    max_vm_pu: float | None
    max_vm_bus: str
    lost_kw: float
    converged: bool
    combinations: int = 1
    same_as: str = ""  # solved once with an identical earlier state

    @derived
    @property
    def ok(self) -> bool:
        """Converged, nothing above its rating, no load lost."""
        return self.converged and (self.worst_loading or 0.0) <= 1.0 + TOL and self.lost_kw <= TOL


@attrs.frozen(kw_only=True)
class BusResult:
    id: str
    vn_kv: float
    role: str
    section: str
    area: str
    copy: int
    vm_pu_normal: float | None
    vm_pu_min: float | None
    vm_pu_min_scenario: str
    vm_pu_max: float | None
    ikss_max_ka: float | None
    ip_max_ka: float | None
    ith_max_ka: float | None  # over the clearing time of the bus's level
    clearing_time_s: float
    x_r_max: float | None
    max_case: str  # the short-circuit case that gives the maximum
    ikss_min_ka: float | None


@attrs.frozen(kw_only=True)
class BranchResult:
    id: str
    kind: str  # "line" | "transformer" | "switch" | "generator"
    role: str
    area: str
    copy: int
    rating: float
    rating_unit: str  # "A" | "MVA"
    normal_loading: float | None
    normal_current_a: float | None
    normal_losses_kw: float | None
    worst_loading: float | None
    worst_current_a: float | None
    worst_scenario: str


@attrs.frozen(kw_only=True)
class ShortCircuitCase:
    id: str
    case: str  # "max" | "min"
    description: str
    switching: tuple[str, ...]
    sources: tuple[str, ...]


@attrs.frozen(kw_only=True)
class Losses:
    ups_kw: float
    unit_substation_kw: float
    mechanical_substation_kw: float
    mv_cable_kw: float
    main_transformer_kw: float
    transmission_kw: float

    @derived
    @property
    def total_kw(self) -> float:
        return self.ups_kw + self.unit_substation_kw + self.mechanical_substation_kw + self.mv_cable_kw + self.main_transformer_kw + self.transmission_kw


@attrs.frozen(kw_only=True)
class GridExchange:
    import_mw: float
    import_mvar: float
    power_factor: float
    contract_mw: float


@attrs.frozen(kw_only=True)
class Studies:
    scenarios: tuple[FlowScenario, ...]
    buses: tuple[BusResult, ...]
    branches: tuple[BranchResult, ...]
    short_circuit_cases: tuple[ShortCircuitCase, ...]
    losses: Losses
    grid: GridExchange
    facility_with_losses_kw: float
    normal_taps: tuple[tuple[str, int], ...]  # main transformer winding -> OLTC position in normal operation
    equivalents: tuple[tuple[str, str, float, float], ...]  # (hall, feeder id, P MW, Q Mvar) at the hall end
    load_flows: int  # load flows solved (identical states once)

    def scenario(self, sid: str) -> FlowScenario:
        return next(s for s in self.scenarios if s.id == sid)

    @derived
    @property
    def worst(self) -> FlowScenario | None:
        return max(self.scenarios, key=lambda s: (not s.converged, s.lost_kw > TOL, s.worst_loading or 0.0, s.id), default=None)


# ============================================================================ pandapower


class Grid:
    """A pandapower net built from a `Network`, with id -> index maps and the normal state, so a
    scenario is a few vector assignments and a load flow."""

    def __init__(self, network: Network, *, taps: Mapping[str, int] | None = None, slack_buses: Mapping[str, float] | None = None, replicas: int = 1, fold_generators: bool = False) -> None:
        """`slack_buses`: bus id -> voltage of an ideal source held there (a typical copy fed from
        its sections). `replicas`: k independent copies of the network in one net, ids suffixed
        `#j`; the slack buses are shared (an ideal source decouples what hangs on it), so one load
        flow solves k scenarios. `fold_generators`: each genset sits on the bus its breaker joins,
        in service when the breaker is closed (the same circuit without a terminal bus per set:
        half the buses of a large campus)."""
        self.gen_cb: dict[str, str] = {}  # breaker id -> genset id (folded breakers)
        self._gen_closed: dict[str, bool] = {}
        if fold_generators and network.generators:
            network = self._fold(network)
        self.network = network
        self.k = max(1, replicas)
        self.shared = set(slack_buses or ())
        self.sfx = [f"#{j}" for j in range(self.k)] if self.k > 1 else [""]
        with quiet():
            self.net = empty_net(network.name, network.f_hz)
            self._buses(slack_buses or {})
            self._lines()
            self._trafos(dict(taps or {}))
            self._switches()
            self._gens()
            self._sgens()
            self._loads()
            self._motors()
            self._shunts()
        n = self.net
        self.base_closed = n.switch["closed"].to_numpy(copy=True) if len(n.switch) else np.zeros(0, bool)
        self.base_p = n.load["p_mw"].to_numpy(copy=True) if len(n.load) else np.zeros(0)
        self.base_q = n.load["q_mvar"].to_numpy(copy=True) if len(n.load) else np.zeros(0)
        self.base_gen = np.array([self._gen_closed.get(g.id, True) for g in network.generators] * self.k, dtype=bool) if self.gen_cb else None
        if self.base_gen is not None:
            n.gen["in_service"] = self.base_gen
        self.main = [(x.id, self.trafo[x.id]) for x in network.transformers if x.role == "main" and x.id in self.trafo]
        self.tap_step = {x.id: x.tap_step_percent for x in network.transformers if x.role == "main"}
        self._solved_topology: bytes | None = None

    # ------------------------------------------------------------------ building
    def _fold(self, network: Network) -> Network:
        terms = {g.bus for g in network.generators}
        cbs = {s.element: s for s in network.switches if s.role == "generator" and s.element in terms}
        self.gen_cb = {cbs[g.bus].id: g.id for g in network.generators if g.bus in cbs}
        self._gen_closed = {g.id: cbs[g.bus].closed for g in network.generators if g.bus in cbs}
        return attrs.evolve(
            network,
            buses=tuple(b for b in network.buses if b.id not in cbs),
            switches=tuple(s for s in network.switches if s.id not in self.gen_cb),
            generators=tuple(attrs.evolve(g, bus=cbs[g.bus].bus) if g.bus in cbs else g for g in network.generators),
        )

    def _rid(self, bus: str, j: str) -> str:
        return bus if bus in self.shared else bus + j

    def _at(self, items, field: str) -> list[int]:
        """pandapower bus index of each item's `field` bus, in every replica."""
        return [self.bus[self._rid(getattr(x, field), j)] for j in self.sfx for x in items]

    def _names(self, items) -> list[str]:
        return [x.id + j for j in self.sfx for x in items]

    def _col(self, items, field: str) -> list:
        """One column of a table, repeated for every replica."""
        return [getattr(x, field) for x in items] * self.k

    def _index(self, items, idx) -> dict[str, int]:
        return {name: int(i) for name, i in zip(self._names(items), idx)}

    def _buses(self, slack_buses: Mapping[str, float]) -> None:
        pp, _sc = _pp()
        n, net = self.net, self.network
        own = [b for b in net.buses if b.id not in self.shared]
        common = [b for b in net.buses if b.id in self.shared]
        names = [b.id for b in common] + self._names(own)
        idx = pp.create_buses(n, len(names), vn_kv=[b.vn_kv for b in common] + self._col(own, "vn_kv"), name=names, type="b", zone=[b.section for b in common] + self._col(own, "section"))
        self.bus = {nm: int(i) for nm, i in zip(names, idx)}
        for e in net.ext_grids:
            for j in self.sfx:
                pp.create_ext_grid(n, self.bus[self._rid(e.bus, j)], vm_pu=e.vm_pu, name=e.id + j, s_sc_max_mva=e.s_sc_max_mva, s_sc_min_mva=e.s_sc_min_mva, rx_max=e.rx_max, rx_min=e.rx_min)
        for bid, vm in sorted(slack_buses.items()):
            pp.create_ext_grid(n, self.bus[bid], vm_pu=vm, name=f"{bid}.slack", s_sc_max_mva=1e6, s_sc_min_mva=1e6, rx_max=0.1, rx_min=0.1)

    def _lines(self) -> None:
        pp, _sc = _pp()
        ls = self.network.lines
        self.line = {}
        if not ls:
            return
        sc_tab = cat.table("short_circuit")
        end_t = [float(sc_tab["end_temperature_overhead_c"] if x.kind == "overhead" else sc_tab["end_temperature_cable_c"]) for x in ls] * self.k
        cols = {f: self._col(ls, f) for f in ("length_km", "r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km", "max_i_ka", "parallel")}
        li = pp.create_lines_from_parameters(self.net, self._at(ls, "from_bus"), self._at(ls, "to_bus"), name=self._names(ls), endtemp_degree=end_t, **cols)
        self.line = self._index(ls, li)

    def _trafos(self, taps: Mapping[str, int]) -> None:
        pp, _sc = _pp()
        ts = self.network.transformers
        self.trafo = {}
        if not ts:
            return
        fields = ("sn_mva", "vn_hv_kv", "vn_lv_kv", "vkr_percent", "vk_percent", "pfe_kw", "i0_percent", "tap_neutral", "tap_min", "tap_max", "tap_step_percent")
        cols = {f: self._col(ts, f) for f in fields}
        ti = pp.create_transformers_from_parameters(
            self.net,
            self._at(ts, "hv_bus"),
            self._at(ts, "lv_bus"),
            tap_side=[x.tap_side or "hv" for x in ts] * self.k,
            tap_pos=[taps.get(x.id, x.tap_pos) for x in ts] * self.k,
            tap_changer_type="Ratio",
            name=self._names(ts),
            oltc=self._col(ts, "on_load_tap_changer"),
            **cols,
        )
        self.net.trafo["vector_group"] = self._col(ts, "vector_group")  # (a list fails in the bulk create)
        self.trafo = self._index(ts, ti)

    def _switches(self) -> None:
        pp, _sc = _pp()
        sw = self.network.switches
        self.switch = {}
        if not sw:
            return

        def elem(s, j):
            if s.element_kind == "bus":
                return self.bus[self._rid(s.element, j)]
            return self.line[s.element + j] if s.element_kind == "line" else self.trafo[s.element + j]

        si = pp.create_switches(
            self.net,
            self._at(sw, "bus"),
            [elem(s, j) for j in self.sfx for s in sw],
            et=[{"bus": "b", "line": "l", "transformer": "t"}[s.element_kind] for s in sw] * self.k,
            closed=self._col(sw, "closed"),
            type=self._col(sw, "kind"),
            name=self._names(sw),
            z_ohm=self._col(sw, "z_ohm"),
        )
        self.switch = self._index(sw, si)

    def _gens(self) -> None:
        pp, _sc = _pp()
        gs = self.network.generators
        self.gen = {}
        if gs:
            cols = {f: self._col(gs, f) for f in ("p_mw", "sn_mva", "vn_kv", "xdss_pu", "rdss_ohm", "cos_phi")}
            gi = pp.create_gens(self.net, self._at(gs, "bus"), vm_pu=1.0, name=self._names(gs), slack=False, **cols)
            self.gen = self._index(gs, gi)

    def _sgens(self) -> None:
        pp, _sc = _pp()
        ss = self.network.sgens
        self.sgen = {}
        if ss:
            gi = pp.create_sgens(self.net, self._at(ss, "bus"), p_mw=self._col(ss, "p_mw"), q_mvar=self._col(ss, "q_mvar"), sn_mva=self._col(ss, "sn_mva"), name=self._names(ss), k=self._col(ss, "k"), type=self._col(ss, "kind"), generator_type="current_source")
            self.sgen = self._index(ss, gi)

    def _loads(self) -> None:
        pp, _sc = _pp()
        lds = self.network.loads
        self.load = {}
        if lds:
            li = pp.create_loads(self.net, self._at(lds, "bus"), p_mw=self._col(lds, "p_mw"), q_mvar=self._col(lds, "q_mvar"), name=self._names(lds), type=self._col(lds, "kind"))
            self.load = self._index(lds, li)

    def _motors(self) -> None:
        """The motors' running power is part of the mechanical load; the element carries their
        short-circuit contribution only (loading 0 % in the load flow)."""
        pp, _sc = _pp()
        self.motor = {}
        for j in self.sfx:
            for m in self.network.motors:
                self.motor[m.id + j] = int(
                    pp.create_motor(
                        self.net,
                        self.bus[self._rid(m.bus, j)],
                        pn_mech_mw=m.pn_mech_mw,
                        cos_phi=m.cos_phi,
                        cos_phi_n=m.cos_phi,  # rated values: the short circuit needs them
                        efficiency_percent=m.efficiency_percent,
                        efficiency_n_percent=m.efficiency_percent,
                        loading_percent=0.0,
                        name=m.id + j,
                        lrc_pu=m.lrc_pu,
                        vn_kv=m.vn_kv,
                        rx=m.rx,
                    )
                )

    def _shunts(self) -> None:
        """Capacitor banks (pandapower shunt: Mvar consumed per step at 1.0 pu, negative for a
        capacitor). The short-circuit calculation leaves shunts out (IEC 60909-0 §3.7)."""
        pp, _sc = _pp()
        self.shunt = {}
        for j in self.sfx:
            for x in self.network.shunts:
                self.shunt[x.id + j] = int(pp.create_shunt(self.net, self.bus[self._rid(x.bus, j)], q_mvar=-x.step_mvar, p_mw=0.0, vn_kv=x.vn_kv, step=x.steps, max_step=x.steps, name=x.id + j))

    # ------------------------------------------------------------------ scenarios
    def reset(self) -> None:
        n = self.net
        if len(n.switch):
            n.switch["closed"] = self.base_closed
        if len(n.load):
            n.load["p_mw"] = self.base_p
            n.load["q_mvar"] = self.base_q
        n.ext_grid["in_service"] = True
        if len(n.gen):
            n.gen["in_service"] = self.base_gen if self.base_gen is not None else True
            n.gen["slack"] = False
        if len(n.trafo):
            n.trafo["in_service"] = True
        if len(n.line):
            n.line["in_service"] = True

    def apply(self, switching: Iterable[str] = (), loads: Mapping[str, tuple[float, float]] | None = None, utility: bool = True, slack_gens: bool = False, gens_out: Iterable[str] = ()) -> None:
        n = self.net
        self.reset()
        if switching:
            closed = n.switch["closed"].to_numpy(copy=True)
            gen_on = n.gen["in_service"].to_numpy(copy=True) if self.gen_cb else None
            for act in switching:
                verb, sid = act.split(" ", 1)
                if sid in self.gen_cb:
                    gen_on[self.gen[self.gen_cb[sid]]] = verb == "close"
                else:
                    closed[self.switch[sid]] = verb == "close"
            n.switch["closed"] = closed
            if gen_on is not None:
                n.gen["in_service"] = gen_on
        if loads:
            p = n.load["p_mw"].to_numpy(copy=True)
            q = n.load["q_mvar"].to_numpy(copy=True)
            for lid, (pv, qv) in loads.items():
                i = self.load[lid]
                p[i], q[i] = pv, qv
            n.load["p_mw"] = p
            n.load["q_mvar"] = q
        if not utility:
            n.ext_grid["in_service"] = False
        if slack_gens and len(n.gen):
            n.gen["slack"] = True
        for gid in gens_out:
            n.gen.loc[self.gen[gid], "in_service"] = False

    def apply_many(self, states: Sequence[tuple[str, Iterable[str], Mapping[str, tuple[float, float]]]]) -> None:
        """Several independent states at once, one per replica of a batched network: (id suffix,
        switching, loads) each."""
        n = self.net
        self.reset()
        closed = n.switch["closed"].to_numpy(copy=True) if len(n.switch) else None
        p = n.load["p_mw"].to_numpy(copy=True)
        q = n.load["q_mvar"].to_numpy(copy=True)
        for suffix, switching, loads in states:
            for act in switching:
                verb, sid = act.split(" ", 1)
                closed[self.switch[sid + suffix]] = verb == "close"
            for lid, (pv, qv) in loads.items():
                i = self.load[lid + suffix]
                p[i], q[i] = pv, qv
        if closed is not None:
            n.switch["closed"] = closed
        n.load["p_mw"] = p
        n.load["q_mvar"] = q

    def _topology(self) -> bytes:
        n = self.net
        parts = [n.switch["closed"].to_numpy(dtype=bool).tobytes() if len(n.switch) else b"", n.ext_grid["in_service"].to_numpy(dtype=bool).tobytes()]
        for t in ("trafo", "line", "gen"):
            if len(n[t]):
                parts.append(n[t]["in_service"].to_numpy(dtype=bool).tobytes())
        if len(n.gen):
            parts.append(n.gen["slack"].to_numpy(dtype=bool).tobytes())
        if len(n.trafo):
            parts.append(n.trafo["tap_pos"].to_numpy(dtype=float).tobytes())
        return b"|".join(parts)

    def solve(self, taps: Mapping[str, int] | None = None, *, regulate: bool = True) -> bool:
        """Load flow with the OLTCs regulating their MV section (three passes at most). When only
        the loads changed since the last converged load flow, pandapower reuses its internal
        model (`recycle`)."""
        pp, _sc = _pp()
        n = self.net
        if not regulate and not taps:
            topo = self._topology()
            if topo == self._solved_topology:
                try:
                    with quiet():
                        pp.runpp(n, numba=False, max_iteration=30, tolerance_mva=1e-6, recycle={"bus_pq": True, "trafo": False, "gen": False})
                    return True
                except Exception:  # noqa: BLE001
                    self._solved_topology = None
                    return False
            self._solved_topology = None
            try:
                with quiet():
                    pp.runpp(n, numba=False, max_iteration=30, tolerance_mva=1e-6, init="dc")
            except Exception:  # noqa: BLE001
                return False
            self._solved_topology = topo
            return True
        self._solved_topology = None
        if taps is not None and self.main:
            pos = n.trafo["tap_pos"].to_numpy(copy=True)
            for tid, i in self.main:
                pos[i] = taps.get(tid, pos[i])
            n.trafo["tap_pos"] = pos
        for _ in range(4):
            try:
                with quiet():
                    pp.runpp(n, numba=False, max_iteration=30, tolerance_mva=1e-6, init="dc")
            except Exception:  # noqa: BLE001 - pandapower raises several kinds on divergence
                return False
            if not (regulate and self.main):
                return True
            set_point = float(cat.table("main_transformer_tap_changer")["mv_set_point_pu"])
            pos = n.trafo["tap_pos"].to_numpy(copy=True)
            vm = n.res_bus["vm_pu"].to_numpy()
            lv = n.trafo["lv_bus"].to_numpy()
            tmin, tmax = n.trafo["tap_min"].to_numpy(), n.trafo["tap_max"].to_numpy()
            moved = False
            for tid, i in self.main:
                v = vm[lv[i]]
                if not np.isfinite(v) or not n.trafo.at[i, "in_service"]:
                    continue
                step = round((v - set_point) * 100 / self.tap_step[tid])
                new = int(min(tmax[i], max(tmin[i], pos[i] + step)))
                if new != pos[i]:
                    pos[i] = new
                    moved = True
            if not moved:
                return True
            n.trafo["tap_pos"] = pos
        return True

    def taps(self) -> dict[str, int]:
        pos = self.net.trafo["tap_pos"].to_numpy()
        return {tid: int(pos[i]) for tid, i in self.main}


# ============================================================================ helpers



def _tagger(k: int):
    """Id suffix of replica j in a batch of k (no suffix for a single network)."""
    return (lambda j: f"#{j}") if k > 1 else (lambda j: "")


def _r(x: float | None, nd: int = 4) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def thermal_current_ka(ikss_ka: float, ip_ka: float, tk_s: float, f_hz: float) -> float:
    """Ith = Ik'' sqrt(m + n) (IEC 60909-0:2016 §12, eq. 101-102), n = 1 (far from generators;
    conservative near them), m = 1/(2 f Tk ln(kappa - 1)) (e^(4 f Tk ln(kappa - 1)) - 1) with
    kappa = ip / (sqrt2 Ik'')."""
    if ikss_ka <= 0 or tk_s <= 0:
        return 0.0
    kappa = ip_ka / (math.sqrt(2) * ikss_ka)
    if kappa <= 1.0 + 1e-9:
        m = 0.0
    else:
        ln = math.log(kappa - 1.0)
        m = (math.exp(4 * f_hz * tk_s * ln) - 1.0) / (2 * f_hz * tk_s * ln)
    return ikss_ka * math.sqrt(max(0.0, m) + 1.0)


def clearing_time(vn_kv: float) -> float:
    ct = cat.table("clearing_time")
    if vn_kv < 1.0:
        return float(ct["lv_s"])
    if vn_kv <= 52.0:
        return float(ct["mv_s"])
    return float(ct["hv_s"])


def _local(item_id: str) -> str:
    return item_id.split(".", 1)[1] if "." in item_id else item_id


# ============================================================================ the study


@attrs.frozen(kw_only=True)
class _Run:
    """Results of one load flow kept for the branch and bus tables."""

    converged: bool
    vm: np.ndarray
    line_loading: np.ndarray
    line_i: np.ndarray
    line_pl: np.ndarray
    line_p_from: np.ndarray
    line_q_from: np.ndarray
    line_p_to: np.ndarray
    line_q_to: np.ndarray
    trafo_loading: np.ndarray
    trafo_i: np.ndarray  # HV-side kA
    trafo_pl: np.ndarray
    switch_i: np.ndarray
    gen_s: np.ndarray
    ext_p: float
    ext_q: float


def _collect(g: Grid, converged: bool) -> _Run:
    n = g.net
    if not converged:
        def z(k):
            return np.full(k, np.nan)

        return _Run(converged=False, vm=z(len(n.bus)), line_loading=z(len(n.line)), line_i=z(len(n.line)), line_pl=z(len(n.line)), line_p_from=z(len(n.line)), line_q_from=z(len(n.line)), line_p_to=z(len(n.line)), line_q_to=z(len(n.line)), trafo_loading=z(len(n.trafo)), trafo_i=z(len(n.trafo)), trafo_pl=z(len(n.trafo)), switch_i=z(len(n.switch)), gen_s=z(len(n.gen)), ext_p=math.nan, ext_q=math.nan)
    rl, rt = n.res_line, n.res_trafo
    gen_s = np.hypot(n.res_gen["p_mw"].to_numpy(), n.res_gen["q_mvar"].to_numpy()) if len(n.gen) else np.zeros(0)
    sw_i = n.res_switch["i_ka"].to_numpy(dtype=float) if len(n.switch) and "i_ka" in n.res_switch else np.full(len(n.switch), np.nan)
    return _Run(
        converged=True,
        vm=n.res_bus["vm_pu"].to_numpy(copy=True),
        line_loading=rl["loading_percent"].to_numpy(copy=True) / 100 if len(n.line) else np.zeros(0),
        line_i=rl["i_ka"].to_numpy(copy=True) if len(n.line) else np.zeros(0),
        line_pl=rl["pl_mw"].to_numpy(copy=True) if len(n.line) else np.zeros(0),
        line_p_from=rl["p_from_mw"].to_numpy(copy=True) if len(n.line) else np.zeros(0),
        line_q_from=rl["q_from_mvar"].to_numpy(copy=True) if len(n.line) else np.zeros(0),
        line_p_to=rl["p_to_mw"].to_numpy(copy=True) if len(n.line) else np.zeros(0),
        line_q_to=rl["q_to_mvar"].to_numpy(copy=True) if len(n.line) else np.zeros(0),
        trafo_loading=rt["loading_percent"].to_numpy(copy=True) / 100 if len(n.trafo) else np.zeros(0),
        trafo_i=rt["i_hv_ka"].to_numpy(copy=True) if len(n.trafo) else np.zeros(0),
        trafo_pl=rt["pl_mw"].to_numpy(copy=True) if len(n.trafo) else np.zeros(0),
        switch_i=sw_i,
        gen_s=gen_s,
        ext_p=float(n.res_ext_grid["p_mw"].sum()),
        ext_q=float(n.res_ext_grid["q_mvar"].sum()),
    )


class _Tracker:
    """Per element: the normal value and the worst over every scenario (with its scenario id)."""

    def __init__(self) -> None:
        self.normal: dict[str, tuple[float, float, float]] = {}  # id -> (loading, current A, losses kW)
        self.worst: dict[str, tuple[float, float, str]] = {}  # id -> (loading, current A, scenario)
        self.vm_min: dict[str, tuple[float, str]] = {}
        self.vm_max: dict[str, float] = {}
        self.vm_normal: dict[str, float] = {}

    def branch(self, eid: str, loading: float, current_a: float, scenario: str) -> None:
        if not math.isfinite(loading):
            return
        cur = self.worst.get(eid)
        if cur is None or loading > cur[0] + TOL:
            self.worst[eid] = (loading, current_a, scenario)

    def bus(self, bid: str, vm: float, scenario: str) -> None:
        if not math.isfinite(vm) or vm <= 0:
            return
        cur = self.vm_min.get(bid)
        if cur is None or vm < cur[0] - TOL:
            self.vm_min[bid] = (vm, scenario)
        self.vm_max[bid] = max(self.vm_max.get(bid, 0.0), vm)


VM_ROLES = ("hv-section", "mv-section", "mv-reserve", "feeder-end", "lv-board")


@attrs.frozen(kw_only=True)
class _Case:
    """One typical-hall scenario before it is solved."""

    sid: str
    kind: str
    loads: Mapping[str, tuple[float, float]]
    extra: tuple[tuple[str, float], ...] = ()
    lost_kw: float = 0.0
    failed: tuple[str, ...] = ()
    cid: str = ""  # the failed component (verifier id)
    shown: tuple[str, ...] = ()  # the switching recorded
    computed: tuple[str, ...] = ()  # the switching applied to the load flow
    transfers: tuple[str, ...] = ()

    def key(self) -> tuple:
        """Identical keys are the same electrical state."""
        return (tuple(sorted(self.computed)), tuple(sorted((k, round(v[0], 9), round(v[1], 9)) for k, v in self.loads.items())))


def _hall_switching(ha: HallAssignment, kind: str, cid: str, load_id: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(switching shown, switching computed, load transfers) of a typical-hall failure. A UPS
    input breaker opening is computed as the UPS load dropping to zero: nothing else hangs on
    the UPS input bus, so it is the same state."""
    pre = copy_prefix(ha.hall, 1)
    if kind == "ups-system":
        return (f"open {load_id[cid]}.ups-cb",), (), (f"{cid} load moves to its partner blocks over the A/B cords",)
    if kind == "unit-substation":
        b = cid.rsplit("/", 1)[0]
        sw = (f"open {load_id[b]}.uss-cb",)
        return sw, sw, (f"{b} load moves to its partner blocks over the A/B cords",)
    if kind == "mv-feeder":
        sw = (f"open {pre}.{_local(cid)}.cb",)
        return sw, sw, (f"the load of {', '.join(next(f.blocks for f in ha.feeders if f.id == cid))} moves to partner blocks",)
    return (), (), (f"{cid} opens: its row draws all from the other busway",)


class Study:
    """Runs every study; `run()` returns `Studies`."""

    def __init__(self, spec, sz: ElectricalSizing, asg: Assignment, network: Network, gens: GeneratorPlan, timings: dict | None = None) -> None:
        self.spec, self.sz, self.asg, self.network, self.gens = spec, sz, asg, network, gens
        self.timings = timings if timings is not None else {}
        self.arr: Arrangement = sz.arrangement()
        self.tracker = _Tracker()
        self.scenarios: list[FlowScenario] = []
        self.solves = 0
        self.vlim = cat.table("voltage_limits")

    def _clock(self, key: str, t0: float) -> None:
        """Wall time per phase for the benchmark (kept out of the results: they are deterministic)."""
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0

    # ------------------------------------------------------------------ record a run
    def _record(self, g: Grid, run: _Run, sid: str, *, extra: Sequence[tuple[str, float]] = (), areas: Iterable[str] | None = None, net: Network | None = None, suffix: str = "") -> tuple[str, float, str, float, str, float]:
        """Track branches and buses; -> (worst id, worst loading, min vm bus, min vm, max vm bus,
        max vm). `net` and `suffix`: the elements of one replica of a batched grid; `areas`: the
        worst is taken among these areas' branches only (a typical hall's study)."""
        net = net if net is not None else g.network
        if not run.converged:
            return "", math.inf, "", math.nan, "", math.nan
        keep = set(areas) if areas is not None else None
        candidates = [("", 0.0)]
        candidates += self._branches(net.lines, g.line, run.line_loading, run.line_i, sid, suffix, keep)
        candidates += self._branches(net.transformers, g.trafo, run.trafo_loading, run.trafo_i, sid, suffix, keep)
        self._ties(g, run, net, sid, suffix)
        candidates += self._gensets(g, run, net, sid, suffix)
        candidates += list(extra)
        worst_id, worst = "", 0.0
        for eid, v in candidates:
            if v > worst + TOL:
                worst_id, worst = eid, v
        return (worst_id, worst, *self._voltages(g, run, net, sid, suffix))

    def _branches(self, items, index, loading, current, sid: str, suffix: str, keep) -> list[tuple[str, float]]:
        out = []
        for x in items:
            i = index[x.id + suffix]
            v = float(loading[i])
            self.tracker.branch(x.id, v, float(current[i]) * 1000, sid)
            if keep is None or x.area in keep:
                out.append((x.id, v))
        return out

    def _ties(self, g: Grid, run: _Run, net: Network, sid: str, suffix: str) -> None:
        """Ties, transfer breakers and couplers: the largest current (they have no loading)."""
        for s in net.switches:
            if s.role not in THROUGH_ROLES:
                continue
            i = g.switch[s.id + suffix]
            cur = float(run.switch_i[i]) * 1000 if i < len(run.switch_i) else math.nan
            if math.isfinite(cur) and cur > self.tracker.worst.get(s.id, (0.0, -1.0, ""))[1]:
                self.tracker.worst[s.id] = (0.0, cur, sid)

    def _gensets(self, g: Grid, run: _Run, net: Network, sid: str, suffix: str) -> list[tuple[str, float]]:
        out = []
        for x in net.generators:
            i = g.gen[x.id + suffix]
            s_mva = float(run.gen_s[i]) if i < len(run.gen_s) else math.nan
            if math.isfinite(s_mva) and s_mva > 0:
                self.tracker.branch(x.id, s_mva / x.sn_mva, s_mva * 1e3 / (math.sqrt(3) * x.vn_kv), sid)
                out.append((x.id, s_mva / x.sn_mva))
        return out

    def _voltages(self, g: Grid, run: _Run, net: Network, sid: str, suffix: str) -> tuple[str, float, str, float]:
        """-> (lowest bus, its voltage, highest bus, its voltage) among the studied roles."""
        lo, hi = (math.inf, ""), (-math.inf, "")
        for b in net.buses:
            if b.role not in VM_ROLES:
                continue
            vm = float(run.vm[g.bus.get(b.id + suffix, g.bus.get(b.id))])
            if not math.isfinite(vm) or vm <= 0:
                continue
            self.tracker.bus(b.id, vm, sid)
            lo = min(lo, (vm, b.id))
            hi = max(hi, (vm, b.id))
        return lo[1], lo[0], hi[1], hi[0]

    def _scenario(self, g: Grid, run: _Run, *, sid: str, kind: str, area: str, failed=(), maintenance=(), switching=(), transfers=(), extra=(), lost_kw=0.0, combinations=1, same_as="", areas=None, net=None, suffix="") -> FlowScenario:
        wid, w, bmin, vmin, bmax, vmax = self._record(g, run, sid, extra=extra, areas=areas, net=net, suffix=suffix)
        sc = FlowScenario(
            id=sid,
            kind=kind,
            area=area,
            failed=tuple(failed),
            maintenance=tuple(maintenance),
            switching=tuple(switching),
            load_transfers=tuple(transfers),
            worst_component=wid,
            worst_loading=_r(w),
            min_vm_pu=_r(vmin, 5),
            min_vm_bus=bmin,
            max_vm_pu=_r(vmax, 5),
            max_vm_bus=bmax,
            lost_kw=_r(lost_kw, 3),
            converged=run.converged,
            combinations=combinations,
            same_as=same_as,
        )
        self.scenarios.append(sc)
        return sc

    # ------------------------------------------------------------------ the hall studies
    def hall_studies(self, section_vm: Mapping[str, float]) -> dict[str, dict]:
        """Per distinct hall: the typical copy's failures as load flows. Returns per hall the
        feeders' hall-end and sending-end P/Q in normal operation and after each failure."""
        from hubc.electrical.verify import _Hall

        out: dict[str, dict] = {}
        for ha in self.asg.halls:
            out[ha.hall] = self._hall(ha, _Hall(ha, self.sz), section_vm)
        return out

    def hall_feeder_worst(self) -> dict[tuple[str, str], tuple[float, float]]:
        """The typical copies' failure load flows alone (sections at 1.0 pu): (hall, feeder id) ->
        (worst current A, worst loading) of each feeder cable. Records nothing."""
        from hubc.electrical.verify import _Hall

        out = {}
        for ha in self.asg.halls:
            self._hall(ha, _Hall(ha, self.sz), {})
            for f in ha.feeders:
                lid = f"{copy_prefix(ha.hall, 1)}.{_local(f.id)}"
                w = self.tracker.worst.get(lid)
                if w:
                    out[(ha.hall, f.id)] = (w[1], w[0])
        return out

    def _hall_network(self, ha: HallAssignment) -> tuple[Network, tuple[str, ...]]:
        """The typical copy of a hall on its own, and the MV sections that feed it. The UPS input
        breaker is never opened in these load flows (a UPS failure is its load at zero), so each
        UPS load sits on its LV board."""
        net = self.network

        def typical(table):
            return tuple(x for x in table if x.area == ha.hall and x.copy == 1)

        lines = typical(net.lines)
        sections = tuple(sorted({x.from_bus for x in lines}))
        ups = {b.id: b.id.rsplit(".", 1)[0] + ".lv" for b in typical(net.buses) if b.role == "ups-input"}
        keep = {b.id for b in typical(net.buses)} - set(ups)
        sub = Network(
            name=f"{net.name}/{ha.hall}",
            f_hz=net.f_hz,
            philosophy=net.philosophy,
            generator_transfer=net.generator_transfer,
            buses=tuple(b for b in net.buses if b.id in keep or b.id in sections),
            lines=lines,
            transformers=typical(net.transformers),
            switches=tuple(s for s in typical(net.switches) if not (s.element_kind == "bus" and s.element in ups)),
            ext_grids=(),
            loads=tuple(attrs.evolve(x, bus=ups.get(x.bus, x.bus)) for x in typical(net.loads)),
        )
        return sub, sections

    def _hall_cases(self, ha: HallAssignment, h) -> list[_Case]:
        """Normal operation, battery recharge and every failure of the typical copy, each with
        the switching shown, the switching computed, the UPS loads (the verifier's cord model)
        and the UPS blocks' and busways' loadings."""
        sz = self.sz
        pre = copy_prefix(ha.hall, 1)
        load_id = {b.id: f"{pre}.{_local(b.id)}" for b in ha.blocks}
        hp = sz.hall(ha.hall)

        def model(fb, fc, recharge_kw=0.0):
            block_kw, busway, lost = h.loads(fb, fc)
            loads = {load_id[b]: block_input(sz, kw, recharge_kw) if b not in fb else (0.0, 0.0) for b, kw in block_kw.items()}
            extra = tuple((load_id[b], kw / sz.block_kw) for b, kw in block_kw.items() if b not in fb)
            extra += tuple((bid, kw / hp.row_busway_kw) for bid, kw in busway.items())
            return loads, extra, lost

        rech = float(cat.table("ups")["battery_recharge_fraction"]) * sz.block_kw
        loads, extra, lost = model(frozenset(), frozenset())
        cases = [_Case(sid=f"{ha.hall}/normal", kind="normal", loads=loads, extra=extra, lost_kw=lost)]
        rl, _e, _l = model(frozenset(), frozenset(), rech)
        cases.append(_Case(sid=f"{ha.hall}/recharge", kind="recharge", loads=rl, extra=extra, transfers=(f"every UPS recharges its battery at {rech:g} kW after a utility outage",)))
        for kind, cid, fb, fc in h.failures():
            shown, computed, tr = _hall_switching(ha, kind, cid, load_id)
            loads, extra, lost = model(fb, fc)
            cases.append(_Case(sid=f"{cid}/fails", kind=kind, failed=(cid,), cid=cid, shown=shown, computed=computed, loads=loads, extra=extra, lost_kw=lost, transfers=tr))
        return cases

    def _hall(self, ha: HallAssignment, h, section_vm: Mapping[str, float]) -> dict:
        """Every failure of the typical copy as a load flow. Identical states are solved once; the
        distinct ones are solved together, each in its own replica of the copy (independent
        islands with their own slack buses: one Newton-Raphson for many scenarios)."""
        sub, sections = self._hall_network(ha)
        feeder_line = {f.id: f"{copy_prefix(ha.hall, 1)}.{_local(f.id)}" for f in ha.feeders}
        cases = self._hall_cases(ha, h)
        first: dict[tuple, int] = {}
        key_of = [first.setdefault(c.key(), i) for i, c in enumerate(cases)]
        solved = self._solve_replicas(sub, {b: section_vm.get(b, 1.0) for b in sections}, [cases[i] for i in sorted(set(key_of))])
        results: dict[str, dict] = {}
        for i, c in enumerate(cases):
            g, run, suffix = solved[cases[key_of[i]].sid]
            same = cases[key_of[i]].sid if key_of[i] != i else ""
            results[c.sid] = self._feeder_pq(g, run, feeder_line, suffix)
            self._scenario(g, run, sid=c.sid, kind=c.kind, area=ha.hall, failed=c.failed, switching=c.shown, transfers=c.transfers, extra=c.extra, lost_kw=c.lost_kw, same_as=same, areas=(ha.hall,), net=sub, suffix=suffix)
        results["normal"] = results[f"{ha.hall}/normal"]
        results["recharge"] = results[f"{ha.hall}/recharge"]
        # unit-substation losses of the typical copy in normal operation
        g, run, suffix = solved[f"{ha.hall}/normal"]
        uss_loss = sum(float(run.trafo_pl[g.trafo[x.id + suffix]]) for x in sub.transformers) * 1000
        failures = [(c.kind, c.cid, c.sid) for c in cases if c.cid]
        return {"results": results, "failures": failures, "uss_loss_kw": uss_loss}

    def _solve_replicas(self, sub: Network, slack: Mapping[str, float], cases: list[_Case]) -> dict[str, tuple[Grid, _Run, str]]:
        """Solve the cases in batches, each in its own replica of `sub`; a batch that does not
        converge is solved case by case so only the failing one is marked. -> scenario id ->
        (grid, run, replica suffix)."""
        out: dict[str, tuple[Grid, _Run, str]] = {}
        batch = max(1, min(len(cases), BATCH_BUSES // max(1, len(sub.buses))))
        for at in range(0, len(cases), batch):
            chunk = cases[at : at + batch]
            g = Grid(sub, slack_buses=slack, replicas=len(chunk))
            tag = _tagger(len(chunk))
            g.apply_many([(tag(j), c.computed, c.loads) for j, c in enumerate(chunk)])
            ok = g.solve(regulate=False)
            self.solves += 1
            if ok or len(chunk) == 1:
                r = _collect(g, ok)
                out.update({c.sid: (g, r, tag(j)) for j, c in enumerate(chunk)})
                continue
            for j, c in enumerate(chunk):
                g.apply_many([(tag(j), c.computed, c.loads)])
                okj = g.solve(regulate=False)
                self.solves += 1
                out[c.sid] = (g, _collect(g, okj), tag(j))
        return out

    @staticmethod
    def _feeder_pq(g: Grid, r: _Run, feeder_line: Mapping[str, str], suffix: str) -> dict[str, tuple[float, float, float, float]]:
        """feeder id -> (P, Q at the hall end; P, Q at the section end) of one replica."""
        if not r.converged:
            return {f: (math.nan,) * 4 for f in feeder_line}
        return {fid: (-float(r.line_p_to[g.line[lid + suffix]]), -float(r.line_q_to[g.line[lid + suffix]]), float(r.line_p_from[g.line[lid + suffix]]), float(r.line_q_from[g.line[lid + suffix]])) for fid, lid in feeder_line.items()}

    # ------------------------------------------------------------------ campus
    def _normal_state(self) -> tuple[Grid, dict[str, int], _Run, dict, list, dict[str, tuple[float, float]]]:
        """The campus in normal operation: (grid, OLTC taps, its load flow, the typical halls'
        studies, the equivalents (hall, feeder, P, Q), the equivalent copies' loads)."""
        net = self.network
        # 1. campus normal with the equivalents as built; the typical copies' hall studies need
        # the section voltages. Gensets stand by behind open breakers while the utility is on:
        # the utility-connected studies use the network without them.
        campus = Grid(without_generators(net))
        ok = campus.solve()
        self.solves += 1
        taps = campus.taps()
        normal = _collect(campus, ok)
        sec_vm = {b.id: float(normal.vm[campus.bus[b.id]]) for b in net.buses if b.role in ("mv-section", "mv-reserve")} if ok else {}
        t0 = time.perf_counter()
        halls = self.hall_studies(sec_vm)
        self._clock("hall_load_flows_s", t0)
        # 2. equivalents from the typical copies' normal load flows: the campus network is rebuilt
        # with them (the caller passes them back into build_network); here they are applied in place
        eq = []
        eq_loads: dict[str, tuple[float, float]] = {}
        for ha in self.asg.halls:
            res = halls[ha.hall]["results"]["normal"]
            for f in ha.feeders:
                p, q = res[f.id][0], res[f.id][1]
                eq.append((ha.hall, f.id, p, q))
                for c in range(2, ha.copies + 1):
                    lid = f"{copy_prefix(ha.hall, c)}.{_local(f.id)}.rmu.equivalent"
                    if lid in campus.load:
                        eq_loads[lid] = (p, q)
        campus.apply(loads=eq_loads)
        ok = campus.solve(taps)
        self.solves += 1
        return campus, campus.taps(), _collect(campus, ok), halls, eq, eq_loads

    def normal_exchange(self) -> NormalExchange:
        """The normal load flow alone (no failure, export or short-circuit study): what sizing the
        power-factor correction needs before the studies run."""
        _campus, taps, normal, _halls, eq, _loads = self._normal_state()
        return NormalExchange(
            equivalents=tuple((h, f, _r(p, 6), _r(q, 6)) for h, f, p, q in eq), taps=tuple(sorted(taps.items())), import_mw=_r(normal.ext_p, 4), import_mvar=_r(normal.ext_q, 4)
        )

    def run(self) -> Studies:
        sz, net = self.sz, self.network
        campus, taps, normal, halls, eq, base_loads = self._normal_state()
        ups_loss_kw = sz.critical_kw * (1 / sz.ups_efficiency - 1)
        self._scenario(campus, normal, sid="campus/normal", kind="normal", area="campus")
        # normal-state figures for branches and buses
        for x in net.lines:
            i = campus.line[x.id]
            self.tracker.normal[x.id] = (float(normal.line_loading[i]), float(normal.line_i[i]) * 1000, float(normal.line_pl[i]) * 1000)
        for x in campus.network.transformers:
            i = campus.trafo[x.id]
            self.tracker.normal[x.id] = (float(normal.trafo_loading[i]), float(normal.trafo_i[i]) * 1000, float(normal.trafo_pl[i]) * 1000)
        for s in net.switches:
            if s.role in THROUGH_ROLES:
                i = campus.switch[s.id]
                self.tracker.normal[s.id] = (0.0, float(normal.switch_i[i]) * 1000 if math.isfinite(normal.switch_i[i]) else 0.0, 0.0)
        for b in campus.network.buses:
            self.tracker.vm_normal[b.id] = float(normal.vm[campus.bus[b.id]])
        t0 = time.perf_counter()
        self._campus_scenarios(campus, taps, base_loads, halls)
        self._clock("campus_load_flows_s", t0)
        self._export(campus, taps, base_loads)
        losses = self._losses(campus, normal, halls, ups_loss_kw)
        contract = self.spec.grid.contract_mw
        s = math.hypot(normal.ext_p, normal.ext_q)
        grid = GridExchange(import_mw=_r(normal.ext_p, 4), import_mvar=_r(normal.ext_q, 4), power_factor=_r(normal.ext_p / s if s else 1.0, 4), contract_mw=contract)
        facility = sz.critical_kw + sz.mechanical_kw + losses.total_kw - losses.transmission_kw
        t0 = time.perf_counter()
        sc_cases, sc_results = self._short_circuit(taps)
        self._clock("short_circuit_s", t0)
        return Studies(
            scenarios=tuple(sorted(self.scenarios, key=lambda x: (x.area, x.kind, x.id))),
            buses=self._bus_table(sc_results),
            branches=self._branch_table(),
            short_circuit_cases=sc_cases,
            losses=losses,
            grid=grid,
            facility_with_losses_kw=_r(facility, 3),
            normal_taps=tuple(sorted(taps.items())),
            equivalents=tuple((h, f, _r(p, 6), _r(q, 6)) for h, f, p, q in eq),
            load_flows=self.solves,
        )

    def _export(self, campus: Grid, taps: dict[str, int], base_loads: dict[str, tuple[float, float]]) -> None:
        """Every behind-the-meter renewable plant at its rated output (converters at the plant
        power factor's real power) with the campus at its normal design load: the exchange at the
        point of connection, and every branch that carries power back towards the utility (the
        main transformers when the plants sit behind them, else the plant step-ups and lines)."""
        net = campus.network
        ren = [x for x in net.sgens if x.kind in ("solar", "wind")]
        if not ren:
            return
        pf = float(cat.table("plant_connection")["power_factor"])
        campus.apply(loads=base_loads)
        n = campus.net
        p = n.sgen["p_mw"].to_numpy(copy=True)
        for x in ren:
            p[campus.sgen[x.id]] = x.sn_mva * pf
        n.sgen["p_mw"] = p
        ok = campus.solve(taps, regulate=False)
        self.solves += 1
        run = _collect(campus, ok)
        reverse = [x.id for x in net.transformers if x.role == "main" and ok and n.res_trafo.at[campus.trafo[x.id], "p_hv_mw"] < -1e-3]
        rated = sum(x.sn_mva * pf for x in ren)
        if ok:
            flow = f"export {-run.ext_p:,.1f} MW to the utility" if run.ext_p < 0 else f"import {run.ext_p:,.1f} MW (the plants do not exceed the campus load)"
            back = f"; reverse power through {len(reverse)} main transformer winding(s)" if reverse else "; the main transformers carry no reverse power (the plants join the HV bus)"
        else:
            flow, back = "no load-flow solution", ""
        self._scenario(campus, run, sid="campus/export", kind="export", area="campus", failed=(), transfers=(f"{len(ren)} renewable converter group(s) at {rated:,.1f} MW rated output, campus at its normal design load: {flow}{back}",))
        n.sgen["p_mw"] = 0.0
        campus._solved_topology = None

    def _losses(self, campus: Grid, normal: _Run, halls, ups_loss_kw: float) -> Losses:
        net = self.network
        by_role: dict[str, float] = {}
        for x in net.lines:
            by_role["line:" + x.role] = by_role.get("line:" + x.role, 0.0) + float(normal.line_pl[campus.line[x.id]]) * 1000
        for x in net.transformers:
            if x.role == "unit-substation" or x.id not in campus.trafo:
                continue  # from the hall studies x copies; standby gensets' step-ups are out of service
            by_role["trafo:" + x.role] = by_role.get("trafo:" + x.role, 0.0) + float(normal.trafo_pl[campus.trafo[x.id]]) * 1000
        uss = sum(halls[ha.hall]["uss_loss_kw"] * ha.copies for ha in self.asg.halls)
        return Losses(
            ups_kw=_r(ups_loss_kw, 3),
            unit_substation_kw=_r(uss, 3),
            mechanical_substation_kw=_r(by_role.get("trafo:mechanical", 0.0), 3),
            mv_cable_kw=_r(by_role.get("line:mv-feeder", 0.0) + by_role.get("line:mechanical-feeder", 0.0), 3),
            main_transformer_kw=_r(by_role.get("trafo:main", 0.0), 3),
            transmission_kw=_r(by_role.get("line:transmission", 0.0), 3),
        )

    def _campus_scenarios(self, campus: Grid, taps: dict[str, int], base_loads: dict[str, tuple[float, float]], halls) -> None:
        net = self.network
        pending: list[dict] = []

        def flow(sid, kind, area, *, switching=(), loads=None, failed=(), maintenance=(), transfers=(), utility=True, slack_gens=False, gens_out=(), lost_kw=0.0, combinations=1, regulate=False, grid=None):
            """One campus load flow. After a failure the taps stay where normal operation had
            them (the state before the OLTCs act, with the lowest voltages). Utility-connected
            failures are queued and solved together (`_batch`)."""
            ld = dict(base_loads)
            ld.update(loads or {})
            rec = {"sid": sid, "kind": kind, "area": area, "failed": failed, "maintenance": maintenance, "switching": switching, "transfers": transfers, "lost_kw": lost_kw, "combinations": combinations}
            if grid is None and utility and not regulate and not slack_gens and not gens_out:
                pending.append(dict(rec, loads=ld))
                return None
            g = grid or campus
            g.apply(switching, ld, utility=utility, slack_gens=slack_gens, gens_out=gens_out)
            ok = g.solve(taps, regulate=regulate)
            self.solves += 1
            return self._scenario(g, _collect(g, ok), **rec)

        self._recharge(flow, halls)
        self._transformer_losses(flow)
        self._circuit_losses(flow)
        hv_stage_failures(net, flow, self.sz.facility_kw)
        hv_scheme_failures(net, self.arr, list(self.asg.section_kva), self.sz.power_factor, flow)
        # bus sections: the worst failure of each hall in any copy, screened, then confirmed
        self._section_scenarios(flow, halls, base_loads)
        # mechanical feeders and unit substations: survivors share the non-UPS load
        self._mechanical(flow)
        # utility outage: gensets close on their islands, one set per island failed
        if net.generators:
            full = Grid(net, taps=taps, fold_generators=True)
            self._generators(lambda *a, **k: flow(*a, grid=full, **k))
        self._batch(campus, taps, pending)

    def _recharge(self, flow, halls) -> None:
        """After a utility outage every UPS on every copy recharges its battery at once."""
        sz = self.sz
        rech = float(cat.table("ups")["battery_recharge_fraction"]) * sz.block_kw
        rl: dict[str, tuple[float, float]] = {}
        for ha in self.asg.halls:
            rr = halls[ha.hall]["results"]["recharge"]
            for f in ha.feeders:
                for c in range(2, ha.copies + 1):
                    rl[f"{copy_prefix(ha.hall, c)}.{_local(f.id)}.rmu.equivalent"] = rr[f.id][:2]
            block_kw = _block_kw(ha, sz)
            for b in ha.blocks:
                rl[f"{copy_prefix(ha.hall, 1)}.{_local(b.id)}"] = block_input(sz, block_kw[b.id], rech)
        flow("campus/recharge", "recharge", "campus", loads=rl, transfers=(f"every UPS recharges its battery at {rech:g} kW after a utility outage",), regulate=True)

    def _transformer_losses(self, flow) -> None:
        """Each main transformer lost, with the philosophy's switching; for Tier IV each one in
        maintenance with the worst other one failing (by the arrangement's arithmetic)."""
        sz, arr = self.sz, self.arr
        section_kva = list(self.asg.section_kva)
        for t in arr.transformers:
            tr = arr.after_loss({t}, section_kva)
            dead = [sec for sec, fed in tr.feeds if not fed]
            lost = sum(kva for (_s, fed), kva in zip(tr.feeds, section_kva) if not fed) * sz.power_factor
            flow(f"{t}/fails", "main-transformer", "campus", switching=hv_switching(self.network, tr.actions), failed=(t,), lost_kw=lost, transfers=tuple(f"{sec} is lost" for sec in dead))
        if self.spec.policy.tier < 4:
            return
        for t in arr.transformers:
            worst = None
            for u in arr.transformers:
                if u == t:
                    continue
                tr = arr.after_loss({t, u}, section_kva)
                per, dead = arr.winding_loads(tr, section_kva)
                v = max((per[w.id] / w.rating_kva for w in arr.windings), default=0.0)
                if worst is None or (dead, v) > worst[0]:
                    worst = ((dead, v), u, tr)
            if worst is not None:
                (dead, _v), u, tr = worst
                flow(f"{t}/maintenance", "maintenance+failure", "campus", switching=hv_switching(self.network, tr.actions), failed=(u,), maintenance=(t,), lost_kw=dead * sz.power_factor, combinations=len(arr.transformers) - 1)

    def _circuit_losses(self, flow) -> None:
        """Each utility circuit lost; on an MV supply the standby circuit closes."""
        circuits = [s for s in self.network.switches if s.role == "line"]
        standby = next((x for x in circuits if not x.closed), None)
        for s in circuits:
            if not s.closed:
                continue
            sw = isolate(self.network, s.id) + ([f"close {standby.id}"] if standby else [])
            live = [x for x in circuits if x.id != s.id and (x.closed or x is standby)]
            flow(f"{s.element if s.element_kind == 'line' else s.id}/fails", "transmission", "campus", switching=tuple(sw), failed=(s.element,), lost_kw=0.0 if live else self.sz.facility_kw)

    def _batch(self, campus: Grid, taps: dict[str, int], pending: list[dict]) -> None:
        """Solve queued campus failures together: each in its own replica of the campus (its own
        utility source), one Newton-Raphson for many; one that does not converge is solved alone."""
        if not pending:
            return
        base = campus.network
        per = max(1, min(len(pending), CAMPUS_BATCH_BUSES // max(1, len(base.buses))))
        grid = None
        for at in range(0, len(pending), per):
            chunk = pending[at : at + per]
            if grid is None or len(chunk) != per:
                grid = Grid(base, taps=taps, replicas=len(chunk))
            tag = _tagger(len(chunk))
            grid.apply_many([(tag(j), p["switching"], p["loads"]) for j, p in enumerate(chunk)])
            ok = grid.solve(regulate=False)
            self.solves += 1
            if ok:
                r = _collect(grid, ok)
                for j, p in enumerate(chunk):
                    rec = {k: v for k, v in p.items() if k != "loads"}
                    self._scenario(grid, r, net=base, suffix=tag(j), **rec)
                continue
            for p in chunk:
                campus.apply(p["switching"], p["loads"])
                okj = campus.solve(taps, regulate=False)
                self.solves += 1
                rec = {k: v for k, v in p.items() if k != "loads"}
                self._scenario(campus, _collect(campus, okj), **rec)

    def _section_scenarios(self, flow, halls, base_loads) -> None:
        sz, arr = self.sz, self.arr
        if not sz.main_tx_count:
            return  # one MV section on the utility circuits: the circuits' loading is studied
        act = arr.active_sections
        where = self.asg.section_copies()
        rating = {s.id: s.rating_kva for s in act}
        base_s = {}
        normal_op = arr.after_loss(frozenset())
        for (sid, fed), kva in zip(normal_op.feeds, self.asg.section_kva):
            base_s[sid] = kva
        for ha in self.asg.halls:
            res = halls[ha.hall]["results"]
            normal = res["normal"]
            best = None
            for kind, cid, key in halls[ha.hall]["failures"]:
                after = res[key]
                dP = {f: after[f][2] - normal[f][2] for f in normal}
                dQ = {f: after[f][3] - normal[f][3] for f in normal}
                for c in range(ha.copies):
                    add: dict[str, complex] = {}
                    for f in normal:
                        t = where[(ha.hall, f)][c]
                        add[act[t].id] = add.get(act[t].id, 0) + complex(dP[f], dQ[f])
                    for s_id, d in add.items():
                        # screened loading: normal kVA of the section plus the change (S adds as
                        # complex power at the design PF)
                        s0 = base_s[s_id] / 1000
                        pf = sz.power_factor
                        s_new = abs(complex(s0 * pf, s0 * math.sin(math.acos(pf))) + d)
                        v = s_new * 1000 / rating[s_id]
                        if best is None or v > best[0] + TOL:
                            best = (v, cid, key, c + 1)
            if best is None:
                continue
            _v, cid, key, copy = best
            # confirm: the copy's feeders carry the failure's powers
            loads: dict[str, tuple[float, float]] = {}
            sw: list[str] = []
            after = res[key]
            if copy == 1:
                # the typical copy: apply the failure in detail
                fail = next(s for s in self.scenarios if s.id == key and s.area == ha.hall)
                sw = list(fail.switching)
                h_loads = self._hall_failure_loads(ha, cid)
                loads.update(h_loads)
            else:
                pre = copy_prefix(ha.hall, copy)
                for f in ha.feeders:
                    p, q = after[f.id][0], after[f.id][1]
                    lid = f"{pre}.{_local(f.id)}.rmu.equivalent"
                    if math.isfinite(p):
                        loads[lid] = (p, q)
                    else:
                        loads[lid] = (0.0, 0.0)
                        sw.append(f"open {pre}.{_local(f.id)}.cb")
                kind = next(k for k, c, _s in halls[ha.hall]["failures"] if c == cid)
                if kind == "mv-feeder":
                    sw.append(f"open {pre}.{_local(cid)}.cb")
                    loads[f"{pre}.{_local(cid)}.rmu.equivalent"] = (0.0, 0.0)
            flow(
                f"{ha.hall}/bus-sections",
                "bus-section",
                ha.hall,
                switching=tuple(sw),
                loads=loads,
                failed=(f"{cid} in copy {copy}",),
                transfers=(f"the worst of {len(halls[ha.hall]['failures'])} failures x {ha.copies} copies on the MV sections (screened by the change of the copy's feeder powers), confirmed by this load flow",),
                combinations=len(halls[ha.hall]["failures"]) * ha.copies,
            )

    def _hall_failure_loads(self, ha: HallAssignment, cid: str) -> dict[str, tuple[float, float]]:
        from hubc.electrical.verify import _Hall

        h = _Hall(ha, self.sz)
        for kind, c, fb, fc in h.failures():
            if c == cid:
                block_kw = h.loads(fb, fc)[0]
                pre = copy_prefix(ha.hall, 1)
                return {f"{pre}.{_local(b)}": block_input(self.sz, kw) if b not in fb else (0.0, 0.0) for b, kw in block_kw.items()}
        return {}

    def _mechanical(self, flow) -> None:
        """A mechanical feeder lost takes its unit substations with it; the others share the
        non-UPS load equally. Feeders with the same number of substations load the survivors the
        same way: one load flow per distinct count, for the feeder on the most loaded section
        (the others are recorded as combinations). A single mechanical unit substation lost: all
        are identical and the survivors share equally, one load flow."""
        net = self.network
        feeders = [x for x in net.lines if x.role == "mechanical-feeder"]
        if not feeders:
            return
        mloads = [x for x in net.loads if x.kind == "mechanical"]
        by_feeder = {f.id: [x for x in mloads if x.id.startswith(f.id + ".")] for f in feeders}
        sec_load = dict(zip((s.id for s in self.arr.active_sections), self.asg.section_kva))
        groups: dict[int, list] = {}
        for f in feeders:
            groups.setdefault(len(by_feeder[f.id]), []).append(f)
        for count, fs in sorted(groups.items()):
            f = max(fs, key=lambda x: (sec_load.get(x.from_bus, 0.0), x.id))
            others = ", ".join(x.id for x in fs if x is not f)
            note = (f"stands for {others} (also {count} substations)",) if others else ()
            self._mech_loss(flow, f"{f.id}/fails", "mechanical-feeder", f.id, f"{f.id}.cb", mloads, by_feeder[f.id], note, len(fs))
        f = max(feeders, key=lambda x: (len(by_feeder[x.id]), sec_load.get(x.from_bus, 0.0), x.id))
        if by_feeder[f.id] and len(mloads) > 1:
            x = by_feeder[f.id][0]
            uid = x.id.rsplit(".", 1)[0]
            self._mech_loss(flow, f"{uid}/fails", "mechanical-uss", uid, f"{uid}.cb", mloads, [x], ("identical units: stands for any one",), len(mloads))

    @staticmethod
    def _mech_loss(flow, sid: str, kind: str, failed: str, breaker: str, mloads, lost_loads, note, combinations: int) -> None:
        """The breaker opens, the mechanical loads behind it drop and the survivors share the
        non-UPS load equally."""
        total_p = sum(x.p_mw for x in mloads)
        total_q = sum(x.q_mvar for x in mloads)
        alive = [x for x in mloads if x not in lost_loads]
        if not alive:
            flow(sid, kind, "campus", switching=(f"open {breaker}",), failed=(failed,), lost_kw=total_p * 1000, combinations=combinations)
            return
        loads = {x.id: (total_p / len(alive), total_q / len(alive)) for x in alive}
        loads.update({x.id: (0.0, 0.0) for x in lost_loads})
        tr = (f"the non-UPS load is shared by the {len(alive)} mechanical unit substations left",) + tuple(note)
        flow(sid, kind, "campus", switching=(f"open {breaker}",), loads=loads, failed=(failed,), transfers=tr, combinations=combinations)

    def _generators(self, flow) -> None:
        net, plan = self.network, self.gens
        if not net.generators:
            return
        if plan.blocks is not None:
            block_generator_scenarios(net, self.sz, self.asg, plan.blocks, flow, self.spec.policy.tier)
            return
        opens = [f"open {s.id}" for s in net.switches if s.role in ("line", "incomer") and s.closed]
        closes = [f"close {s.id}" for s in net.switches if s.role in ("generator", "generator-group")]
        by_group: dict[str, list[str]] = {}
        for gset in net.generators:
            by_group.setdefault(gset.group, []).append(gset.id)
        # islands: each with one set failed (islands are independent: one load flow covers all)
        first = {}
        for island in plan.islands:
            members = [g for s in island for g in by_group.get(s, [])]
            if members:
                first[island] = members[0]
        failed = list(first.values())
        sw = tuple(opens) + tuple(c for c in closes if c.split(" ", 1)[1].rsplit(".cb", 1)[0] not in failed)
        lost = sum(kva for sec, kva in zip(self.arr.active_sections, self.asg.section_kva) if not by_group.get(sec.id)) * self.sz.power_factor
        flow("campus/utility-outage/generator-fails", "generator", "campus", switching=sw, failed=("utility", "one generator per island: " + ", ".join(failed)), utility=False, slack_gens=True, gens_out=failed, lost_kw=lost, combinations=len(net.generators))
        self._group_bus_failure(flow, opens, closes, lost)
        if self.spec.policy.tier >= 4:
            second = {}
            for island in plan.islands:
                members = [g for s in island for g in by_group.get(s, [])]
                if len(members) > 1:
                    second[island] = members[1]
            both = failed + list(second.values())
            sw2 = tuple(opens) + tuple(c for c in closes if c.split(" ", 1)[1].rsplit(".cb", 1)[0] not in both)
            flow("campus/utility-outage/generator-maintenance/generator-fails", "maintenance+failure", "campus", switching=sw2, failed=("utility", "one generator per island"), maintenance=("one generator per island",), utility=False, slack_gens=True, gens_out=both, lost_kw=lost, combinations=len(net.generators))

    def _group_bus_failure(self, flow, opens: list[str], closes: list[str], lost_base: float) -> None:
        """The utility lost and one paralleling group's bus faulted in every island (the islands are
        independent: one load flow): its group breaker stays open and its sets are lost; the other
        groups of the island carry it, or the island's load is lost."""
        net, gp = self.network, self.gens.groups
        if gp is None or not gp.groups:
            return
        sets = {}
        for g in net.generators:
            sets.setdefault(g.paralleling_group, []).append(g.id)
        out: list[str] = []
        dead: set[str] = set()
        for island in self.gens.islands:
            grps = [grp for sec in island for grp in gp.of_section(sec)]
            if not grps:
                continue
            out.append(grps[0].id)
            if len(grps) == 1:
                dead.update(island)
        gone = {gid for grp in out for gid in sets.get(grp, ())}
        keep = tuple(c for c in closes if c.split(" ", 1)[1].rsplit(".cb", 1)[0] not in gone and c.split(" ", 1)[1] not in {f"{grp}.cb" for grp in out})
        load = dict(zip((s.id for s in self.arr.active_sections), self.asg.section_kva))
        lost = lost_base + sum(load.get(sec, 0.0) for sec in dead) * self.sz.power_factor
        note = "every section's other groups carry it" if not dead else f"{len(dead)} section(s) have one group only: their load is lost until the utility returns"
        if len(dead) == sum(len(i) for i in self.gens.islands):
            # no source left anywhere: nothing to solve, every island's load is lost
            self.scenarios.append(FlowScenario(id="campus/utility-outage/generator-group-fails", kind="generator-group", area="campus", failed=("utility", "one paralleling group bus per island: " + ", ".join(out)), maintenance=(), switching=tuple(opens), load_transfers=(note,), worst_component="", worst_loading=0.0, min_vm_pu=None, min_vm_bus="", max_vm_pu=None, max_vm_bus="", lost_kw=_r(lost, 3), converged=True, combinations=len(gp.groups)))
            return
        flow(
            "campus/utility-outage/generator-group-fails",
            "generator-group",
            "campus",
            switching=tuple(opens) + keep,
            failed=("utility", "one paralleling group bus per island: " + ", ".join(out)),
            transfers=(note,),
            utility=False,
            slack_gens=True,
            gens_out=tuple(sorted(gone)),
            lost_kw=lost,
            combinations=len(gp.groups),
        )

    # ------------------------------------------------------------------ short circuit
    def _short_circuit(self, taps: dict[str, int]) -> tuple[tuple[ShortCircuitCase, ...], dict]:
        return short_circuit(self.network, self.arr, taps)

    # ------------------------------------------------------------------ tables
    def _bus_table(self, sc: dict) -> tuple[BusResult, ...]:
        f_hz = self.network.f_hz
        out = []
        tr = self.tracker
        for b in self.network.buses:
            rec = sc.get(b.id, {})
            mx = rec.get("ikss_max")
            tk = clearing_time(b.vn_kv)
            ith = thermal_current_ka(mx[0], rec.get("ip_max", 0.0), tk, f_hz) if mx else None
            vmin = tr.vm_min.get(b.id)
            out.append(
                BusResult(
                    id=b.id,
                    vn_kv=b.vn_kv,
                    role=b.role,
                    section=b.section,
                    area=b.area,
                    copy=b.copy,
                    vm_pu_normal=_r(tr.vm_normal.get(b.id), 5),
                    vm_pu_min=_r(vmin[0], 5) if vmin else None,
                    vm_pu_min_scenario=vmin[1] if vmin else "",
                    vm_pu_max=_r(tr.vm_max.get(b.id), 5),
                    ikss_max_ka=_r(mx[0], 3) if mx else None,
                    ip_max_ka=_r(rec.get("ip_max"), 3) if mx else None,
                    ith_max_ka=_r(ith, 3) if ith else None,
                    clearing_time_s=tk,
                    x_r_max=_r(mx[3], 2) if mx and math.isfinite(mx[3]) else None,
                    max_case=mx[2] if mx else "",
                    ikss_min_ka=_r(rec.get("ikss_min"), 3) if math.isfinite(rec.get("ikss_min", math.inf)) else None,
                )
            )
        return tuple(out)

    def _branch_table(self) -> tuple[BranchResult, ...]:
        tr = self.tracker
        out = []
        net = self.network
        for x in net.lines:
            nl = tr.normal.get(x.id)
            w = tr.worst.get(x.id)
            out.append(BranchResult(id=x.id, kind="line", role=x.role, area=x.area, copy=x.copy, rating=_r(x.max_i_ka * x.parallel * 1000, 1), rating_unit="A", normal_loading=_r(nl[0]) if nl else None, normal_current_a=_r(nl[1], 2) if nl else None, normal_losses_kw=_r(nl[2], 3) if nl else None, worst_loading=_r(w[0]) if w else None, worst_current_a=_r(w[1], 2) if w else None, worst_scenario=w[2] if w else ""))
        for x in net.transformers:
            nl = tr.normal.get(x.id)
            w = tr.worst.get(x.id)
            out.append(BranchResult(id=x.id, kind="transformer", role=x.role, area=x.area, copy=x.copy, rating=x.sn_mva, rating_unit="MVA", normal_loading=_r(nl[0]) if nl else None, normal_current_a=_r(nl[1], 2) if nl else None, normal_losses_kw=_r(nl[2], 3) if nl else None, worst_loading=_r(w[0]) if w else None, worst_current_a=_r(w[1], 2) if w else None, worst_scenario=w[2] if w else ""))
        for s in net.switches:
            if s.role not in THROUGH_ROLES:
                continue
            nl = tr.normal.get(s.id)
            w = tr.worst.get(s.id)
            out.append(BranchResult(id=s.id, kind="switch", role=s.role, area=s.area, copy=s.copy, rating=0.0, rating_unit="A", normal_loading=None, normal_current_a=_r(nl[1], 2) if nl else None, normal_losses_kw=None, worst_loading=None, worst_current_a=_r(w[1], 2) if w else None, worst_scenario=w[2] if w else ""))
        for x in net.generators:
            w = tr.worst.get(x.id)
            out.append(BranchResult(id=x.id, kind="generator", role="generator", area="campus", copy=0, rating=x.sn_mva, rating_unit="MVA", normal_loading=0.0, normal_current_a=0.0, normal_losses_kw=None, worst_loading=_r(w[0]) if w else None, worst_current_a=_r(w[1], 2) if w else None, worst_scenario=w[2] if w else ""))
        return tuple(out)


def short_circuit(net: Network, arr: Arrangement, taps: Mapping[str, int] | None = None, *, roles: Iterable[str] | None = None) -> tuple[tuple[ShortCircuitCase, ...], dict]:
    """IEC 60909 maximum (for ratings) and minimum (for protection) at every bus (or at the buses
    with the given roles): the cases of `short_circuit_cases`, the unit substations at the lower
    tolerance of their impedance (IEC 60076-1) for the LV boards. -> (cases, bus id -> {"ikss_max":
    (Ik'', ip of that case, case id, X/R), "ip_max": ip, "ikss_min": Ik''})."""
    g = Grid(_lowered(net), taps=taps, fold_generators=True)
    keep = set(roles) if roles is not None else None
    buses = [b for b in net.buses if b.role not in ("generator-terminal", "ups-input") and (keep is None or b.role in keep)]
    out: dict[str, dict] = {b.id: {} for b in buses}
    cases = short_circuit_cases(net, arr)
    for case, opt in cases:
        res = _run_case(g, case, opt, [g.bus[b.id] for b in buses])
        if res is not None:
            _keep_extremes(out, buses, case, *res)
        g.reset()
    return tuple(c for c, _o in cases), out


def _lowered(net: Network) -> Network:
    """The unit substations at the lower limit of their impedance tolerance."""

    def low(x):
        f = 1 - cat.impedance_tolerance(x.vk_percent)
        return attrs.evolve(x, vk_percent=x.vk_percent * f, vkr_percent=x.vkr_percent * f)

    return attrs.evolve(net, transformers=tuple(low(x) if x.role in ("unit-substation", "mechanical") else x for x in net.transformers))


def short_circuit_cases(net: Network, arr: Arrangement) -> list[tuple[ShortCircuitCase, dict]]:
    """Maximum: the utility at its maximum fault level with every converter and direct-on-line
    motor, the switching the philosophy allows (normal; for parallel-on-loss also the survivors
    paralleled after a loss), the gensets paralleled if the retransfer is closed transition, and a
    case with the utility lost and every genset on its island. Minimum: the utility at its minimum
    with one circuit out, no gensets, converters or motors, conductors at their end temperature."""
    gens_cb = [f"close {s.id}" for s in net.switches if s.role in ("generator", "generator-group")]
    closed_tr = net.generator_transfer == "closed"
    sources = ["utility at its maximum fault level", "BESS and renewable converters (k x In)", "direct-on-line motors"]
    base_sw = list(gens_cb) if closed_tr else []
    if closed_tr:
        sources.append("every genset (closed-transition retransfer parallels them with the utility)")
    desc = "normal switching" + (" with the gensets paralleled (closed transition)" if closed_tr else "")
    cases = [(ShortCircuitCase(id="max/utility", case="max", description=desc, switching=tuple(base_sw), sources=tuple(sources)), {"switching": base_sw})]
    if arr.philosophy == "parallel-on-loss" and len(arr.transformers) > 1:
        for t in (arr.transformers[0], arr.transformers[-1]):
            sw = list(hv_switching(net, arr.after_loss({t}).actions)) + base_sw
            cases.append((ShortCircuitCase(id=f"max/{t}-out-ties-closed", case="max", description=f"{t} lost, every tie closed: the survivors in parallel", switching=tuple(sw), sources=tuple(sources)), {"switching": sw}))
    if net.generators:
        # lv-per-block: every transfer switch leaves its unit substation (never both sources but in a closed transition)
        opens = [f"open {s.id}" for s in net.switches if (s.role in ("line", "incomer") and s.closed) or s.role == "ats-normal"]
        gen_case = ShortCircuitCase(id="max/generators", case="max", description="utility lost: every genset on its island", switching=tuple(opens + gens_cb), sources=("every genset", "BESS converters", "direct-on-line motors"))
        cases.append((gen_case, {"switching": opens + gens_cb, "utility": False, "renewables": False}))
    circuits = [s for s in net.switches if s.role == "line" and s.closed]
    min_sw = [f"open {circuits[0].id}"] if len(circuits) > 1 else []
    min_case = ShortCircuitCase(id="min/utility", case="min", description="utility at its minimum fault level, one circuit out, no gensets, converters or motors", switching=tuple(min_sw), sources=("utility at its minimum fault level",))
    cases.append((min_case, {"switching": min_sw, "converters": False, "motors": False}))
    return cases


def _run_case(g: Grid, case: ShortCircuitCase, opt: dict, bidx: list[int]):
    """One IEC 60909 case at the given buses: (Ik'', ip, R, X) arrays, or None when the case has
    no source at all (e.g. no gensets)."""
    _pp_mod, sc = _pp()
    g.apply(opt.get("switching", ()), utility=opt.get("utility", True))
    n = g.net
    if len(n.sgen):
        conv = opt.get("converters", True)
        n.sgen["in_service"] = [conv and t == "bess" for t in n.sgen["type"]] if opt.get("renewables", True) is False else conv
    if len(n.motor):
        n.motor["in_service"] = opt.get("motors", True)
    if not n.ext_grid["in_service"].any() and not (len(n.gen) and n.gen["in_service"].any()):
        return None  # no source in this case (the utility lost and no gensets)
    with quiet():
        sc.calc_sc(n, bus=bidx, case=case.case, lv_tol_percent=float(cat.table("short_circuit")["lv_tolerance_percent"]), ip=case.case == "max", ith=False, branch_results=False, inverse_y=False)
    res = n.res_bus_sc
    ip = res["ip_ka"].reindex(bidx).to_numpy() if "ip_ka" in res else np.full(len(bidx), np.nan)
    return res["ikss_ka"].reindex(bidx).to_numpy(), ip, res["rk_ohm"].reindex(bidx).to_numpy(), res["xk_ohm"].reindex(bidx).to_numpy()


def _keep_extremes(out: dict, buses, case: ShortCircuitCase, ik, ip, rk, xk) -> None:
    for b, a, p, rr, xx in zip(buses, ik, ip, rk, xk):
        if not math.isfinite(a) or a <= 0:
            continue
        rec = out[b.id]
        if case.case == "min":
            rec["ikss_min"] = min(rec.get("ikss_min", math.inf), float(a))
            continue
        if a > rec.get("ikss_max", (0.0,))[0]:
            rec["ikss_max"] = (float(a), float(p), case.id, float(xx / rr) if rr > 0 else math.inf)
        rec["ip_max"] = max(rec.get("ip_max", 0.0), float(p) if math.isfinite(p) else 0.0)


def without_generators(net: Network) -> Network:
    """The network with its gensets, their terminals, step-up transformers, group buses and
    breakers left out (standby sets behind open breakers take no part in a utility-connected
    load flow)."""
    if not net.generators:
        return net
    gone = {g.bus for g in net.generators} | {b.id for b in net.buses if b.role == "generator-bus"}
    tx = {t.id for t in net.transformers if t.role == "generator-step-up"}
    return attrs.evolve(
        net,
        buses=tuple(b for b in net.buses if b.id not in gone),
        transformers=tuple(t for t in net.transformers if t.id not in tx),
        switches=tuple(s for s in net.switches if not (s.role in ("generator", "generator-group") and (s.element in gone or s.element in tx))),
        generators=(),
    )


def _block_kw(ha: HallAssignment, sz: ElectricalSizing) -> dict[str, float]:
    from hubc.electrical.verify import _Hall

    return _Hall(ha, sz).loads(frozenset())[0]


@attrs.frozen(kw_only=True)
class NormalExchange:
    """The campus's normal load flow at the point of connection, with the typical copies'
    equivalents and the OLTC taps it settled on (Study.normal_exchange)."""

    equivalents: tuple[tuple[str, str, float, float], ...]
    taps: tuple[tuple[str, int], ...]
    import_mw: float
    import_mvar: float


def normal_exchange(spec, sz: ElectricalSizing, asg: Assignment, network: Network, gens: GeneratorPlan) -> NormalExchange:
    """The normal load flow only (Study.normal_exchange)."""
    return Study(spec, sz, asg, network, gens, None).normal_exchange()


def run_studies(spec, sz: ElectricalSizing, asg: Assignment, network: Network, gens: GeneratorPlan, timings: dict | None = None) -> Studies:
    """Every study of the network (see the module docstring). `timings`: filled with the wall
    time of each phase, for the benchmark."""
    return Study(spec, sz, asg, network, gens, timings).run()


__all__ = [
    "BranchResult",
    "BusResult",
    "FlowScenario",
    "Grid",
    "GridExchange",
    "Losses",
    "NormalExchange",
    "ShortCircuitCase",
    "Studies",
    "normal_exchange",
    "quiet",
    "run_studies",
    "short_circuit",
    "thermal_current_ka",
]
