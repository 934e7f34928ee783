"""One bad-spec fixture per diagnostic code. Each file says `# expect: CODE` on its first
line and marks the offending line with `# <- CODE`; hubc must report exactly that code, there."""

import re

import pytest

from hubc.codes import registry
from hubc.pipeline import check_spec
from tests.conftest import CASES

BAD = sorted((CASES / "bad").glob("*.toml"))


def _expectation(path):
    raw = path.read_bytes()
    code = re.match(rb"# expect: (HUB\d{3})", raw).group(1).decode()
    lines = [i + 1 for i, line in enumerate(raw.splitlines()) if f"# <- {code}".encode() in line]
    return code, lines


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_spec_raises_its_code_at_its_line(path):
    code, lines = _expectation(path)
    assert lines, f"{path.name} marks no line with '# <- {code}'"
    checked = check_spec(path, path.name)
    codes = sorted({d.code for d in checked.diagnostics})
    assert codes == [code], "\n".join(f"{d.location} {d.code} {d.message}" for d in checked.diagnostics)
    for d in checked.diagnostics:
        assert d.location.file == path.name
        assert d.location.line in lines, f"{d.code} at line {d.location.line}, expected {lines}: {d.message}"
        assert d.location.col >= 1


# Codes `hubc check` can raise (build stages' codes are tested with their stages; HUB803
# needs a build and a lock file: tests/test_workflow.py).
CHECK_DOMAINS = {"spec", "refs", "halls", "power", "energy", "phases"}
CHECK_CODES = {"HUB801", "HUB802"}


# Codes whose input cannot be a small committed file, each with the test that generates it.
GENERATED = {"HUB012": "tests/test_limits.py::test_files_beyond_their_size_limit_are_hub011"}


def test_every_check_code_has_a_bad_fixture():
    covered = {_expectation(p)[0] for p in BAD} | set(GENERATED)
    spec_codes = {c.code for c in registry().values() if c.domain in CHECK_DOMAINS} | CHECK_CODES
    missing = sorted(spec_codes - covered)
    assert not missing, f"codes without a bad-spec fixture: {missing}"


def test_every_code_is_documented():
    for entry in registry().values():
        for part in (entry.summary, entry.what, entry.why, entry.example, entry.fix):
            assert part.strip(), entry.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.slug), entry.slug


def test_many_problems_are_reported_at_once(tmp_path):
    text = (CASES / "bad" / "HUB203-hall-busway-capacity.toml").read_text()
    text = text.replace("power_kw = 132", 'power_kw = "132"').replace('topology = "2N"', 'topology = "2N"\nbogus_key = 1')
    text = text.replace("design_pue = 1.30", "design_pue = -2")
    spec = tmp_path / "multi.toml"
    spec.write_text(text)
    codes = sorted(d.code for d in check_spec(spec).diagnostics)
    # Schema errors stop semantic checks, but every schema error is reported in one run.
    assert codes == ["HUB003", "HUB005"]
    text = text.replace('power_kw = "132"', "power_kw = 132").replace("bogus_key = 1\n", "")
    spec.write_text(text)
    codes = sorted(d.code for d in check_spec(spec).diagnostics)
    assert codes == ["HUB006"]


def test_unknown_key_suggests_the_right_key():
    checked = check_spec(CASES / "bad" / "HUB003-unknown-key.toml")
    (d,) = checked.diagnostics
    assert d.help == "did you mean `row_busway_kw`?"
    assert d.key_path == "hall[0].row_busway_k"


def test_missing_spec_file_is_a_diagnostic(tmp_path):
    checked = check_spec(tmp_path / "nope.toml")
    assert [d.code for d in checked.diagnostics] == ["HUB009"]
