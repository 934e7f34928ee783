"""The typed design: one frozen record that the build stages fill in order.

    Design(summary) --racks--> +RackLayout --cooling--> +CoolingResult --electrical--> +ElectricalResult
        --energy--> +EnergyResult --procurement--> +Procurement --finance--> +FinanceResult

Each stage (`hubc.stages.BUILD_STAGES`) is a function of the `BuildInput` (the checked spec, its
source, its folder and the one `Catalog`) and the `Design` so far, and returns its typed result;
the pipeline stores it in the stage's field with `attrs.evolve`. A stage reads earlier results
only through these typed fields, so a stage that runs before what it needs fails at once, by name
(`Design.need`). Emitters, the lock, `hubc plan` and procurement read the finished design through
its methods: `equipment()`, `solver_settings()`, `report_headline()`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from hubc.catalog import Catalog
    from hubc.cooling.sizing import CoolingResult
    from hubc.core.equipment import Equipment
    from hubc.core.summary import Summary
    from hubc.electrical.stage import ElectricalResult
    from hubc.energy import EnergyResult
    from hubc.finance import FinanceResult
    from hubc.procurement.bom import Procurement
    from hubc.racks.result import RackLayout
    from hubc.spec.model import Spec
    from hubc.spec.source import SourceFile


@attrs.frozen(kw_only=True)
class BuildInput:
    """What every stage may read besides the design so far."""

    spec: Spec
    source: SourceFile = attrs.field(eq=False)
    base_dir: Path = attrs.field(eq=False)
    catalog: Catalog = attrs.field(eq=False)
    # Folders besides base_dir that files named by the spec may be read from (--allow-read).
    allowed_roots: tuple[Path, ...] = attrs.field(default=(), eq=False)


class StageOrderError(RuntimeError):
    """A stage ran before a stage whose result it needs: a bug in `BUILD_STAGES`, never user input."""


@attrs.frozen(kw_only=True)
class Design:
    """The whole resolved design. Fields are None until their stage has run."""

    summary: Summary | None = None
    racks: RackLayout | None = None
    cooling: CoolingResult | None = None
    electrical: ElectricalResult | None = None
    energy: EnergyResult | None = None
    procurement: Procurement | None = None
    finance: FinanceResult | None = None

    def need(self, field: str) -> Any:
        """The result of stage `field`, or StageOrderError if it has not run yet."""
        value = getattr(self, field)
        if value is None:
            raise StageOrderError(f"a build stage needs the {field!r} result before the {field!r} stage has run")
        return value

    def stages_done(self) -> tuple[str, ...]:
        return tuple(a.name for a in attrs.fields(Design) if getattr(self, a.name) is not None)

    def results(self) -> tuple[tuple[str, Any], ...]:
        """(stage name, result) for every stage that has run, in build order."""
        return tuple((name, getattr(self, name)) for name in self.stages_done())

    # --------------------------------------------------------- what other parts read
    def equipment(self) -> tuple[Equipment, ...]:
        """Every sized item, in stage order: what procurement prices and the lock records."""
        items: list[Equipment] = []
        if self.racks is not None:
            items.extend(self.racks.equipment())
        if self.cooling is not None:
            items.extend(self.cooling.equipment())
        if self.electrical is not None:
            items.extend(self.electrical.equipment())
        if self.energy is not None:
            items.extend(self.energy.equipment())
        return tuple(items)

    def solver_settings(self) -> dict[str, dict]:
        """Per solver-using stage: the settings that make its answer reproducible (hubc.lock)."""
        out: dict[str, dict] = {}
        if self.racks is not None:
            out["racks"] = self.racks.solver_settings()
        if self.electrical is not None:
            out["electrical"] = self.electrical.solver_settings()
        if self.energy is not None:
            out["energy"] = self.energy.solver_settings()
        return out

    def report_headline(self) -> list[tuple[str, str]]:
        """Headline figures the stages add to the report, in stage order."""
        lines: list[tuple[str, str]] = []
        if self.electrical is not None:
            lines.extend(self.electrical.report_headline())
        if self.cooling is not None:
            lines.extend(self.cooling.report_headline())
        if self.procurement is not None:
            lines.extend(self.procurement.report_headline())
        if self.finance is not None:
            lines.extend(self.finance.report_headline())
        return lines

    def catalog_version(self) -> str | None:
        return self.procurement.catalog_version if self.procurement is not None else None
