"""Property: whatever is done to an example spec, hubc answers with diagnostics, never a
traceback. Mutations: wrong types, missing keys, deleted tables, negative and huge numbers,
truncation, random bytes, non-UTF-8 bytes."""

import tomllib

import pytest
import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubc.cli import main
from hubc.pipeline import check_document
from hubc.spec.source import load_text
from tests.conftest import SPECS

EXAMPLES = {p.name: p.read_bytes() for p in sorted(SPECS.glob("*.toml"))}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(name: str, raw: bytes):
    """What `hubc check` does, without the process: must return, never raise."""
    doc, diags = load_text(name, raw)
    if doc is None:
        return diags
    return list(check_document(doc, SPECS).diagnostics)


def _paths(data, prefix=()):
    """Every key path in a TOML document (tables, arrays and leaves)."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(prefix + (k,))
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.append(prefix + (i,))
            out.extend(_paths(v, prefix + (i,)))
    return out


def _get_parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


WRONG_VALUES = st.one_of(
    st.text(max_size=12),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.builds(list),
    st.builds(dict),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=2),
    st.sampled_from([-1, -1e9, 1e308, 0, -0.0, 10**18, 10**309, float("nan"), float("-inf")]),
)


@pytest.mark.slow
@FUZZ
@given(name=st.sampled_from(sorted(EXAMPLES)), data=st.data())
def test_structural_mutations_give_diagnostics(name, data):
    doc = tomllib.loads(EXAMPLES[name].decode("utf-8"))
    paths = _paths(doc)
    n = data.draw(st.integers(min_value=1, max_value=3))
    mutated_paths = []
    for _ in range(n):
        path = data.draw(st.sampled_from(paths))
        try:
            parent = _get_parent(doc, path)
            op = data.draw(st.sampled_from(["delete", "replace"]))
            if op == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = data.draw(WRONG_VALUES)
            mutated_paths.append(path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    raw = tomli_w.dumps(doc).encode("utf-8")
    diags = _check(name, raw)
    # Never a traceback (we got here); every finding names a code and a place.
    for d in diags:
        assert d.code.startswith("HUB") and d.location.file == name and d.location.line >= 0


@FUZZ
@given(name=st.sampled_from(sorted(EXAMPLES)), cut=st.floats(min_value=0.0, max_value=0.98))
def test_truncated_files_give_diagnostics(name, cut):
    # Cutting a spec short always leaves something to report: a syntax error, a missing key,
    # or (when a whole trailing phase or waiver goes) copies never energized / a finding unwaived.
    raw = EXAMPLES[name]
    diags = _check(name, raw[: int(len(raw) * cut)])
    assert diags


@FUZZ
@given(name=st.sampled_from(sorted(EXAMPLES)), junk=st.binary(min_size=1, max_size=40), where=st.floats(0, 1))
def test_random_bytes_never_crash(name, junk, where):
    raw = EXAMPLES[name]
    i = int(len(raw) * where)
    diags = _check(name, raw[:i] + junk + raw[i:])
    for d in diags:
        assert d.code.startswith("HUB")


@FUZZ
@given(name=st.sampled_from(sorted(EXAMPLES)), where=st.floats(0, 1), bad=st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc7\xd1"]))
def test_non_utf8_is_hub002(name, where, bad):
    raw = EXAMPLES[name]
    i = int(len(raw) * where)
    diags = _check(name, raw[:i] + bad + raw[i:])
    assert [d.code for d in diags] == ["HUB002"]


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(sorted(EXAMPLES)), cut=st.floats(min_value=0.05, max_value=0.9))
def test_cli_exits_1_with_diagnostics_on_broken_specs(tmp_path_factory, name, cut):
    path = tmp_path_factory.mktemp("fuzz") / name
    raw = EXAMPLES[name]
    path.write_bytes(raw[: int(len(raw) * cut)] + b"\n[[hall]]\nrows = -3\n")
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert '"severity": "error"' in result.output
