"""Fuzzing in the tests (issue 12): the mutations of bench/fuzz.py, a few at a time, plus
targeted properties — NaN, infinities and huge numbers in every numeric field of the model,
deep nesting of every kind, odd ids and strings, duplicated and deleted tables, files named by
the spec, and (slow) builds of mutated pilot specs. bench/fuzz.py runs thousands."""

from __future__ import annotations

import copy
import random
import tomllib

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import fuzz
from hubc.pipeline import check_spec
from hubc.spec.limits import limits
from hubc.spec.model import KEBAB
from hubc.spec.source import load_text

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    return fuzz.Sandbox(tmp_path_factory.mktemp("fuzz"))


def _check(box, doc_or_raw, name="campus.toml"):
    raw = doc_or_raw if isinstance(doc_or_raw, bytes) else tomli_w.dumps(doc_or_raw).encode()
    box.spec.write_bytes(raw)
    return fuzz.run_check(box.spec, name)


# --------------------------------------------------------------- every numeric field


def _with_every_table():
    """campus-1gw (BESS, renewables, phases) with the optional keys the examples leave out, so
    the model walk reaches every numeric field."""
    doc = tomllib.loads(fuzz.EXAMPLES["campus-1gw.toml"])
    doc["hall"][0]["floor_loading_kg_per_m2"] = 2000
    doc["phase"][0]["halls"][0]["copies"] = 1
    doc["finance"] = {"horizon_years": 20, "discount_rate": 0.07, "escalation": 0.01, "rent_krw_per_kw_month": 150000}
    return doc


def test_the_walk_reaches_every_numeric_field_of_the_model():
    from tests.test_limits import _numeric_fields

    reached = {(f.path[-1]) for f in fuzz.model_fields(_with_every_table()) if f.numeric}
    assert {a.name for _, a in _numeric_fields()} <= reached


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**309, -(2**63) - 1, 1e308])
def test_every_numeric_field_refuses_numbers_that_are_no_quantity(box, value):
    doc = _with_every_table()
    fields = [f for f in fuzz.model_fields(doc) if f.numeric and not f.is_tuple]
    if value == 1e308:
        # Finite: the range check runs once the spec structured, so integer fields keep theirs;
        # the BESS ratios are ranged by a semantic check (HUB401), which needs a clean structure.
        fields = [f for f in fields if f.numeric == "float" and "checked_by" not in f.attr.metadata]
    for f in fields:
        fuzz.set_path(doc, f.path, value)
    checked = _check(box, doc)
    by_path = {}
    for d in checked.diagnostics:
        by_path.setdefault(d.path, []).append(d.code)
    for f in fields:
        # An integer field given a float is a type error (HUB005); everything else HUB006.
        expected = {"HUB006"} if f.numeric == "float" or isinstance(value, int) else {"HUB005", "HUB006"}
        codes = by_path.get(f.path)
        assert codes and set(codes) <= expected, (fuzz._fmt(f.path), codes)
    assert checked.spec is None


# ------------------------------------------------------------------ random mutations


@FUZZ
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_specs_never_traceback(box, seed):
    verdict, name, _raw, done = fuzz.one_case(random.Random(seed), box, build=False, timeout=60)
    assert verdict.kind == "ok", f"{name}: {done}\n{verdict.detail}"


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_pilot_specs_build_or_fail_with_a_diagnostic(box, seed):
    """Whatever passes `check` builds (exit 0) or stops with exit 1/3 and an error diagnostic;
    never a traceback (bench/fuzz.py --build runs hundreds)."""
    verdict, _name, _raw, done = fuzz.one_case(random.Random(seed), box, build=True, timeout=600)
    assert verdict.kind == "ok", f"{done}\n{verdict.detail}"


# ---------------------------------------------------------------------- nesting


@FUZZ
@given(
    depth=st.integers(1, 3000),
    kind=st.sampled_from(fuzz.NESTING_KINDS),
    name=st.sampled_from(sorted(fuzz.EXAMPLES)),
)
def test_nesting_of_any_depth_is_a_diagnostic(depth, kind, name):
    # Before the first table: at the top level of the document.
    text = fuzz.EXAMPLES[name].replace("[campus]", fuzz.nesting_snippet(kind, depth) + "\n\n[campus]", 1)
    doc, diags = load_text(name, text.encode())
    too_deep = depth * (2 if kind == "mixed" else 1) > limits().max_nesting_depth
    if too_deep:
        assert [d.code for d in diags] == ["HUB011"]
    else:
        assert doc is not None


# ---------------------------------------------------------------- ids and strings


@FUZZ
@given(data=st.data(), value=st.text(max_size=300) | st.sampled_from(fuzz.ODD_STRINGS))
def test_any_id_or_string_is_checked_without_a_traceback(box, data, value):
    doc = tomllib.loads(fuzz.EXAMPLES[fuzz.PILOT])
    fields = [f for f in fuzz.model_fields(doc) if str in f.members and not f.is_tuple]
    f = data.draw(st.sampled_from(fields))
    fuzz.set_path(doc, f.path, value)
    checked = _check(box, doc)
    if f.attr.metadata.get("id") and (len(value) > limits().id_max_chars or not KEBAB.fullmatch(value)):
        assert ("HUB103", f.path) in {(d.code, d.path) for d in checked.diagnostics}


# ------------------------------------------------------------- tables deleted, doubled


def _tables(doc):
    return [p for p in fuzz.all_paths(doc) if isinstance(fuzz._get(doc, p), dict)]


@pytest.mark.parametrize("name", sorted(fuzz.EXAMPLES))
def test_every_table_deleted_or_duplicated_gives_diagnostics(box, name):
    base = tomllib.loads(fuzz.EXAMPLES[name])
    for path in _tables(base):
        doc = copy.deepcopy(base)
        del fuzz._parent(doc, path)[path[-1]]
        _check(box, doc)  # never a traceback; a required table gone is HUB004
        doc = copy.deepcopy(base)
        parent = fuzz._parent(doc, path)
        if isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
            checked = _check(box, doc)
            if "id" in parent[-1]:
                assert "HUB101" in {d.code for d in checked.diagnostics}, fuzz._fmt(path)


# ------------------------------------------------------------------ files it names


@pytest.mark.parametrize("ref", fuzz.FILE_REFS)
@pytest.mark.parametrize("where", ["catalog", "energy", "renewable"])
def test_any_file_reference_is_a_diagnostic_or_a_confined_read(box, ref, where):
    doc = tomllib.loads(fuzz.EXAMPLES[fuzz.PILOT])
    if where == "catalog":
        doc["catalog"] = {"files": [ref]}
    elif where == "energy":
        doc.setdefault("energy", {})["profile_csv"] = ref
    else:
        doc["renewable"] = [{"id": "pv", "kind": "solar", "capacity_mw": 5.0, "capacity_factor": 0.14, "profile_csv": ref}]
    checked = _check(box, doc)
    codes = {d.code for d in checked.diagnostics}
    outside = ref.startswith(("/", "..")) or ref == "link-out"
    if outside:
        assert "HUB013" in codes, codes
    if ref in ("fifo", "dir", "."):
        assert "HUB014" in codes, codes
    if ref.startswith("huge"):
        assert "HUB012" in codes, codes


def test_a_spec_that_is_a_fifo_or_dev_zero_does_not_hang(box):
    checked = check_spec("/dev/zero")
    assert [d.code for d in checked.diagnostics] == ["HUB012"]
