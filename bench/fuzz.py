"""Fuzzing hubc as a hostile or careless user would: N mutated specs through `check` (and with
--build, every one that passes `check` through `build`), counting tracebacks and hangs.

    python bench/fuzz.py N [--build] [--seed S] [--timeout SECONDS] [--keep DIR]

Mutations (1-3 per case, on the example specs; with --build on the pilot, biased towards
values that pass `check` so that the build runs): NaN, infinities and huge numbers in every
numeric field (found by walking the spec's attrs model), values at and past each field's range,
wrong types, long and odd-character ids and strings, deleted, duplicated and multiplied tables,
tables from other examples, problem sizes at and beyond the limits, files named by the spec
(outside its folder, a FIFO, a folder, /dev/zero, oversized, a symlink out, mutated catalog
files), and text-level damage (nesting thousands deep, truncation, junk and non-UTF-8 bytes,
duplicated lines).

A traceback is any exception out of `check`, a renderer or `build` other than hubc's own
`HubcError`; a hang is a case over the time limit (SIGALRM). Build verdicts follow the CLI
contract: exit 0, or exit 1/3 with at least one error diagnostic. Failing cases are saved with
their traceback under --keep. The tests (tests/test_fuzz_spec.py) run a few of the same
mutations through hypothesis; this script runs thousands and prints figures.
"""

from __future__ import annotations

import argparse
import copy
import datetime
import json
import math
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
import tomllib
import traceback
import typing
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import tomli_w

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.catalog_entries import ACME_CONTAINER, QUOTED_SWITCHGEAR
from hubc.spec.model import Spec

EXAMPLES = {p.name: p.read_text("utf-8") for p in sorted((ROOT / "specs").glob("*.toml"))}
PILOT = "pilot-10mw.toml"

NAN = float("nan")
INF = float("inf")
# Numbers no quantity is: non-finite, beyond float, beyond 64 bits, beyond Python's digit limit.
EDGE_NUMBERS: list[Any] = [
    NAN, -NAN, INF, -INF, 1e308, -1e308, 10**309, -(10**309), 10**4000, 2**63, 2**63 - 1, -(2**63), -(2**63) - 1,
    10**18, 0, -0.0, -1, 1, 5e-324, 1e-300, 0.5, 1.5, 1e9, 99999,
]
ODD_STRINGS = [
    "", " ", "a" * 64, "a" * 65, "a" * 300, "x" * 5000, "hall-a\n", "hall-a\r\n", "\x00", "a\x00b", "\x1b[2J",
    "../../etc/passwd", "/etc/passwd", "CON", "nul", ".", "..", "-", "a--b", "-a", "é", "해남", "Ａ", "\u202egnp.exe",
    "🙂", "=cmd|' /C calc'!A0", "\r=1+1", "<script>alert(1)</script>", "]]>", "&amp;", "'\"", "%s%n", "{0}", "\\",
    "a" * 4097, "hall-a", "pilot-hall", "gb200-su", "gb200-nvl72", "rx-switchgear", "N+1", "2N", "auto",
]
WRONG_VALUES: list[Any] = [
    "", "130", "auto", True, False, [], {}, [1, 2], {"a": 1}, [{"a": 1}], datetime.date(2027, 1, 1),
    datetime.datetime(2027, 1, 1, 12, 0), datetime.time(12, 0), -1, 0, 1.5, NAN, 10**309,
]
# Files a spec may name, as prepared by `Sandbox` (and some it must not read).
FILE_REFS = [
    "good.csv", "short.csv", "bad.csv", "huge.csv", "fifo", "dir", "link-out", "link-in.csv", "/etc/passwd",
    "/dev/zero", "/proc/self/environ", "../outside.csv", "", ".", "nope.csv", "a\x00b", "p" * 5000,
    "good-catalog.toml", "deep-catalog.toml", "nan-catalog.toml", "bad-catalog.toml", "huge-catalog.toml",
    "sub/../good.csv", "./good.csv",
]

GOOD_CATALOG = 'version = "fuzz-1"\n' + QUOTED_SWITCHGEAR + ACME_CONTAINER


class Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so that no `except Exception` in hubc swallows it."""


# ------------------------------------------------------------------------------ model walk


@attrs.frozen
class Field:
    path: tuple
    attr: Any
    members: tuple  # the field's types (a union's members; a tuple field's element type)
    is_tuple: bool

    @property
    def numeric(self) -> str | None:
        if int in self.members:
            return "int"
        if float in self.members:
            return "float"
        return None

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        m = self.attr.metadata
        lo = m.get("ge", m.get("gt"))
        hi = m.get("le", m.get("lt"))
        return lo, hi


_HINTS: dict[type, dict] = {}


def _hints(cls: type) -> dict:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _members(tp: Any) -> tuple[tuple, bool]:
    if typing.get_origin(tp) is tuple:
        return _members(typing.get_args(tp)[0])[0], True
    args = typing.get_args(tp)
    if args and typing.get_origin(tp) is not typing.Literal:
        return tuple(a for a in args if a is not type(None)), False
    return (tp,), False


def model_fields(doc: dict) -> list[Field]:
    """Every field of the spec model at every table present in `doc` (present or not)."""
    out: list[Field] = []

    def walk(data: dict, cls: type, path: tuple) -> None:
        hints = _hints(cls)
        for a in attrs.fields(cls):
            members, is_tuple = _members(hints[a.name])
            here = path + (a.name,)
            out.append(Field(here, a, members, is_tuple))
            value = data.get(a.name)
            sub = next((m for m in members if attrs.has(m)), None)
            if sub is None:
                continue
            if is_tuple and isinstance(value, list):
                for i, v in enumerate(value):
                    if isinstance(v, dict):
                        walk(v, sub, here + (i,))
            elif not is_tuple and isinstance(value, dict):
                walk(value, sub, here)

    walk(doc, Spec, ())
    return out


def all_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(all_paths(v, prefix + (k,)))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def set_path(doc: dict, path: tuple, value: Any) -> None:
    parent = _parent(doc, path)
    if isinstance(parent, list) and isinstance(path[-1], int) and path[-1] >= len(parent):
        parent.append(value)
    else:
        parent[path[-1]] = value


# ------------------------------------------------------------------------------- sandbox


class Sandbox:
    """A folder with the files specs may name: the spec is written to `case/`, which holds good
    and bad profiles and catalogs, a FIFO, a folder and symlinks; `outside.csv` lies beside it."""

    def __init__(self, root: Path):
        self.root = root
        self.case = root / "case"
        self.case.mkdir(parents=True, exist_ok=True)
        good = "hour,pu\n" + "".join(f"{h},{0.3 + 0.5 * (h % 24 >= 8):.2f}\n" for h in range(8760))
        (root / "outside.csv").write_text(good)
        files = {
            "good.csv": good,
            "short.csv": "0.5\n" * 100,
            "bad.csv": "x\n" + "bad\n" * 8760,
            "good-catalog.toml": GOOD_CATALOG,
            "deep-catalog.toml": "x = " + "[" * 5000 + "]" * 5000 + "\n",
            "nan-catalog.toml": GOOD_CATALOG.replace("cost_krw = 110_000_000", "cost_krw = nan").replace(
                "energy_mwh = 4.0", "energy_mwh = inf"
            ),
            "bad-catalog.toml": GOOD_CATALOG.replace('family = "mv-switchgear"', 'family = "warp-drive"'),
        }
        for name, text in files.items():
            (self.case / name).write_text(text)
        for name in ("huge.csv", "huge-catalog.toml"):
            with open(self.case / name, "wb") as fh:
                fh.truncate(64 << 20)  # sparse: larger than every cap, no disk used
        (self.case / "dir").mkdir(exist_ok=True)
        (self.case / "sub").mkdir(exist_ok=True)
        if not (self.case / "fifo").exists():
            os.mkfifo(self.case / "fifo")
        for name, target in (("link-out", "/etc/passwd"), ("link-in.csv", "good.csv")):
            if not (self.case / name).is_symlink():
                (self.case / name).symlink_to(target)
        self.spec = self.case / "spec.toml"

    def write_catalog(self, text: str) -> str:
        (self.case / "mut-catalog.toml").write_text(text, "utf-8", errors="surrogatepass")
        return "mut-catalog.toml"


# ----------------------------------------------------------------------------- mutations


Op = Callable[[random.Random, dict, Sandbox], str]


def _numeric(doc: dict) -> list[Field]:
    return [f for f in model_fields(doc) if f.numeric and not f.is_tuple]


def op_edge_number(rng: random.Random, doc: dict, box: Sandbox) -> str:
    f = rng.choice(_numeric(doc))
    value = rng.choice(EDGE_NUMBERS)
    set_path(doc, f.path, value)
    return f"{_fmt(f.path)} = {_short(value)}"


def op_range_edge(rng: random.Random, doc: dict, box: Sandbox) -> str:
    f = rng.choice(_numeric(doc))
    lo, hi = f.bounds
    picks = [b for b in (lo, hi) if b is not None]
    if not picks:
        return op_edge_number(rng, doc, box)
    b = rng.choice(picks)
    step = 1 if f.numeric == "int" else rng.choice([1e-9, 1e-3, 0.5, abs(b) * 0.01 or 1e-6])
    value = rng.choice([b, b - step, b + step])
    if f.numeric == "int":
        value = int(value)
    set_path(doc, f.path, value)
    return f"{_fmt(f.path)} = {_short(value)} (range edge)"


def op_in_range(rng: random.Random, doc: dict, box: Sandbox) -> str:
    """A value inside the field's range (what --build needs to get past check)."""
    f = rng.choice(_numeric(doc))
    lo, hi = f.bounds
    lo = 0 if lo is None else lo
    hi = lo + 1000 if hi is None else hi
    if f.numeric == "int":
        value = rng.randint(math.ceil(lo), int(min(hi, lo + 10**6)))
    else:
        scale = rng.random() ** 3 if hi - lo > 100 else rng.random()  # favour small values of huge ranges
        value = lo + (hi - lo) * scale
    current = _get(doc, f.path)
    if isinstance(current, (int, float)) and not isinstance(current, bool) and rng.random() < 0.8:
        value = current * rng.choice([0.5, 0.8, 0.9, 1.1, 1.25, 1.5, 2.0])  # near the example's own value
        value = min(max(value, lo), hi)
        value = round(value) if f.numeric == "int" else value
    set_path(doc, f.path, value)
    return f"{_fmt(f.path)} = {_short(value)} (in range)"


