"""Failure verification of the electrical design, without the solver.

In: `ElectricalSizing` (ratings) and an `Assignment` (cords, blocks, feeders, bus sections) -
the solver's or a hand-made one. Out: every scenario checked, each with its worst loading, and
diagnostics for any component above 100% or any load left without a live feed.

Scenarios: normal operation; the failure of each UPS block, unit substation, MV feeder, row
busway (per distinct hall; copies are identical); for block pairs, the pair rule (every row's
two feeds on two different blocks of one group, A and B blocks for an a x b shape); the MV bus sections after each of those
failures in every hall copy (load moved to partner blocks on other sections); each main transformer (the MV bus sections
are tied, so the survivors share the campus load: the N+1 pool); a utility
outage with one generator failed; a transmission circuit lost (each circuit is built for the
whole contract, N-1). For Tier IV also maintenance plus failure: a UPS module, main
transformer or generator out for maintenance while any one other component fails.

A load's power follows its live feeds: dual-corded loads on distributed blocks split equally
over the live cords; behind a catcher the A (active block) feed carries everything while it
lives, the catcher only when the active block is lost.
"""

from __future__ import annotations

import math

import attrs

from hubc.core.derived import NOT_IN_JSON, derived
from hubc.diagnostics import Diagnostic, Location
from hubc.electrical.feeds import Assignment, HallAssignment
from hubc.electrical.sizing import ElectricalSizing, mech_uss_per_feeder

TOL = 1e-6


def _bounded(loading: float | None) -> float | None:
    """An infinite loading (no survivor at all, e.g. a single generator failed) is None."""
    return None if loading is None or math.isinf(loading) else loading


@attrs.frozen(kw_only=True)
class Scenario:
    id: str
    kind: str
    area: str  # hall id or "campus"
    failed: tuple[str, ...]
    maintenance: tuple[str, ...]
    worst_component: str
    # fraction of rating; None when nothing survives to carry the load (unbounded)
    worst_loading: float | None = attrs.field(converter=_bounded)
    lost_kw: float
    combinations: int = 1  # failures checked under this record (maintenance-plus-failure)
    switching: tuple[str, ...] = ()  # breakers opened and ties closed (arrangement.py)

    @property
    def loading_rank(self) -> float:
        """The worst loading for comparisons: an unbounded one is infinite."""
        return math.inf if self.worst_loading is None else self.worst_loading

    @derived
    @property
    def ok(self) -> bool:
        """No component above its rating and no load without a live feed."""
        return self.loading_rank <= 1.0 + TOL and self.lost_kw <= TOL


@attrs.frozen(kw_only=True)
class SectionWorst:
    """The most an MV bus section (its main transformer, bus ties open) carries after any single
    downstream failure: a UPS block, unit substation, feeder or busway out moves load to partner
    blocks whose feeders may sit on other sections."""

    transformer: str
    normal_kva: float
    worst_kva: float
    failure: str  # "<component>/fails in copy <n>", or "normal"
    rating_kva: float


@attrs.frozen(kw_only=True)
class Verification:
    scenarios: tuple[Scenario, ...]
    diagnostics: tuple[Diagnostic, ...] = attrs.field(metadata=NOT_IN_JSON)  # in the build's list
    # design.json shows each section's worst with its feeders: `ElectricalResult.bus_sections`
    sections: tuple[SectionWorst, ...] = attrs.field(default=(), metadata=NOT_IN_JSON)

    @derived
    @property
    def scenario_count(self) -> int:
        return len(self.scenarios)

    @derived
    @property
    def worst(self) -> Scenario | None:
        """The scenario that loses load, or else loads a component the most."""
        return max(self.scenarios, key=lambda s: (s.lost_kw > TOL, s.loading_rank), default=None)


# ------------------------------------------------------------------------ hall level


