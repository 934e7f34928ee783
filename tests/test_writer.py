"""hubc.writer: OUT is replaced as a whole, user files survive, nothing outside OUT is touched,
builds into one OUT are serialised, and every refusal is a diagnostic (exit 2)."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

import pytest

from hubc import writer
from hubc.diagnostics import HubcError
from hubc.writer import MANIFEST, resolve_target, write_build

OLD = {"design.json": b'{"v": 1}\n', "floorplans/hall-a.svg": b"<svg>a</svg>", "gone.txt": b"dropped next time"}
NEW = {"design.json": b'{"v": 2}\n', "floorplans/hall-b.svg": b"<svg>b</svg>", "bom.csv": b"x\r\n1\r\n"}


def tree(root: Path) -> dict[str, bytes | str]:
    """Every entry under root: file bytes, 'link -> target' for symlinks, '<dir>' for empty dirs."""
    out: dict[str, bytes | str] = {}
    for folder, dirs, files in os.walk(root):
        rel = Path(folder).relative_to(root)
        for name in dirs:
            p = Path(folder) / name
            if p.is_symlink():
                out[(rel / name).as_posix()] = f"link -> {os.readlink(p)}"
            elif not any(p.iterdir()):
                out[(rel / name).as_posix()] = "<dir>"
        for name in files:
            p = Path(folder) / name
            key = (rel / name).as_posix()
            out[key] = f"link -> {os.readlink(p)}" if p.is_symlink() else p.read_bytes()
    return out


def build(plan, out: Path, **kw):
    return write_build(plan, resolve_target(str(out)), **kw)


def leftovers(parent: Path) -> list[str]:
    return sorted(n for n in os.listdir(parent) if ".hubc-staging-" in n or ".hubc-old-" in n)


def manifest(plan) -> bytes:
    return "".join(f"{n}\n" for n in sorted(plan)).encode()


def test_first_build_creates_out_its_parents_and_manifest(tmp_path):
    out = tmp_path / "a" / "b" / "out"
    report = build(OLD, out)
    assert tree(out) == {**OLD, MANIFEST: manifest(OLD)}
    assert report.swap == "new" and report.files == 3 and report.carried == ()
    assert sorted(os.listdir(out.parent)) == [".out.hubc-lock", "out"]


def test_rebuild_replaces_the_whole_folder_and_keeps_user_files(tmp_path):
    out = tmp_path / "out"
    outside = tmp_path / "outside.txt"
    outside.write_text("not hubc's")
    build(OLD, out)
    (out / "notes.md").write_text("mine")
    (out / "floorplans" / "markup.txt").write_text("my markup")
    (out / "empty-dir").mkdir()
    (out / "deep" / "er").mkdir(parents=True)
    (out / "deep" / "er" / "x.bin").write_bytes(b"\0\1")
    (out / "to-outside").symlink_to(outside)
    os.chmod(out, 0o750)
    report = build(NEW, out)
    assert report.swap in ("exchange", "rename")
    assert tree(out) == {
        **NEW,
        MANIFEST: manifest(NEW),
        "notes.md": b"mine",
        "floorplans/markup.txt": b"my markup",
        "empty-dir": "<dir>",
        "deep/er/x.bin": b"\0\1",
        "to-outside": f"link -> {outside}",  # carried as a link, never followed
    }
    assert sorted(report.carried) == ["deep/er/x.bin", "empty-dir/", "floorplans/markup.txt", "notes.md", "to-outside"]
    assert outside.read_text() == "not hubc's"
    assert os.stat(out).st_mode & 0o777 == 0o750  # OUT keeps its permissions
    assert leftovers(tmp_path) == []


def test_a_folder_that_held_only_hubc_files_goes_with_them(tmp_path):
    out = tmp_path / "out"
    build(OLD, out)
    build({"design.json": b"{}"}, out)
    assert sorted(os.listdir(out)) == [MANIFEST, "design.json"]


def test_user_file_with_an_output_name_is_replaced_and_reported(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "bom.csv").write_text("my own bom")
    report = build(NEW, out)
    assert (out / "bom.csv").read_bytes() == NEW["bom.csv"]
    assert report.replaced == ("bom.csv",)


def test_a_symlinked_folder_in_out_is_not_followed(tmp_path):
    """The issue: a pre-existing `floorplans` symlink sent files outside OUT."""
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.svg").write_text("theirs")
    out.mkdir()
    (out / "floorplans").symlink_to(elsewhere, target_is_directory=True)
    report = build(NEW, out)
    assert (out / "floorplans").is_dir() and not (out / "floorplans").is_symlink()
    assert (out / "floorplans" / "hall-b.svg").read_bytes() == NEW["floorplans/hall-b.svg"]
    assert tree(elsewhere) == {"keep.svg": b"theirs"}
    assert report.replaced == ("floorplans",)


def test_a_tampered_manifest_deletes_nothing_outside_out(tmp_path):
    """The issue: a manifest entry through a symlinked directory deleted a file outside OUT."""
    out = tmp_path / "out"
    victims = tmp_path / "victims"
    victims.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (victims / name).write_text("precious")
    build(OLD, out)
    (out / "via").symlink_to(victims, target_is_directory=True)
    with open(out / MANIFEST, "a") as f:
        f.write(f"../victims/a.txt\n{victims / 'b.txt'}\nvia/c.txt\nvia\n\n./design.json\n")
    build(NEW, out)
    assert tree(victims) == {n: b"precious" for n in ("a.txt", "b.txt", "c.txt")}
    # `via` is listed in the manifest, so it counts as hubc's and is dropped from OUT; its
    # target is untouched.
    assert not (out / "via").exists()


def test_a_manifest_that_is_a_symlink_is_not_read(tmp_path):
    out = tmp_path / "out"
    build(OLD, out)
    fake = tmp_path / "fake-manifest"
    fake.write_text("notes.md\n")
    (out / MANIFEST).unlink()
    (out / MANIFEST).symlink_to(fake)
    (out / "notes.md").write_text("mine")
    build(NEW, out)
    assert (out / "notes.md").read_text() == "mine"  # the symlinked list was ignored
    assert fake.read_text() == "notes.md\n"


@pytest.mark.parametrize("name", ["../x", "/etc/x", "a/../../x", "a//b", "./a", "hall\nx.svg", "", MANIFEST])
def test_unsafe_plan_names_are_refused_before_anything_is_written(tmp_path, name):
    out = tmp_path / "out"
    build(OLD, out)
    before = tree(out)
    with pytest.raises(HubcError) as err:
        build({**NEW, name: b"x"}, out)
    assert err.value.exit_code == 2 and err.value.diagnostics[0].code == "HUB902"
    assert tree(out) == before and leftovers(tmp_path) == []
    assert not (tmp_path / "x").exists()


def test_a_write_failure_leaves_out_as_it_was(tmp_path, monkeypatch):
    """The issue: an unwritable floorplans/ exited after 5 new files were already in place."""
    out = tmp_path / "out"
    build(OLD, out)
    (out / "notes.md").write_text("mine")
    before = tree(out)
    real = writer._write_file
    calls = []

    def failing(root, name, data):
        calls.append(name)
        if len(calls) == 3:
            raise PermissionError(13, "Permission denied", str(root / name))
        real(root, name, data)

    monkeypatch.setattr(writer, "_write_file", failing)
    with pytest.raises(HubcError) as err:
        build({**NEW, "more.txt": b"1", "yet-more.txt": b"2"}, out)
    d = err.value.diagnostics[0]
    assert err.value.exit_code == 2 and d.code == "HUB902" and "Permission denied" in d.message
    assert tree(out) == before and leftovers(tmp_path) == []


def test_a_name_too_long_leaves_no_empty_out(tmp_path):
    """The issue: a 300-character hall id failed with ENAMETOOLONG and left an empty OUT."""
    with pytest.raises(HubcError) as err:
        build({**NEW, "floorplans/" + "h" * 300 + ".svg": b"<svg/>"}, tmp_path / "out")
    assert err.value.diagnostics[0].code == "HUB902" and "too long" in err.value.diagnostics[0].message
    assert os.listdir(tmp_path) == [".out.hubc-lock"]


def test_failure_in_a_new_parent_removes_the_parents_it_made(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "_write_file", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(HubcError):
        build(NEW, tmp_path / "new" / "deeper" / "out")
    assert os.listdir(tmp_path) == []


def test_fallback_swap_without_exchange(tmp_path, monkeypatch):
    monkeypatch.setenv("HUBC_TEST_NO_EXCHANGE", "1")
    out = tmp_path / "out"
    build(OLD, out)
    (out / "notes.md").write_text("mine")
    report = build(NEW, out)
    assert report.swap == "rename"
    assert tree(out) == {**NEW, MANIFEST: manifest(NEW), "notes.md": b"mine"}
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(writer._RENAMEAT2 is None, reason="no renameat2 on this platform")
def test_linux_swaps_by_atomic_exchange(tmp_path):
    out = tmp_path / "out"
    build(OLD, out)
    ino = os.stat(out).st_ino
    report = build(NEW, out)
    assert report.swap == "exchange" and report.swap_seconds < 1.0
    assert os.stat(out).st_ino != ino  # a new folder, not the old one refilled


def test_leftovers_of_a_killed_build_are_cleaned_and_an_interrupted_fallback_is_undone(tmp_path):
    out = tmp_path / "out"
    build(OLD, out)
    (out / "notes.md").write_text("mine")
    # A build killed between the fallback's two renames: OUT is missing, the old tree aside,
    # plus a stale staging folder of an earlier kill.
    os.rename(out, tmp_path / ".out.hubc-old-0123abcd")
    stale = tmp_path / ".out.hubc-staging-deadbeef"
    (stale / "floorplans").mkdir(parents=True)
    (stale / "design.json").write_text("half")
    # Names that are not leftovers of this OUT stay.
    others = [".outer.hubc-staging-deadbeef", ".out.hubc-staging-nothex00", "out.hubc-staging-deadbeef"]
    for name in others:
        (tmp_path / name).mkdir()
    build(NEW, out)
    assert tree(out) == {**NEW, MANIFEST: manifest(NEW), "notes.md": b"mine"}  # the old OUT was put back first
    assert leftovers(tmp_path) == sorted(others)


def test_leftover_that_is_a_symlink_is_unlinked_not_followed(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "f").write_text("x")
    (tmp_path / ".out.hubc-staging-00000000").symlink_to(target, target_is_directory=True)
    build(NEW, tmp_path / "out")
    assert (target / "f").read_text() == "x"
    assert not os.path.lexists(tmp_path / ".out.hubc-staging-00000000")


# ----------------------------------------------------------------------------- the lock


def _hold_lock(parent: Path, name: str = "out"):
    fd = os.open(parent / f".{name}.hubc-lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, b"4242\n", 0)
    return fd


def test_a_held_lock_fails_after_the_wait(tmp_path):
    out = tmp_path / "out"
    build(OLD, out)
    fd = _hold_lock(tmp_path)
    try:
        with pytest.raises(HubcError) as err:
            build(NEW, out, wait_s=0)
    finally:
        os.close(fd)
    d = err.value.diagnostics[0]
    assert err.value.exit_code == 2 and d.code == "HUB904" and "pid 4242" in d.message
    assert tree(out) == {**OLD, MANIFEST: manifest(OLD)}


def test_a_second_build_waits_for_the_lock_with_a_message(tmp_path):
    out = tmp_path / "out"
    fd = _hold_lock(tmp_path)
    threading.Timer(0.4, os.close, args=(fd,)).start()
    said: list[str] = []
    t0 = time.monotonic()
    build(NEW, out, wait_s=10, say=said.append)
    assert time.monotonic() - t0 >= 0.3
    assert len(said) == 1 and "waiting for another hubc build (pid 4242)" in said[0]
    assert tree(out) == {**NEW, MANIFEST: manifest(NEW)}


def test_a_symlinked_lock_file_is_refused(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / ".out.hubc-lock").symlink_to(victim)
    with pytest.raises(HubcError) as err:
        build(NEW, tmp_path / "out")
    assert err.value.diagnostics[0].code == "HUB902"
    assert victim.read_text() == "keep" and not (tmp_path / "out").exists()


# ------------------------------------------------------------------- resolving OUT


def _refused(raw: str, inputs=()) -> str:
    with pytest.raises(HubcError) as err:
        resolve_target(raw, inputs)
    assert err.value.exit_code == 2
    return err.value.diagnostics[0].code


def test_unusable_out_paths_are_diagnostics(tmp_path):
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing")
    (tmp_path / "to-file").symlink_to(tmp_path / "file.txt")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert _refused("") == "HUB901"
    assert _refused(str(tmp_path / "file.txt" / "out")) == "HUB901"
    assert _refused(str(tmp_path / "file.txt" / "a" / "b")) == "HUB901"
    assert _refused(str(tmp_path / "dangling")) == "HUB901"
    assert _refused(str(tmp_path / "to-file")) == "HUB901"
    assert _refused(str(tmp_path / "file.txt")) == "HUB901"
    assert _refused(str(tmp_path / "loop")) == "HUB901"
    assert _refused("/") == "HUB901"
    assert _refused("bad\0name") == "HUB901"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through folder permissions")
def test_unwritable_parent_is_a_diagnostic(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert _refused(str(ro / "out")) == "HUB902"
    finally:
        ro.chmod(0o755)


def test_unwritable_parent_as_any_user(tmp_path, monkeypatch):
    monkeypatch.setattr(writer.os, "access", lambda *a, **k: False)
    assert _refused(str(tmp_path / "out")) == "HUB902"


def test_out_holding_the_spec_or_its_files_is_refused(tmp_path):
    spec = tmp_path / "proj" / "campus.toml"
    spec.parent.mkdir()
    spec.write_text("")
    ext = tmp_path / "proj" / "data" / "ext.toml"
    ext.parent.mkdir()
    ext.write_text("")
    assert _refused(str(spec.parent), [spec]) == "HUB903"
    assert _refused(str(tmp_path), [spec]) == "HUB903"
    assert _refused(str(ext.parent), [spec, ext]) == "HUB903"
    (tmp_path / "link").symlink_to(spec.parent, target_is_directory=True)
    assert _refused(str(tmp_path / "link"), [spec]) == "HUB903"
    assert resolve_target(str(spec.parent / "out"), [spec, ext]).path == spec.parent / "out"


def test_a_symlinked_out_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "real-out"
    build(OLD, real)
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    target = resolve_target(str(tmp_path / "out"))
    assert target.path == real
    write_build(NEW, target)
    assert (tmp_path / "out").is_symlink()
    assert tree(real) == {**NEW, MANIFEST: manifest(NEW)}
