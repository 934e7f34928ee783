"""The capex tables beyond the equipment (`data/capex.toml`), typed.

Installation and commissioning by family, footprints for plant space and yards, building,
civil, land, design/permits/studies, KEPCO grid-connection charges, contingency, payment
milestones and the published per-MW range. The one loader (`hubc.catalog.loader`) parses the
file once per process and puts the result in `Catalog.capex`.
"""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class Cited:
    """Where a table's figures come from."""

    source: str
    date: str
    tag: str

    @property
    def label(self) -> str:
        return f"[{self.tag}] {self.source} ({self.date})"


@attrs.frozen(kw_only=True)
class Installation:
    share: float  # of the equipment price
    weeks: float  # delivery to commissioned
    basis: str


@attrs.frozen(kw_only=True)
class Footprint:
    m2: float
    rating: float
    rating_unit: str
    exponent: float
    where: str  # "plant" (indoor) or "yard" (outdoor)

    def area_m2(self, rating: float, rating_unit: str) -> float:
        """m2 of one unit rated `rating` `rating_unit` (m2 at the reference when the units differ)."""
        from hubc.catalog import units

        r = units.convert(rating, rating_unit, self.rating_unit)
        if r is None or self.rating <= 0 or r <= 0:
            return self.m2
        return self.m2 * (r / self.rating) ** self.exponent


@attrs.frozen(kw_only=True)
class Study:
    id: str
    name: str
    krw: int
    when: str  # "always", "impact_assessment", "site_m2_at_least:N", "site_m2_below:N"
    basis: str


@attrs.frozen(kw_only=True)
class GridBand:
    up_to_kv: float
    krw_per_kw: float
    krw_per_circuit: int


@attrs.frozen(kw_only=True)
class Milestones:
    order: float
    delivery: float
    commissioning: float


@attrs.frozen(kw_only=True)
class CapexCatalog:
    version: str
    krw_per_usd: float
    fx: Cited
    installation: dict[str, Installation]
    installation_cited: Cited
    footprints: dict[str, Footprint]
    areas: dict[str, float]
    areas_cited: Cited
    building: dict[str, float]
    building_cited: Cited
    civil: dict[str, float]
    civil_cited: Cited
    land_default_krw_per_m2: float
    land_regions: tuple[tuple[str, float], ...]
    land_cited: Cited
    design_share: float
    studies: tuple[Study, ...]
    soft_cited: Cited
    grid_bands: tuple[GridBand, ...]
    grid_cited: Cited
    contingency_share: float
    contingency_cited: Cited
    milestones_default: Milestones
    milestones: dict[str, Milestones]
    milestones_cited: Cited
    construction_weeks: float
    timing_cited: Cited
    benchmark_usd_per_mw: tuple[float, float]
    benchmark_average_usd_per_mw: float
    benchmark_critical_share: float
    benchmark_cited: Cited

    def install(self, family: str) -> Installation:
        return self.installation.get(family, Installation(share=0.0, weeks=0.0, basis="no installation figure"))

    def milestones_of(self, family: str) -> Milestones:
        return self.milestones.get(family, self.milestones_default)

    def land_krw_per_m2(self, region: str) -> tuple[float, str]:
        """(price, what matched) for the campus region; the default when nothing matches."""
        low = region.lower()
        for match, price in self.land_regions:
            if match.lower() in low:
                return price, f'region "{match}"'
        return self.land_default_krw_per_m2, "catalog default (no region matched)"

    def grid_band(self, voltage_kv: float) -> GridBand:
        for band in self.grid_bands:
            if voltage_kv <= band.up_to_kv + 1e-9:
                return band
        return self.grid_bands[-1]


def _cited(table: dict) -> Cited:
    return Cited(source=table["source"], date=str(table["date"]), tag=table["tag"])


def _milestones(row: dict) -> Milestones:
    m = Milestones(order=float(row["order"]), delivery=float(row["delivery"]), commissioning=float(row["commissioning"]))
    if abs(m.order + m.delivery + m.commissioning - 1.0) > 1e-9:
        raise ValueError(f"capex.toml milestones {row} do not add up to 1")  # a bug in the package data
    return m


def parse(data: dict) -> CapexCatalog:
    """The typed tables of a parsed capex.toml (shipped package data: a bad value is a bug)."""
    inst, areas, soft, ms = data["installation"], data["areas"], data["soft"], data["milestones"]
    return CapexCatalog(
        version=data["version"],
        krw_per_usd=float(data["exchange_rate"]["krw_per_usd"]),
        fx=_cited(data["exchange_rate"]),
        installation={
            f: Installation(share=float(r["share"]), weeks=float(r["weeks"]), basis=r["basis"])
            for f, r in inst["family"].items()
        },
        installation_cited=_cited(inst),
        footprints={
            f: Footprint(
                m2=float(r["m2"]),
                rating=float(r["rating"]),
                rating_unit=r["rating_unit"],
                exponent=float(r["exponent"]),
                where=r["where"],
            )
            for f, r in areas["footprint"].items()
        },
        areas={k: float(v) for k, v in areas.items() if isinstance(v, (int, float))},
        areas_cited=_cited(areas),
        building={k: float(v) for k, v in data["building"].items() if isinstance(v, (int, float))},
        building_cited=_cited(data["building"]),
        civil={k: float(v) for k, v in data["civil"].items() if isinstance(v, (int, float))},
        civil_cited=_cited(data["civil"]),
        land_default_krw_per_m2=float(data["land"]["default_krw_per_m2"]),
        land_regions=tuple((r["match"], float(r["krw_per_m2"])) for r in data["land"]["regions"]),
        land_cited=_cited(data["land"]),
        design_share=float(soft["design_share"]),
        studies=tuple(Study(**s) for s in soft["studies"]),
        soft_cited=_cited(soft),
        grid_bands=tuple(GridBand(**b) for b in data["grid_connection"]["bands"]),
        grid_cited=_cited(data["grid_connection"]),
        contingency_share=float(data["contingency"]["share"]),
        contingency_cited=_cited(data["contingency"]),
        milestones_default=_milestones(ms["default"]),
        milestones={f: _milestones(r) for f, r in ms["family"].items()},
        milestones_cited=_cited(ms),
        construction_weeks=float(data["non_equipment_timing"]["construction_weeks"]),
        timing_cited=_cited(data["non_equipment_timing"]),
        benchmark_usd_per_mw=(float(data["benchmark"]["low_usd_per_mw"]), float(data["benchmark"]["high_usd_per_mw"])),
        benchmark_average_usd_per_mw=float(data["benchmark"]["average_usd_per_mw"]),
        benchmark_critical_share=float(data["benchmark"]["critical_capacity_share"]),
        benchmark_cited=_cited(data["benchmark"]),
    )