class _Hall:
    """Loads of one hall copy under a scenario."""

    def __init__(self, ha: HallAssignment, sz: ElectricalSizing) -> None:
        self.ha = ha
        self.sz = sz
        self.role = {b.id: b.role for b in ha.blocks}
        self.feeder_of = {b: f.id for f in ha.feeders for b in f.blocks}
        self.hall = sz.hall(ha.hall)
        self.rows = {it.id for it in self.hall.items if it.kind == "row"}
        self.to_kva = 1.0 / (sz.ups_efficiency * sz.power_factor)

    def evaluate(self, failed_blocks: frozenset, failed_cords: frozenset = frozenset(), cap: dict | None = None):
        """-> (worst component, worst loading, lost kW)."""
        load, busway, lost = self.loads(failed_blocks, failed_cords)
        return self._worst(load, busway, lost, failed_blocks, cap)

    def feeder_kva(self, load: dict, failed_blocks: frozenset) -> dict[str, float]:
        """Each feeder's input kVA for the given block loads (a feeder whose blocks all failed: 0)."""
        return {f.id: sum(load[b] for b in f.blocks if b not in failed_blocks) * self.to_kva for f in self.ha.feeders}

    def loads(self, failed_blocks: frozenset, failed_cords: frozenset = frozenset()):
        """-> (block id -> kW, busway id -> kW, lost kW) with the given blocks and cords failed."""
        load = {b.id: 0.0 for b in self.ha.blocks}
        busway: dict[str, float] = {}
        lost = 0.0
        for c in self.ha.cords:
            live = [
                (side, blk)
                for side, blk in (("A", c.a), ("B", c.b))
                if blk is not None and blk not in failed_blocks and (c.item, side) not in failed_cords
            ]
            if not live:
                lost += c.kw
                continue
            if c.b is not None and self.role.get(c.b) == "catcher":
                live = live[:1]  # the active block carries all while it lives
            share = c.kw / len(live)
            for side, blk in live:
                load[blk] += share
                if c.item in self.rows:
                    busway[f"{c.item}/busway-{side.lower()}"] = share
        return load, busway, lost

    def _worst(self, load, busway, lost, failed_blocks, cap):
        worst_id, worst = "", 0.0
        for bid, kw in load.items():
            if bid in failed_blocks:
                continue
            rating = (cap or {}).get(bid, self.sz.block_kw)
            for cid, v in ((bid, kw / rating if rating > 0 else math.inf), (f"{bid}/uss", kw * self.to_kva / self.sz.uss_kva)):
                if v > worst + TOL:
                    worst_id, worst = cid, v
        for fid, kva in self.feeder_kva(load, failed_blocks).items():
            f = fid
            v = kva / self.sz.feeder_kva
            if v > worst + TOL:
                worst_id, worst = f, v
        for bid, kw in busway.items():
            v = kw / self.hall.row_busway_kw
            if v > worst + TOL:
                worst_id, worst = bid, v
        return worst_id, worst, lost

    def failures(self):
        """Every single failure in the hall: (kind, component id, failed blocks, failed cords)."""
        for b in self.ha.blocks:
            yield "ups-system", b.id, frozenset((b.id,)), frozenset()
        for b in self.ha.blocks:
            yield "unit-substation", f"{b.id}/uss", frozenset((b.id,)), frozenset()
        for f in self.ha.feeders:
            yield "mv-feeder", f.id, frozenset(f.blocks), frozenset()
        for c in self.ha.cords:
            if c.item in self.rows:
                for side, blk in (("A", c.a), ("B", c.b)):
                    if blk is not None:
                        yield "busway", f"{c.item}/busway-{side.lower()}", frozenset(), frozenset(((c.item, side),))


@attrs.frozen(kw_only=True)
class FeederDuty:
    """What one MV feeder of a hall copy carries: normally and after the worst single failure."""

    feeder: str
    blocks: int
    normal_kva: float
    worst_kva: float  # the most it carries after any single failure in its hall
    worst_failure: str  # the failure behind worst_kva ("normal" when nothing raises it)


