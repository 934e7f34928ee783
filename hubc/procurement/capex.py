"""Complete capex: the priced BOM plus everything else it takes to build the campus.

In: the spec, the priced BOM lines with their phase split, the phase plans, the catalog's
capex tables (`hubc.catalog.capex`, data/capex.toml) and the exchange rate. Out: `Capex`, one
`CapexItem` per part (equipment by system, installation and commissioning by family, building
and shell per m2 of white, plant and support space, civil and site works, land, design and
studies, KEPCO grid connection, contingency), each split over the build-out phases in whole won
so the phases add up to the item; the floor areas it priced; totals in KRW and USD, per MW IT
and per GPU; the construction-scope cost per MW IT against the published range; what the
estimate includes and leaves out.

Areas: white space is each hall's rows x row pitch (plus the side aisles) by slots x slot width
(plus the end aisles and galleries); plant space and yards are the footprints of the plant the
BOM buys; support space a share of both; the site is the building's footprint (over its storeys)
plus the yards, over the site coverage the zoning allows.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from hubc.catalog import rules
from hubc.catalog.capex import CapexCatalog
from hubc.catalog.grids import profile_for
from hubc.catalog.pricing import round_won
from hubc.core.derived import derived
from hubc.procurement.phases import PhasePlan
from hubc.spec.model import Hall, Spec

PARTS = ("equipment", "installation", "building", "civil", "land", "soft", "grid-connection", "contingency")
PART_NAMES = {
    "equipment": "Equipment (BOM)",
    "installation": "Installation and commissioning",
    "building": "Building and shell",
    "civil": "Civil and site works",
    "land": "Land",
    "soft": "Design, permits and studies",
    "grid-connection": "Grid connection (KEPCO)",
    "contingency": "Contingency",
}
OWNER_FURNISHED = frozenset(rules.owner_furnished_systems())
# Left out of the construction scope the cost guides measure: energy assets and utility lines.
OFF_SCOPE_SYSTEMS = frozenset({"energy"})
OFF_SCOPE_FAMILIES = frozenset({"transmission-line"})

EXCLUDED = (
    "VAT (10%), import duties and taxes",
    "financing, interest during construction and developer's fees",
    "escalation beyond each catalog figure's date",
    "owner's staff, pre-opening and operating costs (see opex)",
    "software, licences and IT services",
    "spare parts stock beyond the N+1 units in the BOM",
    "land and grid works of off-site renewable plants and PPA plants (priced turnkey or bought by the offtaker)",
)


@attrs.frozen(kw_only=True)
class CapexItem:
    """One capex part: quantity x rate, split over the phases (whole won adding up to `cost_krw`)."""

    part: str
    id: str
    description: str
    quantity: float
    unit: str
    rate_krw: float
    cost_krw: int
    phases: tuple[tuple[str, int], ...]
    basis: str
    estimate: bool = True


@attrs.frozen(kw_only=True)
class Areas:
    white_space_m2: float
    plant_space_m2: float
    support_space_m2: float
    yard_m2: float
    building_footprint_m2: float
    site_m2: float
    site_basis: str
    # phase id -> m2, for the building's and yards' phase split
    white_by_phase: tuple[tuple[str, float], ...]
    plant_by_phase: tuple[tuple[str, float], ...]
    yard_by_phase: tuple[tuple[str, float], ...]


@attrs.frozen(kw_only=True)
class Benchmark:
    """The construction-scope cost per MW IT against the published range."""

    scope: str
    scope_krw: int
    usd_per_mw_it: float
    low_usd_per_mw: float
    high_usd_per_mw: float
    inside: bool
    note: str
    basis: str


@attrs.frozen(kw_only=True)
class Capex:
    items: tuple[CapexItem, ...]
    areas: Areas
    total_krw: int
    krw_per_usd: float
    fx_basis: str
    it_mw: float
    gpus: int
    owner_furnished_krw: int  # IT equipment and its installation (owner-furnished)
    benchmark: Benchmark
    included: tuple[str, ...]
    excluded: tuple[str, ...]

    @derived
    @property
    def total_usd(self) -> float:
        return round(self.total_krw / self.krw_per_usd, 0)

    @derived
    def by_part(self) -> dict[str, int]:
        """Part -> KRW, in the order of PARTS."""
        out = {p: 0 for p in PARTS}
        for item in self.items:
            out[item.part] += item.cost_krw
        return {p: v for p, v in out.items() if v}

    @derived
    def by_phase(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            for pid, krw in item.phases:
                out[pid] = out.get(pid, 0) + krw
        return out

    @derived
    @property
    def per_mw_it_krw(self) -> float:
        return round(self.total_krw / self.it_mw, 0) if self.it_mw > 0 else 0.0

    @derived
    @property
    def per_mw_it_usd(self) -> float:
        return round(self.total_krw / self.krw_per_usd / self.it_mw, 0) if self.it_mw > 0 else 0.0

    @derived
    @property
    def per_gpu_krw(self) -> float:
        return round(self.total_krw / self.gpus, 0) if self.gpus else 0.0

    @derived
    @property
    def per_gpu_usd(self) -> float:
        return round(self.total_krw / self.krw_per_usd / self.gpus, 0) if self.gpus else 0.0

    @derived
    @property
    def facility_krw(self) -> int:
        """Everything but the owner-furnished IT (racks, network) and its installation."""
        return self.total_krw - self.owner_furnished_krw

    @derived
    @property
    def facility_per_mw_it_usd(self) -> float:
        return round(self.facility_krw / self.krw_per_usd / self.it_mw, 0) if self.it_mw > 0 else 0.0


# --------------------------------------------------------------------------- phase splits


def split_won(total: int, weights: Sequence[tuple[str, float]]) -> tuple[tuple[str, int], ...]:
    """`total` won over the phases in proportion to `weights`, rounded once on the cumulative
    share so the parts add up to `total` exactly; all to the first phase when the weights are 0."""
    if not weights:
        return ()
    w_sum = sum(w for _, w in weights)
    if w_sum <= 0:
        return tuple((pid, total if i == 0 else 0) for i, (pid, _) in enumerate(weights))
    out, cum, before = [], 0.0, 0
    for i, (pid, w) in enumerate(weights):
        cum += w
        upto = total if i == len(weights) - 1 else round_won(total * cum / w_sum)
        out.append((pid, upto - before))
        before = upto
    return tuple(out)


def _item(part, id, description, quantity, unit, rate, weights, basis, estimate=True) -> CapexItem:
    """quantity x rate in whole won, split over the phases by `weights`."""
    cost = round_won(quantity * rate)
    return _summed(part, id, description, quantity, unit, rate, dict(split_won(cost, weights)), basis, estimate)


def _summed(part, id, description, quantity, unit, rate, phases: dict[str, int], basis, estimate=True) -> CapexItem:
    """An item whose phase amounts are already whole won."""
    return CapexItem(
        part=part,
        id=id,
        description=description,
        quantity=round(quantity, 3),
        unit=unit,
        rate_krw=rate,
        cost_krw=sum(phases.values()),
        phases=tuple(phases.items()),
        basis=basis,
        estimate=estimate,
    )


# --------------------------------------------------------------------------------- areas


def hall_white_space_m2(hall: Hall, cat: CapexCatalog) -> float:
    """One copy: (rows x row pitch + 2 side aisles) x (slots x slot width + 2 end aisles)."""
    depth = hall.rows * hall.row_pitch_mm / 1000.0 + 2 * cat.areas["hall_side_aisle_m"]
    width = hall.slots_per_row * hall.slot_width_mm / 1000.0 + 2 * cat.areas["hall_end_aisle_m"]
    return depth * width


def _plant_m2(lines, plan_ids: list[str], cat: CapexCatalog, where: str) -> dict[str, float]:
    out = {pid: 0.0 for pid in plan_ids}
    for line in lines:
        fp = cat.footprints.get(line.family)
        if fp is None or fp.where != where:
            continue
        per_unit = fp.area_m2(line.rating, line.rating_unit)
        for pid, qty, _ in line.phases:
            out[pid] = out.get(pid, 0.0) + qty * per_unit
    return out


def floor_areas(spec: Spec, lines, plans: Sequence[PhasePlan], cat: CapexCatalog) -> Areas:
    ids = [p.id for p in plans]
    halls = spec.halls()
    white = {
        p.id: sum(n * hall_white_space_m2(halls[h], cat) for h, n in p.hall_copies if h in halls) for p in plans
    }
    plant = _plant_m2(lines, ids, cat, "plant")
    yard = _plant_m2(lines, ids, cat, "yard")
    w, pl, y = sum(white.values()), sum(plant.values()), sum(yard.values())
    support = cat.areas["support_share"] * (w + pl)
    footprint = (w + pl + support) / cat.areas["storeys"]
    if spec.procurement.site_area_m2 is not None:
        site, basis = spec.procurement.site_area_m2, "spec procurement.site_area_m2"
    else:
        site = (footprint + y) / cat.areas["site_coverage"]
        basis = f"(building footprint + yards) / site coverage {cat.areas['site_coverage']:.0%}"
    return Areas(
        white_space_m2=round(w, 3),
        plant_space_m2=round(pl, 3),
        support_space_m2=round(support, 3),
        yard_m2=round(y, 3),
        building_footprint_m2=round(footprint, 3),
        site_m2=round(site, 3),
        site_basis=basis,
        white_by_phase=tuple((k, round(v, 3)) for k, v in white.items()),
        plant_by_phase=tuple((k, round(v, 3)) for k, v in plant.items()),
        yard_by_phase=tuple((k, round(v, 3)) for k, v in yard.items()),
    )


# --------------------------------------------------------------------------------- parts


def _line_phases(line) -> dict[str, int]:
    return {pid: cost for pid, _, cost in line.phases}


def equipment_items(lines, ids: list[str]) -> list[CapexItem]:
    """One item per system: the BOM lines' phase costs, summed."""
    by_system: dict[str, dict[str, int]] = {}
    for line in lines:
        acc = by_system.setdefault(line.system, {pid: 0 for pid in ids})
        for pid, cost in _line_phases(line).items():
            acc[pid] = acc.get(pid, 0) + cost
    return [
        _summed("equipment", f"equipment/{system}", f"Equipment, {system} (BOM lines)", 1, "lot", 0, phases,
                "BOM lines priced from the equipment catalog (see bom.csv)")
        for system, phases in sorted(by_system.items())
    ]


