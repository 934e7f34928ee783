"""design.json from the typed design: one converter decides keys and numbers, one generator the
JSON Schema, both from the same attrs classes. (Every example's design.json against the schema:
tests/test_build.py.)"""

from __future__ import annotations

import enum
import json
import math
import typing
from typing import NamedTuple

import attrs
import jsonschema
import pytest

from hubc.core.derived import NOT_IN_JSON, derived
from hubc.design import Design
from hubc.design_json import _SchemaBuilder, design_schema, round_figure, unstructure
from hubc.diagnostics import Location


@pytest.mark.parametrize(
    ("x", "written"),
    [
        (1162214.4000000001, 1162214.4),  # binary noise of a sum: gone
        (1999.1352812626, 1999.135281),  # never finer than 1e-6
        (917691940800.0, 917691940800.0),  # 12-digit won: exact to 10 significant digits
        (44410218063260.7, 44410218060000.0),
        (0.66960000000001, 0.6696),
        (3.2e-7, 0.0),  # below 1e-6: float noise
        (-4e-13, 0.0),
        (2500, 2500),
        (-12.34567891234, -12.345679),
    ],
)
def test_one_rounding_rule(x, written):
    assert round_figure(x) == written


def test_negative_zero_is_written_as_zero():
    for x in (-0.0, -1e-9):
        assert math.copysign(1.0, round_figure(x)) == 1.0
    assert json.dumps(unstructure((-0.0, -1e-12), tuple[float, ...])) == "[0.0, 0.0]"


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_non_finite_figures_are_bugs(x):
    with pytest.raises(AssertionError, match="non-finite"):
        round_figure(x)


class Colour(enum.Enum):
    RED = "red"


class Slot(NamedTuple):
    """A slot of a row."""

    row: int
    slot: int


@attrs.frozen(kw_only=True)
class Child:
    """A nested record."""

    kw: float


@attrs.frozen(kw_only=True)
class Record:
    """A record as the stages write them."""

    name: str
    power_kw: float
    child: Child | None
    children: tuple[Child, ...]
    inputs: tuple[tuple[str, float | str], ...]
    slots: tuple[Slot, ...]
    colour: Colour
    where: Location
    hourly_mw: tuple[float, ...] = attrs.field(default=(), metadata=NOT_IN_JSON)

    @derived
    @property
    def power_mw(self) -> float:
        """The power in MW."""
        return self.power_kw / 1000

    @derived
    def child_count(self) -> int:
        return len(self.children)


RECORD = Record(
    name="r",
    power_kw=1234.56789012,
    child=None,
    children=(Child(kw=1.0), Child(kw=2.5)),
    inputs=(("rows", 4.0), ("scope", "row")),
    slots=((1, 2), Slot(3, 4)),  # a plain tuple of the NamedTuple's shape is named too
    colour=Colour.RED,
    where=Location(file="a.toml", line=3, col=7),
    hourly_mw=(1.0,) * 3,
)


def test_fields_then_derived_figures_metadata_leaves_out():
    assert unstructure(RECORD) == {
        "name": "r",
        "power_kw": 1234.56789,
        "child": None,
        "children": [{"kw": 1.0}, {"kw": 2.5}],
        "inputs": {"rows": 4.0, "scope": "row"},
        "slots": [{"row": 1, "slot": 2}, {"row": 3, "slot": 4}],
        "colour": "red",
        "where": "a.toml:3:7",
        "power_mw": 1.234568,
        "child_count": 2,
    }


def test_schema_of_a_record():
    b = _SchemaBuilder()
    assert b.of(Record) == {"$ref": "#/$defs/Record"}
    rec = b.defs["Record"]
    assert rec["additionalProperties"] is False and rec["required"] == list(rec["properties"])
    assert rec["description"] == "A record as the stages write them."
    p = rec["properties"]
    assert "hourly_mw" not in p
    assert p["child"] == {"anyOf": [{"$ref": "#/$defs/Child"}, {"type": "null"}]}
    assert p["children"] == {"type": "array", "items": {"$ref": "#/$defs/Child"}}
    assert p["inputs"] == {"type": "object", "additionalProperties": {"anyOf": [{"type": "number"}, {"type": "string"}]}}
    assert p["slots"]["items"]["properties"] == {"row": {"type": "integer"}, "slot": {"type": "integer"}}
    assert p["colour"] == {"enum": ["red"]}
    assert p["power_mw"] == {"type": "number", "description": "The power in MW."}
    assert p["child_count"] == {"type": "integer"}
    schema = {"$defs": b.defs, **b.of(Record)}
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(unstructure(RECORD))))


def test_a_type_without_a_json_form_is_refused():
    with pytest.raises(TypeError, match="NOT_IN_JSON"):
        _SchemaBuilder().of(tuple[set[int], ...])


def _records(root: type) -> set[type]:
    """Every attrs class design.json can reach from `root` through field types."""
    seen: set[type] = set()
    todo = [root]
    b = _SchemaBuilder()
    while todo:
        cl = todo.pop()
        if cl in seen:
            continue
        seen.add(cl)
        b.of(cl)
        todo += [c for c in b.names if c not in seen]
    return seen


def test_no_result_record_writes_its_own_json():
    records = _records(Design)
    assert len(records) > 30
    offenders = sorted(cl.__qualname__ for cl in records if any("to_json" in vars(k) for k in cl.__mro__))
    assert offenders == []


def test_design_schema_is_valid_2020_12():
    schema = design_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(schema["properties"])[:2] == ["hubc", "diagnostics"]
    assert set(schema["properties"]) == {"hubc", "diagnostics"} | {a.name for a in attrs.fields(Design)}
    # the stages' hourly arrays are not in it; their figures are
    energy = schema["$defs"]["EnergyResult"]["properties"]
    assert "load_mw" not in energy and "load_annual_mwh" in energy
    # every object is closed
    for name, d in schema["$defs"].items():
        assert d["additionalProperties"] is False, name


def test_design_field_types_resolve():
    # Design names its stages' types only for type checkers; the converter resolves them.
    from hubc.design_json import _field_types

    types_ = _field_types(Design)
    assert all(typing.get_origin(t) is not None for t in types_.values())  # X | None
