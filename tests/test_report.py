"""report.html as an investor reads it: the headline figures read from the design (IT MW, GPUs,
capex in KRW and USD in total, per MW IT and per GPU, hourly CFE, domestic share with and
without IT, first energisation, long-lead items), every drawing one click from its file and
zoomable, a CJK font stack and print styles, and user strings escaped."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

SPECS = Path(__file__).parent.parent / "specs"


@pytest.fixture(scope="module")
def html(built_100mw):
    return built_100mw.plan["report.html"].decode("utf-8")


def _figure(html: str, label: str) -> tuple[str, str]:
    """(value, note) of a headline figure."""
    m = re.search(rf'<div class="k">{re.escape(label)}</div><div class="v">([^<]*)</div>(?:<div class="n">([^<]*)</div>)?', html)
    assert m, label
    return m[1], m[2] or ""


def test_headline_figures(built_100mw, html):
    proc, summary = built_100mw.design.procurement, built_100mw.design.summary
    assert _figure(html, "IT capacity")[0] == "98.7 MW IT"  # 224 racks x 4 copies ... = 98,688 kW
    assert summary.it_kw == pytest.approx(98688)
    assert _figure(html, "GPUs") == ("50,688", "896 racks")  # 704 NVL72 racks x 72 GPUs
    # the complete capex: equipment, installation, building, civil, land, soft costs, grid, contingency
    krw, rate = proc.capex.total_krw, 1380.0  # the example's campus.krw_per_usd (default)
    assert krw == sum(proc.capex.by_part().values()) > proc.total_krw
    value, note = _figure(html, "Capex (estimate)")
    assert value == f"{krw / 1e9:,.1f} bn KRW · USD {krw / rate / 1e6:,.1f} M"
    assert "installation, building, civil, land" in note and "1,380 KRW/USD" in note
    per_mw = krw / 98.688
    assert _figure(html, "Capex per MW IT")[0] == f"{per_mw / 1e9:,.1f} bn KRW · USD {per_mw / rate / 1e6:,.1f} M"
    per_gpu = krw / 50688
    assert _figure(html, "Capex per GPU")[0] == f"{per_gpu / 1e6:,.1f} M KRW · USD {per_gpu / rate / 1e3:,.1f} k"
    assert _figure(html, "Hourly CFE")[0] == f"{built_100mw.design.energy.cfe_score:.1%}"


def test_domestic_share_with_and_without_it(built_100mw, html):
    lines = built_100mw.design.procurement.lines
    total = sum(ln.extended_cost_krw for ln in lines)
    domestic = sum(ln.extended_cost_krw for ln in lines if ln.origin == "domestic")
    facility = [ln for ln in lines if ln.system not in ("it", "network")]
    fac_total = sum(ln.extended_cost_krw for ln in facility)
    fac_domestic = sum(ln.extended_cost_krw for ln in facility if ln.origin == "domestic")
    value, _ = _figure(html, "Domestic share")
    assert value == f"{domestic / total:.1%} with IT · {fac_domestic / fac_total:.1%} without IT"
    assert fac_domestic / fac_total > domestic / total  # IT is imported: the share rises without it


def test_schedule_figures(html):
    assert _figure(html, "First energisation") == ("2027-12-01 (phase-1)", "2 phase(s), last in 2028 (phase-2)")
    value, note = _figure(html, "Schedule risks: orders already late")
    # the 154 kV line (156 weeks, no installation time) for phase-1 energizing 2027-12-01 was due
    # 1,092 days before, on 2024-12-04: 726 days before the example's as-of date 2026-11-30
    assert value.startswith("tl-haenam-154/line for phase-1: order by 2024-12-04, 726 days late; ss-main/main-transformer")
    assert note.endswith("as of 2026-11-30")


def test_drawings_are_one_click_away_and_zoomable(built_100mw, html):
    plan = built_100mw.plan
    drawings = [k for k in plan if k.endswith(".svg") and (k == "sld.svg" or k.startswith(("sld/", "floorplans/")))]
    assert {"sld.svg", "sld/hall-a.svg", "floorplans/hall-a.svg"} <= set(drawings)
    for key in drawings:
        assert f'<a href="{key}">open full size: {key}</a>' in html
    # each view embeds its file as it is, and a checkbox label zooms it to full size
    images = re.findall(r'<label for="(zoom-[a-z]+-\d+)"><img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    embedded = {base64.b64decode(data) for _, data in images}
    assert {plan[k] for k in drawings} <= embedded
    for zid, _ in images:
        assert f'<input type="checkbox" id="{zid}"' in html
    assert ".zoom input:checked + label img { width: auto; max-width: none; }" in html
    for href in re.findall(r'<a href="([^"]+)"', html):
        assert href in plan, href  # every link opens a file of the build


def test_fonts_and_print_styles(html):
    body = re.search(r"body \{ margin: 0; font: 14px/1\.45 ([^;]+);", html)[1]
    for font in ('"Noto Sans CJK KR"', '"Malgun Gothic"', '"Apple SD Gothic Neo"', "sans-serif"):
        assert font in body
    assert "@page { size: A4 portrait;" in html and "@page drawing { size: A3 landscape;" in html
    assert "break-after: avoid" in html and "break-inside: avoid" in html
    # no drawing is inlined as shrunken SVG text any more: every drawing is an image
    assert "<svg" not in html.split('<section id="floorplans"', 1)[1].split("</section>", 1)[0]


def test_report_escapes_user_strings(tmp_path):
    from hubc.pipeline import build_spec, check_spec

    text = (SPECS / "pilot-10mw.toml").read_text("utf-8")
    text = text.replace('name = "Pangyo GB200 Pilot"', 'name = "<script>alert(1)</script> 판교 & \\"co\\""')
    spec = tmp_path / "pilot.toml"
    spec.write_text(text, "utf-8")
    html = build_spec(check_spec(spec)).plan["report.html"].decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 판교 &amp; &#34;co&#34;" in html
