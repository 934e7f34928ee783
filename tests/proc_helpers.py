"""Shared fixtures for the procurement tests: the test campus and hand-made equipment items
covering every family, as the halls, electrical and energy stages will hand them over."""

from __future__ import annotations

from pathlib import Path

from hubc.catalog.equipment import load_equipment_catalog as load_catalog
from hubc.core.equipment import Equipment
from hubc.procurement import run_procurement
from hubc.procurement.racks import rack_equipment
from hubc.spec.convert import structure
from hubc.spec.source import load_path, load_text

DATA = Path(__file__).parent / "data" / "procurement"
CAMPUS = DATA / "campus.toml"


def load_spec(path: Path = CAMPUS, edit=None):
    """Load a spec; `edit(text) -> text` changes it first (for one-concern variants)."""
    display = str(path.relative_to(Path(__file__).parent.parent))
    if edit is None:
        doc, diags = load_path(path, display=display)
    else:
        doc, diags = load_text(display, edit(path.read_text("utf-8")).encode("utf-8"))
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, diags
    return spec, doc.source


def E(id, family, rating, rating_unit, quantity, *, unit="ea", system="electrical", area="campus", path=(), **kw):
    return Equipment(
        id=id,
        family=family,
        description=kw.pop("description", ""),
        rating=rating,
        rating_unit=rating_unit,
        quantity=quantity,
        unit=unit,
        system=system,
        area=area,
        spec_path=path,
        **kw,
    )


def plant_equipment() -> tuple[Equipment, ...]:
    """Everything but the racks, for the test campus (quantities are campus totals)."""
    return (
        E("hall-a/storage", "storage-rack", 20, "kW", 8, system="it", area="hall-a", path=("hall", 0)),
        E("hall-a/rack-pdu", "rack-pdu", 22, "kW", 384, area="hall-a", path=("hall", 0)),
        E("hall-a/busway", "busway", 4000, "A", 1920, unit="m", area="hall-a", path=("hall", 0, "row_busway_kw")),
        E(
            "hall-a/lv-switchboard",
            "lv-switchboard",
            3000,
            "kVA",
            44,
            area="hall-a",
            path=("electrical", "unit_substation_kva"),
        ),
        E("hall-a/acb", "breaker", 4000, "A", 88, area="hall-a", path=("electrical",)),
        E("hall-a/ups-module", "ups-module", 1200, "kW", 100, area="hall-a", path=("electrical", "ups_module_kw")),
        E("hall-a/ups-battery", "ups-battery", 100, "kWh", 100, area="hall-a", path=("electrical", "ups_autonomy_min")),
        E(
            "hall-a/unit-substation",
            "unit-substation",
            3000,
            "kVA",
            44,
            area="hall-a",
            path=("electrical", "unit_substation_kva"),
        ),
        E("ss-main/mv-switchgear", "mv-switchgear", 24, "kV", 60, area="ss-main", path=("substation", "mv_voltage_kv")),
        E(
            "campus/mv-cable",
            "mv-cable",
            22.9,
            "kV",
            12500,
            unit="m",
            area="campus",
            path=("electrical", "mv_voltage_kv"),
        ),
        # 1,233.5 m x KRW 119,651 = 147,589,508.5: rounds half away from zero, as Excel's ROUND does.
        E("campus/mv-cable-spur", "mv-cable", 245, "mm2", 1233.5, unit="m", path=("electrical", "mv_voltage_kv")),
        E(
            "ss-main/main-transformer",
            "main-transformer",
            60,
            "MVA",
            4,
            area="ss-main",
            path=("substation", "transformer_mva"),
        ),
        E("ss-main/hv-gis", "hv-switchgear", 154, "kV", 8, area="ss-main", path=("substation", "hv_voltage_kv")),
        E("campus/capacitor-bank-6300kvar", "capacitor-bank", 6300, "kvar", 3, area="campus", path=("electrical", "pf_correction")),
        E("campus/generator", "generator", 3000, "kW", 50, area="campus", path=("electrical", "generator_kw")),
        E(
            "hall-a/cdu",
            "cdu",
            2500,
            "kW",
            40,
            system="mechanical",
            area="hall-a",
            path=("hall", 0, "cooling", "cdu_kw"),
        ),
        E("campus/dry-cooler", "dry-cooler", 2000, "kW", 70, system="mechanical", path=("cooling_plant", "unit_kw")),
        E("campus/chiller", "chiller", 1000, "RT", 4, system="mechanical", path=("cooling_plant",)),
        E("campus/cooling-tower", "cooling-tower", 2000, "kW", 4, system="mechanical", path=("cooling_plant",)),
        E("campus/pump", "pump", 75, "kW", 30, system="mechanical", path=("cooling_plant",)),
        E(
            "hall-a/crah",
            "crah",
            250,
            "kW",
            48,
            system="mechanical",
            area="hall-a",
            path=("hall", 0, "cooling", "air_kw_per_row"),
        ),
        E("campus/bess", "bess-container", 5.26, "MWh", 20, system="energy", catalog_id="samsung-sdi-sbb-1.5"),
        E("campus/bess-pcs", "bess-pcs", 2500, "kW", 10, system="energy"),
        E("campus/solar", "solar-pv", 20, "MWp", 20, unit="MWp", system="energy"),
        E("campus/wind", "wind-turbine", 4.2, "MW", 5, system="energy"),
        E(
            "tl-haenam-154/line",
            "transmission-line",
            154,
            "kV",
            8.5,
            unit="km",
            system="grid",
            area="tl-haenam-154",
            path=("transmission", 0, "length_km"),
        ),
        E("hall-a/fabric", "network-fabric", 50688, "GPU", 1, system="network", area="hall-a", path=("hall", 0)),
        E("campus/security", "physical-security", 98.7, "MW", 1, system="security", path=("campus",)),
    )


def procurement(spec=None, source=None, items=None, catalog=None):
    if spec is None:
        spec, source = load_spec()
    if catalog is None:
        catalog, diags = load_catalog(spec, DATA, source)
        assert not diags, diags
    if items is None:
        items = rack_equipment(spec) + plant_equipment()
    return run_procurement(spec, items, catalog, source)
