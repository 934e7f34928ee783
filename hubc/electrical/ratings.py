"""Ratings from duty: switchgear, LV boards and cables chosen from the studies.

In: the `Network`, the `Studies` (IEC 60909 maximum Ik'', ip and Ith at every bus; the worst
current of every branch over every load-flow scenario) and the spec's fixed ratings. Out:
`Ratings` - each switchboard (HV GIS bus, MV switchgear section, ring main unit at a hall, LV
board) with its rated current and short-circuit rating against its duty, each bay (incomer,
feeder, tie, transfer, coupler, generator, line, transformer) with its rated current, each cable's
adiabatic short-circuit check - and the problems: a rating below its duty (HUB752) or a duty
beyond the largest standard rating of the class (HUB753).

Rules (catalog electrical.toml, with sources):
- HV and MV switchgear: rated short-time / breaking current Ik from the IEC 62271-1 R10 series
  with Ik >= Ik''max (breaking, IEC 62271-100), k_p Ik >= ip (k_p = 2.6 at 60 Hz, 2.5 at 50 Hz)
  and Ik^2 x 1 s >= Ith^2 Tk (short-time, rated duration 1 s); rated current from the R10 series
  >= the worst load-flow current and the rated current of what the bay connects; nothing above
  the class's largest standard rating (`switchgear_class`).
- LV boards (IEC 60947-2 ACBs): Icu >= Ik''max at the board with the unit substation's impedance
  at its lower tolerance, n(Icu) x Icu >= ip (IEC 60947-2 Table 2), Icw >= Ith sqrt(Tk / 1 s).
- Cables: S >= Ith sqrt(Tk) / k (IEC 60949, adiabatic), each parallel set on its own (a fault
  on one set is fed through it), with the sending bus's duty and the backup clearing time.
- A bus whose X/R gives a DC time constant above the standard 45 ms is flagged for the
  switchgear specification (IEC 62271-100 §4.101.2), not failed.
"""

from __future__ import annotations

import bisect
import math

import attrs

from hubc.catalog import electrical as cat
from hubc.electrical.network import Network
from hubc.electrical.studies import Studies, clearing_time

GEN_HELP = "LV sets through their own step-up transformers (generator_arrangement = \"lv-groups\": the transformer's impedance limits each set's share), one LV set per UPS block (\"lv-per-block\": no generator bus), fewer sets per island, or current-limiting reactors in the group breakers"
HV_HELP = "add utility circuits (after one is lost the others share the import) or raise the supply voltage"
SWITCHBOARD = {"hv-section": "hv-gis", "mv-section": "mv-switchgear", "mv-reserve": "mv-switchgear", "feeder-end": "ring-main-unit", "lv-board": "lv-board", "utility": "", "transformer-hv": "", "ups-input": "", "generator-terminal": "", "generator-bus": "mv-switchgear", "collector": "mv-switchgear", "capacitor": ""}


@attrs.frozen(kw_only=True)
class BusRating:
    bus: str
    kind: str  # "hv-gis" | "mv-switchgear" | "ring-main-unit" | "lv-board"
    vn_kv: float
    section: str
    area: str
    copy: int
    rated_voltage_kv: float
    rated_current_a: float
    duty_current_a: float
    rated_short_circuit_ka: float  # Ik (HV/MV) or Icu (LV)
    rated_peak_ka: float  # k_p x Ik (HV/MV) or n x Icu (LV)
    rated_short_time_ka: float  # Ik for 1 s (HV/MV) or Icw (LV)
    duty_ikss_ka: float
    duty_ip_ka: float
    duty_ith_ka: float
    duty_ikss_min_ka: float | None  # the minimum Ik'' (for protection settings)
    clearing_time_s: float
    x_r: float | None
    dc_time_constant_ms: float | None
    dc_time_constant_note: str
    specified: bool
    ok: bool
    governing: str  # which duty set the short-circuit rating ("Ik''", "ip", "Ith", "class minimum", "specified")
    source: str


