"""Pricing equipment into BOM lines: entry choice, scaling, phases, domestic share."""

from __future__ import annotations

import json

import pytest

from hubc.catalog.equipment import load_equipment_catalog as load_catalog
from hubc.catalog.families import FAMILIES
from hubc.diagnostics import Severity
from hubc.procurement import run_procurement
from hubc.procurement.bom import round_won
from hubc.procurement.racks import rack_equipment
from tests.proc_helpers import E, load_spec, plant_equipment, procurement


@pytest.fixture(scope="module")
def proc():
    return procurement()


@pytest.fixture(scope="module")
def catalog():
    c, diags = load_catalog(None)
    assert diags == []
    return c


def test_every_family_is_priced(proc):
    assert {ln.family for ln in proc.lines} == set(FAMILIES)
    assert all(ln.unit_cost_krw > 0 and ln.extended_cost_krw > 0 for ln in proc.lines)
    assert [d.code for d in proc.diagnostics] == ["HUB623"]  # only the domestic-share warning


def test_totals_add_up(proc):
    assert proc.total_krw == sum(ln.extended_cost_krw for ln in proc.lines)
    assert sum(proc.capex_by_system().values()) == proc.total_krw
    # Every split here is of whole units or exact, so the phases add up to the won.
    assert sum(proc.capex_by_phase().values()) == proc.total_krw
    for ln in proc.lines:
        assert ln.extended_cost_krw == round_won(ln.quantity * ln.unit_cost_krw)
        assert sum(q for _, q, _ in ln.phases) == pytest.approx(ln.quantity)


def test_half_won_rounds_away_from_zero_like_excel(proc):
    line = next(ln for ln in proc.lines if ln.line_id == "campus/mv-cable-spur")
    assert line.unit_cost_krw == 119_651
    assert line.extended_cost_krw == 147_589_509  # Python's round() would give ...508


def test_rack_items_from_the_spec():
    spec, _ = load_spec()
    racks = {e.id: e for e in rack_equipment(spec)}
    # 22 pods x 8 NVL72 per hall copy, 4 copies; 2 leaves per pod; 4 spine racks per copy.
    assert racks["hall-a/rack/gb200-nvl72"].quantity == 22 * 8 * 4
    assert racks["hall-a/rack/ib-leaf"].quantity == 22 * 2 * 4
    assert racks["hall-a/rack/ib-spine"].quantity == 4 * 4
    assert racks["hall-a/rack/gb200-nvl72"].family == "gpu-rack"
    assert racks["hall-a/rack/ib-spine"].family == "network-rack"


def test_gb200_rack_priced_from_its_product_entry(proc):
    line = next(ln for ln in proc.lines if ln.line_id == "hall-a/rack/gb200-nvl72")
    assert line.catalog_id == "gb200-nvl72"  # closest reference rating, not the per-kW fallback
    assert line.unit_cost_krw == round(2_500_000 * 1380.0)
    assert line.origin == "import" and line.domestic_vendors == ()
    file, at = line.spec_ref.rsplit(":", 1)
    assert file == "tests/data/procurement/campus.toml"
    _, source = load_spec()
    assert source.line_text(int(at)) == "[[rack_type]]"
    assert source.line_text(int(at) + 1) == 'id = "gb200-nvl72"'


def test_scaling_rule(catalog):
    spec, source = load_spec()
    # 45 MVA against the 60 MVA reference at exponent 0.75: USD 2.4M x 0.75^0.75.
    items = [E("t", "main-transformer", 45, "MVA", 2, area="ss-main")]
    line = run_procurement(spec, items, catalog, source).lines[0]
    assert line.unit_cost_krw == round(2_400_000 * 1380.0 * (45 / 60) ** 0.75)
    assert line.extended_cost_krw == 2 * line.unit_cost_krw


def test_units_convert_within_a_dimension(catalog):
    spec, source = load_spec()
    # Same transformer in kVA; a cable measured in km against an entry priced per metre;
    # a chiller in refrigeration tons against a kW entry.
    items = [
        E("a", "main-transformer", 60_000, "kVA", 1),
        E("b", "mv-cable", 22.9, "kV", 1.5, unit="km"),
        E("c", "chiller", 1000, "RT", 1, system="mechanical"),
    ]
    lines = {ln.line_id: ln for ln in run_procurement(spec, items, catalog, source).lines}
    assert lines["a"].unit_cost_krw == round(2_400_000 * 1380.0)
    assert lines["b"].unit_cost_krw == 150_000 * 1000  # per km
    assert lines["b"].extended_cost_krw == 225_000_000
    assert lines["c"].catalog_id == "chiller-centrifugal"
    assert lines["c"].unit_cost_krw == round(450_000 * 1380.0 * (3517 / 3517) ** 0.85)