def feeder_duty(ha: HallAssignment, sz: ElectricalSizing) -> tuple[FeederDuty, ...]:
    """Each feeder's normal and worst post-failure kVA over every single failure in its hall
    (a block or unit substation out moves its load onto partner blocks, which may hang on other
    feeders; a feeder out does the same for all its blocks). Failed feeders carry nothing."""
    h = _Hall(ha, sz)
    normal = h.feeder_kva(h.loads(frozenset())[0], frozenset())
    worst = {f: (kva, "normal") for f, kva in normal.items()}
    for _kind, cid, fb, fc in h.failures():
        kva = h.feeder_kva(h.loads(fb, fc)[0], fb)
        for f, v in kva.items():
            if v > worst[f][0] + TOL:
                worst[f] = (v, cid)
    return tuple(
        FeederDuty(feeder=f.id, blocks=len(f.blocks), normal_kva=normal[f.id], worst_kva=worst[f.id][0], worst_failure=worst[f.id][1]) for f in ha.feeders
    )


def _hall_scenarios(ha: HallAssignment, sz: ElectricalSizing, tier: int) -> list[Scenario]:
    h = _Hall(ha, sz)
    out = []
    wid, w, lost = h.evaluate(frozenset())
    out.append(Scenario(id=f"{ha.hall}/normal", kind="normal", area=ha.hall, failed=(), maintenance=(), worst_component=wid, worst_loading=w, lost_kw=lost))
    failures = list(h.failures())
    for kind, cid, fb, fc in failures:
        wid, w, lost = h.evaluate(fb, fc)
        out.append(Scenario(id=f"{cid}/fails", kind=kind, area=ha.hall, failed=(cid,), maintenance=(), worst_component=wid, worst_loading=w, lost_kw=lost))
    # distributed xMy: the group rule itself - any y of x blocks carry the group
    if sz.topology.kind == "xMy":
        groups: dict[int, list[str]] = {}
        for b in ha.blocks:
            groups.setdefault(b.group, []).append(b.id)
        gl: dict[int, float] = {}
        gid = {b.id: b.group for b in ha.blocks}
        for c in ha.cords:
            gl[gid[c.a]] = gl.get(gid[c.a], 0.0) + c.kw
        for g in sorted(groups):
            v = gl.get(g, 0.0) / (sz.topology.y * sz.block_kw)
            out.append(
                Scenario(
                    id=f"{ha.hall}.ups-{g + 1:02d}/reserve",
                    kind="group-reserve",
                    area=ha.hall,
                    failed=(),
                    maintenance=(),
                    worst_component=f"{ha.hall}.ups-{g + 1:02d}",
                    worst_loading=v,
                    lost_kw=0.0,
                )
            )
    if tier >= 4:
        # maintenance plus failure: one UPS module out in a block, then any single failure
        reduced = (sz.modules_per_block - 1) * sz.module_kw
        for b in ha.blocks:
            cap = {b.id: min(sz.block_kw, reduced)}
            worst = (f"{b.id}/module", 0.0, 0.0, "")
            for kind, cid, fb, fc in failures:
                if b.id in fb:
                    continue  # the block under maintenance failing is the block failure itself
                wid, w, lost = h.evaluate(fb, fc, cap)
                if (lost, w) > (worst[2], worst[1]):
                    worst = (wid, w, lost, cid)
            out.append(
                Scenario(
                    id=f"{b.id}/module-maintenance",
                    kind="maintenance+failure",
                    area=ha.hall,
                    failed=(worst[3],) if worst[3] else (),
                    maintenance=(f"{b.id}/module",),
                    worst_component=worst[0],
                    worst_loading=worst[1],
                    lost_kw=worst[2],
                    combinations=len(failures),
                )
            )
    return out


# ------------------------------------------------------------------ bus sections


