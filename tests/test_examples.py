"""The example campuses pass `hubc check`, and their headline figures are what the specs say."""

import pytest

from hubc.core.summary import summarise
from hubc.diagnostics import Severity
from hubc.pipeline import check_spec
from tests.conftest import SPECS

EXAMPLES = sorted(SPECS.glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_passes_check(path):
    checked = check_spec(path)
    assert checked.ok
    assert not [d for d in checked.diagnostics if d.severity is Severity.ERROR]


def test_example_scales():
    it_mw = {p.stem: summarise(check_spec(p).spec).it_kw / 1000 for p in EXAMPLES}
    assert 8 <= it_mw["pilot-10mw"] <= 10
    assert 95 <= it_mw["gb200-100mw"] <= 105
    assert 950 <= it_mw["campus-1gw"] <= 1050


def test_1gw_campus_has_renewables_bess_and_phases():
    spec = check_spec(SPECS / "campus-1gw.toml").spec
    assert len(spec.renewable) >= 2 and spec.bess is not None and len(spec.phase) >= 2
    assert spec.grid.interconnect_voltage_kv == 345


def test_100mw_summary_figures():
    s = summarise(check_spec(SPECS / "gb200-100mw.toml").spec)
    # 4 halls x (22 SU x (8 x 132 + 2 x 30) + 4 x 30) kW
    assert s.it_kw == pytest.approx(4 * (22 * (8 * 132 + 2 * 30) + 4 * 30))
    assert s.facility_peak_kw == pytest.approx(s.it_kw * 1.25)
    assert s.gpus == 4 * 22 * 8 * 72