def installation_items(lines, ids: list[str], cat: CapexCatalog) -> list[CapexItem]:
    """Per family: share x each line's phase cost, rounded per line and phase."""
    by_family: dict[str, tuple[dict[str, int], int]] = {}
    for line in lines:
        share = cat.install(line.family).share
        if share <= 0:
            continue
        acc, base = by_family.get(line.family, ({pid: 0 for pid in ids}, 0))
        for pid, cost in _line_phases(line).items():
            acc[pid] = acc.get(pid, 0) + round_won(share * cost)
        by_family[line.family] = (acc, base + line.extended_cost_krw)
    out = []
    for family, (phases, base) in sorted(by_family.items()):
        inst = cat.install(family)
        out.append(
            _summed("installation", f"installation/{family}", f"Installation and commissioning, {family} ({inst.basis})",
                    base, "KRW of equipment", inst.share, phases, cat.installation_cited.label)
        )
    return out


def building_items(areas: Areas, cat: CapexCatalog) -> list[CapexItem]:
    b = cat.building
    support_w = [(pid, w + p) for (pid, w), (_, p) in zip(areas.white_by_phase, areas.plant_by_phase, strict=True)]
    label = cat.building_cited.label
    return [
        _item("building", "building/white-space", "Building and shell, white space (halls)", areas.white_space_m2, "m2",
              b["white_space_krw_per_m2"], areas.white_by_phase, label),
        _item("building", "building/plant-space", "Building and shell, plant space (electrical and mechanical rooms)",
              areas.plant_space_m2, "m2", b["plant_space_krw_per_m2"], areas.plant_by_phase, label),
        _item("building", "building/support-space", "Building and shell, support space (offices, NOC, docks, circulation)",
              areas.support_space_m2, "m2", b["support_space_krw_per_m2"], support_w, label),
    ]