class _Sections:
    """The MV bus sections' loads under failures: the base (normal) section kVA, the winding
    loads through the arrangement, and the worst per winding so far."""

    def __init__(self, sz: ElectricalSizing, asg: Assignment) -> None:
        self.arr = sz.arrangement()
        active = self.arr.active_sections
        self.normal_op = self.arr.after_loss(frozenset())
        self.n = len(active)
        self.ids = [a.winding for a in active]
        self.rating = {a.winding: a.rating_kva for a in active}
        self.where = asg.section_copies()
        self.base = list(asg.section_kva)
        self.base_w = self.winding_kva(self.base)
        self.worst = [(self.base_w[t], "normal") for t in range(self.n)]

    def winding_kva(self, section_load) -> list[float]:
        per, _lost = self.arr.winding_loads(self.normal_op, section_load)
        return [per[w] for w in self.ids]

    def record(self, load: list[float], label: str, best: tuple) -> tuple:
        """Winding loads for `load`: update the worst per winding; return the higher of `best`
        and this load's (loading, label, section)."""
        load_w = self.winding_kva(load)
        for t in range(self.n):
            if load_w[t] > self.worst[t][0] + TOL:
                self.worst[t] = (load_w[t], label)
            v = load_w[t] / self.rating[self.ids[t]]
            if v > best[0] + TOL:
                best = (v, label, t)
        return best

    def patterns(self, ha: HallAssignment, fids: list[str]) -> dict[tuple[int, ...], int]:
        """Feeder-to-section pattern -> first copy (0-based) with it."""
        out: dict[tuple[int, ...], int] = {}
        for c in range(ha.copies):
            pat = tuple(self.where.get((ha.hall, f), ())[c] if c < len(self.where.get((ha.hall, f), ())) else -1 for f in fids)
            out.setdefault(pat, c)
        return out

    def hall(self, ha: HallAssignment, sz: ElectricalSizing) -> Scenario | None:
        h = _Hall(ha, sz)
        normal = h.feeder_kva(h.loads(frozenset())[0], frozenset())
        fids = [f.id for f in ha.feeders]
        patterns = self.patterns(ha, fids)
        failures = list(h.failures())
        best = (-1.0, "", 0)  # (loading, failure, section)
        for _kind, cid, fb, fc in failures:
            kva = h.feeder_kva(h.loads(fb, fc)[0], fb)
            for pat, c in patterns.items():
                load = list(self.base)
                for f, t in zip(fids, pat):
                    if t >= 0:
                        load[t] += kva[f] - normal[f]
                best = self.record(load, f"{cid}/fails in copy {c + 1}", best)
        if best[0] < 0:
            return None
        v, label, t = best
        return Scenario(
            id=f"{ha.hall}/bus-sections",
            kind="bus-section",
            area=ha.hall,
            failed=(label,),
            maintenance=(),
            worst_component=self.ids[t],
            worst_loading=v,
            lost_kw=0.0,
            combinations=len(failures) * ha.copies,
        )

    def mechanical(self, sz: ElectricalSizing, asg: Assignment) -> Scenario:
        """A mechanical feeder out: its unit substations go with it and the others share the
        non-UPS load equally, so every surviving feeder carries more (wherever it sits)."""
        after = _mech_after_feeder_loss(sz, asg)
        sec_of = {fid: w[0] for (hall, fid), w in self.where.items() if hall == "campus" and w}
        best = (-1.0, "", 0)
        for f in asg.mech_feeders:
            load = list(self.base)
            for g in asg.mech_feeders:
                if g.id in sec_of:
                    load[sec_of[g.id]] += after[f.id][g.id] - g.normal_kva
            best = self.record(load, f"{f.id}/fails", best)
        return Scenario(
            id="campus/mechanical-feeders/bus-sections",
            kind="bus-section",
            area="campus",
            failed=(best[1],),
            maintenance=(),
            worst_component=self.ids[best[2]],
            worst_loading=best[0],
            lost_kw=0.0,
            combinations=len(asg.mech_feeders),
        )


