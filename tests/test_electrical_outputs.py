"""Determinism, the single-line diagram and the DOT topology."""

from __future__ import annotations

import json

from bench.rowloads import spread_rows
from hubc.design_json import unstructure
from hubc.electrical.stage import run_electrical
from hubc.emit.sld import emit_sld
from hubc.spec.convert import structure
from hubc.spec.source import load_path


def _gb200():
    doc, _ = load_path("specs/gb200-100mw.toml")
    spec, _ = structure(doc)
    return spec, doc.source


def test_same_spec_same_bytes():
    spec, src = _gb200()
    a = run_electrical(spec, spread_rows(spec), src)
    b = run_electrical(spec, spread_rows(spec), src)
    ja, jb = json.dumps(unstructure(a), sort_keys=True), json.dumps(unstructure(b), sort_keys=True)
    assert ja == jb
    assert emit_sld(a, spec) == emit_sld(b, spec)
    assert a.equipment() == b.equipment()


def test_cpsat_never_worse_than_greedy_and_reports_bounds():
    spec, src = _gb200()
    res = run_electrical(spec, spread_rows(spec), src)
    assert res.installed.ups_kw <= res.greedy.ups_kw
    assert res.installed.transformer_kva <= res.greedy.transformer_kva
    assert res.installed.mv_feeders <= res.greedy.mv_feeders
    j = unstructure(res)["assignment"]
    for s in [s for h in j["halls"] for s in h["stats"]] + j["stats"]:
        assert s["status"] in ("OPTIMAL", "FEASIBLE")
        assert s["bound"] <= s["objective"] + 1e-6
        assert 0 <= s["gap"] <= 1
        assert s["objective"] <= s["greedy_objective"] + 1e-6


def test_design_json_records_scenarios_and_decisions():
    spec, src = _gb200()
    rows = spread_rows(spec)
    j = unstructure(run_electrical(spec, rows, src))
    ver = j["verification"]
    kinds = {s["kind"] for s in ver["scenarios"]}
    assert {"normal", "ups-system", "unit-substation", "mv-feeder", "busway", "main-transformer", "generator", "transmission", "bus-section"} <= kinds
    assert all(s["worst_after_failure_loading"] >= s["normal_loading"] for s in j["bus_sections"])
    assert all(s["ok"] for s in ver["scenarios"]) and ver["scenario_count"] == len(ver["scenarios"])
    assert ver["worst"]["worst_loading"] <= 1.0
    decisions = j["sizing"]["decisions"] + j["assignment_decisions"]
    assert all({"item", "rule", "inputs", "result"} <= set(d) for d in decisions)
    # every row's A and B feed is recorded, on different blocks of the row's own hall
    feeds = j["assignment"]["halls"][0]["cords"]
    loaded = {f"hall-a.row-{r.row:02d}" for r in rows["hall-a"] if r.it_kw > 0}
    assert len(loaded) >= 22
    assert {f["item"] for f in feeds if ".row-" in f["item"]} == loaded
    assert all(f["a"] != f["b"] and f["a"].startswith("hall-a.") for f in feeds)
