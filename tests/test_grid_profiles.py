"""Grid profiles (catalog grid-profiles.toml) and waivers over every warning family.

Hand-checked: a 69 kV supply is standard under ANSI C84.1 and not under KEPCO, whose nearest
supply voltages (22.9, 154, 345 kV) the hint names; a 13.8 kV supply is not an IEC 60038 50 Hz
voltage (nearest 6.6, 11, 22 kV); the profile's frequency reaches the network.
"""

from __future__ import annotations

import pytest

from hubc.pipeline import build_spec, check_spec
from tests.conftest import SPECS

PILOT = (SPECS / "pilot-10mw.toml").read_text("utf-8")
GB200 = (SPECS / "gb200-100mw.toml").read_text("utf-8")


def _checked(tmp_path, text, name="campus.toml"):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return check_spec(path)


def _at_69kv(code: str | None) -> str:
    """The 100 MW example supplied at 69 kV (line, substation HV) under the grid code `code`."""
    text = GB200.replace("interconnect_voltage_kv = 154", "interconnect_voltage_kv = 69")
    text = text.replace("hv_voltage_kv = 154", "hv_voltage_kv = 69").replace("voltage_kv = 154\n", "voltage_kv = 69\n")
    if code is not None:
        text = text.replace("[grid]\n", f'[grid]\ncode = "{code}"\n')
    return text


def test_69kv_supply_is_standard_under_ansi_and_an_error_under_kepco(tmp_path):
    kepco = _checked(tmp_path, _at_69kv(None))
    hub303 = [d for d in kepco.diagnostics if d.code == "HUB303"]
    supply = next(d for d in hub303 if d.key_path == "grid.interconnect_voltage_kv")
    assert supply.severity.value == "error"
    assert "69 kV is not a standard supply voltage" in supply.message
    # |69 - 22.9| = 46.1, |154 - 69| = 85, |345 - 69| = 276: the three nearest KEPCO voltages.
    assert "nearest standard kepco supply voltages: 22.9, 154, 345 kV" in supply.help
    # The line and the substation HV side at the same voltage are not reported twice.
    assert len(hub303) == 1
    ansi = _checked(tmp_path, _at_69kv("ansi-60hz"))
    # Under ANSI C84.1 69 kV is standard and the 135 MW contract is transmission service (50-400 MW
    # at 69-230 kV); no impact assessment applies (KEPCO's). Only the campus MV is flagged: 22.9 kV
    # is no ANSI medium voltage, nearest 22.86, 23, 24.94 kV.
    (mv,) = [d for d in ansi.diagnostics if d.code in ("HUB303", "HUB304", "HUB312")]
    assert mv.key_path == "electrical.mv_voltage_kv"
    assert "nearest standard ansi-60hz medium voltages: 22.86, 23, 24.94 kV" in mv.help


def test_iec_profile_names_its_nearest_voltages(tmp_path):
    text = PILOT.replace("[grid]\n", '[grid]\ncode = "iec-50hz"\n').replace("22.9", "13.8")
    text = text.replace('topology = "2N"', 'topology = "2N"\nmv_voltage_kv = 13.8')
    checked = _checked(tmp_path, text)
    found = {(d.code, d.key_path): d for d in checked.diagnostics}
    supply = found["HUB303", "grid.interconnect_voltage_kv"]
    # 13.8 kV is series II (60 Hz) in IEC 60038 Table 3; |11 - 13.8| = 2.8, |6.6 - 13.8| = 7.2, |22 - 13.8| = 8.2.
    assert "nearest standard iec-50hz supply voltages: 6.6, 11, 22 kV" in supply.help
    mv = found["HUB303", "electrical.mv_voltage_kv"]
    # |15 - 13.8| = 1.2, |11 - 13.8| = 2.8, |10 - 13.8| = 3.8.
    assert "nearest standard iec-50hz medium voltages: 10, 11, 15 kV" in mv.help


def test_unknown_grid_code(tmp_path):
    checked = _checked(tmp_path, PILOT.replace("[grid]\n", '[grid]\ncode = "nema"\n'))
    (d,) = [d for d in checked.diagnostics if d.code == "HUB312"]
    assert "ansi-60hz, iec-50hz, kepco" in d.help


