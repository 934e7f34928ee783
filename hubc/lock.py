"""hubc.lock: what a build decided, so a reviewer sees when a change alters the design.

It records the hubc and catalog versions, the solver settings, the equipment chosen (family
and rating -> quantity) and a digest of each stage's decisions (placements, assignments, sizes):
of its result as design.json writes it (`hubc.design_json.unstructure`).
`hubc build --frozen` rebuilds, compares with the lock and fails naming what would change.
The lock is TOML so that its diff in a pull request reads as a list of decisions.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hubc import __version__

if TYPE_CHECKING:
    from hubc.core.equipment import Equipment
    from hubc.design import Design

LOCK_VERSION = 1


def _digest(obj: Any) -> str:
    canon = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return "sha256:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()


def equipment_key(item: Equipment) -> str:
    return f"{item.family} {item.rating:g} {item.rating_unit}"


def equipment_totals(items: Iterable[Equipment]) -> dict[str, float]:
    """"family rating unit" -> quantity over the whole design, sorted."""
    totals: dict[str, float] = {}
    for item in items:
        key = equipment_key(item)
        totals[key] = round(totals.get(key, 0) + item.quantity, 6)
    return dict(sorted(totals.items()))


def lock_data(design: Design) -> dict[str, Any]:
    from hubc.design_json import unstructure

    digests = {name: _digest(unstructure(result)) for name, result in design.results()}
    solver = design.solver_settings()
    equipment = equipment_totals(design.equipment())
    catalog_version = design.catalog_version()
    data: dict[str, Any] = {"lock_version": LOCK_VERSION, "hubc": __version__}
    if catalog_version:
        data["catalog_version"] = catalog_version
    data["solver"] = dict(sorted(solver.items()))
    data["equipment"] = dict(sorted(equipment.items()))
    data["digest"] = dict(sorted(digests.items()))
    return data


def render_lock(data: dict[str, Any]) -> bytes:
    import tomli_w

    head = (
        "# hubc.lock: what this build decided. Commit it beside the spec;\n"
        "# `hubc build --frozen` fails if a build would change any of it.\n"
    )
    return (head + tomli_w.dumps(data)).encode("utf-8")


def parse_lock(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


def lock_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable differences, in a stable order."""
    out: list[str] = []
    for key in ("lock_version", "hubc", "catalog_version"):
        if old.get(key) != new.get(key):
            out.append(f"{key}: {old.get(key)} -> {new.get(key)}")
    for section, label in (("solver", "solver settings of"), ("digest", "decisions of stage")):
        a, b = old.get(section, {}), new.get(section, {})
        for name in sorted(a.keys() | b.keys()):
            if a.get(name) != b.get(name):
                if name not in a:
                    out.append(f"{label} {name}: new")
                elif name not in b:
                    out.append(f"{label} {name}: removed")
                else:
                    out.append(f"{label} {name} changed")
    a, b = old.get("equipment", {}), new.get("equipment", {})
    for key in sorted(a.keys() | b.keys()):
        if a.get(key) != b.get(key):
            out.append(f"equipment {key}: {a.get(key, 0):g} -> {b.get(key, 0):g}")
    return out