def site_items(spec: Spec, areas: Areas, ids: list[str], cat: CapexCatalog) -> list[CapexItem]:
    """Civil works over the site and the yards; the land (all in the first phase)."""
    first = [(pid, 1.0 if i == 0 else 0.0) for i, pid in enumerate(ids)]
    if spec.procurement.land_krw_per_m2 is not None:
        land_rate, land_basis = spec.procurement.land_krw_per_m2, "spec procurement.land_krw_per_m2"
    else:
        land_rate, matched = cat.land_krw_per_m2(spec.campus.region)
        land_basis = f"{matched}; {cat.land_cited.label}"
    return [
        _item("civil", "civil/site", f"Civil and site works over the site ({areas.site_basis})", areas.site_m2, "m2",
              cat.civil["site_krw_per_m2"], first, cat.civil_cited.label),
        _item("civil", "civil/yards", "Foundations, pads and bunds of the outdoor plant", areas.yard_m2, "m2",
              cat.civil["yard_krw_per_m2"], areas.yard_by_phase, cat.civil_cited.label),
        _item("land", "land", f"Land, {spec.campus.region or 'site'}", areas.site_m2, "m2", land_rate, first, land_basis,
              estimate=spec.procurement.land_krw_per_m2 is None),
    ]


def _study_applies(when: str, spec: Spec, site_m2: float) -> bool:
    kind, _, arg = when.partition(":")
    if kind == "impact_assessment":  # the grid code's system impact assessment, where it has one
        mw = profile_for(spec).impact_assessment_mw
        return mw is not None and spec.grid.contract_mw >= mw
    if kind == "site_m2_at_least":
        return site_m2 >= float(arg)
    if kind == "site_m2_below":
        return site_m2 < float(arg)
    return kind == "always"


