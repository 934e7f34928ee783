"""Complete capex, cash flow by phase and year, and the procurement schedule, hand-computed on the
procurement test campus (tests/data/procurement/campus.toml: hall-a, 4 copies of 12 rows x 3 m
by 24 slots x 0.6 m, two phases of 2 copies each energizing in January 2027 and 2028, 154 kV with
2 circuits, contract 135 MW, Haenam)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from hubc.catalog import shipped_catalog
from hubc.catalog.pricing import round_won
from hubc.diagnostics import Severity
from hubc.emit.bom import emit_bom
from hubc.procurement import run_procurement
from hubc.procurement.capex import split_won
from tests.proc_helpers import DATA, E, load_spec, plant_equipment, procurement


def _items():
    return [
        E("hall-a/ups-module", "ups-module", 1250, "kW", 8, area="hall-a"),
        E("campus/generator", "generator", 3000, "kW", 4, area="campus"),
    ]


def _run(edit=None, items=None, path=None):
    spec, source = load_spec(edit=edit) if path is None else load_spec(path)
    return run_procurement(spec, items if items is not None else _items(), shipped_catalog().equipment, source)


@pytest.fixture(scope="module")
def tiny():
    # land at 100,000 KRW per m2 instead of the region's default
    return _run(edit=lambda t: t.replace("as_of = 2023-06-01", "as_of = 2023-06-01\nland_krw_per_m2 = 100000"))


def _item(proc, item_id):
    return next(i for i in proc.capex.items if i.id == item_id)


def test_floor_areas_by_hand(tiny):
    a = tiny.capex.areas
    # one copy: (12 rows x 3 m + 2 x 2.4 m side aisles) x (24 slots x 0.6 m + 2 x 3 m end aisles) = 40.8 x 20.4
    assert a.white_space_m2 == pytest.approx(4 * 40.8 * 20.4)  # 3,329.28 m2
    assert dict(a.white_by_phase) == pytest.approx({"phase-1": 2 * 832.32, "phase-2": 2 * 832.32})
    # 8 UPS modules of 1,250 kW at 6 m2 each (the reference rating); 4 gensets of 3,000 kW at 60 m2 in the yard
    assert a.plant_space_m2 == pytest.approx(48.0)
    assert a.yard_m2 == pytest.approx(240.0)
    assert a.support_space_m2 == pytest.approx(0.25 * (3329.28 + 48.0))  # 844.32
    assert a.building_footprint_m2 == pytest.approx((3329.28 + 48.0 + 844.32) / 2)  # 2,110.8 on two storeys
    assert a.site_m2 == pytest.approx((2110.8 + 240.0) / 0.40)  # 5,877 m2 at 40% coverage


def test_capex_parts_by_hand(tiny):
    c = tiny.capex
    lines = {ln.line_id: ln for ln in tiny.lines}
    ups, gen = lines["hall-a/ups-module"], lines["campus/generator"]
    assert _item(tiny, "building/white-space").cost_krw == round_won(3329.28 * 9_000_000)
    assert _item(tiny, "building/plant-space").cost_krw == 48 * 5_500_000
    assert _item(tiny, "building/support-space").cost_krw == round_won(844.32 * 3_800_000)
    assert _item(tiny, "civil/site").cost_krw == 5877 * 150_000
    assert _item(tiny, "civil/yards").cost_krw == 240 * 700_000
    land = _item(tiny, "land")
    assert land.cost_krw == 5877 * 100_000 and not land.estimate and land.basis.startswith("spec")
    # installation: 0.8 of the UPS modules and 0.35 of the gensets, rounded per phase (two equal halves)
    half_ups, half_gen = ups.extended_cost_krw // 2, gen.extended_cost_krw // 2
    assert _item(tiny, "installation/ups-module").cost_krw == 2 * round_won(0.8 * half_ups)
    assert _item(tiny, "installation/generator").cost_krw == 2 * round_won(0.35 * half_gen)
    # studies: 135 MW >= 10 MW (전력계통영향평가 300 M), a site under 150,000 m2 (small-scale review
    # 120 M), permits 400 M, geotechnical survey 150 M
    studies = [i for i in c.items if i.part == "soft" and i.id != "soft/design"]
    assert {i.id: i.cost_krw for i in studies} == {
        "soft/grid-impact-assessment": 300_000_000,
        "soft/small-environmental-review": 120_000_000,
        "soft/building-permit": 400_000_000,
        "soft/geotechnical-survey": 150_000_000,
    }
    # KEPCO: 154 kV is charged per circuit at the utility substation, 2 x 6 bn
    assert _item(tiny, "grid-connection").cost_krw == 12_000_000_000
    # design: 6% of the construction scope (equipment, installation, building, civil)
    construction = (
        ups.extended_cost_krw + gen.extended_cost_krw
        + _item(tiny, "installation/ups-module").cost_krw + _item(tiny, "installation/generator").cost_krw
        + sum(i.cost_krw for i in c.items if i.part in ("building", "civil"))
    )
    assert _item(tiny, "soft/design").cost_krw == pytest.approx(0.06 * construction, abs=2)
    # contingency: 10% of everything but land (no owner-furnished IT here)
    base = sum(i.cost_krw for i in c.items if i.part not in ("land", "contingency"))
    assert _item(tiny, "contingency").cost_krw == pytest.approx(0.10 * base, abs=2)
    assert c.total_krw == sum(i.cost_krw for i in c.items) == sum(c.by_part().values())
    assert c.total_usd == round(c.total_krw / 1380.0)
    assert c.per_mw_it_krw == round(c.total_krw / tiny.it_mw)
    assert c.per_gpu_krw == round(c.total_krw / tiny.gpus)
    for i in c.items:  # every item's phases add up to it
        assert sum(k for _, k in i.phases) == i.cost_krw, i.id


def test_region_default_land_and_site_override():
    proc = _run(edit=lambda t: t.replace("as_of = 2023-06-01", "as_of = 2023-06-01\nsite_area_m2 = 20000"))
    land = _item(proc, "land")
    # Haenam-gun, Jeollanam-do: the catalog's Jeollanam figure, 90,000 KRW per m2, on the spec's 20,000 m2
    assert land.cost_krw == 20_000 * 90_000 and land.estimate and 'region "Jeollanam"' in land.basis
    assert _item(proc, "civil/site").cost_krw == 20_000 * 150_000


def test_split_won_adds_up():
    assert split_won(100, [("a", 1.0), ("b", 1.0), ("c", 1.0)]) == (("a", 33), ("b", 34), ("c", 33))
    assert split_won(7, [("a", 0.0), ("b", 0.0)]) == (("a", 7), ("b", 0))


def test_cash_flow_sums_to_capex_by_phase_and_year(tiny):
    cash, c = tiny.cash_flow, tiny.capex
    assert cash.total_krw == c.total_krw == sum(cash.by_year().values())
    by_phase: dict[str, int] = {}
    for r in cash.rows:
        by_phase[r.phase] = by_phase.get(r.phase, 0) + r.krw
    assert by_phase == c.by_phase()


def test_equipment_milestones_by_hand():
    proc = _run(items=[E("hall-a/ups-module", "ups-module", 1250, "kW", 8, area="hall-a")])
    (line,) = proc.lines
    c1 = dict((p, k) for p, _, k in line.phases)["phase-1"]
    # phase-1 energizes 2027-01-01; UPS lead 26 weeks + 6 weeks installation: ordered by 2026-05-22
    # (10% then), delivered by 2026-11-20 (80%), commissioned 2027-01-01 (10%)
    eq = {(r.year, r.phase): r.krw for r in proc.cash_flow.rows if r.part == "equipment"}
    order = round_won(0.1 * c1)
    delivery = round_won(0.9 * c1) - order
    assert eq[(2026, "phase-1")] == order + delivery
    assert eq[(2027, "phase-1")] == c1 - order - delivery
    # land and studies are paid when phase-1's 78-week construction starts: 2027-01-01 - 546 days
    assert datetime.date(2027, 1, 1) - datetime.timedelta(days=546) == datetime.date(2025, 7, 4)
    land = [r for r in proc.cash_flow.rows if r.part == "land"]
    assert [(r.year, r.phase) for r in land] == [(2025, "phase-1")]


def test_order_by_dates_by_hand(tiny):
    rows = {(r.line_id, r.phase): r for r in tiny.schedule.rows}
    ups = rows[("hall-a/ups-module", "phase-1")]
    assert (ups.lead_weeks, ups.install_weeks) == (26, 6)
    assert ups.energize_on == "2027-01-01"
    assert ups.order_by == (datetime.date(2027, 1, 1) - datetime.timedelta(weeks=32)).isoformat() == "2026-05-22"
    assert ups.delivery_by == "2026-11-20"
    gen = rows[("campus/generator", "phase-2")]
    # gensets: 52 weeks lead + 8 weeks installation before 2028-01-01
    assert gen.order_by == "2026-11-07"
    assert tiny.schedule.late_lines == 0 and not [d for d in tiny.diagnostics if d.code == "HUB624"]


def test_phase_month_moves_the_dates():
    proc = _run(edit=lambda t: t.replace('id = "phase-1"\nyear = 2027', 'id = "phase-1"\nyear = 2027\nmonth = 7'))
    rows = {(r.line_id, r.phase): r for r in proc.schedule.rows}
    assert rows[("hall-a/ups-module", "phase-1")].order_by == "2026-11-19"  # 2027-07-01 - 224 days


def _marked_line(path, code):
    return next(i + 1 for i, line in enumerate(path.read_text("utf-8").splitlines()) if f"# <- {code}" in line)


def test_late_order_fixture_is_hub624_at_the_phase_year():
    path = DATA / "HUB624-late-order.toml"
    proc = _run(path=path)
    (d,) = [d for d in proc.diagnostics if d.code == "HUB624"]
    assert d.severity is Severity.WARNING
    assert d.location.line == _marked_line(path, "HUB624")
    # ups: order by 2026-05-22, 10 days before 2026-06-01; gensets: 2027-01-01 - 60 weeks = 2025-11-07, 206 days
    assert "2 BOM line(s)" in d.message and "campus/generator" in d.message
    assert "the latest, campus/generator, is 206 days late" in d.help
    assert any(n == "hall-a/ups-module: order by 2026-05-22, 10 days before 2026-06-01" for n in d.notes)
    assert proc.schedule.late_lines == 2


def test_late_orders_policy_error():
    path = DATA / "HUB624-late-order.toml"
    text = path.read_text("utf-8").replace("as_of = 2026-06-01", 'as_of = 2026-06-01\nlate_orders = "error"')
    proc = _run(edit=lambda _: text)
    (d,) = [d for d in proc.diagnostics if d.code == "HUB624"]
    assert d.severity is Severity.ERROR


def test_without_phases_the_start_year_energizes():
    def no_phases(text: str) -> str:
        return text[: text.index("[[phase]]")]

    proc = _run(edit=no_phases)
    (ph,) = proc.schedule.phases
    assert (ph.phase, ph.energize_on) == ("build", "2027-01-01")


# ------------------------------------------------------------------- per-phase BOM and files


@pytest.fixture(scope="module")
def full():
    return procurement()


def test_per_phase_quantities_and_costs_add_up_to_each_line(full):
    for line in full.lines:
        assert sum(q for _, q, _ in line.phases) == pytest.approx(line.quantity), line.line_id
        assert sum(c for _, _, c in line.phases) == line.extended_cost_krw, line.line_id


def test_bom_phases_csv_reads_back(full):
    files = emit_bom(full)
    rows = list(csv.DictReader(io.StringIO(files["bom-phases.csv"].decode("utf-8-sig"))))
    by_line: dict[str, list[dict]] = {}
    for r in rows:
        by_line.setdefault(r["Line id"], []).append(r)
    for line in full.lines:
        got = by_line[line.line_id]
        assert sum(float(r["Qty"]) for r in got) == pytest.approx(line.quantity)
        assert sum(int(r["Extended cost KRW"]) for r in got) == line.extended_cost_krw
    cash = list(csv.DictReader(io.StringIO(files["cashflow.csv"].decode("utf-8-sig"))))
    assert sum(int(r["KRW"]) for r in cash) == full.capex.total_krw
    capex = list(csv.DictReader(io.StringIO(files["capex.csv"].decode("utf-8-sig"))))
    assert int(capex[-1]["Cost KRW"]) == full.capex.total_krw
    assert sum(int(r["Cost KRW"]) for r in capex[:-1]) == full.capex.total_krw


def test_workbook_has_the_capex_sheets(full):
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(emit_bom(full)["bom.xlsx"]))
    cap = wb["Capex"]
    head = [c.value for c in cap[1]]
    total_row = [r for r in cap.iter_rows(min_row=2, values_only=True) if r[0] == "Total"]
    assert total_row[0][head.index("Cost KRW")] == full.capex.total_krw
    cash = wb["Cash flow"]
    krw = [c.value for c in cash[1]].index("KRW")
    assert sum(r[krw] for r in cash.iter_rows(min_row=2, values_only=True)) == full.capex.total_krw
    assert wb["Schedule"].max_row == len(full.schedule.rows) + 1


def test_plant_equipment_capex_includes_every_part(full):
    parts = set(full.capex.by_part())
    assert parts == {"equipment", "installation", "building", "civil", "land", "soft", "grid-connection", "contingency"}
    assert "Land" in full.capex.included and any("VAT" in x for x in full.capex.excluded)
    assert len(plant_equipment()) > 0