def _section_scenarios(sz: ElectricalSizing, asg: Assignment) -> tuple[list[Scenario], tuple[SectionWorst, ...]]:
    """Bus-section loading after every single failure in every copy of every hall.

    Normally each section carries its feeders' normal kVA (`section_kva`). A failure in one hall
    copy changes that copy's feeder loads by d_f (partners pick up the failed block's load); the
    section of each of the copy's feeders comes from `Assignment.section_copies`, so section t
    carries section_kva[t] + sum of d_f over the copy's feeders on t. Copies with the same
    feeder-to-section pattern give the same loads, so each pattern is evaluated once. Sections
    tied in normal operation (closed-ties) share their load over the pool (arrangement.py)."""
    if not sz.main_tx_count or not asg.sections:
        return [], ()
    sec = _Sections(sz, asg)
    out = [s for s in (sec.hall(ha, sz) for ha in asg.halls) if s is not None]
    if len(asg.mech_feeders) > 1:
        out.append(sec.mechanical(sz, asg))
    secs = tuple(
        SectionWorst(transformer=sec.ids[t], normal_kva=sec.base_w[t], worst_kva=sec.worst[t][0], failure=sec.worst[t][1], rating_kva=sec.rating[sec.ids[t]])
        for t in range(sec.n)
    )
    return out, secs


def _pair_scenarios(ha: HallAssignment, sz: ElectricalSizing) -> list[Scenario]:
    """Block pairs: every row's A and B feeds on two different blocks of one group (an A block
    and a B block for `pairs-axb`); a load that breaks the rule counts as lost (one failure
    can take both its feeds, or its partner is outside the group that was sized for it)."""
    if sz.topology.kind != "pairs":
        return []
    blocks = {b.id: b for b in ha.blocks}
    bipartite = sz.topology.y > 0
    bad = []
    for c in ha.cords:
        a, b = blocks.get(c.a), blocks.get(c.b) if c.b is not None else None
        ok = a is not None and b is not None and a.id != b.id and a.group == b.group
        if ok and bipartite:
            ok = a.role == "pair-a" and b.role == "pair-b"
        if not ok:
            bad.append(c)
    return [
        Scenario(
            id=f"{ha.hall}/block-pairs",
            kind="block-pairs",
            area=ha.hall,
            failed=(),
            maintenance=(),
            worst_component=bad[0].item if bad else "",
            worst_loading=0.0,
            lost_kw=sum(c.kw for c in bad),
            combinations=len(ha.cords),
        )
    ]


def _mech_after_feeder_loss(sz: ElectricalSizing, asg: Assignment) -> dict[str, dict[str, float]]:
    """failed feeder -> {feeder: kVA} once its unit substations are lost and the others share the
    non-UPS load equally (feeder g carries k_g S / (n - k_f))."""
    from hubc.electrical.sizing import mech_uss_per_feeder

    feeders = asg.mech_feeders
    total = sum(f.normal_kva for f in feeders)
    counts = dict(zip((f.id for f in feeders), mech_uss_per_feeder(sz.mech_uss, len(feeders)))) if sz.mech_uss else {f.id: 1 for f in feeders}
    n = sum(counts.values())
    out = {}
    for f in feeders:
        left = n - counts[f.id]
        out[f.id] = {g.id: (0.0 if g.id == f.id or left <= 0 else total * counts[g.id] / left) for g in feeders}
    return out


# ---------------------------------------------------------------------- campus level


def _campus_scenarios(sz: ElectricalSizing, asg: Assignment, tier: int, spec_circuits: int, contract_mw: float, generators: tuple = ()) -> list[Scenario]:
    out = _transformer_scenarios(sz, asg, tier)
    out += _generator_scenarios(sz, tier, generators)
    out += _mechanical_scenarios(sz, asg)
    out += _transmission_scenario(sz, spec_circuits, contract_mw)
    return out


