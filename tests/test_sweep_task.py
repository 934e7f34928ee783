"""The task a Dask worker runs, called directly: one variant's check + build in a forked child,
with its time limit, failures recorded as outcomes (never raised)."""

import os
import signal

import pytest

from hubc import __version__
from hubc.sweep import task
from hubc.sweep.task import Job, run_variant
from tests.conftest import SPECS

PILOT = (SPECS / "pilot-10mw.toml").read_text("utf-8")


def job(text=PILOT, files=(), limit=120.0, version=__version__):
    return Job(digest="d" * 64, name="pilot-10mw.toml", text=text, files=files, time_limit_s=limit,
               hubc_version=version)


def test_a_variant_builds_and_reports_its_headline_figures():
    out = run_variant(job())
    assert (out.status, out.exit_code) == ("ok", 0)
    f = out.figures
    assert f["it_mw"] == pytest.approx(8.988) and f["racks"] == 82 and f["gpus"] == 8 * 8 * 72
    assert f["capex_krw"] > 0 and f["capex_krw_per_mw"] == pytest.approx(f["capex_krw"] / 8.988, rel=1e-6)
    assert 0 < f["domestic_share"] < 1 and f["cfe_hourly"] == 0.0  # the pilot has no renewables
    # the finance stage's figures: TCO is the complete capex plus the present value of the opex
    assert f["opex_krw_year1"] > 0 and f["lcoe_krw_per_mwh"] > 0 and f["tco_krw"] > f["capex_krw"]
    assert f["ups_mw"] > 0 and f["transformer_mva"] > 0
    assert {"design.json", "report.html", "hubc.lock"} <= set(out.plan)
    # HUB761: the climate station (a note); HUB758: the pilot's one paralleling group is its only
    # standby source (a note below Tier IV: beyond its design basis); HUB764: its power-factor
    # correction (a note: PF 0.947 -> 0.954 with one 300 kvar bank)
    assert [d.code for d in out.diagnostics] == ["HUB418", "HUB761", "HUB304", "HUB758", "HUB764"]
    assert all(d.location.file == "pilot-10mw.toml" for d in out.diagnostics)


def test_a_spec_error_is_an_outcome_at_its_line():
    out = run_variant(job(PILOT.replace('topology = "2N"', 'topology = "3N"')))
    assert (out.status, out.exit_code, out.plan) == ("error", 1, {})
    (err,) = [d for d in out.diagnostics if d.severity.value == "error"]
    assert err.code == "HUB309" and str(err.location) == "pilot-10mw.toml:94:12"


def test_a_variant_over_its_time_limit_is_stopped():
    out = run_variant(job(limit=0.05))
    assert (out.status, out.exit_code) == ("timeout", 3)
    assert [d.code for d in out.diagnostics] == ["HUB960"] and out.build_s < 5


def test_a_bug_in_the_build_is_recorded_with_its_traceback(monkeypatch):
    def broken(checked, progress=None):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("hubc.pipeline.build_spec", broken)  # the forked child inherits it
    out = run_variant(job())
    assert (out.status, out.exit_code) == ("crashed", 1)
    (d,) = out.diagnostics
    assert d.code == "HUB961" and "ZeroDivisionError: a bug" in d.message
    assert any("in broken" in n for n in d.notes)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the build runs in a forked child only on POSIX")
def test_a_build_process_that_dies_costs_one_variant(monkeypatch):
    monkeypatch.setattr("hubc.pipeline.build_spec", lambda checked, progress=None: os.kill(os.getpid(), signal.SIGKILL))
    out = run_variant(job())
    assert out.status == "crashed" and "killed by SIGKILL (out of memory?)" in out.diagnostics[0].message


def test_a_worker_with_another_hubc_version_refuses():
    out = run_variant(job(version="0.0.1"))
    assert out.status == "crashed" and out.diagnostics[0].code == "HUB962"


def test_files_the_spec_names_are_written_beside_it():
    text = PILOT + '\n[energy]\nprofile_csv = "profiles/util.csv"\n'
    csv = ("utilisation\n" + "0.5\n" * 8760).encode()
    out = run_variant(job(text, files=(("profiles/util.csv", csv),)))
    assert out.status == "ok", out.diagnostics
    # Half the utilisation of the flat default (0.85 in the catalog-less pilot): less grid energy.
    flat = run_variant(job())
    assert out.figures["grid_import_mwh"] < flat.figures["grid_import_mwh"]
    missing = run_variant(job(text))
    assert missing.status == "error" and missing.diagnostics[0].location.file == "pilot-10mw.toml"


def test_the_thread_fallback_checks_the_limit_between_stages(tmp_path):
    checked = task.check_variant(job(), tmp_path)
    with pytest.raises(task._TimeUp):
        task.build_checked(job(), checked, tmp_path, deadline=0.0)
