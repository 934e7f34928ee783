"""The typed sweep: what a sweep file says, and the variants it makes.

Only `hubc.sweep.load` builds these from TOML; everything after it reads these classes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import attrs

from hubc.diagnostics import KeyPath, Location
from hubc.spec.source import SourceFile

SWEEP_SCHEMA = "hubc-sweep/1"
Combine = Literal["product", "zip", "sample"]
COMBINES: tuple[Combine, ...] = ("product", "zip", "sample")

# Limits that catch a wrong step or a runaway product before anything is built.
MAX_VALUES_PER_AXIS = 10_000
MAX_VARIANTS = 10_000
DEFAULT_TIME_LIMIT_S = 1800.0

# The results' columns besides the inputs, in order. Figures come from the design
# (hubc.sweep.task.headline); `pareto` marks the variants no other beats on both capex per MW
# and hourly CFE. Axis names must not take these names.
FIGURES = (
    "it_mw", "facility_peak_mw", "racks", "gpus", "capex_krw", "capex_krw_per_mw", "cfe_hourly", "re_share",
    "grid_import_mwh", "bess_mwh", "bess_mw", "domestic_share", "ups_mw", "transformer_mva",
    "opex_krw_year1", "lcoe_krw_per_mwh", "tco_krw",
)
INTEGER_FIGURES = frozenset({"racks", "gpus", "capex_krw", "opex_krw_year1", "tco_krw"})
LEAD_COLUMNS = ("variant", "digest")
STATUS_COLUMNS = ("status", "exit_code", "errors", "warnings", "first_problem")
RESULT_COLUMNS = (*LEAD_COLUMNS, *STATUS_COLUMNS, *FIGURES, "pareto")


@attrs.frozen(kw_only=True)
class Setting:
    """One spec key an axis sets: as written in the sweep file, and resolved in the base spec."""

    key: str  # `renewable[id=seonam-offshore].capacity_mw`
    path: KeyPath  # ("renewable", 0, "capacity_mw")
    where: Location = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class Axis:
    """One dimension of the sweep. A single-key axis has one setting; a multi-key axis (a site:
    latitude, longitude and region together) has several, and each level gives one value each."""

    name: str  # the results column: the key, or the axis `name` of a multi-key axis
    settings: tuple[Setting, ...]
    levels: tuple[tuple[Any, ...], ...]  # per level, one value per setting
    labels: tuple[str, ...] | None = None  # per level (multi-key axes), for the results
    where: Location = attrs.field(eq=False)

    def __len__(self) -> int:
        return len(self.levels)


@attrs.frozen(kw_only=True)
class Variant:
    """One complete spec: the base spec's text with one level of every axis substituted."""

    number: int  # 1-based, in sweep order
    levels: tuple[int, ...]  # the level of each axis
    text: str
    files: tuple[tuple[str, bytes], ...] = attrs.field(repr=False)  # files the spec names, shipped to workers
    digest: str  # sha256 of the spec name, text and files (hubc.sweep.digest)

    @property
    def short(self) -> str:
        """The folder name under OUT/variants: the first 16 hex digits of the digest."""
        return self.digest[:16]


@attrs.frozen(kw_only=True)
class Sweep:
    name: str
    source: SourceFile = attrs.field(eq=False, repr=False)  # the sweep file, for diagnostics
    base_path: Path
    base_name: str  # the base spec's file name: each variant spec is checked under this name
    combine: Combine
    samples: int | None
    seed: int
    time_limit_s: float
    axes: tuple[Axis, ...]
    variants: tuple[Variant, ...] = attrs.field(repr=False)

    def inputs(self, variant: Variant) -> list[tuple[str, Any]]:
        """(column, value) of a variant's inputs: one per setting, plus the label of a labelled axis."""
        out: list[tuple[str, Any]] = []
        for axis, level in zip(self.axes, variant.levels, strict=True):
            if axis.labels is not None:
                out.append((axis.name, axis.labels[level]))
            for setting, value in zip(axis.settings, axis.levels[level], strict=True):
                out.append((setting.key, value))
        return out

    def input_columns(self) -> list[str]:
        cols: list[str] = []
        for axis in self.axes:
            if axis.labels is not None:
                cols.append(axis.name)
            cols.extend(s.key for s in axis.settings)
        return cols
