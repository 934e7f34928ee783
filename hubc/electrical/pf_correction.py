"""Power-factor correction sized from the normal load flow.

In: the spec's `[electrical] pf_correction` and `pf_target`, the network as built (with the hall
copies' equivalent loads) and the OLTC positions of its normal load flow. Out: `PfCorrection` -
the means chosen, the reactive power it supplies, the capacitor banks per MV section with their
steps, and the power factor at the point of connection before and after.

Rule: Q_c = P (tan phi1 - tan phi2) at the point of connection, phi1 from the normal load flow,
phi2 = acos(target). The means (`auto`): the BESS PCS where one is behind the meter and its kVA
has the headroom at rated active power (Q = S sqrt(1 - pf^2), the plant power factor), else
switched MV capacitor banks (IEC 60871-1) with 7 % detuning reactors, one per MV section carrying
load, Q_c split by each section's share of the reactive load and rounded up to whole steps of the
smallest standard step that keeps the bank within its contactor steps. The normal load flow is
re-run with the banks as shunts (or the PCS at their reactive set point) and a shortfall is
topped up (at most `PASSES` load flows); the studies then run on the corrected network.
Capacitor banks do not feed a short circuit (IEC 60909-0:2016 §3.7): pandapower's IEC 60909
calculation leaves shunts out.
"""

from __future__ import annotations

import math

import attrs

from hubc.catalog import electrical as cat
from hubc.core.derived import derived
from hubc.electrical.network import Bus, Network, Shunt, Switch
from hubc.electrical.sizing import Decision

PASSES = 3  # normal load flows to meet the target (sizing, top-up, check)
TOL = 1e-4


@attrs.frozen(kw_only=True)
class CapacitorBank:
    """A switched multi-step capacitor bank on one MV section."""

    id: str  # "<section>.cap.bank": on terminal "<section>.cap" behind breaker "<section>.cap.cb"
    section: str
    vn_kv: float
    reactive_load_mvar: float  # the section's reactive load in the normal load flow
    share_mvar: float  # its share of Q_c before rounding
    step_kvar: float
    steps: int
    kvar: float  # steps x step_kvar
    detuning_percent: float
    capacitor_rated_kv: float  # U_n / (1 - p), rounded up to 0.1 kV (IEC 60871-1 rated voltage)
    tuned_hz: float  # series resonance of the detuned step, f / sqrt(p)
    fits: bool  # within the catalog's largest step x its most steps


@attrs.frozen(kw_only=True)
class PfCorrection:
    requested: str  # the spec's pf_correction
    means: str  # "capacitors" | "bess" | "none"
    reason: str
    target: float
    reference: float  # the utility's (catalog grid_power_factor)
    import_mw: float  # normal load flow before correction
    import_mvar_before: float
    pf_before: float
    required_mvar: float  # P (tan phi1 - tan phi2), 0 when already at the target
    bess_headroom_mvar: float  # the BESS PCS' reactive capability at rated active power
    bess_q_mvar: float = 0.0  # set point of the PCS (sum)
    banks: tuple[CapacitorBank, ...] = ()
    import_mvar_after: float | None = None  # the studies' normal load flow with the correction
    pf_after: float | None = None
    load_flows: int = 0
    # light load (capacitor banks): the campus at `light_load_fraction` of its design load, the
    # controller's steps in (enough for the target) and every step in (a controller failure)
    light_load_fraction: float = 0.0
    light_load_steps: int = 0
    light_load_pf: float | None = None
    light_load_all_steps_mvar: float | None = None  # the import's Mvar (negative: leading, exported)
    light_load_all_steps_max_vm_pu: float | None = None  # highest MV section voltage
    source: str = ""

    @derived
    @property
    def installed_mvar(self) -> float:
        return round(sum(b.kvar for b in self.banks) / 1000 + self.bess_q_mvar, 4)

    @derived
    @property
    def met(self) -> bool:
        pf = self.pf_after if self.pf_after is not None else self.pf_before
        return self.means != "none" and pf >= self.target - TOL or self.required_mvar <= 0

    def decision(self) -> Decision:
        banks = self.banks
        return Decision(
            item="grid/power-factor-correction",
            rule="Q_c = P (tan acos PF_before - tan acos PF_target) at the point of connection from the normal load flow; "
            + (
                "capacitor banks: one per MV section carrying load, Q_c by its share of the reactive load, whole steps of the smallest standard step within the bank's steps; the normal load flow re-run with the banks"
                if self.means == "capacitors"
                else "the BESS PCS supply it within their kVA headroom at rated active power; the normal load flow re-run at that set point"
                if self.means == "bess"
                else self.reason
            ),
            inputs=(
                ("requested", self.requested),
                ("import_mw", round(self.import_mw, 4)),
                ("import_mvar", round(self.import_mvar_before, 4)),
                ("pf_before", round(self.pf_before, 4)),
                ("pf_target", self.target),
                ("utility_reference", self.reference),
                ("bess_headroom_mvar", round(self.bess_headroom_mvar, 3)),
            ),
            result=(
                ("means", self.means),
                ("required_mvar", round(self.required_mvar, 3)),
                ("installed_mvar", self.installed_mvar),
                ("banks", len(banks)),
                ("steps", sum(b.steps for b in banks)),
                ("pf_after", round(self.pf_after, 4) if self.pf_after is not None else round(self.pf_before, 4)),
                ("meets_target", "yes" if self.met else "no"),
                ("light_load_fraction", self.light_load_fraction),
                ("light_load_steps_in", self.light_load_steps),
                ("light_load_pf", self.light_load_pf if self.light_load_pf is not None else ""),
                ("light_load_all_steps_mvar", self.light_load_all_steps_mvar if self.light_load_all_steps_mvar is not None else ""),
            ),
            source=self.source,
        )


