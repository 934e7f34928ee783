"""hubc plan: what a spec change does to the design, for a pull-request reviewer.

Both specs are built; `facts` reduces each build to comparable figures (IT, racks, GPUs,
equipment by family, capex, domestic share, redundancy and tier); `diff` compares them and
`render_*` lead with a summary of at most 20 lines, details after. Like `terraform plan`,
without its verbosity: only what changed is listed.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import attrs

from hubc.core.loads import cdu_unit_kw
from hubc.lock import equipment_totals
from hubc.spec.model import Spec

if TYPE_CHECKING:
    from hubc.design import Design

SUMMARY_MAX_LINES = 20


@attrs.frozen(kw_only=True)
class Facts:
    label: str
    figures: dict[str, float]  # headline numbers, by metric name
    equipment: dict[str, float]  # "family rating unit" -> quantity
    capex_by_system: dict[str, float]
    redundancy: dict[str, str]  # what tier/redundancy the design promises, by component
    halls: dict[str, str]


METRICS = {
    # name: (label, unit, format)
    "it_mw": ("IT load", "MW", "{:,.1f}"),
    "facility_peak_mw": ("Facility peak", "MW", "{:,.1f}"),
    "racks": ("Racks", "", "{:,.0f}"),
    "gpus": ("GPUs", "", "{:,.0f}"),
    "capex_krw": ("Capex", "bn KRW", "{:,.1f}"),
    "domestic_share": ("Domestic share", "%", "{:.1%}"),
}


def facts(label: str, spec: Spec, design: Design) -> Facts:
    summary = design.need("summary")
    figures = {
        "it_mw": summary.it_kw / 1000,
        "facility_peak_mw": summary.facility_peak_kw / 1000,
        "racks": float(summary.racks),
        "gpus": float(summary.gpus),
    }
    capex_by_system: dict[str, float] = {}
    proc = design.procurement
    if proc is not None:
        figures["capex_krw"] = float(proc.total_krw)
        figures["domestic_share"] = float(proc.domestic_share)
        capex_by_system = {k: float(v) for k, v in proc.capex_by_system().items()}
    equipment = equipment_totals(design.equipment())
    red = {
        "tier": f"Tier {spec.policy.tier}",
        "ups topology": spec.electrical.topology,
        "distribution paths": str(spec.electrical.distribution_paths),
        "main transformers": f"{spec.substation.transformers} x {spec.substation.transformer_mva:g} MVA {spec.substation.redundancy}",
        "generators": spec.electrical.generator_redundancy,
        "heat rejection": spec.cooling_plant.redundancy,
        "grid circuits": str(spec.grid.circuits),
    }
    for hall in spec.hall:
        red[f"{hall.id} CDUs"] = f"{hall.cooling.cdus} x {cdu_unit_kw(hall.cooling):g} kW {hall.cooling.cdu_redundancy} per {hall.cooling.cdu_scope}"
    halls = {h.id: f"{h.copies} x {h.rows} rows x {h.slots_per_row} slots" for h in spec.hall}
    return Facts(
        label=label,
        figures=figures,
        equipment=dict(sorted(equipment.items())),
        capex_by_system=dict(sorted(capex_by_system.items())),
        redundancy=red,
        halls=halls,
    )


@attrs.frozen(kw_only=True)
class Change:
    kind: str  # "figure", "equipment", "capex", "redundancy", "hall"
    key: str
    base: Any
    new: Any

    @property
    def delta(self) -> float | None:
        if isinstance(self.base, (int, float)) and isinstance(self.new, (int, float)):
            return self.new - self.base
        return None

    @property
    def relative(self) -> float | None:
        d = self.delta
        if d is None or not self.base:
            return None
        return d / abs(self.base)

    @property
    def is_reduction(self) -> bool:
        """Something removed or downsized: what a reviewer must see first."""
        if self.kind in ("equipment", "hall") and (self.new is None or self.new == 0):
            return True
        d = self.delta
        return d is not None and d < 0 and self.kind == "equipment"

    def to_json(self) -> dict:
        return {"kind": self.kind, "key": self.key, "base": self.base, "new": self.new,
                "delta": self.delta, "relative": self.relative}


@attrs.frozen(kw_only=True)
class Plan:
    base: Facts
    new: Facts
    changes: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]


def diff(base: Facts, new: Facts) -> Plan:
    changes: list[Change] = []
    for key in METRICS:
        a, b = base.figures.get(key), new.figures.get(key)
        if a is not None and b is not None and abs(a - b) > 1e-9 * max(1.0, abs(a)):
            changes.append(Change(kind="figure", key=key, base=a, new=b))
    for kind, a_map, b_map in (
        ("equipment", base.equipment, new.equipment),
        ("capex", base.capex_by_system, new.capex_by_system),
        ("redundancy", base.redundancy, new.redundancy),
        ("hall", base.halls, new.halls),
    ):
        for key in sorted(a_map.keys() | b_map.keys()):
            a, b = a_map.get(key), b_map.get(key)
            if a != b:
                changes.append(Change(kind=kind, key=key, base=a, new=b))
    return Plan(base=base, new=new, changes=tuple(changes))


# --------------------------------------------------------------------------- fail-on


_FAIL_ON = re.compile(r"^(?P<metric>[a-z_]+):(?P<sign>[+-])(?P<value>\d+(?:\.\d+)?)(?P<pct>%?)$")


def parse_fail_on(text: str) -> tuple[str, str, float, bool]:
    """`capex_krw:+5%` -> ("capex_krw", "+", 5.0, True). Raises ValueError with a usage hint."""
    if text in ("removed", "redundancy"):
        return (text, "", 0.0, False)
    m = _FAIL_ON.match(text.strip())
    if not m or m.group("metric") not in METRICS:
        raise ValueError(
            f"bad --fail-on {text!r}: use METRIC:+N% or METRIC:-N (metrics: {', '.join(METRICS)}), "
            "or `removed`, or `redundancy`"
        )
    return m.group("metric"), m.group("sign"), float(m.group("value")), bool(m.group("pct"))


def failed_thresholds(plan: Plan, rules: list[str]) -> list[str]:
    out = []
    for rule in rules:
        metric, sign, value, pct = parse_fail_on(rule)
        if metric == "removed":
            cut = [c for c in plan.changes if c.is_reduction]
            if cut:
                out.append(f"{rule}: {len(cut)} item(s) removed or downsized")
            continue
        if metric == "redundancy":
            red = plan.of("redundancy")
            if red:
                out.append(f"{rule}: {', '.join(c.key for c in red)} changed")
            continue
        change = next((c for c in plan.of("figure") if c.key == metric), None)
        if change is None:
            continue
        amount = (change.relative or 0.0) * 100 if pct else change.delta or 0.0
        if (sign == "+" and amount > value) or (sign == "-" and amount < -value):
            shown = f"{amount:+.1f}%" if pct else f"{amount:+,.3g}"
            out.append(f"{rule}: {METRICS[metric][0]} changed {shown}")
    return out


# --------------------------------------------------------------------------- rendering


# Metrics shown in a larger unit than they are stored in (capex: KRW -> bn KRW).
SCALE = {"capex_krw": 1e9}


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    label, unit, fmt = METRICS[metric]
    text = fmt.format(value / SCALE.get(metric, 1.0))
    return f"{text} {unit}".strip() if unit not in ("%", "") else text


def _delta(c: Change) -> str:
    if c.key == "domestic_share":
        return f"{(c.new - c.base) * 100:+.1f} pt"
    _label, unit, fmt = METRICS[c.key]
    text = ("+" if c.delta >= 0 else "-") + fmt.format(abs(c.delta) / SCALE.get(c.key, 1.0)) + (f" {unit}" if unit else "")
    return text + (f", {c.relative:+.1%}" if c.relative is not None else "")


def summary_lines(plan: Plan) -> list[str]:
    lines = [f"hubc plan: {plan.base.label} -> {plan.new.label}"]
    if not plan.changed:
        return lines + ["  no changes: the design is the same"]
    for part in (_figure_lines, _equipment_lines, _reduction_lines, _redundancy_lines, _hall_lines):
        lines += part(plan)
    if len(lines) > SUMMARY_MAX_LINES:
        lines = lines[: SUMMARY_MAX_LINES - 1] + [f"  ... and {len(lines) - SUMMARY_MAX_LINES + 1} more (see details)"]
    return lines


def _figure_lines(plan: Plan) -> list[str]:
    return [f"  {METRICS[c.key][0]:<16}{_fmt(c.key, c.base)} -> {_fmt(c.key, c.new)}  ({_delta(c)})" for c in plan.of("figure")]


def _equipment_lines(plan: Plan) -> list[str]:
    """Lines up and down, and the net change per equipment family."""
    eq = plan.of("equipment")
    if not eq:
        return []
    ups = [c for c in eq if (c.new or 0) > (c.base or 0)]
    downs = [c for c in eq if (c.new or 0) < (c.base or 0)]
    lines = [f"  Equipment       {len(ups)} line(s) up, {len(downs)} down or removed"]
    fams: dict[str, float] = {}
    for c in eq:
        fam = c.key.split(" ")[0]
        fams[fam] = fams.get(fam, 0.0) + (c.new or 0) - (c.base or 0)
    moved = ", ".join(f"{v:+g} {k}" for k, v in sorted(fams.items()) if v)
    if moved:
        lines.append(f"                  {moved}")
    return lines


def _reduction_lines(plan: Plan) -> list[str]:
    """What was removed or downsized: the first four, then a count."""
    cut = [c for c in plan.changes if c.is_reduction]
    lines = []
    for c in cut[:4]:
        what = "removed" if not c.new else f"down {c.base:g} -> {c.new:g}"
        lines.append(f"  ! {c.kind} {c.key}: {what}")
    if len(cut) > 4:
        lines.append(f"  ! ... and {len(cut) - 4} more removed or downsized")
    return lines


def _redundancy_lines(plan: Plan) -> list[str]:
    red = plan.of("redundancy")
    lines = [f"  ! redundancy {c.key}: {c.base or '-'} -> {c.new or '-'}" for c in red[:4]]
    if len(red) > 4:
        lines.append(f"  ! ... and {len(red) - 4} more redundancy changes")
    return lines


def _hall_lines(plan: Plan) -> list[str]:
    return [f"  hall {c.key}: {c.base or 'new'} -> {c.new or 'removed'}" for c in plan.of("hall")]


def _detail_rows(plan: Plan) -> list[tuple[str, str, str, str]]:
    rows = []
    for c in plan.changes:
        if c.kind == "figure":
            rows.append((c.kind, METRICS[c.key][0], _fmt(c.key, c.base), _fmt(c.key, c.new)))
        elif c.kind == "capex":
            rows.append((c.kind, c.key, f"{c.base or 0:,.0f}", f"{c.new or 0:,.0f}"))
        else:
            rows.append((c.kind, c.key, "-" if c.base is None else f"{c.base:g}" if isinstance(c.base, float) else str(c.base),
                         "-" if c.new is None else f"{c.new:g}" if isinstance(c.new, float) else str(c.new)))
    return rows


def render_text(plan: Plan) -> str:
    out = summary_lines(plan)
    if plan.changed:
        out += ["", "Details"]
        for kind, key, a, b in _detail_rows(plan):
            out.append(f"  {kind:<11} {key:<40} {a:>22} -> {b}")
    return "\n".join(out) + "\n"


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(plan: Plan) -> str:
    lines = summary_lines(plan)
    out = [f"### {_md_escape(lines[0])}", "", "```"] + lines[1:] + ["```"]
    if plan.changed:
        out += ["", "<details><summary>Details</summary>", "", "| kind | item | base | new |", "|---|---|---:|---:|"]
        for row in _detail_rows(plan):
            out.append("| " + " | ".join(_md_escape(x) for x in row) + " |")
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def render_json(plan: Plan) -> str:
    doc = {
        "base": plan.base.label,
        "new": plan.new.label,
        "changed": plan.changed,
        "summary": summary_lines(plan),
        "figures": {"base": plan.base.figures, "new": plan.new.figures},
        "changes": [c.to_json() for c in plan.changes],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