@attrs.frozen(kw_only=True)
class BayRating:
    switch: str
    bus: str
    role: str
    kind: str
    rated_current_a: float
    duty_current_a: float
    duty_basis: str  # what the duty current is (worst load flow, equipment rated current)
    rated_short_circuit_ka: float
    ok: bool


@attrs.frozen(kw_only=True)
class CableCheck:
    line: str
    size_mm2: float
    parallel: int
    k: float
    duty_ith_ka: float
    clearing_time_s: float
    min_mm2: float
    ok: bool


@attrs.frozen(kw_only=True)
class Measure:
    item: str
    kind: str  # "split-secondary" | "higher-impedance" | "larger-cable" | "more-units" | "none-possible"
    reason: str
    before: str
    after: str


@attrs.frozen(kw_only=True)
class Problem:
    code: str  # "HUB752" | "HUB753"
    target: str
    message: str
    spec_path: tuple[str, ...]
    help: str


@attrs.frozen(kw_only=True)
class Ratings:
    buses: tuple[BusRating, ...]
    bays: tuple[BayRating, ...]
    cables: tuple[CableCheck, ...]
    problems: tuple[Problem, ...]

    def bus(self, bus_id: str) -> BusRating | None:
        return next((b for b in self.buses if b.bus == bus_id), None)


def _next(series: tuple[float, ...], need: float) -> float | None:
    i = bisect.bisect_left(series, need - 1e-9)
    return series[i] if i < len(series) else None


def peak_factor(f_hz: float) -> float:
    t = cat.table("switchgear_short_circuit_ka")
    return float(t["peak_factor_60hz"] if f_hz >= 55 else t["peak_factor_50hz"])


def required_short_circuit_ka(ikss: float, ip: float, ith: float, tk: float, f_hz: float) -> tuple[float, str]:
    """The least rated short-time / breaking current for a duty, and which duty governs."""
    t = cat.table("switchgear_short_circuit_ka")
    tr = float(t["rated_duration_s"])
    needs = [(ikss, "Ik''"), (ip / peak_factor(f_hz), "ip"), (ith * math.sqrt(tk / tr), "Ith")]
    return max(needs)


def choose_switchgear_ka(need_ka: float, class_max: float) -> float | None:
    """Smallest standard rating >= need within the class (None: beyond the class)."""
    r = _next(cat.sizes("switchgear_short_circuit_ka"), need_ka)
    if r is None or r > class_max + 1e-9:
        return None
    return r


def choose_rated_current(need_a: float, cls: cat.SwitchgearClass) -> float | None:
    r = _next(cat.sizes("switchgear_rated_current_a"), max(need_a, cls.min_current_a))
    if r is None or r > cls.max_current_a + 1e-9:
        return None
    return r


def lv_board_needs(ikss: float, ip: float, ith: float, tk: float) -> tuple[cat.LvBoardRating | None, str]:
    """The smallest catalog LV board whose Icu, making capacity and Icw carry the duty."""
    for r in cat.lv_board_ratings():
        if r.icu_ka + 1e-9 < ikss:
            continue
        if cat.lv_making_factor(r.icu_ka) * r.icu_ka + 1e-9 < ip:
            continue
        if r.icw_ka + 1e-9 < ith * math.sqrt(tk / 1.0):
            continue
        gov = max(((ikss / r.icu_ka, "Ik''"), (ip / (cat.lv_making_factor(r.icu_ka) * r.icu_ka), "ip"), (ith * math.sqrt(tk) / r.icw_ka, "Ith")))[1]
        return r, gov
    return None, ""


def dc_time_constant_ms(x_r: float | None, f_hz: float) -> float | None:
    if x_r is None or not math.isfinite(x_r):
        return None
    return 1000 * x_r / (2 * math.pi * f_hz)