def soft_items(spec: Spec, construction: dict[str, int], areas: Areas, ids: list[str], cat: CapexCatalog) -> list[CapexItem]:
    """Design fees on the construction scope of each phase; studies and permits up front."""
    first = [(pid, 1.0 if i == 0 else 0.0) for i, pid in enumerate(ids)]
    design = {pid: round_won(cat.design_share * krw) for pid, krw in construction.items()}
    out = [
        _summed("soft", "soft/design", "Design and engineering (architect, MEP, structural, site supervision)",
                sum(construction.values()), "KRW of construction", cat.design_share, design, cat.soft_cited.label)
    ]
    for study in cat.studies:
        if _study_applies(study.when, spec, areas.site_m2):
            out.append(_item("soft", f"soft/{study.id}", study.name, 1, "lot", study.krw, first,
                             f"{study.basis}; {cat.soft_cited.label}"))
    return out


def grid_item(spec: Spec, plans: Sequence[PhasePlan], cat: CapexCatalog) -> CapexItem | None:
    """KEPCO's charge for the connection, in the phase that energizes the campus substation."""
    band = cat.grid_band(spec.grid.interconnect_voltage_kv)
    kw = spec.grid.contract_mw * 1000.0
    cost = band.krw_per_kw * kw + band.krw_per_circuit * spec.grid.circuits
    if cost <= 0:
        return None
    plant = {spec.substation.id, *(t.id for t in spec.transmission)}
    first = next((p.id for p in plans if plant & set(p.energize)), plans[0].id)
    weights = [(p.id, 1.0 if p.id == first else 0.0) for p in plans]
    v = f"{spec.grid.interconnect_voltage_kv:g} kV"
    if band.krw_per_kw > 0:
        return _item("grid-connection", "grid-connection", f"KEPCO 표준시설부담금, {v} supply, per kW of contract",
                     kw, "kW", band.krw_per_kw, weights, cat.grid_cited.label)
    return _item("grid-connection", "grid-connection", f"KEPCO 시설부담금 (실비), {v} bays at the utility substation",
                 spec.grid.circuits, "circuit", band.krw_per_circuit, weights, cat.grid_cited.label)


def _in_scope(line) -> bool:
    """A line in the construction scope the cost guides measure."""
    return not (
        line.system in OWNER_FURNISHED or line.system in OFF_SCOPE_SYSTEMS or line.family in OFF_SCOPE_FAMILIES
    )


def _phase_sum(items: Sequence[CapexItem], ids: list[str]) -> dict[str, int]:
    out = {pid: 0 for pid in ids}
    for item in items:
        for pid, krw in item.phases:
            out[pid] = out.get(pid, 0) + krw
    return out


def _critical(lines, ids, cat: CapexCatalog) -> dict[str, int]:
    """In-scope facility equipment and its installation, per phase."""
    out = {pid: 0 for pid in ids}
    for line in lines:
        if not _in_scope(line):
            continue
        share = cat.install(line.family).share
        for pid, cost in _line_phases(line).items():
            out[pid] += cost + (round_won(share * cost) if share > 0 else 0)
    return out


@attrs.frozen(kw_only=True)
class _Scope:
    """The construction scope the guides measure, in its two halves."""

    critical_krw: int  # facility equipment in scope, installed
    building_civil_krw: int
    white_space_m2: float


