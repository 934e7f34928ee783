"""Rack placement: valid specs place and verify, infeasible ones explain themselves at the
right key, results are deterministic, and CP-SAT never does worse than the greedy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import attrs
import pytest

from hubc.diagnostics import HubcError
from hubc.emit.floorplan import emit_floorplans
from hubc.layout.racks import run_racks
from hubc.layout.racks.placement import cable_of, greedy_ffd
from hubc.layout.racks.problem import prepare
from hubc.layout.racks.spine_search import lower_bounds
from hubc.layout.verify_racks import verify_racks
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
    spec, _, layout = pilot
    eq = {e.id: e for e in layout.equipment()}
    assert eq["pilot-hall/gb200-nvl72"].quantity == 64
    assert eq["pilot-hall/gb200-nvl72"].family == "gpu-rack"
    assert eq["pilot-hall/ib-spine"].family == "network-rack"
    assert eq["pilot-hall/cdu"].quantity == 2 * 8  # row scope: 2 CDUs per row loop
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
    assert json.dumps(a.to_json(), sort_keys=True) == json.dumps(b.to_json(), sort_keys=True)
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
    assert {"HUB701", "HUB705", "HUB706", "HUB707", "HUB708"} <= covered


def test_solver_core_is_minimal():
    # The air limit conflicts with the pods and the spine; busway, CDU and floor do not take part.
    spec, doc = load(variant(air_kw_per_row="300"))
    with pytest.raises(HubcError) as exc:
        run_racks(spec, source=doc.source)
    labels = {label for _, label in exc.value.diagnostics[0].related}
    assert labels == {"row air cooling", "pod count", "spine racks"}


def test_build_refuses_a_layout_the_verifier_rejects(monkeypatch):
    from hubc.layout import racks

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
        "from hubc.layout.racks import run_racks\n"
        "from hubc.emit.floorplan import emit_floorplans\n"
        "doc, _ = load_path(sys.argv[1]); spec, _ = structure(doc)\n"
        "lay = run_racks(spec, source=doc.source)\n"
        "h = hashlib.sha256(json.dumps(lay.to_json(), sort_keys=True).encode())\n"
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
    from hubc.layout.racks.model import SolveParams

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