def required_mvar(p_mw: float, pf_before: float, pf_target: float) -> float:
    """Q_c = P (tan phi1 - tan phi2); 0 when the power factor already meets the target."""
    if p_mw <= 0 or pf_before >= pf_target:
        return 0.0
    return p_mw * (math.tan(math.acos(pf_before)) - math.tan(math.acos(pf_target)))


def bank_steps(need_mvar: float) -> tuple[float, int, bool]:
    """(step kvar, steps, fits): the smallest standard step whose whole steps cover the need within
    the bank's most steps; the largest step at the most steps when none does (fits False)."""
    t = cat.table("capacitor_bank")
    most = int(t["max_steps"])
    need = need_mvar * 1000
    for step in sorted(float(x) for x in t["step_kvar"]):
        n = max(1, math.ceil(need / step - 1e-9))
        if n <= most:
            return step, n, True
    return max(float(x) for x in t["step_kvar"]), most, False


def make_bank(section: str, vn_kv: float, f_hz: float, q_load: float, share: float) -> CapacitorBank:
    t = cat.table("capacitor_bank")
    p = float(t["detuning_percent"])
    step, n, fits = bank_steps(share)
    return CapacitorBank(
        id=f"{section}.cap.bank",
        section=section,
        vn_kv=vn_kv,
        reactive_load_mvar=round(q_load, 4),
        share_mvar=round(share, 4),
        step_kvar=step,
        steps=n,
        kvar=step * n,
        detuning_percent=p,
        capacitor_rated_kv=math.ceil(vn_kv / (1 - p / 100) * 10 - 1e-9) / 10,
        tuned_hz=round(f_hz / math.sqrt(p / 100), 1),
        fits=fits,
    )


def bess_headroom(net: Network) -> float:
    """Reactive capability of the BESS PCS at rated active power: S sqrt(1 - pf^2) each (the
    plant power factor their kVA was sized at)."""
    pf = float(cat.table("plant_connection")["power_factor"])
    return sum(x.sn_mva for x in net.sgens if x.kind == "bess") * math.sqrt(1 - pf * pf)


def section_reactive_load(net: Network) -> dict[str, float]:
    """MV section -> the reactive power of the loads that hang from it (Mvar)."""
    sections = {b.id: b for b in net.buses if b.role == "mv-section"}
    out = {s: 0.0 for s in sections}
    for x in net.loads:
        sec = net.bus(x.bus).section
        if sec in out:
            out[sec] += x.q_mvar
    return {s: q for s, q in out.items() if q > 1e-9}