def choose_ratings(network: Network, studies: Studies, *, mv_switchgear_ka: float | None = None, lv_board_ka: float | None = None) -> Ratings:
    """Every switchboard, bay and cable rated from the studies' duty (see the module docstring)."""
    problems: list[Problem] = []
    by_bus = {b.id: b for b in studies.buses}
    duties = bay_duties(network, {b.id: b for b in studies.branches})
    sw_at: dict[str, list] = {}
    for s in network.switches:
        sw_at.setdefault(s.bus, []).append(s)
        if s.element_kind == "bus":
            sw_at.setdefault(s.element, []).append(s)
    buses: list[BusRating] = []
    for b in network.buses:
        kind = SWITCHBOARD.get(b.role, "")
        res = by_bus.get(b.id)
        if not kind or res is None or res.ikss_max_ka is None:
            continue
        # busbar rated current: the largest duty of a bay that brings power onto it
        duty_a = max((duties[s.id][0] for s in sw_at.get(b.id, ()) if s.role in ("incomer", "tie", "transfer", "coupler", "ring", "diameter", "line", "transformer-hv", "generator-group", "plant")), default=0.0)
        if b.role == "collector":  # the step-up transformer's LV rated current
            duty_a = max([duty_a] + [t.sn_mva * 1e3 / (math.sqrt(3) * t.vn_lv_kv) for t in network.transformers if t.lv_bus == b.id])
        if kind == "lv-board":
            buses.append(_lv_board(network, b, res, lv_board_ka, problems))
        else:
            buses.append(_switchgear(network.f_hz, b, kind, res, duty_a, mv_switchgear_ka if kind == "mv-switchgear" else None, problems))
    rated = {r.bus: r for r in buses}
    bays = [_bay(s, rated[s.bus], duties[s.id], problems) for s in network.switches if s.bus in rated and rated[s.bus].kind != "lv-board"]
    cables = cable_checks(network, by_bus)
    bad = [c for c in cables if not c.ok]
    if bad:
        c = max(bad, key=lambda c: (c.min_mm2 - c.size_mm2, c.line))
        problems.append(
            Problem(
                code="HUB752",
                target=c.line,
                message=f"{len(bad)} cable(s) below their short-circuit withstand: worst {c.line}, {c.size_mm2:g} mm2 against {c.min_mm2:g} mm2 "
                f"for Ith {c.duty_ith_ka:.1f} kA over {c.clearing_time_s:g} s (IEC 60949, k = {c.k:g})",
                spec_path=("electrical", "mv_voltage_kv"),
                help="use a larger cable section or a faster protection",
            )
        )
    return Ratings(buses=tuple(buses), bays=tuple(bays), cables=tuple(cables), problems=tuple(problems))


def bay_duties(network: Network, branch: dict) -> dict[str, tuple[float, str]]:
    """Switch id -> (duty current A, its basis): the worst load-flow current through the bay, or
    the rated current of the transformer or genset it connects if that is higher."""
    trafo = {t.id: t for t in network.transformers}
    gens = {g.bus: g for g in network.generators}

    def worst(eid: str) -> tuple[float, str]:
        br = branch.get(eid)
        if br is None or not br.worst_scenario:
            return 0.0, "no load-flow current"
        return br.worst_current_a or 0.0, f"worst load flow ({br.worst_scenario})"

    out: dict[str, tuple[float, str]] = {}
    for s in network.switches:
        if s.element_kind == "transformer":
            t = trafo[s.element]
            rated = t.sn_mva * 1e3 / (math.sqrt(3) * (t.vn_lv_kv if s.bus == t.lv_bus else t.vn_hv_kv))
            br = branch.get(t.id)
            load = (br.worst_loading or 0.0) * rated if br else 0.0
            out[s.id] = (rated, f"rated current of {t.id}") if rated >= load else (load, f"worst load flow ({br.worst_scenario})")
        elif s.element_kind == "line":
            out[s.id] = worst(s.element)
        elif s.role == "generator" and s.element in gens:
            g = gens[s.element]
            out[s.id] = (g.sn_mva * 1e3 / (math.sqrt(3) * g.vn_kv), f"rated current of {g.id}")
        elif s.role == "generator-group":
            sets = [g for g in network.generators if g.paralleling_group == s.element]
            out[s.id] = (sum(g.sn_mva for g in sets) * 1e3 / (math.sqrt(3) * network.bus(s.element).vn_kv), f"rated current of its {len(sets)} sets")
        elif s.role in ("plant", "capacitor"):
            out[s.id] = _terminal_duty(network, s)
        elif s.role == "transformer-hv":
            units = [t for t in network.transformers if t.hv_bus == s.element]
            out[s.id] = (sum(t.sn_mva for t in units) * 1e3 / (math.sqrt(3) * units[0].vn_hv_kv), f"rated current of {units[0].unit}") if units else (0.0, "")
        else:
            out[s.id] = worst(s.id)
    return out


