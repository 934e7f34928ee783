"""Critical-load ride-through: UPS autonomy against generator start, and a ride-through BESS."""

from __future__ import annotations

import pytest

from hubc.design_json import unstructure
from hubc.diagnostics import HubcError
from hubc.electrical.sizing import size_electrical
from hubc.electrical.stage import run_electrical
from hubc.spec.convert import structure
from hubc.spec.source import load_text
from tests.electrical_fixtures import BASE, rows

FILL = {"topology": "2N", "tier": 3, "rows": 4, "busway": 1000, "block": 1000, "module": 500, "bpc": 2, "genred": "N+1", "name": "Pilot"}


def _spec(autonomy: float = 5.0, bess: str = ""):
    text = BASE.format(**FILL).replace("generator_kw = 2000", f"ups_autonomy_min = {autonomy}\ngenerator_kw = 2000") + bess
    doc, diags = load_text("pilot.toml", text.encode())
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, [str(d) for d in diags]
    return spec, doc.source


def _decision(sz):
    return next(unstructure(d) for d in sz.decisions if d.item == "critical-ride-through")


LOADS = rows("hall-1", [400, 400, 400, 400])  # 1.6 MW UPS load (air-cooled: no CDUs)


def test_ups_bridges_generator_start():
    # 5 min = 300 s of battery against the catalog's 10 s start-and-accept: 30x margin
    spec, src = _spec(5.0)
    sz = size_electrical(spec, LOADS, src)
    d = _decision(sz)
    assert d["inputs"]["critical_kw"] == 1600
    assert d["result"]["ups_bridge_s"] == 300
    assert d["result"]["ups_margin_over_generator_start"] == pytest.approx(30.0)
    assert d["result"]["ups_bridges_generator_start"] == "yes"
    assert "bess" not in d["inputs"]
    assert not [x for x in sz.diagnostics if x.code in ("HUB745", "HUB746")]


def test_ups_shorter_than_generator_start_is_an_error():
    # 0.1 min = 6 s < 10 s: the load drops on every outage
    spec, src = _spec(0.1)
    with pytest.raises(HubcError) as exc:
        run_electrical(spec, LOADS, src)
    d = next(x for x in exc.value.diagnostics if x.code == "HUB745")
    assert "6 s" in d.message and "10 s" in d.message
    assert d.location.line > 0


BESS = """
[bess]
id = "bess-1"
roles = ["ride-through"]
power_mw = {power}
ride_through_min = 15
"""


def test_bess_power_below_critical_load_warns():
    # 1.2 MW of PCS for a 1.6 MW UPS load
    spec, src = _spec(5.0, BESS.format(power="1.2"))
    res = run_electrical(spec, LOADS, src)
    d = _decision(res.sizing)
    assert d["inputs"]["bess_power_mw"] == 1.2
    assert d["result"]["bess_power_check"] == "below the critical load"
    assert d["result"]["bridge_total_s"] == 300 + 15 * 60
    w = [x for x in res.diagnostics if x.code == "HUB746"]
    assert len(w) == 1 and "1.6 MW" in w[0].message and w[0].severity.value == "warning"


def test_bess_power_enough_and_auto():
    spec, src = _spec(5.0, BESS.format(power="2"))
    sz = size_electrical(spec, LOADS, src)
    assert _decision(sz)["result"]["bess_power_check"] == "carries the critical load"
    assert not [x for x in sz.diagnostics if x.code == "HUB746"]
    spec, src = _spec(5.0, BESS.format(power='"auto"'))
    sz = size_electrical(spec, LOADS, src)
    d = _decision(sz)
    assert d["inputs"]["bess_power_mw"] == "auto"
    assert d["result"]["bess_power_check"] == "sized by the energy stage"
    assert "energy stage" in d["result"]["bess_note"]
    # a BESS without the ride-through role is not on the critical path
    spec, src = _spec(5.0, BESS.format(power="1").replace('["ride-through"]', '["firming"]'))
    d = _decision(size_electrical(spec, LOADS, src))
    assert "bess" not in d["inputs"]
