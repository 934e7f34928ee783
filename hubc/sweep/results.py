"""A sweep's results: each variant's folder under OUT/variants, and one row per variant in
Parquet and CSV.

    OUT/variants/<digest>/result.json       status, exit code, diagnostics, figures (the cache)
                          diagnostics.txt   as `hubc build` would print them
                          spec/<base>.toml  the variant spec, and the files it names
                          out/...           the build's files (design.json, report.html, ...)
    OUT/results.parquet, results.csv        one row per variant, in sweep order
    OUT/timings.csv                         wall time per variant (varies run to run)

A variant's folder is named by the first 16 hex digits of its spec digest; result.json also
records the hubc version, and a folder is reused only when both match (the cache). Every byte of
results.parquet, results.csv and index.html is a function of the sweep and the cached results,
so the same sweep gives the same files whatever the number of workers. Wall time is the one
thing that is not: it goes to timings.csv. Folders of variants that a later version of the
sweep file no longer makes are left alone (they are a cache, and cost nothing to keep).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hubc import __version__
from hubc.diagnostics import Diagnostic, Severity
from hubc.emit import safe
from hubc.sweep.keypath import toml_value
from hubc.sweep.model import FIGURES, INTEGER_FIGURES, LEAD_COLUMNS, STATUS_COLUMNS, Sweep, Variant
from hubc.sweep.task import CACHED_STATUSES, Outcome

RESULT_SCHEMA = "hubc-sweep-result/1"
PENDING = "pending"  # a variant not run (the sweep was interrupted)

Record = dict[str, Any]  # the content of a variant's result.json


# ----------------------------------------------------------------------------- per variant


def record(outcome: Outcome) -> Record:
    diags = sorted(outcome.diagnostics, key=Diagnostic.sort_key)
    return {
        "schema": RESULT_SCHEMA,
        "digest": outcome.digest,
        "hubc_version": outcome.hubc_version,
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "errors": sum(d.severity is Severity.ERROR for d in diags),
        "warnings": sum(d.severity is Severity.WARNING for d in diags),
        "figures": {k: outcome.figures.get(k) for k in FIGURES} if outcome.figures else {},
        "build_s": outcome.build_s,
        "diagnostics": [_diagnostic_json(d) for d in diags],
    }


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    loc = d.location
    return {"code": d.code, "severity": d.severity.value, "message": d.message, "file": loc.file,
            "line": loc.line, "column": loc.col, "key_path": d.key_path, "help": d.help, "notes": list(d.notes)}


def diagnostics_text(rec: Record) -> str:
    """`file:line:col: CODE severity: message` per diagnostic, as `hubc check` prints them."""
    out = []
    for d in rec["diagnostics"]:
        where = f"{d['file']}:{d['line']}:{d['column']}" if d["line"] else d["file"]
        out.append(f"{where}: {d['code']} {d['severity']}: {d['message']}")
        out.extend(f"  = note: {n}" for n in d["notes"])
        if d["help"]:
            out.append(f"  = help: {d['help']}")
    return "".join(line + "\n" for line in out)


def variant_files(sweep: Sweep, variant: Variant, outcome: Outcome) -> dict[str, bytes]:
    """Everything under OUT/variants/<digest>/ for one variant."""
    rec = record(outcome)
    files = {f"spec/{sweep.base_name}": variant.text.encode("utf-8")}
    files.update({f"spec/{rel}": data for rel, data in variant.files if f"spec/{rel}" not in files})
    files.update({f"out/{name}": data for name, data in outcome.plan.items()})
    files["diagnostics.txt"] = diagnostics_text(rec).encode("utf-8")
    files["result.json"] = (json.dumps(rec, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    return files


def cached(folder: Path, variant: Variant) -> Record | None:
    """The variant's result.json if it is for this spec digest and this hubc version and its
    status does not depend on the machine (see task.CACHED_STATUSES)."""
    try:
        rec = json.loads((folder / "result.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("schema") != RESULT_SCHEMA:
        return None
    if rec.get("digest") != variant.digest or rec.get("hubc_version") != __version__:
        return None
    return rec if rec.get("status") in CACHED_STATUSES else None


# ------------------------------------------------------------------------------- the table


class Table:
    """Rows of the results in sweep order; `kinds` gives each column's type
    (int, float, bool or str) for Parquet."""

    def __init__(self, columns: list[str], kinds: list[type], rows: list[list[Any]], links: list[str]):
        self.columns, self.kinds, self.rows, self.links = columns, kinds, rows, links

    def column(self, name: str) -> list[Any]:
        k = self.columns.index(name)
        return [r[k] for r in self.rows]


def results_table(sweep: Sweep, records: Mapping[str, Record]) -> Table:
    inputs = sweep.input_columns()
    input_values = [dict(sweep.inputs(v)) for v in sweep.variants]
    input_kinds = [_kind([iv[c] for iv in input_values]) for c in inputs]
    rows: list[list[Any]] = []
    for v, iv in zip(sweep.variants, input_values, strict=True):
        rec = records.get(v.digest)
        row: list[Any] = [v.number, v.short]
        row += [_cell(iv[c], kind) for c, kind in zip(inputs, input_kinds, strict=True)]
        if rec is None:
            row += [PENDING, None, None, None, None] + [None] * len(FIGURES)
        else:
            row += [rec["status"], rec["exit_code"], rec["errors"], rec["warnings"], _first_problem(rec)]
            figures = rec.get("figures") or {}
            row += [figures.get(k) for k in FIGURES]
        rows.append(row)
    columns = [*LEAD_COLUMNS, *inputs, *STATUS_COLUMNS, *FIGURES]
    x, y = columns.index("capex_krw_per_mw"), columns.index("cfe_hourly")
    front = pareto_front([(r[x], r[y]) if r[columns.index("status")] == "ok" else (None, None) for r in rows])
    for row, on in zip(rows, front, strict=True):
        row.append(on)
    kinds: list[type] = [int, str, *input_kinds, str, int, int, int, str]
    kinds += [int if f in INTEGER_FIGURES else float for f in FIGURES]
    kinds.append(bool)
    return Table([*columns, "pareto"], kinds, rows, [f"variants/{v.short}" for v in sweep.variants])


def pareto_front(points: Sequence[tuple[float | None, float | None]]) -> list[bool]:
    """Which points no other point beats: capex per MW no higher and CFE no lower, one strictly."""
    valid = [(i, x, y) for i, (x, y) in enumerate(points) if x is not None and y is not None]
    on = [False] * len(points)
    for i, x, y in valid:
        on[i] = not any((x2 <= x and y2 >= y) and (x2 < x or y2 > y) for _, x2, y2 in valid)
    return on


def _first_problem(rec: Record) -> str | None:
    for severity in ("error", "warning"):
        for d in rec["diagnostics"]:
            if d["severity"] == severity:
                return f"{d['code']} {d['message']}"
    return None


def _kind(values: list[Any]) -> type:
    if all(isinstance(v, bool) for v in values):
        return bool
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return int
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return float
    return str


def _cell(value: Any, kind: type) -> Any:
    if kind is float:
        return float(value)
    if kind is str and not isinstance(value, str):
        return toml_value(value)  # a number among strings ("auto" or 2000), or an array
    return value


# -------------------------------------------------------------------------------- formats


def parquet_bytes(table: Table, metadata: Mapping[str, str]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}
    fields = [pa.field(c, types[k]) for c, k in zip(table.columns, table.kinds, strict=True)]
    schema = pa.schema(fields, metadata={k: v for k, v in sorted(metadata.items())})
    data = {c: table.column(c) for c in table.columns}
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pydict(data, schema=schema), buf, compression="zstd")
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """hubc's one CSV writer (RFC 4180, every text cell neutralised against formula injection),
    with a byte-order mark so Excel reads Korean text."""
    return safe.csv_bytes(header, rows, bom=True)


def timings_csv(sweep: Sweep, records: Mapping[str, Record]) -> bytes:
    rows = []
    for v in sweep.variants:
        rec = records.get(v.digest)
        rows.append([v.number, v.short, rec["status"] if rec else PENDING, rec["build_s"] if rec else None])
    return csv_bytes(["variant", "digest", "status", "build_s"], rows)