def _terminal_duty(network: Network, s) -> tuple[float, str]:
    """A plant's bay: the rated current of its converters. A capacitor bank's breaker: the bank's
    rated current times the catalog factor (IEC 60871-1: the units carry 1.3 In of harmonics and
    overvoltage, times the +10 % capacitance tolerance)."""
    kv = network.bus(s.element).vn_kv
    if s.role == "plant":
        inv = [x for x in network.sgens if x.bus == s.element]
        return sum(x.sn_mva for x in inv) * 1e3 / (math.sqrt(3) * kv), "rated current of its converters"
    f = float(cat.table("capacitor_bank")["bay_current_factor"])
    kvar = sum(x.step_mvar * x.steps for x in network.shunts if x.bus == s.element) * 1000
    return kvar / (math.sqrt(3) * kv) * f, f"{f:g} x rated current of the {kvar:,.0f} kvar bank"


def _lv_board(network: Network, b, res, specified: float | None, problems: list[Problem]) -> BusRating:
    """An LV board: the catalog's smallest board for the duty, or the specified Icu checked."""
    tk = clearing_time(b.vn_kv)
    ikss, ip, ith = res.ikss_max_ka, res.ip_max_ka or 0.0, res.ith_max_ka or res.ikss_max_ka
    t = next((x for x in network.transformers if x.lv_bus == b.id), None)
    duty_a = t.sn_mva * 1e3 / (math.sqrt(3) * b.vn_kv) if t else 0.0
    frame = cat.next_size("lv_board_frames_a", duty_a) or cat.sizes("lv_board_frames_a")[-1]
    if specified is not None:
        r = next((x for x in cat.lv_board_ratings() if abs(x.icu_ka - specified) < 1e-9), cat.LvBoardRating(icu_ka=specified, icw_ka=specified, source="spec electrical.lv_board_ka"))
        gov = "specified"
        ok = r.icu_ka + 1e-9 >= ikss and cat.lv_making_factor(r.icu_ka) * r.icu_ka + 1e-9 >= ip and r.icw_ka + 1e-9 >= ith * math.sqrt(tk)
        if not ok:
            problems.append(_below(b.id, "LV board", ikss, ip, ith, tk, r.icu_ka, cat.lv_making_factor(r.icu_ka) * r.icu_ka, r.icw_ka, ("electrical", "lv_board_ka")))
    else:
        r, gov = lv_board_needs(ikss, ip, ith, tk)
        ok = r is not None
        if r is None:
            r = cat.lv_board_ratings()[-1]
            problems.append(
                Problem(
                    code="HUB753",
                    target=b.id,
                    message=f"LV board {b.id}: Ik'' {ikss:.1f} kA, ip {ip:.1f} kA exceed the largest catalog board (Icu {r.icu_ka:g} kA)",
                    spec_path=("electrical", "unit_substation_kva"),
                    help="use a smaller or higher-impedance unit substation, or a higher LV voltage",
                )
            )
    return BusRating(
        bus=b.id, kind="lv-board", vn_kv=b.vn_kv, section=b.section, area=b.area, copy=b.copy, rated_voltage_kv=0.69 if b.vn_kv <= 0.69 else 1.0,
        rated_current_a=frame, duty_current_a=round(duty_a, 1), rated_short_circuit_ka=r.icu_ka, rated_peak_ka=round(cat.lv_making_factor(r.icu_ka) * r.icu_ka, 2),
        rated_short_time_ka=r.icw_ka, duty_ikss_ka=ikss, duty_ip_ka=ip, duty_ith_ka=ith, duty_ikss_min_ka=res.ikss_min_ka, clearing_time_s=tk, x_r=res.x_r_max,
        dc_time_constant_ms=_r1(dc_time_constant_ms(res.x_r_max, network.f_hz)), dc_time_constant_note="", specified=specified is not None, ok=ok, governing=gov,
        source=r.source + "; IEC 60947-2 Table 2",
    )


