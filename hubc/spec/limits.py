"""hubc's tractability limits: the largest inputs it promises to handle in bounded time and memory.

The numbers live in the catalog data (`hubc/catalog/data/rules.toml`, `[limits]`) with the
other rules. This module reads that file directly rather than through `hubc.catalog`, because
the catalog imports the spec model and the spec package must not import the catalog back.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import attrs


@attrs.frozen(kw_only=True)
class Limits:
    spec_max_bytes: int
    catalog_file_max_bytes: int
    profile_csv_max_bytes: int
    max_nesting_depth: int
    id_max_chars: int
    string_max_chars: int
    slots_per_hall_max: int
    keepouts_per_hall_max: int
    halls_max: int
    hall_copies_total_max: int
    renewables_max: int
    array_entries_max: int
    catalog_files_max: int
    diagnostics_text_max: int
    smallest_nonzero: float


@functools.cache
def limits() -> Limits:
    raw = tomllib.loads((resources.files("hubc") / "catalog" / "data" / "rules.toml").read_text("utf-8"))["limits"]
    kinds = {"int": int, "float": float}  # the annotations are strings (postponed evaluation)
    return Limits(**{a.name: kinds[a.type](raw[a.name]) for a in attrs.fields(Limits)})
