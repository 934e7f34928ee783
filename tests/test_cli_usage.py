"""Usage errors and help texts: a missing spec is exit 2 with a did-you-mean, an empty spec points
at `hubc init`, table hints are written as TOML writes tables, and help names options as typed."""

import os
import re
import shutil

import click
import pytest
from click.testing import CliRunner

from hubc.cli import main
from hubc.pipeline import check_spec
from tests.conftest import CASES, SPECS

PILOT = SPECS / "pilot-10mw.toml"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A design repository: a spec beside the working directory and examples in specs/."""
    (tmp_path / "specs").mkdir()
    shutil.copy(PILOT, tmp_path / "specs" / "pilot-10mw.toml")
    shutil.copy(PILOT, tmp_path / "campus.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------ missing or unreadable spec


@pytest.mark.parametrize(
    "args",
    [
        ("check", "{spec}"),
        ("check", "campus.toml", "{spec}"),
        ("build", "{spec}", "-o", "out"),
        ("plan", "campus.toml", "{spec}"),
        ("plan", "{spec}", "--base", "HEAD"),
    ],
    ids=["check", "check-second", "build", "plan", "plan-base"],
)
def test_missing_spec_is_a_usage_error_with_did_you_mean(project, args):
    result = run(*(a.format(spec="specs/pilot-10m.toml") for a in args))
    assert result.exit_code == 2, result.output
    assert "no such file: specs/pilot-10m.toml; did you mean specs/pilot-10mw.toml?" in result.output
    assert not (project / "out").exists()


def test_did_you_mean_looks_beside_the_spec_and_in_specs(project):
    # In the working directory: a typo of a spec there ...
    assert "did you mean campus.toml?" in run("check", "campus.tml").output
    # ... and a spec that lives in specs/, named without its folder.
    result = run("check", "pilot-10mw.toml")
    assert result.exit_code == 2 and "did you mean specs/pilot-10mw.toml?" in result.output
    # A folder that does not exist: the same name in specs/.
    assert "did you mean specs/pilot-10mw.toml?" in run("check", "spec/pilot-10mw.toml").output
    # Without the extension.
    assert "did you mean specs/pilot-10mw.toml?" in run("check", "specs/pilot-10mw").output


def test_missing_spec_without_a_close_name(project):
    result = run("check", "totally-different.toml")
    assert result.exit_code == 2
    assert "no such file: totally-different.toml" in result.output and "did you mean" not in result.output


def test_folder_dangling_link_and_unreadable_spec_are_usage_errors(project, monkeypatch):
    assert run("check", "specs").exit_code == 2
    os.symlink("gone.toml", "link.toml")
    result = run("build", "link.toml")
    assert result.exit_code == 2 and "symbolic link to a file that does not exist" in result.output
    # Permission bits do not stop root, so deny the access check itself.
    real_access = os.access

    def access(path, mode, **kw):
        return False if str(path).endswith("campus.toml") else real_access(path, mode, **kw)

    monkeypatch.setattr(os, "access", access)
    result = run("check", "campus.toml")
    assert result.exit_code == 2 and "not readable" in result.output


# ------------------------------------------------------------------------------------- empty spec


@pytest.mark.parametrize(
    "text", ["", "\n  \n", "# a new campus\n\n# to be written\n"], ids=["empty", "blank", "comments"]
)
def test_empty_spec_points_at_init(tmp_path, text):
    spec = tmp_path / "campus.toml"
    spec.write_text(text)
    (d,) = check_spec(spec, "campus.toml").diagnostics
    assert d.code == "HUB010" and d.location.line == 1
    assert "hubc init" in d.help
    result = run("check", spec)
    assert result.exit_code == 1 and "HUB010" in result.output and "hubc init campus.toml" in result.output


# -------------------------------------------------------------------------------- table hints


def _without(text: str, start: str, end: str) -> str:
    a, b = text.index(start), text.index(end)
    return text[:a] + text[b:]


@pytest.mark.parametrize(
    "start, end, message, hint",
    [
        ("[[hall]]", "[electrical]", "missing required table `hall` in the top level", "add a `[[hall]]` table"),
        ("[campus]", "[policy]", "missing required table `campus` in the top level", "add a `[campus]` table"),
        ("[hall.cooling]", "[electrical]", "missing required table `cooling` in [[hall]]",
         "add a `[hall.cooling]` table"),
        ("slots_per_row = 12\n", "row_pitch_mm", "missing required key `slots_per_row` in [[hall]]",
         "add `slots_per_row = ...`"),
    ],
    ids=["array-table", "table", "sub-table", "key"],
)
def test_missing_table_hints_are_written_as_toml(tmp_path, start, end, message, hint):
    spec = tmp_path / "campus.toml"
    spec.write_text(_without(PILOT.read_text("utf-8"), start, end))
    (d,) = [d for d in check_spec(spec).diagnostics if d.code == "HUB004"]
    assert d.message == message
    assert d.help.startswith(hint), d.help
    assert "= ..." not in d.help or hint.endswith("= ...`")


def test_unknown_key_names_its_array_table():
    (d,) = check_spec(CASES / "bad" / "HUB003-unknown-key.toml").diagnostics
    assert d.message == "unknown key `row_busway_k` in [[hall]]"


# -------------------------------------------------------------------------------------- help


def _commands():
    return sorted(main.commands)


def test_build_help_names_the_output_option_as_typed():
    out = run("build", "--help").output
    assert "-o, --out DIR" in out
    assert not re.search(r"\bOUT\b", out), out


def _metavar(option, ctx):
    try:
        return option.make_metavar(ctx)
    except TypeError:  # click < 8.2
        return option.make_metavar()


@pytest.mark.parametrize("name", _commands())
def test_help_names_only_typed_placeholders(name):
    """Every placeholder in a command's help (an upper-case word such as SPEC, DIR or REV) is a
    positional argument in its usage line or the value of an option, shown after the option."""
    command = main.commands[name]
    ctx = click.Context(command, info_name=name)
    out = command.get_help(ctx)
    usage = out.splitlines()[0]
    values = {o.opts[-1]: _metavar(o, ctx) for o in command.params if isinstance(o, click.Option) and not o.is_flag}
    for opt, metavar in values.items():
        assert f"{opt} {metavar}" in out
    typed = set(re.findall(r"\b[A-Z][A-Z_]+\b", usage)) - {"OPTIONS"}
    typed |= set(values.values())
    acronyms = {"TOML", "JSON", "SARIF", "BOM", "HTML", "CI", "VS", "METRIC", "N"}  # METRIC:+N% is a RULE
    words = set(re.findall(r"\b[A-Z][A-Z_]+\b", out)) - {"OPTIONS"}
    for word in sorted(words - acronyms):
        assert word in typed, f"`hubc {name} --help` names {word}, which is neither an argument nor an option value"


def test_group_help_lists_whole_summaries():
    out = run("--help").output
    listing = out[out.index("Commands:"):]
    assert "..." not in listing
    for name in _commands():
        assert re.search(rf"^  {name} +\S", listing, re.MULTILINE)
