"""The typed campus spec (language `hubc/1`).

Frozen attrs classes, tuples not lists. Quantities carry their unit in the field name
(`power_kw`, `voltage_kv`, `length_km`). Each field's doc and physical range live in its
metadata: the converter enforces the range and `hubc schema` publishes both, so the model is
the single source of truth for the language. TOML tables map to classes one to one; arrays of
tables use singular names (`[[hall]]`, `[[pod]]`).
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

import attrs

# Match ids with KEBAB.fullmatch: `$` would also accept a trailing newline ("hall-a\n").
KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Redundancy = Literal["N", "N+1", "N+2", "2N"]
Auto = Literal["auto"]


def f(doc: str, default=attrs.NOTHING, *, ge=None, gt=None, le=None, lt=None, id=False, **kw):
    """A spec field: its doc and bounds go to metadata (converter range checks and JSON Schema)."""
    meta = {"doc": doc}
    for name, bound in (("ge", ge), ("gt", gt), ("le", le), ("lt", lt)):
        if bound is not None:
            meta[name] = bound
    if id:
        meta["id"] = True
    if isinstance(default, (list, dict)):
        raise TypeError("use tuples for defaults")
    return attrs.field(default=default, metadata=meta, **kw)


def sub(cls, doc: str):
    """A nested table that may be omitted (all its fields have defaults)."""
    return attrs.field(factory=cls, metadata={"doc": doc})


def opt(doc: str, *, ge=None, gt=None, le=None, lt=None, checked_by: str | None = None):
    """An optional field (None when omitted); a number has its range like `f`, or names the
    check that holds it to a range from the catalog (`checked_by`)."""
    meta = {"doc": doc}
    for name, bound in (("ge", ge), ("gt", gt), ("le", le), ("lt", lt)):
        if bound is not None:
            meta[name] = bound
    if checked_by is not None:
        meta["checked_by"] = checked_by
    return attrs.field(default=None, metadata=meta)


def many(doc: str):
    return attrs.field(default=(), metadata={"doc": doc})


# ---------------------------------------------------------------------------------- campus


@attrs.frozen(kw_only=True)
class Campus:
    id: str = f("Campus id (kebab-case); used in output file names", id=True)
    name: str = f("Human-readable campus name")
    region: str = f("Region or site name; also picks the climate station (catalog climate.toml)", "")
    climate_station: str | None = f("Climate station id (catalog climate.toml) instead of the region's", None)
    latitude_deg: float = f("Site latitude (degrees north), drives the solar model", ge=-90, le=90)
    longitude_deg: float = f("Site longitude (degrees east)", ge=-180, le=180)
    currency: Literal["KRW"] = f("Currency of cost roll-ups", "KRW")
    krw_per_usd: float = f("Exchange rate for catalog prices quoted in USD", 1380.0, gt=0, le=1e5)
    start_year: int = f("Year of the first phase's energization", 2027, ge=2000, le=2100)


# ---------------------------------------------------------------------------------- policy


@attrs.frozen(kw_only=True)
class Policy:
    tier: int = f("Uptime Institute tier target (1-4); AI training halls usually target 3", ge=1, le=4)
    design_pue: float = f(
        "Design-day (peak) PUE used for facility peak load, not the annual PUE", ge=1.0, le=3.0
    )
    annual_pue: float | None = opt("Annual average PUE for energy; defaults to design_pue", ge=1.0, le=3.0)
    power_factor: float = f("Facility power factor for apparent-power sizing", 0.95, gt=0.5, le=1.0)
    min_domestic_share: float = f(
        "Minimum share of BOM value from domestic (Korean) vendors, 0-1", 0.0, ge=0, le=1
    )
    domestic_share_scope: Literal["facility", "all"] = f(
        "BOM value the domestic share is measured on: `facility` leaves out owner-furnished IT and "
        "network racks (no domestic GPU rack exists); `all` counts the whole BOM",
        "facility",
    )
    domestic_share_enforcement: Literal["warn", "error"] = f(
        "Whether a domestic share below the minimum is a warning or an error", "warn"
    )
    transformer_max_loading: float = f(
        "Highest normal loading of a transformer as a fraction of nameplate", 0.8, gt=0.2, le=1.0
    )
    sizing_margin: float = f("Growth margin added when sizing plant (fraction)", 0.1, ge=0, le=1)


# ---------------------------------------------------------------------------- grid & lines


@attrs.frozen(kw_only=True)
class Grid:
    code: str = f(
        "Grid code the campus is designed to: a grid profile of the catalog (`kepco`: Korea, KEPCO "
        "supply terms and KEC; `iec-50hz`: IEC 60038; `ansi-60hz`: ANSI C84.1), which sets the "
        "frequency, the standard voltages and the supply bands",
        "kepco",
    )
    interconnect_voltage_kv: float = f(
        "Utility interconnect voltage (standard under the grid code; KEPCO: 22.9, 154 or 345 kV)", gt=0, le=800
    )
    contract_mw: float = f("Contracted import capacity at the interconnect (MW)", gt=0, le=20000)
    utility_substation: str = f("Name of the utility substation the campus connects to", "")
    circuits: int = f("Number of utility circuits (2 or more for N-1)", 2, ge=1, le=12)
    carbon_intensity_tco2_per_mwh: float = f(
        "Grid emission factor for location-based scope 2 (Korea 2023: 0.4173)", 0.4173, ge=0, le=2
    )
    fault_level_ka: float | None = f(
        "Maximum three-phase fault current at the point of connection (kA, from KEPCO); default: "
        "the catalog's planning value for the supply voltage",
        None, gt=0, le=200,
    )
    fault_level_min_ka: float | None = f(
        "Minimum three-phase fault current at the point of connection (kA), for protection; "
        "default: the catalog's planning value",
        None, gt=0, le=200,
    )
    x_r: float | None = f("X/R of the utility source impedance; default: the catalog's planning value", None, gt=0, le=100)


@attrs.frozen(kw_only=True)
class Transmission:
    id: str = f("Line id", id=True)
    voltage_kv: float = f("Line voltage (kV)", gt=0, le=800)
    length_km: float = f("Route length (km)", gt=0, le=1000)
    circuits: int = f("Circuits on the route; N-1 needs 2 or more", 2, ge=1, le=12)
    construction: Literal["overhead", "underground", "submarine"] = f(
        "Overhead line, underground or submarine cable", "overhead"
    )


# ------------------------------------------------------------------------------ substation


BusScheme = Literal["single", "sectionalised", "double-bus", "breaker-and-a-half", "ring"]


@attrs.frozen(kw_only=True)
class HvStage:
    """The first stage of a two-stage HV chain (e.g. 230/69 kV ahead of 69/13.8 kV main transformers)."""

    voltage_kv: float = f("Intermediate voltage (kV): the HV/HV transformers' low side, the main transformers' high side", gt=0, le=800)
    transformer_mva: float = f("Rating of each HV/HV transformer (MVA)", gt=0, le=2000)
    transformers: int = f("HV/HV transformers installed", ge=1, le=16)
    redundancy: Redundancy = f("HV/HV transformer redundancy", "N+1")
    bus_scheme: BusScheme = f("Bus scheme of the intermediate-voltage bus", "sectionalised")


@attrs.frozen(kw_only=True)
class Substation:
    id: str = f("Substation id", id=True)
    hv_voltage_kv: float = f("HV side voltage (kV)", gt=0, le=800)
    mv_voltage_kv: float = f("MV side voltage (kV); Korea 22.9", 22.9, gt=0, le=70)
    transformer_mva: float = f("Rating of each main transformer (MVA); 0 for a switching station", 0.0, ge=0, le=2000)
    transformers: int = f(
        "Main transformers installed; 0 when the campus takes supply at its MV voltage", ge=0, le=64
    )
    redundancy: Redundancy = f("Main transformer redundancy", "N+1")
    bus_scheme: BusScheme = f(
        "HV bus scheme: `single` bus, `sectionalised` single bus (one bus-section breaker), "
        "`double-bus` (one coupler), `breaker-and-a-half` (3 breakers per 2 circuits) or `ring`",
        "sectionalised",
    )
    hv_stage: HvStage | None = f("Two-stage HV chain: HV/HV transformers ahead of the main transformers", None)


# ---------------------------------------------------------------------------- racks & pods


@attrs.frozen(kw_only=True)
class RackType:
    id: str = f("Rack type id", id=True)
    role: Literal["compute", "network", "spine", "storage", "management"] = f(
        "What the rack does; `network` racks are pod leaves, `spine` racks the hall spine",
        "compute",
    )
    power_kw: float = f("Design IT power per rack (kW)", gt=0, le=2000)
    liquid_fraction: float = f("Share of rack heat removed by liquid (0-1)", 0.0, ge=0, le=1)
    weight_kg: float = f("Rack weight, fully loaded (kg)", 1000.0, gt=0, le=10000)
    width_mm: float = f("Rack width (mm); one slot", 600.0, gt=0, le=3000)
    depth_mm: float = f("Rack depth (mm)", 1200.0, gt=0, le=3000)
    gpus: int = f("Accelerators per rack", 0, ge=0, le=10000)
    description: str = f("Free text for the BOM", "")


@attrs.frozen(kw_only=True)
class RackCount:
    rack_type: str = f("Rack type id")
    count: int = f("Number of racks", ge=1, le=100000)


@attrs.frozen(kw_only=True)
class Pod:
    id: str = f("Pod (scalable unit) id", id=True)
    racks: tuple[RackCount, ...] = f("Racks in the pod, in row order")
    arrangement: Literal["row", "row-pair"] = f(
        "`row`: contiguous in one row; `row-pair`: split across a facing row pair", "row"
    )
    description: str = f("Free text", "")


# ---------------------------------------------------------------------------------- halls


@attrs.frozen(kw_only=True)
class Slot:
    row: int = f("Row number, 1-based", ge=1, le=10000)
    slot: int = f("Slot number in the row, 1-based", ge=1, le=10000)
    reason: str = f("Why the slot is kept out (column, in-row CDU, PDU)", "")


@attrs.frozen(kw_only=True)
class PodCount:
    pod: str = f("Pod id")
    count: int = f("Number of pods of this kind per hall", ge=1, le=100000)


@attrs.frozen(kw_only=True)
class HallCooling:
    cdu_kw: float | None = f(
        "Liquid capacity of one CDU (kW); default: the catalog's facility CDU", None, gt=0, le=100000
    )
    cdus: int | Auto = f(
        "CDUs installed per loop (per row, or per hall; see cdu_scope), or \"auto\": liquid heat of the "
        "loop / cdu_kw plus cdu_redundancy (none in a loop without liquid heat)",
        "auto",
        ge=1,
        le=1000,
    )
    cdu_redundancy: Redundancy = f("CDU redundancy within a loop", "N+1")
    cdu_pump_kw_per_kw: float | None = f(
        "CDU pump input per kW of liquid heat (on UPS); default from the cooling catalog", None, ge=0, le=0.5
    )
    crah_kw: float | None = f("Sensible capacity of one CRAH / fan wall (kW); default from the catalog", None, gt=0, le=10000)
    crah_redundancy: Redundancy = f("CRAH / fan-wall redundancy, on the hall's air heat", "N+1")
    cdu_scope: Literal["row", "hall"] = f("One CDU loop per row, or one per hall", "row")
    air_kw_per_row: float = f("Air-cooling capacity available to each row (kW)", gt=0, le=100000)
    supply_temp_c: float = f("TCS supply temperature (°C)", 25.0, ge=5, le=60)
    return_temp_c: float = f("TCS return temperature (°C)", 35.0, ge=5, le=80)


@attrs.frozen(kw_only=True)
class Hall:
    id: str = f("Hall id", id=True)
    copies: int = f("Identical copies of this hall on the campus", 1, ge=1, le=1000)
    rows: int = f("Rack rows in the hall (facing pairs: rows 1-2, 3-4, ...)", ge=1, le=1000)
    slots_per_row: int = f("Rack slots per row", ge=1, le=1000)
    slot_width_mm: float = f("Slot pitch along the row (mm)", 600.0, gt=0, le=3000)
    row_pitch_mm: float = f("Centre-to-centre distance of adjacent rows (mm)", 3000.0, gt=0, le=20000)
    cable_rise_m: float = f("Rise plus drop added to every cable run (m)", 4.0, ge=0, le=100)
    row_busway_kw: float = f("Rating of each row's busway, per feed (kW)", gt=0, le=100000)
    # Raised floors are rated ~1,200-2,500 kg/m², slabs on grade well above; 50 t/m² is no floor.
    floor_loading_kg_per_m2: float | None = opt("Floor load limit (kg/m²), if specified", gt=0, le=50000)
    pods: tuple[PodCount, ...] = many(
        "Pods placed in each copy of this hall (for a hall that hosts a campus `[[demand]]`: the pods "
        "besides the demanded one; hubc adds the demanded pods it chooses)"
    )
    modules: int | None = opt(
        "Hall modules available for a campus `[[demand]]`: hubc chooses how many copies of this hall "
        "to build (1 to modules) and how many demanded pods each holds; `copies` is then hubc's",
        ge=1, le=1000,
    )
    spine: tuple[RackCount, ...] = many("Hall spine (network) racks")
    keepout: tuple[Slot, ...] = many("Slots that cannot hold racks")
    cooling: HallCooling = f("Row cooling: CDU loops and air")


# ----------------------------------------------------------------------------- electrical


@attrs.frozen(kw_only=True)
class Electrical:
    topology: str = f(
        "UPS topology: `2N`, `N+1`, distributed-redundant `xMy` (e.g. `4M3`), block pairs `pairs-k` "
        "(each row's A and B feeds on any two blocks of a group of up to k) or `pairs-axb` (A feed on "
        "one of up to a A blocks, B feed on one of up to b B blocks), or `block-redundant`"
    )
    distribution_paths: int = f("Independent distribution paths to each rack (A/B = 2)", 2, ge=1, le=4)
    blocks_per_catcher: int = f("Active blocks per catcher block (block-redundant)", 4, ge=1, le=64)
    ups_module_kw: float = f("Rating of one UPS module (kW)", 1250.0, gt=0, le=10000)
    ups_system_kw: float = f("Rating of one UPS system or block (kW)", 2500.0, gt=0, le=100000)
    ups_autonomy_min: float = f("UPS battery ride-through at full load (min)", 5.0, ge=0, le=240)
    unit_substation_kva: float = f("MV/LV unit substation transformer rating (kVA)", 3150.0, gt=0, le=10000)
    mv_voltage_kv: float = f("MV distribution voltage (kV)", 22.9, gt=0, le=70)
    lv_voltage_v: float = f("LV distribution voltage, line to line (V)", 380.0, gt=0, le=1500)
    generator_kw: float = f("Generator data-center-continuous (DCC) rating (kW)", 2500.0, gt=0, le=20000)
    generator_redundancy: Redundancy = f("Generator redundancy", "N+1")
    generator_arrangement: Literal["mv-groups", "lv-groups", "lv-per-block"] = f(
        "How the gensets connect: `mv-groups` (MV sets paralleled on a generator bus per group, each group "
        "on its MV section through its own breaker), `lv-groups` (LV sets, each through its own step-up "
        "transformer onto the group's MV generator bus) or `lv-per-block` (one LV set per UPS block on the "
        "block's LV main board behind an automatic transfer switch, open or closed transition as "
        "`generator_transfer`; the set is sized for the block, `generator_kw` is not used)",
        "mv-groups",
    )
    generator_group_sets: int | None = f(
        "Most sets in one paralleling group; default: as many as the group breaker's rated current and the "
        "generator bus's short-circuit rating allow", None, ge=1, le=64,
    )
    operating_philosophy: Literal["auto", "reserve-transformer", "main-tie-main", "parallel-on-loss", "closed-ties"] = f(
        "How the MV bus sections are fed and transferred: `reserve-transformer` (each section on its "
        "own main transformer, spares feed reserve buses, a section's transfer breaker closes on the "
        "loss of its transformer), `main-tie-main` (ties normally open, one tie closes to a neighbour "
        "on the loss of an incomer), `parallel-on-loss` (ties normally open, all close on a loss and "
        "the survivors run in parallel), `closed-ties` (all transformers in parallel); `auto`: "
        "reserve-transformer for N+1/N+2 main transformers, main-tie-main otherwise",
        "auto",
    )
    generator_transfer: Literal["open", "closed"] = f(
        "Retransfer from generators to the utility: `open` transition (never in parallel) or "
        "`closed` transition (momentary paralleling: the generators add to the utility's short-circuit duty)",
        "open",
    )
    mv_switchgear_ka: float | None = f(
        "Rated short-circuit current of the MV switchgear (kA) if fixed; default: chosen from the "
        "IEC 60909 duty", None, gt=0, le=100,
    )
    lv_board_ka: float | None = f(
        "Rated ultimate breaking capacity Icu of the LV switchboards (kA) if fixed; default: chosen "
        "from the IEC 60909 duty", None, gt=0, le=300,
    )
    pf_correction: Literal["auto", "capacitors", "bess", "none"] = f(
        "Power-factor correction at the point of connection, sized from the normal load flow to pf_target: "
        "`capacitors` (switched, detuned MV capacitor banks on the MV sections), `bess` (reactive power from "
        "the behind-the-meter BESS inverters), `none`; `auto`: the BESS where one is behind the meter and its "
        "inverters' kVA has the headroom at rated power, else capacitor banks",
        "auto",
    )
    pf_target: float | None = f(
        "Power factor (lagging, at the point of connection) the correction aims at; default: the catalog's "
        "(0.95: the utility's reference plus a margin). Must be above the utility's reference (HUB319)",
        None, gt=0, le=1,
    )


# -------------------------------------------------------------------------------- cooling


@attrs.frozen(kw_only=True)
class CoolingPlant:
    kind: Literal["dry-cooler", "chiller", "hybrid", "cooling-tower"] = f("Heat rejection plant")
    unit_kw: float = f("Heat rejection capacity of one unit (kW)", gt=0, le=100000)
    redundancy: Redundancy = f("Heat rejection redundancy", "N+1")
    power_kw_per_kw: float = f(
        "Electrical input per kW of heat rejected at design day (kW/kW)", 0.08, ge=0, le=1
    )
    scope: Literal["phase", "campus", "building"] = f(
        "Which halls one plant serves: `phase` (one plant per build-out phase, for the hall copies it "
        "energizes), `campus` (one plant for every hall) or `building` (one plant per hall copy)",
        "phase",
    )
    chiller_kw: float | None = f(
        "Capacity of one chiller (kW) of a `chiller` or `hybrid` plant; default unit_kw", None, gt=0, le=100000
    )
    fws_delta_t_k: float | None = f(
        "Facility-water temperature rise (K); default: the smallest TCS rise of the halls served", None, gt=0, le=40
    )
    design_dry_bulb_c: float | None = f(
        "Design dry-bulb (°C) instead of the climate station's 0.4 % value", None, ge=-60, le=60
    )
    design_wet_bulb_c: float | None = f(
        "Design wet-bulb (°C) instead of the climate station's 0.4 % evaporation value", None, ge=-60, le=40
    )


# ------------------------------------------------------------------------------ renewables


@attrs.frozen(kw_only=True)
class Renewable:
    id: str = f("Renewable plant or contract id", id=True)
    kind: Literal["solar", "onshore-wind", "offshore-wind", "ppa"] = f("Technology")
    capacity_mw: float | Auto = f("Nameplate capacity (MW), or \"auto\" to size it", gt=0, le=100000)
    capacity_factor: float = f("Annual capacity factor (0-1); Korea PV ~0.13-0.15", gt=0, le=1)
    profile_csv: str | None = opt("Hourly profile CSV (8760 rows, per-unit of nameplate)")
    seed: int = f("Seed of the synthetic weather for this plant", 1, ge=0, le=2**31 - 1)
    tilt_deg: float | None = f("Solar: module tilt (degrees); default: the climate station's PV tilt", None, ge=0, le=90)
    azimuth_deg: float | None = f(
        "Solar: module azimuth (degrees from north, 180 = south); default: facing the equator", None, ge=0, lt=360
    )
    tracking: Literal["fixed", "single-axis"] = f(
        "Solar: fixed tilt, or single-axis trackers on a north-south axis (backtracking)", "fixed"
    )
    delivery: Literal["behind-the-meter", "grid"] = f(
        "`behind-the-meter`: connected to the campus (a collector system and step-up transformers to the "
        "campus HV bus, or its MV bus on an MV supply); `grid`: delivered over the utility grid under a PPA "
        "(no physical connection at the campus, energy accounting only). Kind `ppa` is always `grid`",
        "behind-the-meter",
    )
    collector_kv: float | None = f(
        "Collector system voltage (kV) of a behind-the-meter plant; default: the catalog's (22.9 kV in Korea)",
        None, gt=0, le=70,
    )


@attrs.frozen(kw_only=True)
class Bess:
    id: str = f("BESS id", id=True)
    container: str = f("Catalog id of the container product", "samsung-sdi-sbb-1.5")
    roles: tuple[Literal["ride-through", "peak-shaving", "firming"], ...] = f(
        "What the BESS does", ("firming",)
    )
    energy_mwh: float | Auto = f("Installed energy (MWh) or \"auto\"", "auto", gt=0, le=1e6)
    power_mw: float | Auto = f("PCS power (MW) or \"auto\"", "auto", gt=0, le=1e5)
    # Ranges from the catalog's rules (bess_ranges), checked as HUB401 with the product context.
    round_trip_efficiency: float | None = opt("AC round-trip efficiency; default from the catalog", checked_by="HUB401")
    depth_of_discharge: float | None = opt("Usable depth of discharge; default from the catalog", checked_by="HUB401")
    eol_state_of_health: float | None = opt("End-of-life state of health; default from the catalog", checked_by="HUB401")
    ride_through_min: float = f("Critical-load ride-through held in reserve (min)", 0.0, ge=0, le=600)


@attrs.frozen(kw_only=True)
class Energy:
    utilisation: float = f("Flat IT utilisation for the hourly year (0-1)", 0.85, gt=0, le=1)
    profile_csv: str | None = opt("Hourly IT utilisation CSV (8760 rows) instead of flat")
    cfe_target: float = f("Hourly carbon-free-energy score target (0-1)", 0.0, ge=0, le=1)
    size_renewables: bool = f("Let the optimiser size renewables marked \"auto\"", False)
    seed: int = f("Seed of the synthetic weather year", 2027, ge=0, le=2**31 - 1)
    pue_model: Literal["constant", "dry-bulb", "climate"] = f(
        "Hourly PUE of the energy year: `constant` (the annual PUE every hour), `dry-bulb` "
        "(rises with the site's synthetic outdoor temperature, same annual mean, capped at design_pue) "
        "or `climate` (the cooling plant's own hourly power in the site's climate year: economiser, "
        "trim and mechanical hours)",
        "constant",
    )


@attrs.frozen(kw_only=True)
class Finance:
    horizon_years: int = f(
        "Years of operation the financial summary covers (default 20: the BESS and PPA lives)", 20, ge=1, le=60
    )
    discount_rate: float | None = f(
        "Real discount rate per year for TCO, LCOE and NPV (default: the energy catalog's annualisation "
        "rate, 7 %)",
        None, ge=0, le=0.5,
    )
    escalation: float = f(
        "Real escalation per year of energy prices, O&M and staff cost (default 0: constant real prices)",
        0.0, ge=-0.1, le=0.2,
    )
    rent_krw_per_kw_month: float | None = opt(
        "Rent per kW of IT capacity per month (KRW), the revenue basis for NPV and IRR; without it "
        "the summary gives costs only",
        ge=0, le=1e7,
    )


# ----------------------------------------------------------------------- phases & catalog


@attrs.frozen(kw_only=True)
class PhaseHall:
    hall: str = f("Hall id")
    copies: int | None = opt("How many copies of the hall energize in this phase (default: all)", ge=1, le=1000)


@attrs.frozen(kw_only=True)
class Phase:
    id: str = f("Phase id", id=True)
    year: int = f("Energization year", ge=2000, le=2100)
    month: int = f(
        "Month of `year` the phase energizes (on its first day); order-by dates count back from it", 1, ge=1, le=12
    )
    halls: tuple[PhaseHall, ...] = many("Halls (or copies of halls) energized in this phase")
    energize: tuple[str, ...] = many(
        "Plant energized in this phase: substation, transmission, BESS and renewable ids"
    )


@attrs.frozen(kw_only=True)
class ProcurementPolicy:
    as_of: datetime.date | None = opt(
        "Date order-by dates are held against; default: the day of the build (pin it for reproducible builds)"
    )
    late_orders: Literal["warn", "error"] = f(
        "A line whose order-by date is before `as_of` is a warning (HUB624), or an error", "warn"
    )
    land_krw_per_m2: float | None = opt(
        "Land price per m2 of site; default: the catalog's figure for campus.region", ge=0, le=1e9
    )
    site_area_m2: float | None = opt(
        "Site area (m2); default: building and yard footprint over the catalog's site coverage", gt=0, le=1e9
    )


@attrs.frozen(kw_only=True)
class Catalog:
    files: tuple[str, ...] = many("Extra catalog TOML files, merged over the shipped catalog")


@attrs.frozen(kw_only=True)
class Waiver:
    code: str = f("Diagnostic code to silence, e.g. HUB304")
    target: str = f("Key path the waiver applies to (e.g. `hall[0].row_busway_kw`), or `*`", "*")
    reason: str = f("Why the finding is accepted")
    expires: datetime.date | None = opt("Date after which the waiver no longer applies")


# ---------------------------------------------------------------------------------- demand


@attrs.frozen(kw_only=True)
class Demand:
    pod: str = f("Pod id the campus needs")
    count: int = f("Pods of this kind on the whole campus", ge=1, le=1000000)
    halls: tuple[str, ...] = f(
        "Halls that may host them (each with `modules`); hubc splits the count over them: copies "
        "built and pods per copy, the same in every copy of a hall"
    )


# ------------------------------------------------------------------------------------ spec


@attrs.frozen(kw_only=True)
class Spec:
    schema: Literal["hubc/1"] = f("Spec language version")
    campus: Campus = f("The campus")
    policy: Policy = f("Design policy: tier, PUE, margins, domestic share")
    grid: Grid = f("Utility interconnect")
    transmission: tuple[Transmission, ...] = many("Lines from the utility to the campus substation")
    substation: Substation = f("Campus HV/MV substation")
    rack_type: tuple[RackType, ...] = f("Rack types")
    pod: tuple[Pod, ...] = f("Pods (scalable units)")
    hall: tuple[Hall, ...] = f("GPU halls")
    demand: tuple[Demand, ...] = many("Campus demand: pods the campus needs, split over halls by hubc")
    electrical: Electrical = f("Electrical topology from MV to the racks")
    cooling_plant: CoolingPlant = f("Heat rejection plant")
    renewable: tuple[Renewable, ...] = many("Renewable plants and PPAs")
    bess: Bess | None = opt("Battery energy storage")
    energy: Energy = sub(Energy, "Hourly energy year settings")
    phase: tuple[Phase, ...] = many("Build-out phases")
    procurement: ProcurementPolicy = sub(ProcurementPolicy, "Procurement schedule and land: as-of date, late-order policy, land price")
    finance: Finance = sub(Finance, "Financial summary: horizon, discount rate, revenue basis")
    catalog: Catalog = sub(Catalog, "Catalog extensions")
    waive: tuple[Waiver, ...] = many("Accepted findings")

    # Convenience lookups (ids are unique once the spec passed `check`).
    def rack_types(self) -> dict[str, RackType]:
        return {r.id: r for r in self.rack_type}

    def pods(self) -> dict[str, Pod]:
        return {p.id: p for p in self.pod}

    def halls(self) -> dict[str, Hall]:
        return {h.id: h for h in self.hall}


def parse_topology(topology: str) -> tuple[str, int, int] | None:
    """`2N` -> ("2N", 2, 1); `N+1` -> ("N+1", 0, 0); `4M3` -> ("xMy", 4, 3); `block-redundant`;
    block pairs `pairs-6` -> ("pairs", 6, 0) (each row's A and B feeds on any two blocks of a
    group of up to 6) and `pairs-3x3` -> ("pairs", 6, 3) (A feed on one of up to 3 A blocks, B
    feed on one of up to 3 B blocks of the group).

    Returns (kind, x, y) where for xMy any y of x systems carry the load and for pairs y is the
    group's A blocks (0: any pair); None if malformed. The sizes of a pairs shape are checked
    by HUB313 (`pairs_shape_problem`), not here.
    """
    t = topology.strip()
    if t == "2N":
        return ("2N", 2, 1)
    if t in ("N+1", "block-redundant"):
        return (t, 0, 0)
    m = re.fullmatch(r"([2-9]|1[0-6])M([1-9]|1[0-5])", t)
    if m:
        x, y = int(m.group(1)), int(m.group(2))
        if y < x:
            return ("xMy", x, y)
    shape = _pairs_numbers(t)
    if shape is not None:
        a, b = shape
        # an a x b shape with an empty side keeps y = -1 so it is never read as "any pair"
        return ("pairs", a, 0) if b is None else ("pairs", a + b, a if a > 0 else -1)
    return None


def _pairs_numbers(t: str) -> tuple[int, int | None] | None:
    m = re.fullmatch(r"pairs-(\d{1,3})(?:x(\d{1,3}))?", t.strip())
    if m is None:
        return None
    return int(m.group(1)), (None if m.group(2) is None else int(m.group(2)))


MAX_PAIR_GROUP = 16  # blocks in one block-pair group (the cross-feed cabling of a group)


def pairs_shape_problem(topology: str) -> str | None:
    """Why a block-pair topology (`pairs-k`, `pairs-axb`) cannot be built, or None."""
    shape = _pairs_numbers(topology)
    if shape is None:
        return None
    a, b = shape
    if b is None:
        if a < 2:
            return f"a group of {a} block cannot pair a row's A and B feeds on two different blocks"
        if a > MAX_PAIR_GROUP:
            return f"a group of {a} blocks is more than {MAX_PAIR_GROUP} blocks cross-fed together"
        return None
    if a < 1 or b < 1:
        return f"a group of {a} A x {b} B blocks has no block on one side for the row's other feed"
    if a + b > MAX_PAIR_GROUP:
        return f"a group of {a} A x {b} B blocks is more than {MAX_PAIR_GROUP} blocks cross-fed together"
    return None


def redundancy_spares(r: str, n_needed: int) -> int:
    """Spare units a redundancy label adds on top of `n_needed`."""
    return {"N": 0, "N+1": 1, "N+2": 2, "2N": n_needed}[r]
