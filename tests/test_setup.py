"""The set-up the README promises: its commands use a virtual environment (so they work on an
externally-managed system Python, PEP 668), .ci/run runs exactly its test command, and hubc runs
on every Python the package accepts (Debian 12's system Python is 3.11.2)."""

import io
import re
import tarfile
import warnings

import pytest

from hubc.pipeline import _extract_data
from tests.conftest import ROOT


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## Set-up"):readme.index("\n## ", readme.index("## Set-up") + 1)]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_readme_installs_into_a_virtual_environment():
    install, tests = _setup_commands()
    assert install.startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/hubc build ")
    assert "python3 -m pip install" not in install and "--break-system-packages" not in install
    assert tests == ".venv/bin/python -m pytest"


def test_ci_runs_exactly_the_readme_test_command():
    _, tests = _setup_commands()
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert commands[-1] == tests
    assert "python3 -m venv .venv" in commands and ".venv/bin/pip install -q -e '.[test]'" in commands
    assert any("python3-venv" in line for line in commands)  # Debian/Ubuntu ship venv separately


def _archive(members: dict[str, bytes], links: dict[str, str]) -> tarfile.TarFile:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in links.items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    buf.seek(0)
    return tarfile.open(fileobj=buf)


def _as_before_3_11_4(monkeypatch):
    """tarfile as in Python 3.11.0-3.11.3: no extraction filters."""
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    extractall = tarfile.TarFile.extractall

    def old_extractall(self, path=".", members=None, *, numeric_owner=False, **kw):
        if kw:
            raise TypeError(f"extractall() got an unexpected keyword argument {next(iter(kw))!r}")
        return extractall(self, path, members, numeric_owner=numeric_owner)

    monkeypatch.setattr(tarfile.TarFile, "extractall", old_extractall)


@pytest.mark.parametrize("has_data_filter", [True, False], ids=["python>=3.11.4", "python<3.11.4"])
def test_plan_base_extracts_the_revision(tmp_path, monkeypatch, has_data_filter):
    # `hubc plan --base` extracts `git archive` output; Python before 3.11.4 has no "data" filter.
    if not has_data_filter:
        _as_before_3_11_4(monkeypatch)
    _extract_data(_archive({"specs/campus.toml": b'schema = "hubc/1"\n'}, {}), tmp_path)
    assert (tmp_path / "specs" / "campus.toml").read_bytes() == b'schema = "hubc/1"\n'


def test_without_the_data_filter_only_plain_files_inside_are_extracted(tmp_path, monkeypatch):
    _as_before_3_11_4(monkeypatch)
    dest = tmp_path / "rev"
    dest.mkdir()
    tar = _archive({"../escaped.toml": b"x", "specs/ok.toml": b"ok"}, {"specs/link.toml": "/etc/hostname"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+ asks for a filter on extract()
        _extract_data(tar, dest)
    assert (dest / "specs" / "ok.toml").read_bytes() == b"ok"
    assert not (tmp_path / "escaped.toml").exists()
    assert not (dest / "specs" / "link.toml").is_symlink()


def test_plan_base_on_python_before_3_11_4(tmp_path, monkeypatch):
    import shutil
    import subprocess

    from hubc.pipeline import spec_at_revision
    from tests.conftest import SPECS

    _as_before_3_11_4(monkeypatch)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "pilot-10mw.toml", tmp_path / "specs" / "campus.toml")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(git + ["add", "."], cwd=tmp_path, check=True)
    subprocess.run(git + ["commit", "-qm", "base"], cwd=tmp_path, check=True)
    base, cleanup = spec_at_revision(tmp_path / "specs" / "campus.toml", "HEAD")
    try:
        assert base.read_bytes() == (SPECS / "pilot-10mw.toml").read_bytes()
    finally:
        cleanup()