def test_a_catalog_file_adds_a_profile(tmp_path):
    (tmp_path / "tnb.toml").write_text(
        """
[[grid_profile]]
id = "tnb"
name = "Malaysia: TNB supply code"
frequency_hz = 50
frequency_source = "Malaysian Grid Code 2017 (50 Hz)"
voltages_kv = [11, 22, 33, 132, 275, 500]
voltages_source = "Malaysian Grid Code 2017"
mv_voltages_kv = [11, 22, 33]
mv_voltages_source = "Malaysian Distribution Code 2017"
checks = ["supply-band"]
tag = "S"
""",
        "utf-8",
    )
    text = PILOT.replace("[grid]\n", '[grid]\ncode = "tnb"\n') + '\n[catalog]\nfiles = ["tnb.toml"]\n'
    checked = _checked(tmp_path, text)
    # supply-band without bands is an inconsistent profile: HUB611 at its table, not merged.
    assert sorted(d.code for d in checked.diagnostics if d.code in ("HUB611", "HUB312")) == ["HUB312", "HUB611"]
    (tmp_path / "tnb.toml").write_text((tmp_path / "tnb.toml").read_text().replace('checks = ["supply-band"]', "checks = []"))
    checked = _checked(tmp_path, text)
    assert checked.catalog.grids["tnb"].frequency_hz == 50
    # The energy stage's interconnect sizing reads the same merged profiles.
    assert checked.catalog.energy.grids["tnb"] is checked.catalog.grids["tnb"]
    # 22.9 kV is no TNB voltage: nearest 11, 22, 33 kV.
    d = next(d for d in checked.diagnostics if d.code == "HUB303" and d.key_path == "grid.interconnect_voltage_kv")
    assert "11, 22, 33 kV" in d.help


# ------------------------------------------------------------------- waivers per family

# The pilot under the ANSI profile at 13.8 kV with a finding of each warning family:
#   refs HUB104 (an unused rack type), power HUB303 (13.8 kV below the 10-50 MW band's 24.94 kV),
#   phases HUB503 (a phase before the start year), energy_stage HUB415 (the band again, at the
#   interconnect sizing), electrical HUB736 (IT 8,988 kW x 1.12 = 10.1 MW, below the UPS load
#   plus heat rejection at 0.13 kW/kW, 10.3 MW),
#   cooling HUB762 (design PUE 1.12 below the plant's), procurement HUB623 (domestic share 99 %).
WAIVED = {
    "HUB104": "rack_type[3]",
    "HUB303": "grid",
    "HUB503": "phase[0]",
    "HUB415": "grid.interconnect_voltage_kv",
    "HUB736": "*",
    "HUB762": "policy",
    "HUB623": "*",
}


def _every_family() -> str:
    text = PILOT.replace("design_pue = 1.30", "design_pue = 1.12").replace("min_domestic_share = 0.20", "min_domestic_share = 0.99")
    text = text.replace("[grid]\n", '[grid]\ncode = "ansi-60hz"\n').replace("22.9", "13.8")
    text = text.replace('topology = "2N"', 'topology = "2N"\nmv_voltage_kv = 13.8')
    # the pilot's one phase moved before the campus start year (HUB503)
    assert 'id = "build"\nyear = 2028' in text
    text = text.replace('id = "build"\nyear = 2028', 'id = "build"\nyear = 2026')
    return text + """
[[rack_type]]
id = "spare-rack"
role = "storage"
power_kw = 10
"""


