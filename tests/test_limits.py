"""Hardening (issue 12, part A): every numeric field has a range, files are read confined,
regular and capped, problem sizes are limited at `check`, and text output stays bounded."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
import typing
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from hubc.cli import main
from hubc.codes import diag
from hubc.diagnostics import Location
from hubc.pipeline import check_spec
from hubc.render import render_json, render_text
from hubc.spec import model
from hubc.spec.limits import limits
from hubc.spec.source import load_text, nesting_too_deep
from tests.conftest import ROOT, SPECS

# The tests append their own [[phase]] tables: the example's one phase is cut off.
PILOT = (SPECS / "pilot-10mw.toml").read_text("utf-8").partition("\n[[phase]]")[0]


def _codes(checked) -> list[str]:
    return sorted({d.code for d in checked.diagnostics if d.severity.value == "error"})


def _spec(tmp_path: Path, text: str, name: str = "campus.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def no_hang():
    """Fail, not hang, if a read blocks (a FIFO opened for reading waits for a writer)."""

    def boom(*_):
        raise TimeoutError("a read blocked")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------------------ numbers


def _numeric_fields(*roots):
    """(class, field) for every number in the spec model (or the models under `roots`), found
    by walking it from `Spec`."""
    seen, out, todo = set(), [], list(roots or [model.Spec])
    while todo:
        cl = todo.pop()
        if cl in seen:
            continue
        seen.add(cl)
        hints = typing.get_type_hints(cl)
        for a in attrs.fields(cl):
            tp = hints[a.name]
            args = typing.get_args(tp) or (tp,)
            for arg in args:
                inner = typing.get_args(arg)[0] if typing.get_origin(arg) is tuple else arg
                if attrs.has(inner):
                    todo.append(inner)
            if any(arg in (int, float) for arg in args):
                out.append((cl, a))
    return out


def _user_catalog_models():
    """What a `[catalog] files` entry is structured into (user input, like the spec)."""
    from hubc.catalog.energy import BessContainer, LineCost, RenewableCost
    from hubc.catalog.equipment import CatalogFile

    return (CatalogFile, BessContainer, LineCost, RenewableCost)


def test_every_numeric_field_has_a_range():
    fields = _numeric_fields() + _numeric_fields(*_user_catalog_models())
    assert len(fields) > 80  # the walk found the models
    missing = [
        f"{cl.__name__}.{a.name}"
        for cl, a in fields
        if not (("ge" in a.metadata or "gt" in a.metadata) and ("le" in a.metadata or "lt" in a.metadata))
        and "checked_by" not in a.metadata
    ]
    assert not missing, f"numeric fields without a physical range: {missing}"


@pytest.mark.parametrize(
    "value", ["nan", "+nan", "-nan", "inf", "-inf", "1e400", "9" * 309, "-" + "9" * 30, "5e-324", "1e-300", "-1e-10"]
)
def test_non_finite_and_huge_numbers_are_hub006_at_their_line(tmp_path, value):
    path = _spec(tmp_path, PILOT.replace("contract_mw = 13", f"contract_mw = {value}"))
    checked = check_spec(path)
    (d,) = [d for d in checked.diagnostics if d.severity.value == "error"]
    assert d.code == "HUB006" and d.location.line == 24 and d.key_path == "grid.contract_mw"


def test_integers_beyond_pythons_digit_limit_are_hub006(tmp_path):
    path = _spec(tmp_path, PILOT.replace("contract_mw = 13", "contract_mw = " + "9" * 5000))
    (d,) = check_spec(path).diagnostics
    assert (d.code, d.location.line) == ("HUB006", 24)


@pytest.mark.parametrize("pue", ["0.5", "-1", "3.5"])
def test_annual_pue_has_a_range(tmp_path, pue):
    text = PILOT.replace("annual_pue = 1.22", f"annual_pue = {pue}")
    assert f"annual_pue = {pue}" in text
    (d,) = [d for d in check_spec(_spec(tmp_path, text)).diagnostics if d.severity.value == "error"]
    assert (d.code, d.key_path) == ("HUB006", "policy.annual_pue")


@pytest.mark.parametrize("copies", [0, -1])
def test_phase_copies_are_at_least_one(tmp_path, copies):
    # -1 balanced by another phase's extra copy used to pass and build negative capex.
    text = PILOT + (
        '\n[[phase]]\nid = "p1"\nyear = 2027\nenergize = ["rx-switchgear", "feeder-pangyo"]\n'
        f'halls = [{{ hall = "pilot-hall", copies = {copies} }}, {{ hall = "pilot-hall", copies = {1 - copies} }}]\n'
    )
    (d,) = [d for d in check_spec(_spec(tmp_path, text)).diagnostics if d.severity.value == "error"]
    assert (d.code, d.key_path) == ("HUB006", "phase[0].halls[0].copies")


# ----------------------------------------------------------------------------- ids


@pytest.mark.parametrize("ident", ["pilot-hall\\n", "pilot-hall\\r\\n", "h" * 65, "-a", "a--b", "Ａ"])
def test_bad_ids_are_hub103(tmp_path, ident):
    text = PILOT.replace('id = "pilot-hall"', f'id = "{ident}"').replace('hall = "pilot-hall"', f'hall = "{ident}"')
    checked = check_spec(_spec(tmp_path, text))
    assert "HUB103" in _codes(check_spec(_spec(tmp_path, text)))
    d = next(d for d in checked.diagnostics if d.code == "HUB103")
    assert "\n" not in d.message  # shown escaped, on one line


def test_an_id_of_64_characters_is_fine(tmp_path):
    ident = "h" * 64
    text = PILOT.replace('id = "pilot-hall"', f'id = "{ident}"').replace('hall = "pilot-hall"', f'hall = "{ident}"')
    assert "HUB103" not in _codes(check_spec(_spec(tmp_path, text)))


# ------------------------------------------------------------------------ nesting


def test_nesting_scan_ignores_brackets_in_strings_and_comments():
    deep = "[" * 50
    text = (
        f'a = "{deep}"\nb = \'{deep}\'\nc = """\n{deep}\n"""\nd = \'\'\'{deep}\'\'\'\n# {deep}\n'
        f'e = "\\"{deep}"\nf = [[1], {{ x = [2] }}]\n'
    )
    assert nesting_too_deep(text, 3) is None
    assert nesting_too_deep("x = " + "[" * 4 + "]" * 4, 3) == (1, 8)


@pytest.mark.parametrize("depth", [33, 400, 100_000])
def test_deep_arrays_and_inline_tables_are_hub010(depth):
    for opener, closer in (("[", "]"), ("{ a = ", " }")):
        raw = ("\n\nx = " + opener * depth + "1" + closer * depth + "\n").encode()
        doc, diags = load_text("deep.toml", raw)
        assert doc is None and [(d.code, d.location.line) for d in diags] == [("HUB011", 3)]


def test_deep_dotted_keys_are_hub010():
    doc, diags = load_text("deep.toml", ("\n" + ".".join(["k"] * 5000) + " = 1\n").encode())
    assert doc is None and [(d.code, d.location.line) for d in diags] == [("HUB011", 2)]


def test_a_deep_catalog_file_is_hub010_in_that_file(tmp_path):
    (tmp_path / "extra.toml").write_text("version = '1'\n\nx = " + "[" * 500 + "]" * 500 + "\n")
    path = _spec(tmp_path, PILOT + '\n[catalog]\nfiles = ["extra.toml"]\n')
    checked = check_spec(path)
    (d,) = [d for d in checked.diagnostics if d.code == "HUB011"]
    assert d.location.file.endswith("extra.toml") and d.location.line == 3


# --------------------------------------------------------------------------- reads


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.toml"
    secret.parent.mkdir()
    secret.write_text("SECRET-LINE = [\n")  # a TOML syntax error that a snippet would quote
    return secret


def test_files_outside_the_spec_folder_are_hub012(tmp_path, no_hang):
    secret = _outside(tmp_path)
    specdir = tmp_path / "campus"
    specdir.mkdir()
    (specdir / "link.toml").symlink_to(secret)
    (specdir / "sub").mkdir()
    files = [str(secret), "../outside/secret.toml", "link.toml", "sub/../../outside/secret.toml", "/dev/zero"]
    text = PILOT + "\n[catalog]\nfiles = [" + ", ".join(json.dumps(f) for f in files) + "]\n"
    checked = check_spec(_spec(specdir, text))
    found = [d for d in checked.diagnostics if d.code in ("HUB013", "HUB014", "HUB601")]
    assert [d.code for d in found] == ["HUB013"] * len(files)
    assert [d.path for d in found] == [("catalog", "files", i) for i in range(len(files))]
    assert all("SECRET" not in d.message for d in checked.diagnostics)


def test_profiles_outside_the_spec_folder_are_hub012(tmp_path):
    text = PILOT.replace("[energy]", '[energy]\nprofile_csv = "/etc/passwd"') if "[energy]" in PILOT else (
        PILOT + '\n[energy]\nprofile_csv = "/etc/passwd"\n'
    )
    checked = check_spec(_spec(tmp_path, text))
    assert _codes(checked) == ["HUB013"]


def test_fifos_devices_and_folders_are_hub013_without_blocking(tmp_path, no_hang):
    os.mkfifo(tmp_path / "pipe.toml")
    (tmp_path / "folder").mkdir()
    text = PILOT + '\n[catalog]\nfiles = ["pipe.toml", "folder"]\n'
    checked = check_spec(_spec(tmp_path, text))
    assert [d.code for d in checked.diagnostics if d.code.startswith("HUB01")] == ["HUB014", "HUB014"]
    text = PILOT + '\n[energy]\nprofile_csv = "pipe.toml"\n'
    assert _codes(check_spec(_spec(tmp_path, text))) == ["HUB014"]


def test_allow_read_admits_a_named_folder(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "extra.toml").write_text('version = "x"\nbogus = 1\n')
    specdir = tmp_path / "campus"
    path = _spec(specdir, PILOT + '\n[catalog]\nfiles = ["../shared/extra.toml"]\n')
    assert _codes(check_spec(path)) == ["HUB013"]
    allowed = check_spec(path, allow_read=(shared,))
    assert "HUB013" not in _codes(allowed) and "HUB003" in _codes(allowed)  # read, and checked


def test_output_never_quotes_a_file_outside_the_tree(tmp_path):
    secret = _outside(tmp_path)
    specdir = tmp_path / "campus"
    path = _spec(specdir, PILOT + '\n[catalog]\nfiles = ["../outside/secret.toml"]\n')
    runner = CliRunner()
    for fmt in ("text", "json", "sarif", "github"):
        result = runner.invoke(main, ["check", "--format", fmt, str(path)])
        assert result.exit_code == 1 and "SECRET" not in result.output, result.output
    # Named on the command line, the folder is read and its lines quoted.
    result = runner.invoke(main, ["check", "--allow-read", str(secret.parent), str(path)])
    assert result.exit_code == 1 and "SECRET-LINE" in result.output


def test_snippets_are_read_only_inside_the_roots(tmp_path, monkeypatch):
    from hubc.cli import _with_referenced_files

    secret = _outside(tmp_path)
    inside = tmp_path / "campus" / "x.toml"
    inside.parent.mkdir()
    inside.write_text("inside\n")
    d = [diag("HUB001", "m", Location(file=str(secret), line=1, col=1)),
         diag("HUB001", "m", Location(file="x.toml", line=1, col=1))]
    monkeypatch.chdir(tmp_path)
    got = _with_referenced_files(d, {}, (inside.parent,))
    assert got == {"x.toml": "inside\n"}


def test_files_beyond_their_size_limit_are_hub011(tmp_path, no_hang):
    lim = limits()
    # The spec itself (sparse files: no disk used).
    big = tmp_path / "big.toml"
    with open(big, "wb") as fh:
        fh.truncate(lim.spec_max_bytes + 1)
    (d,) = check_spec(big).diagnostics
    assert d.code == "HUB012" and check_spec(big).text is None
    if Path("/dev/zero").exists():
        (d,) = check_spec("/dev/zero").diagnostics
        assert d.code == "HUB012"
    # A catalog file and a profile CSV, each at its key in the spec.
    with open(tmp_path / "extra.toml", "wb") as fh:
        fh.truncate(lim.catalog_file_max_bytes + 1)
    with open(tmp_path / "util.csv", "wb") as fh:
        fh.truncate(lim.profile_csv_max_bytes + 1)
    text = PILOT + '\n[catalog]\nfiles = ["extra.toml"]\n\n[energy]\nprofile_csv = "util.csv"\n'
    checked = check_spec(_spec(tmp_path, text))
    found = [(d.code, d.key_path) for d in checked.diagnostics if d.severity.value == "error"]
    assert found == [("HUB012", "catalog.files[0]"), ("HUB012", "energy.profile_csv")]


def test_build_reads_profiles_confined_too(tmp_path):
    """Defence in depth: the energy stage reads through the same helper, so even a direct call
    with an escaping path reads nothing."""
    from hubc.diagnostics import HubcError
    from hubc.energy import profiles

    secret = tmp_path / "secret.csv"
    secret.write_text("0.5\n" * 8760)
    inside = tmp_path / "campus"
    inside.mkdir()
    with pytest.raises(HubcError) as err:
        profiles.read_profile_csv(inside / "../secret.csv", "../secret.csv", roots=(inside,))
    assert [d.code for d in err.value.diagnostics] == ["HUB013"]


# -------------------------------------------------------------------------- sizes


def test_a_1000_by_1000_hall_is_refused_at_check(tmp_path):
    text = PILOT.replace("rows = 8", "rows = 1000").replace("slots_per_row = 12", "slots_per_row = 1000")
    t0 = time.perf_counter()
    checked = check_spec(_spec(tmp_path, text))
    assert time.perf_counter() - t0 < 10
    assert _codes(checked) == ["HUB015"]


def test_array_and_string_limits(tmp_path):
    lim = limits()
    keepouts = ", ".join(f"{{ row = 1, slot = {1 + i % 12} }}" for i in range(lim.keepouts_per_hall_max + 1))
    text = re.sub(r"^keepout = .*$", f"keepout = [{keepouts}]", PILOT, flags=re.MULTILINE)
    assert "HUB015" in _codes(check_spec(_spec(tmp_path, text)))
    text = PILOT.replace('name = "', 'name = "' + "x" * (lim.string_max_chars + 1), 1)
    (d,) = [d for d in check_spec(_spec(tmp_path, text)).diagnostics if d.severity.value == "error"]
    assert d.code == "HUB015" and d.key_path == "campus.name"


def test_limits_cannot_be_waived(tmp_path):
    text = PILOT.replace("rows = 8", "rows = 1000").replace("slots_per_row = 12", "slots_per_row = 1000")
    text += '\n[[waive]]\ncode = "HUB015"\ntarget = "*"\nreason = "big hall"\n'
    checked = check_spec(_spec(tmp_path, text))
    assert _codes(checked) == ["HUB015"]
    assert any(d.code == "HUB802" and "cannot be waived" in d.message for d in checked.diagnostics)


# ------------------------------------------------------------------------ output


def _many(n: int):
    return [diag("HUB006", f"problem {i}", Location(file="s.toml", line=i + 1, col=1)) for i in range(n)]


def test_text_output_is_capped_and_json_is_complete():
    diags = _many(1000)
    source = "\n".join(f"line {i}" for i in range(1000))
    text = render_text(diags, {"s.toml": source})
    shown = limits().diagnostics_text_max
    assert text.count("HUB006 error") == shown
    assert f"… and {1000 - shown:,} more" in text and "found 1000 errors" in text
    assert len(json.loads(render_json(diags, {}))["diagnostics"]) == 1000


def test_text_rendering_splits_each_source_once():
    class Counting(str):
        calls = 0

        def splitlines(self, *args, **kwargs):
            Counting.calls += 1
            return super().splitlines(*args, **kwargs)

    render_text(_many(150), {"s.toml": Counting("\n".join(f"line {i}" for i in range(200)))})
    assert Counting.calls == 1


def test_a_long_line_is_clipped_in_snippets():
    line = "keepout = [" + ", ".join(f"{{ row = {i}, slot = 1 }}" for i in range(3000)) + "]"
    diags = [diag("HUB207", "m", Location(file="s.toml", line=1, col=12 + 22 * i, length=20)) for i in range(3000)]
    text = render_text(diags, {"s.toml": line}, max_shown=3000)
    assert len(text) < 3000 * 400


def test_snippets_do_not_pass_control_characters():
    d = [diag("HUB001", "m", Location(file="s.toml", line=1, col=1))]
    text = render_text(d, {"s.toml": "name = \"\x1b[2J\x07\""})
    assert "\x1b" not in text and "\x07" not in text


# -------------------------------------------------------------------------- docs


def test_readme_lists_the_limits():
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    lim = limits()
    for value in (lim.slots_per_hall_max, lim.halls_max, lim.keepouts_per_hall_max, lim.renewables_max,
                  lim.id_max_chars, lim.diagnostics_text_max, lim.max_nesting_depth):
        assert f"{value:,}" in section, value
    assert "--allow-read" in section


def test_cli_check_never_tracebacks_on_a_deep_catalog_file(tmp_path):
    (tmp_path / "extra.toml").write_text("x = " + "{ a = " * 2000 + "1" + " }" * 2000 + "\n")
    path = _spec(tmp_path, PILOT + '\n[catalog]\nfiles = ["extra.toml"]\n')
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1 and "HUB011" in result.output, result.output
    assert sys.getrecursionlimit() >= 1000  # nothing raised it to get here


def test_many_dangling_references_get_few_fuzzy_matches(tmp_path, monkeypatch):
    """A did-you-mean is a fuzzy match against every defined id: 20,000 dangling references
    used to take minutes; only the first few get a suggestion."""
    import difflib

    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: calls.append(1) or real(*a, **k))
    energize = ", ".join(f'"missing-{i}"' for i in range(500))
    text = PILOT + f'\n[[phase]]\nid = "p1"\nyear = 2027\nenergize = [{energize}]\n'
    checked = check_spec(_spec(tmp_path, text))
    assert sum(d.code == "HUB102" for d in checked.diagnostics) == 500
    assert len(calls) <= 20


def test_catalog_ids_are_anchored_too(tmp_path):
    from bench.fuzz import GOOD_CATALOG

    (tmp_path / "extra.toml").write_text(GOOD_CATALOG.replace('id = "mv-switchgear-quote"', 'id = "mv-switchgear-quote\\n"'))
    path = _spec(tmp_path, PILOT + '\n[catalog]\nfiles = ["extra.toml"]\n')
    assert "HUB610" in _codes(check_spec(path))


def test_messages_do_not_pass_control_or_bidi_characters():
    """Checks quote ids and names in messages; an id of "\\x1b[2J" must not clear the reader's
    terminal, nor a U+202E reorder the line."""
    from hubc.render import render_github

    d = [diag("HUB202", "hall-\x1b[2J\u202eholds\x07 3 racks", Location(file="s\x1b.toml", line=1, col=1),
              help="fix \x1b]0;title\x07")]
    for text in (render_text(d, {"s\x1b.toml": "x = 1"}), render_github(d, {})):
        assert not any(ch in text for ch in "\x1b\x07\u202e"), repr(text)
        assert "\\x1b" in text


@pytest.mark.parametrize("kind", ["array", "inline", "header", "dotted", "mixed"])
def test_nesting_exactly_at_the_limit_loads_and_one_more_is_hub011(kind):
    # The text scan counts brackets and dotted-key parts; the parsed-document walk counts key-path
    # parts, which include the top-level key: both must put the line at the same depth.
    import bench.fuzz as fuzz

    from hubc.spec.source import load_text

    top = limits().max_nesting_depth // (2 if kind == "mixed" else 1)
    base = fuzz.EXAMPLES[fuzz.PILOT]
    for depth, deep in ((top, False), (top + 1, True)):
        text = base.replace("[campus]", fuzz.nesting_snippet(kind, depth) + "\n\n[campus]", 1)
        doc, diags = load_text("pilot.toml", text.encode())
        assert ([d.code for d in diags] == ["HUB011"]) if deep else (doc is not None and not diags), (kind, depth, diags)