def test_named_catalog_entry_wins(catalog):
    spec, source = load_spec()
    items = [E("bess", "bess-container", 3.84, "MWh", 3, system="energy", catalog_id="samsung-sdi-sbb-1.0")]
    line = run_procurement(spec, items, catalog, source).lines[0]
    assert line.catalog_id == "samsung-sdi-sbb-1.0"
    assert line.domestic_vendors == ("samsung-sdi",)


def test_no_price_is_an_error_at_the_spec_key(catalog):
    spec, source = load_spec()
    items = [
        E("busway", "busway", 500, "mm2", 10, path=("hall", 0, "row_busway_kw")),
        E("bess", "bess-container", 5, "MWh", 1, catalog_id="no-such-box", path=("campus",)),
        E("pcs", "bess-pcs", 5, "MWh", 1, catalog_id="bess-pcs"),
        E("rack", "gpu-rack", 132, "kW", 1, catalog_id="samsung-sdi-sbb-1.5"),
    ]
    p = run_procurement(spec, items, catalog, source)
    codes = {d.message.split(":")[0]: d for d in p.diagnostics if d.code != "HUB623"}
    assert codes["busway"].code == "HUB620"
    assert codes["busway"].severity is Severity.ERROR
    assert source.line_text(codes["busway"].location.line).startswith("row_busway_kw")
    assert "busway-lv-a" in codes["busway"].help
    assert codes["bess"].code == "HUB621" and "no-such-box" in codes["bess"].message
    assert codes["pcs"].code == "HUB621" and "MWh" in codes["pcs"].message
    assert codes["rack"].code == "HUB621" and "bess-container" in codes["rack"].message
    assert p.lines == ()


def test_rating_outside_every_range_warns(catalog):
    spec, source = load_spec()
    items = [E("tiny", "main-transformer", 2, "MVA", 1, area="ss-main")]
    p = run_procurement(spec, items, catalog, source)
    warn = [d for d in p.diagnostics if d.code == "HUB622"]
    assert len(warn) == 1 and warn[0].severity is Severity.WARNING
    assert p.lines[0].catalog_id == "main-transformer-154kv"


def test_phase_split_follows_the_rule(proc):
    lines = {ln.line_id: ln for ln in proc.lines}
    # hall-a: 2 of its 4 copies per phase -> half each
    assert lines["hall-a/cdu"].phases == (("phase-1", 20.0, 10_350_000_000), ("phase-2", 20.0, 10_350_000_000))
    # ss-main and the line are energized in phase-1, with the substation's incomers
    assert [p for p, q, _ in lines["ss-main/main-transformer"].phases if q] == ["phase-1"]
    assert [p for p, q, _ in lines["tl-haenam-154/line"].phases if q] == ["phase-1"]
    assert [p for p, q, _ in lines["ss-main/mv-switchgear"].phases if q] == ["phase-1"]
    # gensets follow the IT load: each phase energizes 2 of the 4 equal halls, so 25 of 50 each;
    # cooling-plant items of the campus ("campus/dry-cooler") are not load-following families
    gen = lines["campus/generator"]
    assert [(p, q) for p, q, _ in gen.phases] == [("phase-1", 25.0), ("phase-2", 25.0)]
    assert sum(c for _, _, c in gen.phases) == gen.extended_cost_krw
    assert [p for p, q, _ in lines["campus/dry-cooler"].phases if q] == ["phase-1"]


def test_generator_bays_follow_the_load_and_incomers_the_substation(catalog):
    spec, source = load_spec()
    items = [
        E("ss-main/mv-switchgear-generator-630a", "mv-switchgear", 630, "A", 51, area="ss-main"),
        E("ss-main/mv-switchgear-incomer-1600a", "mv-switchgear", 1600, "A", 4, area="ss-main"),
    ]
    lines = {ln.line_id: ln for ln in run_procurement(spec, items, catalog, source).lines}
    # 51 bays over two equal halves: phase-1 gets round(25.5) = 26 (cumulative rounding), phase-2 51 - 26
    assert [(p, q) for p, q, _ in lines["ss-main/mv-switchgear-generator-630a"].phases] == [
        ("phase-1", 26.0),
        ("phase-2", 25.0),
    ]
    assert [(p, q) for p, q, _ in lines["ss-main/mv-switchgear-incomer-1600a"].phases] == [("phase-1", 4.0)]