def _transformer_scenarios(sz: ElectricalSizing, asg: Assignment, tier: int) -> list[Scenario]:
    """Each main transformer lost (and for Tier IV one in maintenance while the worst other
    fails), with the switching of the operating philosophy (arrangement.py)."""
    out: list[Scenario] = []
    n = sz.main_tx_count
    if n and asg.sections:
        arr = sz.arrangement()
        base = list(asg.section_kva)
        rating = {w.id: w.rating_kva for w in arr.windings}

        def run(lost: frozenset[str]):
            tr = arr.after_loss(lost, base)
            per, dead = arr.winding_loads(tr, base)
            wid = max(per, key=lambda w: (per[w] / rating[w], w))
            return wid, per[wid] / rating[wid], dead, tr.actions

        wid, v, _dead, _act = run(frozenset())
        out.append(Scenario(id="campus/main-transformers/normal", kind="normal", area="campus", failed=(), maintenance=(), worst_component=wid, worst_loading=v, lost_kw=0.0))
        for t in arr.transformers:
            wid, v, dead, actions = run(frozenset((t,)))
            out.append(
                Scenario(
                    id=f"{t}/fails",
                    kind="main-transformer",
                    area="campus",
                    failed=(t,),
                    maintenance=(),
                    worst_component=wid,
                    worst_loading=v,
                    lost_kw=dead * sz.power_factor,
                    switching=actions,
                )
            )
        if tier >= 4:
            for t in arr.transformers:
                worst = None
                for u in arr.transformers:
                    if u == t:
                        continue
                    wid, v, dead, actions = run(frozenset((t, u)))
                    if worst is None or (dead, v) > (worst[2], worst[1]):
                        worst = (wid, v, dead, actions, u)
                if worst is None:
                    continue
                wid, v, dead, actions, u = worst
                out.append(
                    Scenario(
                        id=f"{t}/maintenance",
                        kind="maintenance+failure",
                        area="campus",
                        failed=(u,),
                        maintenance=(t,),
                        worst_component=wid,
                        worst_loading=v,
                        lost_kw=dead * sz.power_factor,
                        combinations=len(arr.transformers) - 1,
                        switching=actions,
                    )
                )
    return out


def _generator_scenarios(sz: ElectricalSizing, tier: int, generators: tuple) -> list[Scenario]:
    out: list[Scenario] = []
    # generators: a utility outage with one set failed (and one in maintenance for Tier IV); with
    # the network's islands (build.generator_plan), each island on its own sets
    gkw = sz.generator_kw
    islands = generators or (("campus", sz.generators, sz.facility_kw),)
    for k, kind, maint in ((1, "generator", ()), (2, "maintenance+failure", ("any generator",))):
        if k == 2 and tier < 4:
            continue
        worst = None
        for name, g, kw in islands:
            surv = g - k
            v = kw / (surv * gkw) if surv > 0 else math.inf
            lost = 0.0 if surv > 0 else kw
            if worst is None or (lost, v) > (worst[2], worst[1]):
                worst = (name, v, lost)
        name, v, lost = worst
        out.append(
            Scenario(
                id="campus/utility-outage" + ("/generator-maintenance" if k == 2 else "") + "/generator-fails",
                kind=kind,
                area="campus",
                failed=("utility", "any one generator"),
                maintenance=maint,
                worst_component="generators" if name == "campus" else f"generators of {name}",
                worst_loading=v,
                lost_kw=lost,
                combinations=sum(g for _n, g, _kw in islands),
            )
        )
    return out


def _mechanical_scenarios(sz: ElectricalSizing, asg: Assignment) -> list[Scenario]:
    out: list[Scenario] = []
    # mechanical unit substations (N+1 pool) and feeders
    if sz.mech_uss:
        s = sz.mech_uss - 1
        out.append(
            Scenario(
                id="campus/mechanical-uss/fails",
                kind="unit-substation",
                area="campus",
                failed=("any one mechanical unit substation",),
                maintenance=(),
                worst_component="mechanical unit substations",
                worst_loading=sz.mechanical_kw / sz.power_factor / (s * sz.uss_kva) if s else math.inf,
                lost_kw=0.0 if s else sz.mechanical_kw,
                combinations=sz.mech_uss,
            )
        )
    if asg.mech_feeders:
        after = _mech_after_feeder_loss(sz, asg)
        counts = mech_uss_per_feeder(sz.mech_uss, len(asg.mech_feeders)) if sz.mech_uss else ()
        worst_f = max(((after[f][g] / sz.feeder_kva, g, f) for f in after for g in after[f]), default=(0.0, "", ""))
        k_max = max(counts, default=0)
        uss_left = sz.mech_uss - k_max
        uss_v = sz.mechanical_kw / sz.power_factor / (uss_left * sz.uss_kva) if uss_left > 0 else math.inf
        v, comp = (uss_v, "mechanical unit substations") if uss_v >= worst_f[0] else (worst_f[0], worst_f[1])
        out.append(
            Scenario(
                id="campus/mechanical-feeders/fails",
                kind="mv-feeder",
                area="campus",
                failed=("any one mechanical feeder",),
                maintenance=(),
                worst_component=comp,
                worst_loading=v,
                lost_kw=0.0 if len(asg.mech_feeders) > 1 and uss_left > 0 else sz.mechanical_kw,
                combinations=len(asg.mech_feeders),
            )
        )
    return out