def op_wrong_type(rng: random.Random, doc: dict, box: Sandbox) -> str:
    path = rng.choice(all_paths(doc))
    value = copy.deepcopy(rng.choice(WRONG_VALUES + ODD_STRINGS))
    set_path(doc, path, value)
    return f"{_fmt(path)} = {_short(value)}"


def op_odd_string(rng: random.Random, doc: dict, box: Sandbox) -> str:
    fields = [f for f in model_fields(doc) if str in f.members]
    ids = [f for f in fields if f.attr.metadata.get("id")]
    f = rng.choice(ids if ids and rng.random() < 0.5 else fields)
    value = rng.choice(ODD_STRINGS)
    if f.is_tuple:
        current = _get(doc, f.path)
        items = list(current) if isinstance(current, list) else []
        items.insert(rng.randint(0, len(items)), value)
        set_path(doc, f.path, items)
    else:
        set_path(doc, f.path, value)
    return f"{_fmt(f.path)} = {_short(value)}"


def op_delete(rng: random.Random, doc: dict, box: Sandbox) -> str:
    path = rng.choice(all_paths(doc))
    parent = _parent(doc, path)
    del parent[path[-1]]
    return f"delete {_fmt(path)}"


def op_duplicate(rng: random.Random, doc: dict, box: Sandbox) -> str:
    arrays = [p for p in all_paths(doc) if isinstance(_get(doc, p), list) and _get(doc, p)]
    tables = [p for p in all_paths(doc) if isinstance(_get(doc, p), dict)]
    if arrays and (not tables or rng.random() < 0.7):
        path = rng.choice(arrays)
        items = _get(doc, path)
        item = copy.deepcopy(rng.choice(items))
        n = rng.choice([1, 1, 2, 10, 70, 2000])
        # Enough copies to pass the spec size limit, not a hundred times it (writing those is
        # the fuzzer's time, not hubc's).
        size = len(tomli_w.dumps({"x": item})) if isinstance(item, dict) else len(repr(item))
        n = max(1, min(n, (2 << 20) // max(1, size)))
        fresh = rng.random() < 0.5 and isinstance(item, dict) and "id" in item
        for k in range(n):
            new = copy.deepcopy(item)
            if fresh:
                new["id"] = f"{item['id']}-{k}"[:60]
            items.append(new)
        return f"{_fmt(path)} += {n} copies" + (" (fresh ids)" if fresh else " (same id)")
    path = rng.choice(tables)
    set_path(doc, path, [copy.deepcopy(_get(doc, path))] * rng.choice([1, 2]))
    return f"{_fmt(path)} -> array of tables"


def op_donor(rng: random.Random, doc: dict, box: Sandbox) -> str:
    donor = tomllib.loads(EXAMPLES[rng.choice(sorted(EXAMPLES))])
    key = rng.choice([k for k in donor if k != "schema"])
    value = copy.deepcopy(donor[key])
    if isinstance(value, list) and isinstance(doc.get(key), list) and rng.random() < 0.6:
        doc[key].extend(value)
        return f"{key} += {len(value)} from another example"
    doc[key] = value
    return f"{key} from another example"


def op_sizes(rng: random.Random, doc: dict, box: Sandbox) -> str:
    halls = doc.get("hall")
    if not isinstance(halls, list) or not halls or not isinstance(halls[0], dict):
        return op_edge_number(rng, doc, box)
    h = rng.choice([x for x in halls if isinstance(x, dict)] or [{}])
    what = rng.choice(["grid", "copies", "keepout", "pods"])
    if what == "grid":
        h["rows"], h["slots_per_row"] = rng.choice([(1, 1), (2, 12), (48, 48), (64, 64), (65, 64), (1000, 1000)])
        return f"hall rows x slots = {h['rows']} x {h['slots_per_row']}"
    if what == "copies":
        h["copies"] = rng.choice([1, 2, 100, 999, 1000])
        return f"hall copies = {h['copies']}"
    if what == "keepout":
        n = rng.choice([0, 1, 50, 4096, 4097, 5000])
        rows, slots = max(1, int(h.get("rows", 8) or 8)), max(1, int(h.get("slots_per_row", 12) or 12))
        h["keepout"] = [{"row": 1 + rng.randrange(rows + 1), "slot": 1 + rng.randrange(slots + 1)} for _ in range(n)]
        return f"{n} keep-outs"
    pods = h.get("pods")
    if isinstance(pods, list) and pods and isinstance(pods[0], dict):
        pods[0]["count"] = rng.choice([1, 100, 99999, 100000])
        return f"pods[0].count = {pods[0]['count']}"
    return "no pods to resize"


def op_file_ref(rng: random.Random, doc: dict, box: Sandbox) -> str:
    ref = rng.choice(FILE_REFS)
    where = rng.choice(["catalog", "energy", "renewable"])
    if where == "catalog" or rng.random() < 0.2:
        if rng.random() < 0.35:
            ref = box.write_catalog(_mutate_catalog(rng))
        doc.setdefault("catalog", {})
        if isinstance(doc["catalog"], dict):
            doc["catalog"]["files"] = [ref] * rng.choice([1, 1, 2, 17])
        return f"catalog.files = [{_short(ref)}]"
    if where == "energy":
        if not isinstance(doc.get("energy"), dict):
            doc["energy"] = {}
        doc["energy"]["profile_csv"] = ref
        return f"energy.profile_csv = {_short(ref)}"
    plants = doc.get("renewable")
    if not isinstance(plants, list) or not plants:
        doc["renewable"] = plants = [
            {"id": "fuzz-pv", "kind": "solar", "capacity_mw": 5.0, "capacity_factor": 0.14}
        ]
    if isinstance(plants[0], dict):
        plants[0]["profile_csv"] = ref
    return f"renewable[0].profile_csv = {_short(ref)}"


def _mutate_catalog(rng: random.Random) -> str:
    data = tomllib.loads(GOOD_CATALOG)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(all_paths(data))
        value = rng.choice(EDGE_NUMBERS + WRONG_VALUES + ODD_STRINGS)
        if rng.random() < 0.2:
            del _parent(data, path)[path[-1]]
        else:
            set_path(data, path, copy.deepcopy(value))
    return tomli_w.dumps(data)


def op_catalog_extreme(rng: random.Random, doc: dict, box: Sandbox) -> str:
    """A user catalog whose numbers are finite but extreme (prices of 1e300 KRW, ratings of
    1e-300): they pass the converter, so the build must cope or refuse them with a finding."""
    data = tomllib.loads(GOOD_CATALOG)
    table = rng.choice(["equipment", "bess_container"])
    item = data[table][0]
    key = rng.choice([k for k, v in item.items() if isinstance(v, (int, float)) and not isinstance(v, bool)])
    item[key] = rng.choice([1e300, 1e30, 1e-300, 0, 0.0, 1e15, 2**62, 1e4, 1e7, 1e10, 1e12, 1e13])
    if table == "bess_container" and rng.random() < 0.7:
        doc.setdefault("bess", {"id": "fuzz-bess", "energy_mwh": 8.0, "power_mw": 4.0})
        if isinstance(doc["bess"], dict):
            doc["bess"]["container"] = item["id"]
    doc["catalog"] = {"files": [box.write_catalog(tomli_w.dumps(data))]}
    return f"catalog {table}.{key} = {_short(item[key])}"


DOC_OPS: list[tuple[Op, int]] = [
    (op_edge_number, 6), (op_range_edge, 4), (op_in_range, 2), (op_wrong_type, 3), (op_odd_string, 4),
    (op_delete, 3), (op_duplicate, 3), (op_donor, 2), (op_sizes, 2), (op_file_ref, 3), (op_catalog_extreme, 1),
]
# For --build: mostly changes that keep the spec checkable, so that the build runs.
BUILD_OPS: list[tuple[Op, int]] = [
    (op_in_range, 12), (op_range_edge, 2), (op_donor, 1), (op_sizes, 1), (op_file_ref, 1), (op_odd_string, 1),
    (op_duplicate, 1), (op_catalog_extreme, 2),
]


NESTING_KINDS = ("array", "inline", "dotted", "header", "mixed")


def nesting_snippet(kind: str, depth: int) -> str:
    """TOML nested `depth` deep: arrays, inline tables, dotted keys, a table header, or arrays of
    inline tables ("mixed": two levels per step)."""
    if kind == "dotted":
        return ".".join(["k"] * depth) + " = 1"
    if kind == "header":
        return "[" + ".".join(["t"] * depth) + "]\nx = 1"
    open_, close = {"array": ("[", "]"), "inline": ("{ a = ", " }"), "mixed": ("[{ a = ", " }]")}[kind]
    return "fuzz = " + open_ * depth + "1" + close * depth


def _deep_text(rng: random.Random, text: str) -> tuple[str, str]:
    depth = rng.choice([31, 32, 33, 100, 400, 5000, 50_000])
    kind = rng.choice(list(NESTING_KINDS))
    snippet = nesting_snippet(kind, depth)
    lines = text.splitlines()
    i = rng.randrange(len(lines) + 1)
    return "\n".join(lines[:i] + [snippet] + lines[i:]) + "\n", f"{kind} nesting {depth} at line {i + 1}"


def _text_op(rng: random.Random, raw: bytes) -> tuple[bytes, str]:
    what = rng.choice(["deep", "deep", "truncate", "junk", "utf8", "dupline", "longline", "digits"])
    text = raw.decode("utf-8", errors="surrogatepass")
    if what == "deep":
        text, desc = _deep_text(rng, text)
        return text.encode("utf-8", errors="surrogatepass"), desc
    if what == "truncate":
        cut = rng.randrange(len(raw) + 1)
        return raw[:cut], f"truncated at byte {cut}"
    if what == "junk":
        i = rng.randrange(len(raw) + 1)
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
        return raw[:i] + junk + raw[i:], f"{len(junk)} junk bytes at {i}"
    if what == "utf8":
        i = rng.randrange(len(raw) + 1)
        return raw[:i] + rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xc7\xd1"]) + raw[i:], f"bad UTF-8 at {i}"
    if what == "digits":
        # Beyond Python's 4,300-digit int conversion limit (tomli_w cannot even write it).
        numbers = [m for m in re.finditer(r"(?m)^([a-z_]+ = )(-?[0-9][0-9.e+-]*)$", text)]
        if numbers:
            m = rng.choice(numbers)
            text = text[: m.start(2)] + "9" * rng.choice([4300, 4301, 20000]) + text[m.end(2):]
            return text.encode("utf-8", errors="surrogatepass"), f"{m.group(1).strip()} a number of thousands of digits"
    lines = text.splitlines()
    i = rng.randrange(len(lines)) if lines else 0
    if what == "dupline" and lines:
        lines.insert(i, lines[i])
        return ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass"), f"line {i + 1} duplicated"
    long = "keepout = [" + ", ".join(f"{{ row = {k}, slot = 1 }}" for k in range(rng.choice([10, 3000]))) + "]"
    lines.insert(i, long)
    return ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass"), f"long line at {i + 1}"


def mutate(rng: random.Random, box: Sandbox, *, build: bool = False) -> tuple[str, bytes, list[str]]:
    """(example name, mutated bytes, what was done)."""
    name = PILOT if build else rng.choice(sorted(EXAMPLES))
    doc = tomllib.loads(EXAMPLES[name])
    ops = BUILD_OPS if build else DOC_OPS
    done = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        op = rng.choices([o for o, _ in ops], weights=[w for _, w in ops])[0]
        try:
            done.append(op(rng, doc, box))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            continue  # an earlier mutation removed or retyped what this one needed
    raw = tomli_w.dumps(doc).encode("utf-8", errors="surrogatepass")
    if not build and rng.random() < 0.25:
        raw, desc = _text_op(rng, raw)
        done.append(desc)
    return name, raw, done


# ------------------------------------------------------------------------------ running


@attrs.define
class Verdict:
    kind: str  # "ok", "traceback", "hang"
    detail: str = ""
    checked_ok: bool = False
    exit_code: int | None = None
    codes: tuple[str, ...] = ()  # the error codes check reported
    seconds: float = 0.0  # hubc's time on the case (check, renderers, build), not the mutation's


def run_check(path: Path, label: str):
    """`hubc check` in-process, every renderer included; returns the Checked."""
    from hubc import cli
    from hubc.codes import registry
    from hubc.diagnostics import has_errors
    from hubc.pipeline import check_spec, exit_code

    checked = check_spec(path, label)
    diags = list(checked.diagnostics)
    for fmt in cli.FORMATS:
        cli._render(diags, checked.sources(), fmt, checked.read_roots())
    code = exit_code(diags)
    reg = registry()
    for d in diags:
        if d.code not in reg or not d.location.file:
            raise AssertionError(f"malformed diagnostic {d!r}")
    if not checked.ok and not has_errors(diags):
        raise AssertionError("check failed without an error diagnostic")
    if code not in (0, 1):
        raise AssertionError(f"check exit code {code}")
    return checked


def run_build(path: Path, out: Path) -> int:
    """`hubc build` in-process through the CLI; returns the exit code, or raises on a
    traceback or a broken contract (exit 1 or 3 with no error diagnostic)."""
    from click.testing import CliRunner

    from hubc.cli import main

    result = CliRunner().invoke(main, ["build", str(path), "-o", str(out), "--format", "json", "-q"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    code = result.exit_code
    if code in (1, 3):
        try:
            doc = json.loads(result.output)
        except ValueError:
            raise AssertionError(f"exit {code} with output that is not the JSON diagnostics: {result.output[:300]}")
        if not doc["summary"]["errors"]:
            raise AssertionError(f"exit {code} without an error diagnostic")
    elif code != 0:
        raise AssertionError(f"build exit code {code}: {result.output[:300]}")
    return code


def _alarm(_signum, _frame):
    raise Timeout()


def one_case(rng: random.Random, box: Sandbox, *, build: bool, timeout: float) -> tuple[Verdict, str, bytes, list]:
    name, raw, done = mutate(rng, box, build=build)
    box.spec.write_bytes(raw)
    t0 = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        checked = run_check(box.spec, name)
        errors = sorted({d.code for d in checked.diagnostics if d.severity.value == "error"})
        verdict = Verdict("ok", checked_ok=checked.ok, codes=tuple(errors))
        if build and checked.ok:
            verdict.exit_code = run_build(box.spec, box.root / "out")
    except Timeout:
        verdict = Verdict("hang", f"over {timeout:g} s")
    except Exception as exc:  # noqa: BLE001 - the point: any exception is a finding
        verdict = Verdict("traceback", "".join(traceback.format_exception(exc)))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    verdict.seconds = time.perf_counter() - t0
    return verdict, name, raw, done


def _signature(tb: str) -> str:
    lines = [ln.strip() for ln in tb.strip().splitlines()]
    where = [ln for ln in lines if ln.startswith('File "') and "/hubc/" in ln]
    return ((where[-1] if where else "") + " | " + (lines[-1] if lines else ""))[:300]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of mutated specs")
    ap.add_argument("--build", action="store_true", help="build every mutation that passes check (pilot spec)")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--timeout", type=float, default=None, help="per case, seconds (check 20, build 300)")
    ap.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "hubc-fuzz-failures")
    args = ap.parse_args()
    timeout = args.timeout or (300.0 if args.build else 20.0)
    rng = random.Random(args.seed)
    verdicts: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    signatures: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    slowest = (0.0, "")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hubc-fuzz-") as tmp:
        box = Sandbox(Path(tmp))
        for i in range(args.n):
            verdict, name, raw, done = one_case(rng, box, build=args.build, timeout=timeout)
            took = verdict.seconds
            if took > slowest[0]:
                slowest = (took, f"case {i}: {name}: {'; '.join(done)}")
            verdicts[verdict.kind] += 1
            if verdict.kind == "ok":
                outcomes["passed check" if verdict.checked_ok else "rejected by check"] += 1
                codes.update(verdict.codes)
                if verdict.exit_code is not None:
                    outcomes[f"build exit {verdict.exit_code}"] += 1
            else:
                signatures[_signature(verdict.detail) if verdict.kind == "traceback" else "hang"] += 1
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"case-{args.seed}-{i}.toml").write_bytes(raw)
                (args.keep / f"case-{args.seed}-{i}.txt").write_text(
                    f"{name}: {'; '.join(done)}\n\n{verdict.detail}", "utf-8", errors="replace"
                )
            if (i + 1) % 500 == 0:
                print(f"  {i + 1} cases, {time.perf_counter() - t0:.0f} s, {dict(verdicts)}", flush=True)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mode = "check + build" if args.build else "check"
    print(f"hubc fuzz ({mode}), seed {args.seed}, {timeout:g} s per case")
    print(f"tried {args.n}  tracebacks {verdicts['traceback']}  hangs {verdicts['hang']}")
    print(f"outcomes: {dict(sorted(outcomes.items()))}")
    print("error codes from check (cases): " + ", ".join(f"{c} {n}" for c, n in codes.most_common(15)))
    print(f"wall {wall:.0f} s ({wall / max(1, args.n) * 1000:.0f} ms per case), peak RSS {rss:.0f} MB")
    print(f"slowest case (hubc's time) {slowest[0]:.1f} s: {slowest[1][:200]}")
    for sig, n in signatures.most_common():
        print(f"  {n:5d}  {sig}")
    if signatures:
        print(f"failing cases saved in {args.keep}")
    sys.exit(1 if signatures else 0)


def _get(doc: Any, path: tuple) -> Any:
    """The value at `path`, or None where the path does not exist."""
    for part in path:
        try:
            doc = doc[part]
        except (KeyError, IndexError, TypeError):
            return None
    return doc


def _fmt(path: tuple) -> str:
    from hubc.diagnostics import format_path

    return format_path(path)


def _short(value: Any) -> str:
    if isinstance(value, int) and abs(value) > 10**40:
        return f"<integer of {len(str(abs(value)))} digits>"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


if __name__ == "__main__":
    main()