def test_uneven_copies_split_into_whole_units(catalog):
    def three_phases(text):
        return text.replace(
            'halls = [{ hall = "hall-a", copies = 2 }]\nenergize', 'halls = [{ hall = "hall-a", copies = 1 }]\nenergize'
        ).replace(
            'id = "phase-2"\nyear = 2028\nhalls = [{ hall = "hall-a", copies = 2 }]',
            'id = "phase-2"\nyear = 2028\nhalls = [{ hall = "hall-a", copies = 2 }]\n\n'
            '[[phase]]\nid = "phase-3"\nyear = 2029\nhalls = [{ hall = "hall-a", copies = 1 }]',
        )

    spec, source = load_spec(edit=three_phases)
    assert [p.id for p in spec.phase] == ["phase-1", "phase-2", "phase-3"]
    items = [E("cdu", "cdu", 2500, "kW", 10, area="hall-a", system="mechanical")]
    line = run_procurement(spec, items, catalog, source).lines[0]
    # 10 units over copies 1:2:1 -> 2.5, 5, 2.5 -> whole units by cumulative rounding
    assert [q for _, q, _ in line.phases] == [3.0, 5.0, 2.0]
    assert sum(c for _, _, c in line.phases) == line.extended_cost_krw


def test_copies_no_phase_energizes_are_unphased(catalog):
    spec, source = load_spec(
        edit=lambda t: t.replace(
            'id = "phase-2"\nyear = 2028\nhalls = [{ hall = "hall-a", copies = 2 }]',
            'id = "phase-2"\nyear = 2028\nhalls = [{ hall = "hall-a", copies = 1 }]',
        )
    )
    items = [E("cdu", "cdu", 2500, "kW", 8, area="hall-a", system="mechanical")]
    p = run_procurement(spec, items, catalog, source)
    assert [ph.id for ph in p.phases] == ["phase-1", "phase-2", "unphased"]
    assert [q for _, q, _ in p.lines[0].phases] == [4.0, 2.0, 2.0]


def test_spec_without_phases_is_one_phase(catalog):
    spec, source = load_spec(edit=lambda t: t[: t.index("[[phase]]")])
    p = run_procurement(spec, plant_equipment(), catalog, source)
    assert [(ph.id, ph.year) for ph in p.phases] == [("build", 2027)]
    assert p.capex_by_phase() == {"build": p.total_krw}


def _with_policy(share: float, enforcement: str):
    def edit(text):
        return text.replace(
            "min_domestic_share = 0.30",
            f'min_domestic_share = {share}\ndomestic_share_enforcement = "{enforcement}"',
        )

    return load_spec(edit=edit)


def test_domestic_share_only_counts_domestic_lines(proc):
    domestic = sum(ln.extended_cost_krw for ln in proc.lines if ln.origin == "domestic")
    assert proc.domestic_krw == domestic
    assert proc.domestic_share == pytest.approx(domestic / proc.total_krw)
    assert 0 < proc.domestic_share < 0.30  # GPU racks dominate and are imported


def test_domestic_share_below_minimum_warns_or_errors(catalog):
    items = plant_equipment()  # no GPU racks: domestic share is higher
    for enforcement, severity in (("warn", Severity.WARNING), ("error", Severity.ERROR)):
        spec, source = _with_policy(0.95, enforcement)
        p = run_procurement(spec, items, catalog, source)
        d = [d for d in p.diagnostics if d.code == "HUB623"]
        assert len(d) == 1 and d[0].severity is severity
        assert source.line_text(d[0].location.line).startswith("min_domestic_share")
        assert f"{p.domestic_share:.1%}" in d[0].message


def test_domestic_share_at_or_above_minimum_is_quiet(catalog):
    spec, source = _with_policy(0.05, "error")
    p = run_procurement(spec, plant_equipment(), catalog, source)
    assert p.domestic_share > 0.05
    assert [d.code for d in p.diagnostics] == []


def test_design_json_data_is_plain_and_deterministic(proc):
    from hubc.design_json import unstructure

    a = json.dumps(unstructure(proc), sort_keys=True, ensure_ascii=False)
    b = json.dumps(unstructure(procurement()), sort_keys=True, ensure_ascii=False)
    assert a == b
    data = json.loads(a)
    assert data["total_krw"] == proc.total_krw
    assert len(data["lines"]) == len(proc.lines)
    assert {c["family"] for c in data["suppliers"]} == set(FAMILIES)


def test_facility_scope_leaves_owner_furnished_racks_out(catalog):
    from hubc.procurement.bom import OWNER_FURNISHED_SYSTEMS

    spec, source = load_spec(edit=lambda t: t.replace('domestic_share_scope = "all"', 'domestic_share_scope = "facility"'))
    p = procurement(spec, source, catalog=catalog)
    in_scope = [ln for ln in p.lines if ln.system not in OWNER_FURNISHED_SYSTEMS]
    assert p.share_scope == "facility"
    assert p.share_base_krw == sum(ln.extended_cost_krw for ln in in_scope) < p.total_krw
    domestic = sum(ln.extended_cost_krw for ln in in_scope if ln.origin == "domestic")
    assert p.domestic_share == pytest.approx(domestic / p.share_base_krw)
    whole = sum(ln.extended_cost_krw for ln in p.lines if ln.origin == "domestic") / p.total_krw
    assert p.domestic_share > whole  # imported GPU racks no longer dominate the share