def _transmission_scenario(sz: ElectricalSizing, spec_circuits: int, contract_mw: float) -> list[Scenario]:
    out: list[Scenario] = []
    # transmission N-1: each circuit carries the whole contract
    surv = spec_circuits - 1
    out.append(
        Scenario(
            id="campus/transmission-circuit/fails",
            kind="transmission",
            area="campus",
            failed=("any one utility circuit",),
            maintenance=(),
            worst_component="utility circuits",
            worst_loading=(sz.facility_kw / 1000) / contract_mw if surv > 0 else math.inf,
            lost_kw=0.0 if surv > 0 else sz.facility_kw,
            combinations=spec_circuits,
        )
    )
    return out


def verify_electrical(
    sz: ElectricalSizing,
    asg: Assignment,
    *,
    tier: int,
    circuits: int,
    contract_mw: float,
    location: Location | None = None,
    generators: tuple[tuple[str, int, float], ...] = (),
) -> Verification:
    """Enumerate every scenario; diagnostics (HUB750 overload, HUB751 lost load) for failures.
    `generators`: (island, sets, island kW) when the sets are spread over islands."""
    from hubc.codes import diag

    scen: list[Scenario] = []
    for ha in asg.halls:
        scen.extend(_hall_scenarios(ha, sz, tier))
        scen.extend(_pair_scenarios(ha, sz))
    scen.extend(_campus_scenarios(sz, asg, tier, circuits, contract_mw, generators))
    sec_scen, sections = _section_scenarios(sz, asg)
    scen.extend(sec_scen)
    scen.sort(key=lambda s: (s.area, s.kind, s.id))
    loc = location or Location(file="<spec>")
    diags = []
    bad_lost = [s for s in scen if s.lost_kw > TOL]
    bad_over = [s for s in scen if s.lost_kw <= TOL and s.loading_rank > 1 + TOL]
    for code, bad, what in (("HUB751", bad_lost, "drops load"), ("HUB750", bad_over, "overloads a component")):
        if not bad:
            continue
        bad = sorted(bad, key=lambda s: (-s.lost_kw, -s.loading_rank, s.id))
        notes = tuple(_describe(s) for s in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        diags.append(
            diag(
                code,
                f"{len(bad)} failure scenario(s) {what}: worst is {_describe(bad[0])}{more}",
                loc,
                ("electrical", "topology"),
                notes=notes,
                help="add UPS blocks, feeders or transformers, or change the topology; every scenario is listed in design.json under electrical.verification.scenarios",
            )
        )
    return Verification(scenarios=tuple(scen), diagnostics=tuple(diags), sections=sections)


def _describe(s: Scenario) -> str:
    what = " + ".join(("maintenance of " + m) for m in s.maintenance)
    fail = ", ".join(s.failed) or "normal operation"
    head = f"{what} + failure of {fail}" if what else (f"failure of {fail}" if s.failed else fail)
    if s.lost_kw > TOL:
        return f"{head}: {s.lost_kw:,.0f} kW lose every feed"
    if s.worst_loading is None:
        return f"{head}: nothing left to carry {s.worst_component}"
    return f"{head}: {s.worst_component} at {s.worst_loading:.0%}"