def benchmark(scope: _Scope, it_mw: float, krw_per_usd: float, cat: CapexCatalog) -> Benchmark:
    low, high = cat.benchmark_usd_per_mw
    total = scope.critical_krw + scope.building_civil_krw
    per_mw = (lambda krw: krw / krw_per_usd / it_mw / 1e6) if it_mw > 0 else (lambda krw: 0.0)
    usd = per_mw(total) * 1e6
    inside = low <= usd <= high
    avg, crit = cat.benchmark_average_usd_per_mw / 1e6, cat.benchmark_critical_share
    split = (
        f"critical capacity (facility equipment installed) {per_mw(scope.critical_krw):.1f} M USD/MW against "
        f"{avg * crit:.1f} ({crit:.0%} of the {avg:.1f} M average), building and site "
        f"{per_mw(scope.building_civil_krw):.1f} against {avg * (1 - crit):.1f}"
    )
    density = it_mw * 1000.0 / scope.white_space_m2 if scope.white_space_m2 > 0 else 0.0
    if inside:
        note = f"inside the published range; {split}"
    elif usd < low:
        note = (
            f"below the published range: {split}. The halls carry {density:.0f} kW of IT per m2 of white space "
            "(liquid-cooled racks), so the building per MW is a fraction of the guides' mostly air-cooled builds; "
            "the equipment catalog's planning prices are at the low end of 2025 quotes (re-quote before use)"
        )
    else:
        note = f"above the published range: {split}; check the plant redundancy and the largest lines' prices"
    return Benchmark(
        scope="facility equipment (IT, energy assets and utility lines left out) installed, building, civil works; "
        "without land, design and studies, grid charges and contingency, as the guides measure",
        scope_krw=total,
        usd_per_mw_it=round(usd, 0),
        low_usd_per_mw=low,
        high_usd_per_mw=high,
        inside=inside,
        note=note,
        basis=cat.benchmark_cited.label,
    )


def _included(items: Sequence[CapexItem], cat: CapexCatalog) -> tuple[str, ...]:
    parts = {i.part for i in items}
    out = [PART_NAMES[p] for p in PARTS if p in parts]
    turnkey = sorted(f for f, inst in cat.installation.items() if inst.share == 0)
    out.append("installed (turnkey) catalog prices, no separate installation: " + ", ".join(turnkey))
    return tuple(out)


def run_capex(spec: Spec, lines, plans: Sequence[PhasePlan], cat: CapexCatalog, it_mw: float, gpus: int) -> Capex:
    ids = [p.id for p in plans]
    krw_per_usd = spec.campus.krw_per_usd
    fx_basis = (
        cat.fx.label
        if abs(krw_per_usd - cat.krw_per_usd) < 1e-9
        else f"spec campus.krw_per_usd (catalog planning rate {cat.krw_per_usd:,.0f}: {cat.fx.label})"
    )
    areas = floor_areas(spec, lines, plans, cat)
    equipment = equipment_items(lines, ids)
    installs = installation_items(lines, ids, cat)
    building = building_items(areas, cat)
    site = site_items(spec, areas, ids, cat)
    civil = [i for i in site if i.part == "civil"]
    critical = _critical(lines, ids, cat)
    built = _phase_sum([*building, *civil], ids)
    construction = {pid: critical[pid] + built[pid] for pid in ids}
    soft = soft_items(spec, construction, areas, ids, cat)
    grid = grid_item(spec, plans, cat)
    items = [*equipment, *installs, *building, *site, *soft, *([grid] if grid else [])]
    base = _phase_sum([i for i in items if i.part != "land"], ids)
    owner_by_phase = _phase_sum(
        [i for i in [*equipment, *installs] if _owner_furnished_item(i, lines)], ids
    )
    cont = {pid: round_won(cat.contingency_share * (base[pid] - owner_by_phase.get(pid, 0))) for pid in ids}
    items.append(
        _summed("contingency", "contingency", "Contingency on everything but land and owner-furnished IT",
                sum(base.values()) - sum(owner_by_phase.values()), "KRW", cat.contingency_share, cont,
                cat.contingency_cited.label)
    )
    return Capex(
        items=tuple(items),
        areas=areas,
        total_krw=sum(i.cost_krw for i in items),
        krw_per_usd=krw_per_usd,
        fx_basis=fx_basis,
        it_mw=it_mw,
        gpus=gpus,
        owner_furnished_krw=sum(owner_by_phase.values()),
        benchmark=benchmark(
            _Scope(critical_krw=sum(critical.values()), building_civil_krw=sum(built.values()),
                   white_space_m2=areas.white_space_m2),
            it_mw, krw_per_usd, cat,
        ),
        included=_included(items, cat),
        excluded=EXCLUDED,
    )


def _owner_furnished_item(item: CapexItem, lines) -> bool:
    """Equipment of an owner-furnished system, or the installation of a family only they have."""
    if item.part == "equipment":
        return item.id.removeprefix("equipment/") in OWNER_FURNISHED
    fams = {ln.family for ln in lines if ln.system in OWNER_FURNISHED}
    others = {ln.family for ln in lines if ln.system not in OWNER_FURNISHED}
    fam = item.id.removeprefix("installation/")
    return fam in fams and fam not in others