def _switchgear(f_hz: float, b, kind: str, res, duty_a: float, specified: float | None, problems: list[Problem]) -> BusRating:
    """HV GIS, MV switchgear or a ring main unit: the least standard short-circuit rating and
    rated current of the class for the duty, or the specified rating checked."""
    tk = clearing_time(b.vn_kv)
    ikss, ip, ith = res.ikss_max_ka, res.ip_max_ka or 0.0, res.ith_max_ka or res.ikss_max_ka
    cls = cat.switchgear_class(b.vn_kv)
    need, gov = required_short_circuit_ka(ikss, ip, ith, tk, f_hz)
    if specified is not None:
        rated_ka, gov, ok = specified, "specified", specified + 1e-9 >= need
        if not ok:
            problems.append(_below(b.id, "MV switchgear", ikss, ip, ith, tk, specified, peak_factor(f_hz) * specified, specified, ("electrical", "mv_switchgear_ka")))
    else:
        rated_ka = choose_switchgear_ka(need, cls.max_short_circuit_ka)
        ok = rated_ka is not None
        if rated_ka is None:
            problems.append(
                Problem(
                    code="HUB753",
                    target=b.id,
                    message=f"{kind} {b.id} ({b.vn_kv:g} kV): duty Ik'' {ikss:.1f} kA, ip {ip:.1f} kA, Ith {ith:.1f} kA over {tk:g} s needs {need:.1f} kA, "
                    f"above the largest standard {cls.rated_voltage_kv:g} kV rating ({cls.max_short_circuit_ka:g} kA)",
                    spec_path=_beyond_path(b, kind),
                    help=GEN_HELP if b.role == "generator-bus" else "split the bus, use higher-impedance transformers or current-limiting reactors, or avoid paralleling sources",
                )
            )
            rated_ka = _next(cat.sizes("switchgear_short_circuit_ka"), need) or cat.sizes("switchgear_short_circuit_ka")[-1]
    rated_a = choose_rated_current(duty_a, cls)
    if rated_a is None:
        ok = False
        problems.append(_current_beyond(b.id, f"{kind} {b.id}: {duty_a:,.0f} A", cls, kind))
        rated_a = _next(cat.sizes("switchgear_rated_current_a"), duty_a) or cat.sizes("switchgear_rated_current_a")[-1]
    tau = dc_time_constant_ms(res.x_r_max, f_hz)
    return BusRating(
        bus=b.id, kind=kind, vn_kv=b.vn_kv, section=b.section, area=b.area, copy=b.copy, rated_voltage_kv=cls.rated_voltage_kv,
        rated_current_a=rated_a, duty_current_a=round(duty_a, 1), rated_short_circuit_ka=rated_ka, rated_peak_ka=round(peak_factor(f_hz) * rated_ka, 2),
        rated_short_time_ka=rated_ka, duty_ikss_ka=ikss, duty_ip_ka=ip, duty_ith_ka=ith, duty_ikss_min_ka=res.ikss_min_ka, clearing_time_s=tk, x_r=res.x_r_max,
        dc_time_constant_ms=_r1(tau), dc_time_constant_note=_dc_note(tau), specified=specified is not None, ok=ok, governing=gov,
        source=cls.source + "; " + cat.source("switchgear_short_circuit_ka"),
    )


def _beyond_path(b, kind: str) -> tuple[str, ...]:
    """The spec key a duty beyond the class points at: the grid for HV, the generator arrangement
    for a paralleling group's bus, the main transformers otherwise."""
    if kind == "hv-gis":
        return ("grid", "fault_level_ka")
    return ("electrical", "generator_arrangement") if b.role == "generator-bus" else ("substation", "transformer_mva")


