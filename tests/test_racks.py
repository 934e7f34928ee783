"""Rack placement: valid specs place and verify, infeasible ones explain themselves at the
right key, results are deterministic, and CP-SAT never does worse than the greedy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubc.design_json import unstructure
from hubc.diagnostics import HubcError
from hubc.emit.floorplan import emit_floorplans
from hubc.racks import run_racks
from hubc.racks.placement import cable_of, greedy_ffd
from hubc.racks.problem import prepare
from hubc.racks.spine_search import lower_bounds
from hubc.racks.verify import verify_racks
from hubc.spec.convert import structure
from hubc.spec.source import load_text

ROOT = Path(__file__).resolve().parent.parent
PILOT = (ROOT / "specs" / "pilot-10mw.toml").read_text("utf-8")


def load(text: str, name: str = "pilot.toml"):
    doc, diags = load_text(name, text.encode("utf-8"))
    assert doc is not None, diags
    spec, diags = structure(doc)
    assert spec is not None, diags
    return spec, doc


def variant(**subs: str) -> str:
    """The pilot spec with hall keys replaced (key = new TOML value text)."""
    text = PILOT
    for key, value in subs.items():
        text, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1)
        assert n == 1, key
    return text


@pytest.fixture(scope="module")
def pilot():
    spec, doc = load(PILOT)
    return spec, doc, run_racks(spec, source=doc.source)


# ------------------------------------------------------------------------------ valid specs


@pytest.mark.parametrize("name", ["pilot-10mw.toml", "gb200-100mw.toml", "campus-1gw.toml"])
def test_examples_place_and_verify(name):
    text = (ROOT / "specs" / name).read_text("utf-8")
    spec, doc = load(text, name)
    layout = run_racks(spec, source=doc.source)
    assert verify_racks(layout, spec) == []
    for h, hall in zip(layout.halls, spec.hall):
        pods = sum(pc.count for pc in hall.pods)
        assert len({r.pod for r in h.racks if r.pod != "spine"}) == pods
        assert sum(1 for r in h.racks if r.pod == "spine") == sum(rc.count for rc in hall.spine)
        assert h.status in ("OPTIMAL", "FEASIBLE")
        assert h.best_bound <= h.objective
        # The model never does worse than its own warm start.
        if h.greedy is not None:
            assert h.solved.objective <= h.greedy.objective
        for row in h.rows_report:
            assert row.it_kw <= hall.row_busway_kw + 1e-9


def test_row_loads_match_racks(pilot):
    spec, _, layout = pilot
    loads = layout.row_loads()["pilot-hall"]
    assert len(loads) == spec.hall[0].rows
    racks = layout.halls[0].racks
    assert sum(r.it_kw for r in loads) == pytest.approx(sum(r.power_kw for r in racks))
    assert sum(r.racks for r in loads) == len(racks)


def test_equipment_counts(pilot):
    _, _, layout = pilot
    eq = {e.id: e for e in layout.equipment()}
    assert eq["pilot-hall/gb200-nvl72"].quantity == 64
    assert eq["pilot-hall/gb200-nvl72"].family == "gpu-rack"
    assert eq["pilot-hall/ib-spine"].family == "network-rack"
    assert "pilot-hall/cdu" not in eq  # CDUs are the cooling stage's (tests/test_cooling.py)
    # Busways are the electrical stage's (sized by current and run length), never counted twice.
    assert not any(e.family == "busway" for e in layout.equipment())


def test_cpsat_strictly_better_than_greedy_on_pilot(pilot):
    _, _, layout = pilot
    h = layout.halls[0]
    assert h.greedy is not None and h.solved.objective < h.greedy.objective


def test_spine_lower_bound_is_valid(pilot):
    spec, _, layout = pilot
    p = prepare(spec, 0)
    lbs = lower_bounds(p)
    g = greedy_ffd(p)
    # A bound for the greedy's spine position never exceeds the greedy's own cable.
    assert lbs[g.spine_window] <= cable_of(p, g)
    assert min(lbs) <= layout.halls[0].solved.cable_m * 100 + 1e-6


def test_deterministic_json_and_svg():
    spec, doc = load(PILOT)
    a = run_racks(spec, source=doc.source)
    b = run_racks(spec, source=doc.source)
    assert json.dumps(unstructure(a), sort_keys=True) == json.dumps(unstructure(b), sort_keys=True)
    assert emit_floorplans(a, spec) == emit_floorplans(b, spec)


def test_floorplan_svg_content(pilot):
    spec, _, layout = pilot
    files = emit_floorplans(layout, spec)
    assert list(files) == ["floorplans/pilot-hall.svg"]
    svg = files["floorplans/pilot-hall.svg"].decode()
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Legend" in svg and "keep-out" in svg and "spine racks (2)" in svg
    assert svg.count("busway (") == spec.hall[0].rows


def test_floorplan_escapes_user_text():
    spec, doc = load(PILOT.replace('reason = "building column"', 'reason = "<col & 1>"', 1))
    layout = run_racks(spec, source=doc.source)
    svg = emit_floorplans(layout, spec)["floorplans/pilot-hall.svg"].decode()
    assert "<col & 1>" not in svg and "&lt;col &amp; 1&gt;" in svg


def test_copies_and_identical_halls_solved_once():
    text = (ROOT / "specs" / "campus-1gw.toml").read_text("utf-8")
    spec, doc = load(text, "campus-1gw.toml")
    layout = run_racks(spec, source=doc.source)
    eq = {e.id: e for e in layout.equipment()}
    hall = spec.hall[0]
    per_copy = sum(pc.count for pc in hall.pods) * 8
    assert eq[f"{hall.id}/gb200-nvl72"].quantity == per_copy * hall.copies


# ---------------------------------------------------------------------------- infeasibility


INFEASIBLE = sorted((ROOT / "tests" / "cases" / "racks").glob("*.toml"))

# What each message must say, in the spec's terms (both sides of the conflict).
SAYS = {
    "HUB701": ("1,116.0 kW", "rated 1,100.0 kW"),
    "HUB702": ("844.8 kW", "CDU loop carries 800.0 kW"),
    "HUB703": ("271.2 kW", "250.0 kW of air cooling"),
    "HUB704": ("12,280 kg", "10,800 kg"),
    "HUB705": ("13 spine racks",),
    "HUB706": ("keep-outs",),
    "HUB707": ("needs 9", "at most 8"),
    "HUB708": ("row air cooling", "spine racks", "pods"),
}


@pytest.mark.parametrize("path", INFEASIBLE, ids=[p.stem for p in INFEASIBLE])
def test_infeasible_fixture_raises_its_code_at_its_line(path):
    raw = path.read_text("utf-8")
    code = re.match(r"# expect: (HUB\d{3})", raw).group(1)
    lines = [i for i, line in enumerate(raw.splitlines(), start=1) if f"# <- {code}" in line]
    spec, doc = load(raw, path.name)
    with pytest.raises(HubcError) as exc:
        run_racks(spec, source=doc.source)
    assert exc.value.exit_code == 3
    d = exc.value.diagnostics[0]
    assert [x.code for x in exc.value.diagnostics] == [code], [x.message for x in exc.value.diagnostics]
    assert d.location.file == path.name and d.location.line in lines, (d.location, lines)
    for words in SAYS[code]:
        assert words in d.message, d.message


def test_every_placement_code_has_a_fixture():
    covered = {p.name[:6] for p in INFEASIBLE}
    # HUB704 has no build fixture: HUB206 (rack footprint) and HUB209 (rack fits its slot) reach
    # every such spec first; test_hub206_pass_implies_no_hub704 shows why.
    assert {"HUB701", "HUB702", "HUB703", "HUB705", "HUB706", "HUB707", "HUB708"} <= covered


@pytest.mark.parametrize("path", INFEASIBLE, ids=[p.stem for p in INFEASIBLE])
def test_hubc_build_reports_the_fixture_code(path, tmp_path):
    # End to end: `hubc build` gets past `hubc check` and stops at placement with exit 3,
    # leaving no output behind.
    from click.testing import CliRunner

    from hubc.cli import main

    code = re.match(r"# expect: (HUB\d{3})", path.read_text("utf-8")).group(1)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "-q", "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 3, res.output
    assert [d["code"] for d in json.loads(res.output)["diagnostics"] if d["severity"] == "error"] == [code]
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("path", INFEASIBLE, ids=[p.stem for p in INFEASIBLE])
def test_infeasible_fixture_passes_the_spec_checks(path):
    # Each fixture reaches its placement code through `hubc build`: no HUB2xx/HUB3xx hall
    # total or power check rejects it first (warnings are fine).
    from hubc.checks import run_checks
    from hubc.diagnostics import Severity

    spec, doc = load(path.read_text("utf-8"), path.name)
    errors = [d for d in run_checks(spec, doc.source) if d.severity == Severity.ERROR]
    assert errors == [], [(d.code, d.message) for d in errors]


def test_solver_core_is_minimal():
    # The air limit conflicts with the pods and the spine; busway, CDU and floor do not take part.
    spec, doc = load(variant(air_kw_per_row="300"))
    with pytest.raises(HubcError) as exc:
        run_racks(spec, source=doc.source)
    labels = {label for _, label in exc.value.diagnostics[0].related}
    assert labels == {"row air cooling", "pod count", "spine racks"}


def test_build_refuses_a_layout_the_verifier_rejects(monkeypatch):
    from hubc import racks

    real = racks._extract

    def lossy(*args, **kwargs):
        h = real(*args, **kwargs)
        return attrs.evolve(h, racks=h.racks[1:])  # a rack goes missing

    monkeypatch.setattr(racks, "_extract", lossy)
    spec, doc = load(PILOT)
    with pytest.raises(HubcError) as exc:
        run_racks(spec, source=doc.source)
    assert exc.value.exit_code == 1
    assert {d.code for d in exc.value.diagnostics} & {"HUB714", "HUB719"}


def test_progress_reports_each_hall():
    spec, doc = load((ROOT / "specs" / "campus-1gw.toml").read_text("utf-8"), "campus-1gw.toml")
    seen: list[str] = []
    run_racks(spec, progress=seen.append, source=doc.source)
    assert any(m.startswith("[1/2] hall-gb200") for m in seen)
    assert any(m.startswith("[2/2] hall-gb300") and "gap" in m for m in seen)


# ------------------------------------------------------------------------------ the verifier


def _with_racks(layout, racks):
    h = layout.halls[0]
    return attrs.evolve(layout, halls=(attrs.evolve(h, racks=tuple(racks)),))


def _codes(layout, spec) -> set[str]:
    return {d.code for d in verify_racks(layout, spec)}


def test_verifier_accepts_valid(pilot):
    spec, _, layout = pilot
    assert verify_racks(layout, spec) == []


def test_verifier_slot_out_of_range(pilot):
    spec, _, layout = pilot
    racks = list(layout.halls[0].racks)
    racks[0] = attrs.evolve(racks[0], slot=13)
    assert "HUB710" in _codes(_with_racks(layout, racks), spec)


def test_verifier_keepout(pilot):
    spec, _, layout = pilot
    racks = list(layout.halls[0].racks)
    free = [r for r in racks if r.row == 4]
    i = racks.index(free[0])
    racks[i] = attrs.evolve(racks[i], slot=12)
    assert "HUB711" in _codes(_with_racks(layout, racks), spec)


def test_verifier_double_occupied(pilot):
    spec, _, layout = pilot
    racks = list(layout.halls[0].racks)
    racks[1] = attrs.evolve(racks[1], slot=racks[0].slot, row=racks[0].row)
    assert "HUB712" in _codes(_with_racks(layout, racks), spec)


def test_verifier_pod_not_contiguous(pilot):
    spec, _, layout = pilot
    racks = list(layout.halls[0].racks)
    pod_racks = [r for r in racks if r.pod.endswith("-1")]
    last = max(pod_racks, key=lambda r: r.slot)
    # Move the pod's last rack one row over, onto a slot nobody uses in this layout.
    used = {(r.row, r.slot) for r in racks}
    target = next((r, s) for r in range(1, 9) for s in range(1, 13) if (r, s) not in used and r != last.row and (r, s) not in {(4, 12), (5, 12)})
    racks[racks.index(last)] = attrs.evolve(last, row=target[0], slot=target[1])
    assert "HUB713" in _codes(_with_racks(layout, racks), spec)


def test_verifier_pod_missing(pilot):
    spec, _, layout = pilot
    racks = [r for r in layout.halls[0].racks if not r.pod.endswith("-1")]
    assert "HUB714" in _codes(_with_racks(layout, racks), spec)


def test_verifier_spine_missing(pilot):
    spec, _, layout = pilot
    racks = list(layout.halls[0].racks)
    racks.remove(next(r for r in racks if r.pod == "spine"))
    assert _codes(_with_racks(layout, racks), spec) == {"HUB719"}


def test_verifier_rack_load_mismatch(pilot):
    spec, _, layout = pilot
    racks = list(layout.halls[0].racks)
    racks[0] = attrs.evolve(racks[0], power_kw=racks[0].power_kw - 10)
    assert _codes(_with_racks(layout, racks), spec) == {"HUB720"}


@pytest.mark.parametrize(
    "subs, code",
    [
        ({"row_busway_kw": "1150"}, "HUB715"),  # the spine row carries 1,176 kW
        ({"air_kw_per_row": "300"}, "HUB717"),
        ({"cdu_kw": "800"}, "HUB716"),  # one pod rejects 845 kW to its row loop
        ({"floor_loading_kg_per_m2": "100"}, "HUB718"),
    ],
)
def test_verifier_row_limits(pilot, subs, code):
    # The valid layout checked against a spec with a tighter limit breaks exactly that rule.
    _, _, layout = pilot
    tight, _ = load(variant(**subs))
    assert _codes(layout, tight) == {code}


@pytest.mark.slow
def test_deterministic_across_processes(tmp_path):
    # Different hash seeds change set and dict-of-set iteration orders; the output must not.
    import hashlib
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, json, sys\n"
        "from hubc.spec.source import load_path\n"
        "from hubc.spec.convert import structure\n"
        "from hubc.racks import run_racks\n"
        "from hubc.design_json import unstructure\n"
        "from hubc.emit.floorplan import emit_floorplans\n"
        "doc, _ = load_path(sys.argv[1]); spec, _ = structure(doc)\n"
        "lay = run_racks(spec, source=doc.source)\n"
        "h = hashlib.sha256(json.dumps(unstructure(lay), sort_keys=True).encode())\n"
        "for k, v in sorted(emit_floorplans(lay, spec).items()): h.update(k.encode()); h.update(v)\n"
        "print(h.hexdigest())\n"
    )
    spec = ROOT / "bench" / "specs" / "campus-3gw.toml"
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", script, str(spec)], env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert hashlib.sha256(b"").hexdigest() not in digests


# Two pod lengths in 20-slot rows: first-fit decreasing puts both short, dense pods in row 1
# (busway allows it) and then cannot fit the second long pod; the model pairs one of each per row.
FRAGMENTING = variant(
    rows="2",
    slots_per_row="20",
    row_busway_kw="2500",
    pods='[{ pod = "dense-su", count = 2 }, { pod = "net-su", count = 2 }]',
    spine="[]",
    keepout="[]",
    cdu_kw="2000",
    air_kw_per_row="800",
).replace(
    "[[hall]]",
    '[[pod]]\nid = "dense-su"\nracks = [{ rack_type = "gb200-nvl72", count = 8 }]\n\n'
    '[[pod]]\nid = "net-su"\nracks = [{ rack_type = "ib-leaf", count = 12 }]\n\n[[hall]]',
    1,
)


def test_model_places_what_the_greedy_cannot():
    spec, doc = load(FRAGMENTING)
    assert greedy_ffd(prepare(spec, 0)) is None
    layout = run_racks(spec, source=doc.source)
    assert layout.halls[0].greedy is None
    assert verify_racks(layout, spec) == []


def test_no_solution_within_the_limit_is_exit_3():
    from hubc.racks.model import SolveParams

    spec, doc = load(FRAGMENTING)
    with pytest.raises(HubcError) as exc:
        run_racks(spec, source=doc.source, params=SolveParams(deterministic_time=0.0))
    assert exc.value.exit_code == 3
    assert [d.code for d in exc.value.diagnostics] == ["HUB709"]


def test_cpsat_strictly_better_than_greedy_on_1gw():
    spec, doc = load((ROOT / "specs" / "campus-1gw.toml").read_text("utf-8"), "campus-1gw.toml")
    layout = run_racks(spec, source=doc.source)
    solved = sum(h.solved.objective * h.copies for h in layout.halls)
    greedy = sum(h.greedy.objective * h.copies for h in layout.halls)
    assert solved < greedy
    assert all(h.gap <= 0.01 for h in layout.halls)


# ------------------------------------------- HUB704: the spec checks reach a dense floor first


def _floor_codes(text: str) -> tuple[set[str], set[str]]:
    """(codes of the spec checks, codes of the placement's row-level checks) for one spec."""
    from hubc.checks import run_checks
    from hubc.racks.explain import Locator, cheap_checks

    spec, doc = load(text)
    checks = {d.code for d in run_checks(spec, doc.source)}
    placement = {d.code for i in range(len(spec.hall)) for d in cheap_checks(prepare(spec, i), Locator(doc.source))}
    return checks, placement


def test_dense_floor_is_caught_by_hub206_before_hub704():
    # A 12,280 kg pod on a 12 x 0.6 m x 3 m row strip needs 569 kg/m²; at 500 kg/m² the row
    # check (HUB704) would fire, but each 1,360 kg rack already loads its own 0.72 m² footprint
    # at 1,889 kg/m², and `hubc check` (HUB206) stops the build before placement runs.
    checks, placement = _floor_codes(variant(floor_loading_kg_per_m2="500"))
    assert "HUB206" in checks
    assert "HUB704" in placement


@settings(max_examples=40, deadline=None)
@given(
    weight=st.integers(300, 4000),
    width=st.sampled_from([600, 800]),
    depth=st.sampled_from([1070, 1200, 1400]),
    extra_slot=st.integers(0, 200),
    aisle=st.integers(600, 2400),
    rating=st.integers(200, 6000),
)
def test_hub206_pass_implies_no_hub704(weight, width, depth, extra_slot, aisle, rating):
    # With racks no wider than their slot and no deeper than the row pitch, a pod's weight in a
    # row is at most rating x (sum of its footprints) <= rating x row strip: whenever every rack
    # type passes HUB206, HUB704 cannot fire. (Leaf and spine racks: 700 kg on 600 x 1200 mm.)
    text = PILOT.replace("weight_kg = 1360", f"weight_kg = {weight}\nwidth_mm = {width}\ndepth_mm = {depth}", 1)
    text = text.replace(
        "row_pitch_mm = 3000",
        f"row_pitch_mm = {max(depth, 1200) + aisle}\nslot_width_mm = {width + extra_slot}",
        1,
    )
    text = re.sub(r"(?m)^floor_loading_kg_per_m2 = .*$", f"floor_loading_kg_per_m2 = {rating}", text, count=1)
    checks, placement = _floor_codes(text)
    if "HUB206" not in checks:
        assert "HUB704" not in placement


# ------------------------------------------------ HUB709: no placement within the search limit

# A 3-partition hall: 12 rows of 45 slots and 36 leaf-rack pods of 12-21 racks whose lengths
# tile every row exactly (three pods per row; e.g. 13 + 16 + 16, 12 + 12 + 21). Only exact
# tilings fit, so first-fit decreasing strands a pod, and CP-SAT needs a real search.
TILING_COUNTS = {12: 9, 13: 6, 14: 2, 15: 5, 16: 4, 17: 1, 18: 4, 19: 3, 20: 1, 21: 1}
TILING = variant(
    contract_mw="25",
    rows="12",
    slots_per_row="45",
    row_busway_kw="1500",
    floor_loading_kg_per_m2="2000",
    pods="[" + ", ".join(f'{{ pod = "leaf-{n}", count = {c} }}' for n, c in TILING_COUNTS.items()) + "]",
    spine="[]",
    keepout="[]",
    air_kw_per_row="1500",
).replace(
    "[[hall]]",
    "".join(f'[[pod]]\nid = "leaf-{n}"\nracks = [{{ rack_type = "ib-leaf", count = {n} }}]\n\n' for n in TILING_COUNTS)
    + "[[hall]]",
    1,
)


def test_tiling_hall_is_tight_and_the_greedy_fails():
    spec, _ = load(TILING)
    p = prepare(spec, 0)
    assert sum(k.length * k.count for k in p.kinds) == p.rows * p.slots  # every slot used
    assert greedy_ffd(p) is None


def test_hub709_when_the_budget_is_too_small_for_a_hard_hall():
    from hubc.racks.model import SolveParams

    spec, doc = load(TILING)
    with pytest.raises(HubcError) as exc:
        run_racks(spec, source=doc.source, params=SolveParams(deterministic_time=0.1))
    assert exc.value.exit_code == 3
    d = exc.value.diagnostics[0]
    assert [x.code for x in exc.value.diagnostics] == ["HUB709"]
    assert "0.1 deterministic s" in d.message and "greedy placement failed" in d.message
    assert d.location.line == TILING.splitlines().index(next(ln for ln in TILING.splitlines() if ln.startswith("pods = "))) + 1


def test_the_same_hard_hall_places_with_a_larger_budget():
    # What HUB709 says is true: the hall is feasible, the search limit was the problem.
    from hubc.racks.model import SolveParams

    spec, doc = load(TILING)
    layout = run_racks(spec, source=doc.source, params=SolveParams(deterministic_time=5.0))
    assert verify_racks(layout, spec) == []
    assert all(r.racks == 45 for r in layout.halls[0].rows_report)


# ----------------------------------------------------- spine-position search on a 48 x 48 hall


@pytest.mark.slow
def test_48x48_hall_prunes_positions_soundly(monkeypatch):
    import hubc.racks.spine_search as ss
    from hubc.racks.model import SolveParams
    from hubc.racks.placement import spread_weight

    text = (ROOT / "bench" / "specs" / "hall-48x48.toml").read_text("utf-8")
    spec, doc = load(text, "hall-48x48.toml")
    calls = []
    real = ss.solve_hall
    monkeypatch.setattr(ss, "solve_hall", lambda *a, **k: calls.append(1) or real(*a, **k))
    layout = run_racks(spec, source=doc.source)
    h = layout.halls[0]
    assert verify_racks(layout, spec) == []
    assert h.status == "OPTIMAL" and h.gap <= 0.001 and h.best_bound <= h.objective
    # Positions whose cable bound cannot beat the incumbent's cable are not solved one by one
    # for the row-spread tie-break (68 positions tie on cable here; 33 were solved before).
    assert len(calls) <= 3
    # The bound stays valid: any other spine position, solved on its own, costs at least it.
    p = prepare(spec, 0)
    lbs = lower_bounds(p)
    chosen = next(r for r in h.racks if r.pod == "spine")
    others = sorted(
        (i for i, w in enumerate(p.spine_windows) if (w.rows[0], w.start) != (chosen.row, chosen.slot)),
        key=lambda i: (lbs[i], i),
    )
    solved = 0
    for i in others[:2] + others[len(others) // 2 : len(others) // 2 + 1]:
        q = attrs.evolve(p, spine_windows=(p.spine_windows[i],))
        out = real(q, greedy_ffd(q), SolveParams(deterministic_time=2.0))
        if out.placement is None:
            assert out.status == "INFEASIBLE"
            continue
        assert out.objective >= h.best_bound
        assert lbs[i] * spread_weight(p) <= out.objective  # the combinatorial bound is valid too
        solved += 1
    assert solved >= 2


# ------------------------------------------------------------------------- row power evenness


def test_1gw_rows_are_even_and_the_spare_rows_are_not_imbalance():
    from hubc.racks.placement import spare_rows

    spec, doc = load((ROOT / "specs" / "campus-1gw.toml").read_text("utf-8"), "campus-1gw.toml")
    layout = run_racks(spec, source=doc.source)
    for h, hall in zip(layout.halls, spec.hall):
        p = prepare(spec, h.hall_index)
        assert spare_rows(p) == 2  # 22 one-row pods in 24 rows: two rows hold no pod
        pod_kw = {r.row: 0.0 for r in h.rows_report}
        for rk in h.racks:
            if rk.pod != "spine":
                pod_kw[rk.row] += rk.power_kw
        spine_rows = {rk.row for rk in h.racks if rk.pod == "spine"}
        no_pod = sorted(r for r, kw in pod_kw.items() if kw == 0)
        assert len(no_pod) == 2 and spine_rows <= set(no_pod)  # the spine has a row of its own
        empty = [r for r in no_pod if r not in spine_rows]
        assert empty and all(r in (1, hall.rows) for r in empty)  # the spare row at a hall end
        assert len({kw for kw in pod_kw.values() if kw}) == 1  # every pod row carries the same
        # ... so the evenness term reads 0 (it read the peak row, 1,116 kW, before the spare
        # rows were left out: a constant no placement could change).
        assert h.solved.spread_kw == 0


EVEN = variant(
    rows="4",
    slots_per_row="24",
    row_busway_kw="2500",
    pods='[{ pod = "gb200-su", count = 3 }]',
    spine="[]",
    keepout="[]",
    cdu_kw="2500",
    air_kw_per_row="800",
)


def test_without_cable_the_spread_spreads_pods_over_rows():
    # No spine, so cable is 0 for every placement and evenness decides alone. Two pods fit a row
    # (24 slots, 2,500 kW), but three pods in four rows go one per row; the fourth row is spare.
    spec, doc = load(EVEN)
    layout = run_racks(spec, source=doc.source)
    h = layout.halls[0]
    per_row = sorted(len({rk.pod for rk in h.racks if rk.row == r}) for r in range(1, 5))
    assert per_row == [0, 1, 1, 1]
    assert h.solved.spread_kw == 0 and h.status == "OPTIMAL"


def test_the_spread_counts_an_empty_row_the_pods_could_fill():
    # Four pods in four rows: no row is spare, so stacking two pods in a row (leaving one empty)
    # is imbalance, and the optimum puts one pod in each row.
    spec, doc = load(EVEN.replace('count = 3 }', 'count = 4 }'))
    layout = run_racks(spec, source=doc.source)
    h = layout.halls[0]
    assert all(r.racks == 10 for r in h.rows_report)
    assert h.solved.spread_kw == 0
    # And a placement that stacks them is charged its full peak.
    from hubc.racks.placement import Placement, spread_of

    p = prepare(spec, 0)
    stacked = [i for i, w in enumerate(p.windows) if (w.rows, w.start) in {((1,), 1), ((1,), 11), ((2,), 1), ((3,), 1)}]
    assert spread_of(p, Placement(pod_windows=tuple(stacked), spine_window=None)) == 2 * 1116


# ------------------------------------------------- the spine's own row load in the position bound


def test_spine_bound_keeps_the_spine_row_free_when_its_load_leaves_no_room_for_a_pod():
    # 9 rows of 12 slots, one 10-rack SU per row at most. Air per SU row: 8 x 132 kW x 0.2 +
    # 2 x 30 kW = 271.2 kW <= 300; with the spine's 2 x 30 kW beside it 331.2 kW > 300, so the
    # spine's row holds no SU and the 8 SUs take the other 8 rows, each at its cheapest start.
    spec, doc = load(variant(rows="9", air_kw_per_row="300"))
    p = prepare(spec, 0)
    lbs = lower_bounds(p)
    slot, pitch, rise = p.slot_cm, p.pitch_cm, p.rise_cm
    for i, v in enumerate(p.spine_windows):
        sr, sx = v.rows[0], v.start
        spine_cols = (sx, sx + 1)
        expect = 0
        for r in range(1, 10):
            if r == sr:
                continue
            starts = [w.start for w in p.windows if w.rows == (r,)]
            # leaves at start+8 and start+9, each cabled to both spine racks
            expect += min(
                sum(abs(start + d - c) * slot + abs(r - sr) * pitch + rise for d in (8, 9) for c in spine_cols)
                for start in starts
            )
        assert lbs[i] == expect, (sr, sx)
    layout = run_racks(spec, source=doc.source)
    h = layout.halls[0]
    assert h.status == "OPTIMAL"
    assert h.solved.cable_m * 100 == min(lbs)
    assert not [r for r in h.racks if r.pod != "spine" and r.row == next(x.row for x in h.racks if x.pod == "spine")]


def test_1gw_module_a_cable_is_proved_at_the_first_spine_position(monkeypatch):
    # Module A of the 1 GW bench campus (28 rows, 21 SUs, 2 spine racks of 20 kW air): the air
    # limit (180 kW a row, 4 x 17 + 20 = 88 kW per SU half) leaves the spine's row pair one SU,
    # and with that in the bound the least bound over the 412 spine windows equals the cable
    # of the first position solved: one CP-SAT solve proves the hall (101 solves and a 4.9 %
    # gap when the bound let the spine's pair hold two SUs).
    import hubc.racks.spine_search as ss
    from hubc.racks.placement import spread_weight

    text = (ROOT / "bench" / "specs" / "campus-gb200-1gw.toml").read_text("utf-8")
    spec, _ = load(text, "campus-gb200-1gw.toml")
    p = prepare(spec, 0)
    assert p.hall_id == "hall-a21"
    calls = []
    real = ss.solve_hall
    monkeypatch.setattr(ss, "solve_hall", lambda *a, **k: calls.append(1) or real(*a, **k))
    out = ss.solve_by_spine(p, greedy_ffd(p), ss.SolveParams(deterministic_time=5.0))
    assert len(calls) == 1
    assert out.status == "OPTIMAL"
    w = spread_weight(p)
    assert out.objective // w == cable_of(p, out.placement) == min(lower_bounds(p))


# ------------------------------------------------------ lexicographic phases and mirror symmetry


def _module_a():
    text = (ROOT / "bench" / "specs" / "campus-gb200-1gw.toml").read_text("utf-8")
    spec, _ = load(text, "campus-gb200-1gw.toml")
    return prepare(spec, 0)


def test_phases_record_cable_then_spread(pilot):
    from hubc.racks.placement import spread_weight

    spec, _, layout = pilot
    h = layout.halls[0]
    cable, spread = h.phases
    assert (cable.objective, spread.objective) == ("cable_cm", "row_power_spread_kw")
    assert cable.value == round(h.solved.cable_m * 100) and spread.value == h.solved.spread_kw
    assert cable.status == spread.status == "OPTIMAL" and cable.gap == spread.gap == 0.0
    assert h.objective == cable.value * spread_weight(prepare(spec, 0)) + spread.value
    assert dict(layout.solver)["secondary_share"] == 0.2


def test_the_spread_gets_its_share_once_the_cable_is_proven_and_reports_its_gap():
    import hubc.racks.spine_search as ss
    from hubc.racks.placement import spread_of, spread_weight

    p = _module_a()
    params = ss.SolveParams(deterministic_time=5.0, secondary_share=0.2)
    out = ss.solve_by_spine(p, greedy_ffd(p), params)
    cable, spread = out.phases
    assert cable.status == "OPTIMAL" and cable.value == cable.bound == cable_of(p, out.placement)
    # The spread searched over every spine position whose cable bound reaches the optimum
    # (upper half only: the hall is row-mirror symmetric), within 20 % of 5 deterministic s.
    lbs = lower_bounds(p)
    assert spread.positions == sum(1 for i, v in enumerate(p.spine_windows) if lbs[i] <= cable.value and 2 * v.rows[0] <= p.rows + 1)
    assert spread.deterministic_s <= 1.0 + 0.01
    assert spread.value == spread_of(p, out.placement)
    assert spread.status == "FEASIBLE" and 0 <= spread.bound < spread.value
    assert spread.gap == (spread.value - spread.bound) / spread.value
    w = spread_weight(p)
    assert out.objective == cable.value * w + spread.value
    assert out.best_bound == cable.value * w + spread.bound


def test_the_spread_is_skipped_while_the_cable_is_unproven(pilot):
    import hubc.racks.spine_search as ss
    from hubc.racks.placement import objective_of, spread_of

    spec, _, _ = pilot
    p = prepare(spec, 0)
    g = greedy_ffd(p)
    # A position left unexplored with a cable bound 100 cm under the incumbent's cable.
    s = ss._Primary(best=g, best_obj=objective_of(p, g), bounds=[0.0], cable_lb={0: cable_of(p, g) - 100})
    out = ss._secondary(p, s, ss.SolveParams())
    cable, spread = out.phases
    assert cable.status == "FEASIBLE" and cable.bound == cable_of(p, g) - 100
    assert spread.status == "SKIPPED" and spread.value == spread_of(p, g) and spread.positions == 0
    assert out.placement == g and out.status == "FEASIBLE"


def test_row_pair_pods_with_equal_halves_are_mirror_symmetric():
    import hubc.racks.spine_search as ss
    from hubc.racks.model import solve_hall
    from hubc.racks.problem import row_mirror_symmetric

    p = _module_a()
    assert row_mirror_symmetric(p)
    # Not with unequal halves, nor with an odd row (its pairs do not mirror).
    su = p.kinds[0]
    lopsided = attrs.evolve(su, racks=su.racks[:4] + su.racks[5:] + su.racks[4:5])
    assert not row_mirror_symmetric(attrs.evolve(p, kinds=(lopsided, *p.kinds[1:])))
    assert not row_mirror_symmetric(attrs.evolve(p, rows=27, keepout=frozenset()))
    # A placement's mirror image is a placement (every window maps onto one of its kind, the
    # spine's onto a spine window) with the same cable and the same spread.
    from hubc.racks.placement import Placement, spread_of

    out = ss.solve_by_spine(p, greedy_ffd(p), ss.SolveParams(deterministic_time=2.0))
    pl = out.placement
    flip = {}
    for k, w in enumerate(p.windows):
        flip[(w.kind, w.rows, w.start)] = k
    mirrored = tuple(sorted(flip[(p.windows[k].kind, tuple(sorted(p.rows + 1 - r for r in p.windows[k].rows)), p.windows[k].start)] for k in pl.pod_windows))
    v = p.spine_windows[pl.spine_window]
    j = next(j for j, u in enumerate(p.spine_windows) if u.start == v.start and u.rows[0] == p.rows + 1 - v.rows[0])
    image = Placement(pod_windows=mirrored, spine_window=j)
    cells = [c for k in image.pod_windows for c in p.windows[k].cells] + list(p.spine_windows[j].cells)
    assert len(set(cells)) == len(cells) and all(p.free(c) for c in cells)
    assert sorted((p.rows + 1 - r, s) for r, s in cells) == sorted(
        [c for k in pl.pod_windows for c in p.windows[k].cells] + list(v.cells)
    )
    assert cable_of(p, image) == cable_of(p, pl) and spread_of(p, image) == spread_of(p, pl)
    assert j != pl.spine_window


def test_row_sets_a_pod_cannot_take_at_the_optimal_cable_are_cut():
    # 12 rows, one SU per row at most, the spine's row none (air, as above), 8 SUs: at the
    # optimal cable an SU may stand in row R beside spine position v only if the bound with
    # one SU forced into R, total(v) + max(0, cost_R - 8th cheapest cost), stays within it.
    from hubc.racks.spine_search import pod_free_row_sets

    spec, doc = load(variant(rows="12", air_kw_per_row="300"))
    p = prepare(spec, 0)
    slot, pitch, rise = p.slot_cm, p.pitch_cm, p.rise_cm

    def row_costs(v):
        sr, sx = v.rows[0], v.start
        return {
            r: min(
                sum(abs(w.start + d - c) * slot + abs(r - sr) * pitch + rise for d in (8, 9) for c in (sx, sx + 1))
                for w in p.windows
                if w.rows == (r,)
            )
            for r in range(1, 13)
            if r != sr
        }

    totals = [sum(sorted(row_costs(v).values())[:8]) for v in p.spine_windows]
    best = min(totals)
    at = [i for i, t in enumerate(totals) if t == best]
    cuts = pod_free_row_sets(p, at, best)
    for r in range(1, 13):
        expect = []
        for i in at:
            costs = row_costs(p.spine_windows[i])
            kth = sorted(costs.values())[7]
            if r in costs and totals[i] + max(0, costs[r] - kth) <= best:
                expect.append(i)
        assert cuts[((0,), (r,))] == expect, r
    # The solved layout keeps out of the rows cut at its own spine position (the 3 farthest
    # and the spine's own: 8 SUs in the 8 rows nearest it).
    layout = run_racks(spec, source=doc.source)
    h = layout.halls[0]
    sr, sx = next((x.row, x.slot) for x in h.racks if x.pod == "spine")
    i = next(i for i, v in enumerate(p.spine_windows) if (v.rows[0], v.start) == (sr, sx))
    cut = [r for r in range(1, 13) if i not in cuts[((0,), (r,))]]
    assert len(cut) == 4 and sr in cut
    assert {x.row for x in h.racks if x.pod != "spine"} == set(range(1, 13)) - set(cut)


def test_pigeonhole_floor_of_the_spread():
    from hubc.racks.spine_search import _pigeonhole

    # 88 pods of 1,116 kW a row, at most 2 a row, the spine's row (120 kW of spine) open:
    # over 45 rows one pod may stand beside the spine (87 <= 44 x 2), so the most loaded row is
    # at least max(1,116 + 120, 2 x 1,116) = 2,232 kW; over 44 rows both must (86 = 43 x 2):
    # 2 x 1,116 + 120 = 2,352 kW.
    assert _pigeonhole(88, 1116, 2, 45, True, 120) == 2232
    assert _pigeonhole(88, 1116, 2, 44, True, 120) == 2352
    # The spine's row closed to pods: ceil(88 / 45) = 2 pods in some row.
    assert _pigeonhole(88, 1116, 2, 45, False, 120) == 2232
    assert _pigeonhole(3, 100, 3, 1, True, 50) == 350