def with_correction(net: Network, pfc: PfCorrection | None) -> Network:
    """The network with the correction: the banks as shunts on their sections, or the BESS PCS at
    their reactive set point (shared by rating)."""
    if pfc is None or pfc.means == "none":
        return net
    if pfc.means == "bess":
        total = sum(x.sn_mva for x in net.sgens if x.kind == "bess")
        return attrs.evolve(net, sgens=tuple(attrs.evolve(x, q_mvar=round(pfc.bess_q_mvar * x.sn_mva / total, 6)) if x.kind == "bess" else x for x in net.sgens))
    src = cat.source("capacitor_bank")
    buses, switches, shunts = [], [], []
    for b in pfc.banks:
        area = net.bus(b.section).area
        term = b.id.removesuffix(".bank")
        buses.append(Bus(id=term, vn_kv=b.vn_kv, role="capacitor", section=b.section, area=area))
        switches.append(Switch(id=f"{term}.cb", bus=b.section, element=term, element_kind="bus", kind="CB", role="capacitor", closed=True, area=area))
        shunts.append(Shunt(id=b.id, bus=term, vn_kv=b.vn_kv, step_mvar=b.step_kvar / 1000, steps=b.steps, detuning_percent=b.detuning_percent, area=area, source=src))
    return attrs.evolve(net, buses=net.buses + tuple(buses), switches=net.switches + tuple(switches), shunts=net.shunts + tuple(shunts))


def _normal_flow(net: Network, taps) -> tuple[float, float, float] | None:
    """(import MW, import Mvar, highest MV section pu) of the normal campus load flow (gensets
    standing by, OLTCs regulating), or None."""
    from hubc.electrical.studies import Grid, without_generators

    g = Grid(without_generators(net), taps=taps)
    if not g.solve():
        return None
    vm = g.net.res_bus["vm_pu"].to_numpy()
    top = max((float(vm[g.bus[b.id]]) for b in net.buses if b.role == "mv-section"), default=1.0)
    return float(g.net.res_ext_grid["p_mw"].sum()), float(g.net.res_ext_grid["q_mvar"].sum()), top


def light_load(pfc: PfCorrection, net: Network, taps) -> PfCorrection:
    """The banks at light load: the steps a controller keeps in for the target (each bank its
    share, whole steps) and every step left in (the controller failed: leading and overvoltage?)."""
    if pfc.means != "capacitors" or not pfc.banks:
        return pfc
    frac = float(cat.table("capacitor_bank")["light_load_fraction"])
    light = attrs.evolve(net, loads=tuple(attrs.evolve(x, p_mw=x.p_mw * frac, q_mvar=x.q_mvar * frac) for x in net.loads))
    base = _normal_flow(light, taps)
    full = _normal_flow(with_correction(light, pfc), taps)
    if base is None or full is None:
        return attrs.evolve(pfc, light_load_fraction=frac)
    need = required_mvar(base[0], _pf(base[0], base[1]), pfc.target) * 1000
    total = sum(b.kvar for b in pfc.banks)
    banks = tuple(attrs.evolve(b, steps=min(b.steps, math.ceil(need * b.kvar / total / b.step_kvar - 1e-9))) for b in pfc.banks)
    banks = tuple(b for b in banks if b.steps > 0)
    ctl = _normal_flow(with_correction(light, attrs.evolve(pfc, banks=banks)), taps) if banks else base
    return attrs.evolve(
        pfc,
        light_load_fraction=frac,
        light_load_steps=sum(b.steps for b in banks),
        light_load_pf=round(_pf(ctl[0], ctl[1]), 4) if ctl else None,
        light_load_all_steps_mvar=round(full[1], 4),
        light_load_all_steps_max_vm_pu=round(full[2], 5),
    )


def _pf(p: float, q: float) -> float:
    s = math.hypot(p, q)
    return p / s if s else 1.0


def _choose(requested: str, need: float, headroom: float) -> tuple[str, str]:
    if requested == "none":
        return "none", "pf_correction = \"none\" in the spec"
    if need <= 0:
        return "none", "the normal load flow already meets the target"
    if requested == "bess" or (requested == "auto" and headroom >= need - 1e-9 and headroom > 0):
        return "bess", f"BESS PCS headroom {headroom:,.1f} Mvar at rated power" + (" covers the need" if headroom >= need else " (short of the need)")
    why = "no BESS behind the meter" if headroom <= 0 else f"the BESS PCS headroom {headroom:,.1f} Mvar is short of {need:,.1f} Mvar"
    return "capacitors", why if requested == "auto" else "pf_correction = \"capacitors\" in the spec"