def _dc_note(tau: float | None) -> str:
    dc = cat.table("switchgear_dc_time_constant")
    if tau is None or tau <= float(dc["standard_ms"]) + 1e-9:
        return ""
    return f"DC time constant {tau:.0f} ms above the standard {dc['standard_ms']} ms: specify the {dc['special_ms']} ms special case (IEC 62271-100 §4.101.2)"


def _bay(s, home: BusRating, duty: tuple[float, str], problems: list[Problem]) -> BayRating:
    """A bay on a switchboard: the least standard rated current of the class for its duty."""
    current, basis = duty
    cls = cat.switchgear_class(home.vn_kv)
    rated = choose_rated_current(current, cls)
    ok = rated is not None
    if rated is None:
        problems.append(_current_beyond(s.id, f"bay {s.id}: {current:,.0f} A ({basis})", cls, home.kind))
        rated = _next(cat.sizes("switchgear_rated_current_a"), current) or cat.sizes("switchgear_rated_current_a")[-1]
    return BayRating(switch=s.id, bus=s.bus, role=s.role, kind=s.kind, rated_current_a=rated, duty_current_a=round(current, 1), duty_basis=basis, rated_short_circuit_ka=home.rated_short_circuit_ka, ok=ok)


def _current_beyond(target: str, what: str, cls: cat.SwitchgearClass, kind: str) -> Problem:
    """HUB753: a current above the class's largest standard rated current."""
    return Problem(
        code="HUB753",
        target=target,
        message=f"{what} exceeds the largest standard {cls.rated_voltage_kv:g} kV rated current ({cls.max_current_a:,.0f} A)",
        spec_path=("grid", "circuits") if kind == "hv-gis" else ("substation", "transformer_mva"),
        help=HV_HELP if kind == "hv-gis" else "split the section (a split-secondary transformer) or raise the voltage",
    )


def cable_checks(network: Network, by_bus: dict) -> list[CableCheck]:
    """Adiabatic short-circuit withstand of every cable at its sending bus (IEC 60949)."""
    ks = cat.table("cable_short_circuit")
    out: list[CableCheck] = []
    for x in network.lines:
        res = by_bus.get(x.from_bus)
        if x.kind == "overhead" or x.size_mm2 <= 0 or res is None or res.ikss_max_ka is None:
            continue
        k = float(ks["k_copper_xlpe"] if x.material == "Cu" else ks["k_aluminium_xlpe"])
        tk = clearing_time(network.bus(x.from_bus).vn_kv)
        ith = res.ith_max_ka or res.ikss_max_ka
        need = min_cable_mm2(ith, tk, k)
        out.append(CableCheck(line=x.id, size_mm2=x.size_mm2, parallel=x.parallel, k=k, duty_ith_ka=ith, clearing_time_s=tk, min_mm2=round(need, 1), ok=x.size_mm2 + 1e-9 >= need))
    return out


def min_cable_mm2(ith_ka: float, tk_s: float, k: float) -> float:
    """IEC 60949 adiabatic: S >= I sqrt(t) / k (I in A, S in mm2)."""
    return ith_ka * 1000 * math.sqrt(tk_s) / k


def _below(bus: str, what: str, ikss, ip, ith, tk, r_ik, r_peak, r_st, path) -> Problem:
    return Problem(
        code="HUB752",
        target=bus,
        message=f"{what} at {bus} is rated {r_ik:g} kA (peak {r_peak:.1f} kA, short-time {r_st:g} kA) but its duty is Ik'' {ikss:.1f} kA, "
        f"ip {ip:.1f} kA, Ith {ith:.1f} kA over {tk:g} s (IEC 60909)",
        spec_path=path,
        help="raise the specified rating, or leave it out to have hubc choose it from the duty",
    )


def _r1(x: float | None) -> float | None:
    return round(x, 1) if x is not None else None


__all__ = ["BayRating", "BusRating", "CableCheck", "Measure", "Problem", "Ratings", "choose_ratings", "choose_switchgear_ka", "min_cable_mm2", "peak_factor", "required_short_circuit_ka"]
