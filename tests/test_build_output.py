"""`hubc build` and its output folder, end to end: refusals before the build (exit 2),
path-independent outputs (same bytes from any working directory, `--frozen` passes), and, with
real processes, SIGKILL at random points and concurrent builds (OUT is always one whole build).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.catalog_entries import QUOTED_SWITCHGEAR
from hubc.cli import main
from hubc.labels import project_root, stable_label
from tests.conftest import ROOT, SPECS

PILOT = SPECS / "pilot-10mw.toml"
# samsung-sdi is not a switchgear vendor: a HUB607 warning in this file
EXT = QUOTED_SWITCHGEAR.replace('domestic_vendors = ["ls-electric"]', 'domestic_vendors = ["ls-electric", "samsung-sdi"]')
assert "samsung-sdi" in EXT


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def hubc(*args, cwd: Path, env: dict | None = None, **kw):
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "hubc", *map(str, args)], check=False, cwd=cwd, env=env,
                          capture_output=True, text=True, **kw)


def digest(out: Path, skip=("mine.txt",)) -> dict[str, str]:
    found = {}
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out).as_posix()
        if p.is_file() and rel not in skip:
            found[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


# ------------------------------------------------------------------- refusals (exit 2)


def test_empty_out_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("build", PILOT, "-o", "")
    assert result.exit_code == 2 and "HUB901" in result.output and "empty path" in result.output
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("kind", ["through-a-file", "dangling-symlink", "a-file"])
def test_unusable_out_is_a_diagnostic_not_a_traceback(tmp_path, kind):
    (tmp_path / "f.txt").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    out = {"through-a-file": tmp_path / "f.txt" / "out", "dangling-symlink": tmp_path / "dangling",
           "a-file": tmp_path / "f.txt"}[kind]
    result = run("build", PILOT, "-o", out)
    assert result.exit_code == 2 and "HUB901" in result.output, result.output
    assert sorted(os.listdir(tmp_path)) == ["dangling", "f.txt"]


def test_out_containing_the_spec_is_refused(tmp_path, monkeypatch):
    """The issue: a spec named bom.csv built with `-o .` was overwritten by the BOM."""
    spec = tmp_path / "bom.csv"
    text = PILOT.read_text("utf-8")
    spec.write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    for out in (".", str(tmp_path), ".."):
        result = run("build", "bom.csv", "-o", out)
        assert result.exit_code == 2 and "HUB903" in result.output, result.output
    assert spec.read_text("utf-8") == text
    assert os.listdir(tmp_path) == ["bom.csv"]


def test_out_containing_a_catalog_file_is_refused(tmp_path):
    spec = tmp_path / "campus.toml"
    spec.write_text(PILOT.read_text("utf-8") + '\n[catalog]\nfiles = ["data/ext.toml"]\n', "utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ext.toml").write_text(EXT, "utf-8")
    result = run("build", spec, "-o", tmp_path / "data")
    assert result.exit_code == 2 and "HUB903" in result.output and "ext.toml" in result.output


def test_a_build_waiting_on_a_held_lock_gives_up_with_exit_2(tmp_path):
    out = tmp_path / "out"
    assert run("build", PILOT, "-o", out, "-q").exit_code == 0
    before = digest(out)
    fd = os.open(tmp_path / ".out.hubc-lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        result = run("build", PILOT, "-o", out, "--wait", "0")
    finally:
        os.close(fd)
    assert result.exit_code == 2 and "HUB904" in result.output
    assert digest(out) == before


def test_frozen_does_not_follow_a_symlinked_lock_out_of_out_and_rejects_a_malformed_one(tmp_path):
    out = tmp_path / "out"
    assert run("build", PILOT, "-o", out, "-q").exit_code == 0
    secret = tmp_path / "secret.toml"
    secret.write_text('hubc = "the secret"\n')
    (out / "hubc.lock").unlink()
    (out / "hubc.lock").symlink_to(secret)
    result = run("build", PILOT, "-o", out, "--frozen")
    assert result.exit_code == 1 and "HUB803" in result.output and "the secret" not in result.output
    (out / "hubc.lock").unlink()
    (out / "hubc.lock").write_text('solver = "not a table"\ndigest = 3\n')
    result = run("build", PILOT, "-o", out, "--frozen")
    assert result.exit_code == 1 and "HUB803" in result.output and "not a hubc.lock" in result.output


# ------------------------------------------------------------------ path independence


def test_stable_label_is_relative_to_the_git_root_else_the_file_name(tmp_path):
    (tmp_path / "proj" / "specs").mkdir(parents=True)
    spec = tmp_path / "proj" / "specs" / "a.toml"
    spec.write_text("")
    assert stable_label(spec) == "a.toml"
    (tmp_path / "proj" / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    assert project_root(spec) == tmp_path / "proj"
    assert stable_label(spec) == "specs/a.toml"
    (tmp_path / "link").symlink_to(spec)
    assert stable_label(tmp_path / "link") == "specs/a.toml"


def test_same_bytes_from_any_working_directory_and_frozen_passes(tmp_path):
    """The issue: the spec path as typed reached design.json, the BOM, the report and the lock,
    so `--frozen` failed from another directory."""
    first, second = tmp_path / "first", tmp_path / "second"
    p1 = hubc("build", "specs/pilot-10mw.toml", "-o", first, "-q", cwd=ROOT)
    assert p1.returncode == 0, p1.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    p2 = hubc("build", PILOT, "-o", second, "-q", cwd=elsewhere)
    assert p2.returncode == 0, p2.stderr
    assert digest(first) == digest(second)
    label = "specs/pilot-10mw.toml" if os.path.lexists(ROOT / ".git") else "pilot-10mw.toml"
    assert json.loads((first / "design.json").read_text("utf-8"))["hubc"]["spec"] == label
    assert f",{label}:" in (first / "bom.csv").read_text("utf-8")
    # ... and the terminal still shows the path as typed
    assert "specs/pilot-10mw.toml:24:15: HUB304" in p1.stdout
    assert f"{PILOT}:24:15: HUB304" in p2.stdout
    frozen = hubc("build", "pilot-10mw.toml", "-o", tmp_path / "third", "--frozen", "--lock",
                  first / "hubc.lock", "-q", cwd=SPECS)
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr


def test_catalog_file_diagnostics_in_outputs_follow_the_spec_label(tmp_path):
    proj = tmp_path / "proj"  # not in a git work tree: labels are relative to the spec's folder
    proj.mkdir()
    (proj / "campus.toml").write_text(PILOT.read_text("utf-8") + '\n[catalog]\nfiles = ["ext.toml"]\n', "utf-8")
    (proj / "ext.toml").write_text(EXT, "utf-8")
    a = hubc("build", "proj/campus.toml", "-o", tmp_path / "a", cwd=tmp_path)
    b = hubc("build", "campus.toml", "-o", tmp_path / "b", cwd=proj)
    assert a.returncode == b.returncode == 0, a.stdout + a.stderr
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    design = json.loads((tmp_path / "a" / "design.json").read_text("utf-8"))
    assert design["hubc"]["spec"] == "campus.toml"
    assert "ext.toml:18:36" in json.dumps(design)
    assert "proj/ext.toml:18:36: HUB607" in a.stdout and "\next.toml:18:36: HUB607" in b.stdout


# ------------------------------------------------------------------ real processes


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """Specs A and B (different outputs) and the digests of their builds."""
    root = tmp_path_factory.mktemp("two")
    text = PILOT.read_text("utf-8")
    specs = {
        "a": text,
        "b": text.replace('name = "Pangyo GB200 Pilot"', 'name = "Pangyo GB200 Pilot B"').replace(
            "annual_pue = 1.22", "annual_pue = 1.24"
        ),
    }
    out = {}
    for key, body in specs.items():
        (root / f"{key}.toml").write_text(body, "utf-8")
        proc = hubc("build", f"{key}.toml", "-o", root / f"ref-{key}", "-q", cwd=root)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out[key] = digest(root / f"ref-{key}")
    assert out["a"] != out["b"] and out["a"].keys() == out["b"].keys()
    changed = [k for k in out["a"] if out["a"][k] != out["b"][k]]
    assert len(changed) >= 5, changed
    return root, out


def _leftovers(parent: Path) -> list[str]:
    return sorted(n for n in os.listdir(parent) if ".hubc-staging-" in n or ".hubc-old-" in n)


@pytest.mark.slow
def test_sigkill_at_random_points_leaves_the_old_or_the_new_build(two_builds, tmp_path):
    root, refs = two_builds
    out = tmp_path / "work" / "out"
    assert hubc("build", root / "a.toml", "-o", out, "-q", cwd=tmp_path).returncode == 0
    (out / "mine.txt").write_text("a user's file")
    rng = random.Random(20261122)
    state = "a"
    for i in range(6):
        nxt = "b" if state == "a" else "a"
        env = dict(os.environ, HUBC_TEST_SLOW_WRITE_MS="40", HUBC_TEST_NO_EXCHANGE="1" if i % 2 else "0")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        before = set(_leftovers(out.parent))  # a killed build's staging folder stays until the next write
        child = subprocess.Popen([sys.executable, "-m", "hubc", "build", str(root / f"{nxt}.toml"), "-o", str(out),
                                  "-q"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i == 0:
            time.sleep(0.3)  # during the build stages
        else:  # at a random instant of the write: staging, carrying, swapping or cleaning up
            deadline = time.monotonic() + 120
            while not set(_leftovers(out.parent)) - before and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.8))
        child.kill()
        child.wait()
        if not out.exists():  # killed between the fallback's two renames: the old tree waits aside
            assert i % 2 and [n for n in _leftovers(out.parent) if ".hubc-old-" in n]
            assert hubc("build", root / f"{state}.toml", "-o", out, "-q", cwd=tmp_path).returncode == 0
        now = digest(out)
        assert now in (refs["a"], refs["b"]), f"kill {i}: OUT is a mix of two builds"
        assert (out / "mine.txt").read_text() == "a user's file"
        assert not [n for n in os.listdir(out) if "hubc-staging" in n or "hubc-old" in n]
        state = "a" if now == refs["a"] else "b"
    # The next build removes whatever the kills left beside OUT.
    assert hubc("build", root / "a.toml", "-o", out, "-q", cwd=tmp_path).returncode == 0
    assert digest(out) == refs["a"] and _leftovers(out.parent) == []
    assert sorted(os.listdir(out.parent)) == [".out.hubc-lock", "out"]


def _reader(out: Path, stop: threading.Event, snapshots: list, torn: list) -> None:
    """Read OUT whole, again and again, through one directory handle; keep the snapshots of
    trees that were OUT from the first read to the last."""
    while not stop.is_set():
        try:
            dfd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue
        try:
            found = {}
            for folder, _dirs, files, ffd in os.fwalk(".", dir_fd=dfd):
                for name in files:
                    fd = os.open(name, os.O_RDONLY, dir_fd=ffd)
                    with os.fdopen(fd, "rb") as f:
                        rel = os.path.normpath(os.path.join(folder, name))
                        if rel != "mine.txt":
                            found[rel] = hashlib.sha256(f.read()).hexdigest()
            live = os.stat(out).st_ino == os.fstat(dfd).st_ino
        except FileNotFoundError:
            live = False
        finally:
            os.close(dfd)
        (snapshots if live else torn).append(found)
        time.sleep(0.01)


@pytest.mark.slow
def test_concurrent_builds_into_one_out_are_serialised_and_readers_never_see_a_mix(two_builds, tmp_path):
    root, refs = two_builds
    out = tmp_path / "out"
    assert hubc("build", root / "a.toml", "-o", out, "-q", cwd=tmp_path).returncode == 0
    (out / "mine.txt").write_text("a user's file")
    stop, snapshots, torn = threading.Event(), [], []
    reader = threading.Thread(target=_reader, args=(out, stop, snapshots, torn))
    reader.start()
    env = dict(os.environ, HUBC_TEST_SLOW_WRITE_MS="30")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    try:
        children = [
            subprocess.Popen([sys.executable, "-m", "hubc", "build", str(root / f"{k}.toml"), "-o", str(out)],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for k in ("b", "a", "b")
        ]
        results = [c.communicate(timeout=300) for c in children]
    finally:
        stop.set()
        reader.join()
    for child, (stdout, stderr) in zip(children, results):
        assert child.returncode == 0, stdout + stderr
    assert digest(out) in (refs["a"], refs["b"])
    assert (out / "mine.txt").read_text() == "a user's file"
    assert _leftovers(tmp_path) == []
    assert snapshots, "the reader never completed a read"
    for snap in snapshots:
        assert snap in (refs["a"], refs["b"]), "a reader saw a mix of two builds"


def test_time_limit_stops_the_build_with_exit_3_and_writes_nothing(tmp_path):
    """--time-limit bounds the whole build: HUB905 names the stage reached, OUT stays as it was."""
    import subprocess
    import sys

    spec = Path(__file__).resolve().parent.parent / "specs" / "campus-1gw.toml"
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "hubc", "build", str(spec), "-o", str(out), "--time-limit", "0.5", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 3, r.stderr
    codes = [d["code"] for d in json.loads(r.stdout)["diagnostics"]]
    assert "HUB905" in codes
    assert not out.exists()