def size_pf_correction(spec, net: Network, taps, import_mw: float, import_mvar: float) -> PfCorrection:
    """Size the correction on the network as built (equivalent loads included) from its normal load
    flow's import; the load flow is re-run with the correction and a shortfall topped up."""
    el = spec.electrical
    target = float(el.pf_target if el.pf_target is not None else cat.table("pf_correction")["target"])
    ref = float(cat.table("grid_power_factor")["reference"])
    pf1 = _pf(import_mw, import_mvar)
    need = required_mvar(import_mw, pf1, target)
    headroom = bess_headroom(net)
    means, reason = _choose(el.pf_correction, need, headroom)
    pfc = PfCorrection(
        requested=el.pf_correction, means=means, reason=reason, target=target, reference=ref, import_mw=import_mw, import_mvar_before=import_mvar,
        pf_before=pf1, required_mvar=need, bess_headroom_mvar=headroom, source=cat.source("pf_correction") + "; " + cat.source("capacitor_bank"),
    )
    if means == "none":
        return pfc
    pfc = _apply(pfc, net, need)
    for n in range(1, PASSES + 1):
        flow = _normal_flow(with_correction(net, pfc), taps)
        if flow is None:
            return attrs.evolve(pfc, load_flows=n)
        p, q, _vm = flow
        pfc = attrs.evolve(pfc, import_mvar_after=q, pf_after=_pf(p, q), load_flows=n)
        more = required_mvar(p, _pf(p, q), target) if q > 0 else 0.0
        if more <= 1e-6 or n == PASSES:
            return light_load(pfc, net, taps)
        pfc = _apply(pfc, net, (pfc.bess_q_mvar if means == "bess" else sum(b.share_mvar for b in pfc.banks)) + more)
    return pfc


def _apply(pfc: PfCorrection, net: Network, q_mvar: float) -> PfCorrection:
    """The correction supplying q_mvar: the PCS set point (within the headroom), or the banks."""
    if pfc.means == "bess":
        return attrs.evolve(pfc, bess_q_mvar=math.ceil(min(q_mvar, pfc.bess_headroom_mvar) * 1e4 - 1e-6) / 1e4)  # up to 0.1 kvar
    loads = section_reactive_load(net)
    total = sum(loads.values())
    banks = tuple(make_bank(s, net.bus(s).vn_kv, net.f_hz, q, q_mvar * q / total) for s, q in sorted(loads.items())) if total > 0 else ()
    return attrs.evolve(pfc, banks=banks)


def finish(pfc: PfCorrection | None, import_mw: float, import_mvar: float) -> PfCorrection | None:
    """The correction with the power factor the final studies' normal load flow gives."""
    if pfc is None or pfc.means == "none":
        return pfc
    return attrs.evolve(pfc, import_mvar_after=round(import_mvar, 4), pf_after=round(_pf(import_mw, import_mvar), 4))


def capacitor_equipment(net: Network) -> list:
    """BOM lines of the capacitor banks, one per rating (steps x step, voltage), counted from the
    network's shunts."""
    from hubc.core.equipment import Equipment

    groups: dict[tuple, list[Shunt]] = {}
    for x in net.shunts:
        groups.setdefault((x.vn_kv, x.steps, x.step_mvar, x.detuning_percent), []).append(x)
    out = []
    for (kv, n, step, p), xs in sorted(groups.items()):
        kvar = round(n * step * 1000, 1)
        uc = math.ceil(kv / (1 - p / 100) * 10 - 1e-9) / 10
        out.append(
            Equipment(
                id=f"campus/capacitor-bank-{kvar:g}kvar",
                family="capacitor-bank",
                description=f"Switched MV capacitor bank {kv:g} kV, {kvar:,.0f} kvar in {n} x {step * 1000:g} kvar steps, {p:g} % detuning reactors (capacitor units rated {uc:g} kV, IEC 60871-1), power-factor controller; one per MV section behind its breaker bay: {', '.join(net.bus(x.bus).section for x in xs)}",
                rating=kvar,
                rating_unit="kvar",
                quantity=len(xs),
                system="electrical",
                area="campus",
                spec_path=("electrical", "pf_correction"),
            )
        )
    return out


__all__ = ["CapacitorBank", "PfCorrection", "bank_steps", "bess_headroom", "capacitor_equipment", "finish", "light_load", "make_bank", "required_mvar", "section_reactive_load", "size_pf_correction", "with_correction"]