@pytest.fixture(scope="module")
def family_builds(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("waive")
    plain = _every_family()
    waivers = "".join(f'\n[[waive]]\ncode = "{c}"\ntarget = "{t}"\nreason = "accepted"\n' for c, t in WAIVED.items())
    # A waiver of a build-stage code that nothing emits: judged after the build, not by the check.
    stale = '\n[[waive]]\ncode = "HUB416"\nreason = "stale"\n'
    out = {}
    for name, text in (("plain", plain), ("waived", plain + waivers + stale)):
        path = tmp / f"{name}.toml"
        path.write_text(text, "utf-8")
        checked = check_spec(path)
        out[name] = (checked, build_spec(checked))
    return out


def test_each_family_fires_without_waivers(family_builds):
    from hubc.codes import registry

    _, built = family_builds["plain"]
    codes = {d.code for d in built.diagnostics}
    assert set(WAIVED) <= codes
    assert {registry()[c].domain for c in WAIVED} == {"refs", "power", "phases", "energy_stage", "electrical", "cooling", "procurement"}


def test_a_waiver_silences_its_code_in_every_family(family_builds):
    checked, built = family_builds["waived"]
    assert not set(WAIVED) & {d.code for d in built.diagnostics}
    # The check sees the check-time findings (HUB104, HUB303, HUB503) and leaves the build's
    # waivers (HUB415 ... HUB623, and the stale HUB416) for the build.
    assert checked.waived == 3 and not [d for d in checked.diagnostics if d.code == "HUB802"]
    assert len(checked.pending_waivers) == 5
    (stale,) = [d for d in built.diagnostics if d.code == "HUB802"]
    assert "HUB416" in stale.message


def test_profile_frequency_reaches_the_network(family_builds):
    _, built = family_builds["plain"]
    assert built.design.electrical.network.f_hz == 60
    assert built.design.energy.interconnect.grid_code == "ansi-60hz"


# ------------------------------------------------------------------- bus schemes, HV chain


@pytest.mark.parametrize(
    ("scheme", "circuits", "expected"),
    [
        ("single", 6, 6),  # one breaker per circuit
        ("sectionalised", 6, 7),  # plus the bus-section breaker
        ("double-bus", 6, 7),  # plus the bus coupler
        ("breaker-and-a-half", 4, 6),  # 2 diameters x 3 = 1.5 per circuit
        ("breaker-and-a-half", 5, 9),  # an odd circuit still takes a whole diameter
        ("ring", 5, 5),  # one per circuit
    ],
)
def test_breakers_per_bus_scheme(scheme, circuits, expected):
    from hubc.electrical.hv_scheme import breakers

    assert breakers(scheme, circuits)[0] == expected


MESA = (SPECS / "mesa-ansi-50mw.toml").read_text("utf-8")


def test_two_stage_chain_is_sized_by_scheme():
    from hubc.electrical.hv_scheme import size_hv_scheme
    from tests.test_energy_stage import spec_of

    spec, _ = spec_of(MESA)
    hv = size_hv_scheme(spec)
    # 230 kV breaker-and-a-half: 2 line circuits + 2 HV/HV transformer bays = 4 circuits, 6 breakers;
    # 69 kV ring: 2 HV/HV transformers + 3 main transformers = 5 circuits, 5 breakers.
    assert [(b.voltage_kv, b.scheme, b.circuits, b.breakers) for b in hv.buses] == [
        (230, "breaker-and-a-half", 4, 6),
        (69, "ring", 5, 5),
    ]
    assert hv.breakers == 11 and hv.frequency_hz == 60 and hv.grid_code == "ansi-60hz"


def test_hv_stage_checks(tmp_path):
    bad = MESA.replace("voltage_kv = 69\ntransformer_mva = 100", "voltage_kv = 66\ntransformer_mva = 40")
    checked = _checked(tmp_path, bad)
    found = {(d.code, d.key_path) for d in checked.diagnostics}
    # 66 kV is no ANSI voltage (|69 - 66| = 3, |46 - 66| = 20, |34.5 - 66| = 31.5, |115 - 66| = 49:
    # nearest 34.5, 46, 69 kV); two 40 MVA units N+1 leave 40 MVA for
    # the 49.3 MW x 1.40 / 0.95 = 72.7 MVA peak.
    assert ("HUB303", "substation.hv_stage.voltage_kv") in found
    assert ("HUB302", "substation.hv_stage.transformer_mva") in found
    d = next(d for d in checked.diagnostics if d.code == "HUB303")
    assert "34.5, 46, 69 kV" in d.help


def test_the_ansi_example_studies_its_hv_hv_transformers(example_outputs):
    import json

    design = json.loads(example_outputs["mesa-ansi-50mw"]["design.json"])
    net = design["electrical"]["network"]
    assert net["f_hz"] == 60
    hvhv = [t for t in net["transformers"] if t["role"] == "hv-hv"]
    assert [(t["vn_hv_kv"], t["vn_lv_kv"], t["sn_mva"]) for t in hvhv] == [(230, 69, 100)] * 2
    # The main transformers hang below the 69 kV stage.
    assert {(t["vn_hv_kv"], t["vn_lv_kv"]) for t in net["transformers"] if t["role"] == "main"} == {(69, 34.5)}
    # Each HV/HV transformer lost: the other carries the campus (N+1), nothing is lost.
    scenarios = {s["id"]: s for s in design["electrical"]["studies"]["scenarios"]}
    for t in hvhv:
        s = scenarios[f"{t['unit']}/fails"]
        assert s["lost_kw"] == 0 and s["ok"]
    iec = json.loads(example_outputs["johor-iec-50mw"]["design.json"])
    assert iec["electrical"]["network"]["f_hz"] == 50
    assert iec["cooling"]["wue_l_per_kwh"] > 1.5
