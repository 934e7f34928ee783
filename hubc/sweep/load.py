"""Reading a sweep file: TOML -> a typed `Sweep` with its variants, and every problem at its
line:col (codes HUB950-HUB959, `hubc explain HUB954`).

    schema = "hubc-sweep/1"
    base = "../campus-1gw.toml"          # the campus spec, relative to this file
    combine = "product"                  # product (default) | zip | sample
    samples = 20                         # sample: how many variants to draw ...
    seed = 1                             # ... with this seed (default 0)
    time_limit_s = 900                   # per variant, wall clock (default 1800)

    [[axis]]
    key = "bess.energy_mwh"              # a key path in the base spec
    values = [2000, 4000, 8000]          # or range = { start = 0, stop = 8000, step = 2000 }

    [[axis]]                             # several keys that change together (a site)
    name = "site"
    keys = ["campus.latitude_deg", "campus.longitude_deg"]
    values = [[35.28, 126.42], [34.81, 126.39]]
    labels = ["yeonggwang", "mokpo"]

Variants are made here, on the client: each is the base spec's text with values substituted
(`hubc.sweep.keypath`), plus the files it names (profile CSVs, catalog extensions) that lie in the
base spec's folder, so a worker without the client's file system can build it.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import math
import random
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from hubc.codes import diag
from hubc.diagnostics import Diagnostic, KeyPath, Location, Severity, has_errors, sort_diagnostics
from hubc.spec.source import RawDocument, load_path
from hubc.sweep import keypath
from hubc.sweep.model import (
    COMBINES,
    DEFAULT_TIME_LIMIT_S,
    MAX_VALUES_PER_AXIS,
    MAX_VARIANTS,
    RESULT_COLUMNS,
    SWEEP_SCHEMA,
    Axis,
    Setting,
    Sweep,
    Variant,
)

TOP_KEYS = ("schema", "name", "base", "combine", "samples", "seed", "time_limit_s", "axis")
AXIS_KEYS = ("key", "keys", "name", "values", "range", "labels")
RANGE_KEYS = ("start", "stop", "step")


def load_sweep(path: str | Path, display: str | None = None) -> tuple[Sweep | None, list[Diagnostic]]:
    """Read, check and expand a sweep file. Returns (None, diagnostics) when it has errors."""
    path = Path(path)
    doc, diags = load_path(path, display)
    if doc is None:
        return None, diags
    loader = _Loader(doc, path)
    sweep = loader.run()
    out = sort_diagnostics(loader.diags)
    return (None if has_errors(out) else sweep), out


class _Loader:
    def __init__(self, doc: RawDocument, path: Path):
        self.data = doc.data
        self.src = doc.source
        self.path = path
        self.diags: list[Diagnostic] = []
        self._file_cache: dict[Path, bytes] = {}

    # -------------------------------------------------------------- diagnostics
    def at(self, *path: str | int) -> Location:
        return self.src.at_value(tuple(path))

    def err(self, code: str, message: str, path: KeyPath, *, key: bool = False, help: str | None = None,
            related: tuple = ()) -> None:
        where = self.src.at_key(tuple(path)) if key else self.src.at_value(tuple(path))
        self.diags.append(diag(code, message, where, tuple(path), help=help, related=related))

    def unknown_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], path: KeyPath, what: str) -> None:
        for k in table:
            if k not in allowed:
                near = difflib.get_close_matches(k, allowed, n=1)
                self.err("HUB950", f"unknown key `{k}` in {what}", (*path, k), key=True,
                         help=f"did you mean `{near[0]}`?" if near else "keys: " + ", ".join(allowed))

    def get(self, table: Mapping[str, Any], path: KeyPath, key: str, kind: type | tuple, kind_name: str,
            default: Any = None, required: bool = False) -> Any:
        if key not in table:
            if required:
                self.err("HUB951", f"missing key `{key}` ({kind_name})", path, key=True)
            return default
        value = table[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _tuple(kind)):
            self.err("HUB951", f"`{key}` must be {kind_name}, not {_describe(value)}", (*path, key))
            return default
        return value

    # -------------------------------------------------------------------- top level
    def run(self) -> Sweep | None:
        d = self.data
        self.unknown_keys(d, TOP_KEYS, (), "the sweep file")
        schema = self.get(d, (), "schema", str, f'the string "{SWEEP_SCHEMA}"', required=True)
        if schema is not None and schema != SWEEP_SCHEMA:
            self.err("HUB951", f'unsupported sweep schema "{schema}"', ("schema",),
                     help=f'this hubc reads schema = "{SWEEP_SCHEMA}"')
        name = self.get(d, (), "name", str, "a string", default=self.path.stem)
        combine = self.get(d, (), "combine", str, "a string", default="product")
        if combine not in COMBINES:
            near = difflib.get_close_matches(str(combine), COMBINES, n=1)
            self.err("HUB951", f'combine must be one of {", ".join(COMBINES)}, not "{combine}"', ("combine",),
                     help=f'did you mean "{near[0]}"?' if near else None)
            combine = "product"
        samples = self.get(d, (), "samples", int, "a whole number")
        if samples is not None and samples < 1:
            self.err("HUB951", f"samples must be at least 1, not {samples}", ("samples",))
            samples = None
        if combine == "sample" and samples is None and "samples" not in d:
            self.err("HUB951", 'combine = "sample" needs `samples`, the number of variants to draw', ("combine",),
                     help="add e.g. `samples = 20` (and `seed = 1` to draw another set)")
        if combine != "sample":
            for k in ("samples", "seed"):
                if k in d:
                    self.err("HUB951", f'`{k}` applies only to combine = "sample"', (k,), key=True,
                             help='remove it, or set combine = "sample"')
        seed = self.get(d, (), "seed", int, "a whole number", default=0)
        limit = self.get(d, (), "time_limit_s", (int, float), "a number of seconds", default=DEFAULT_TIME_LIMIT_S)
        if not (isinstance(limit, int | float) and math.isfinite(limit) and limit > 0):
            self.err("HUB951", f"time_limit_s must be a positive number of seconds, not {limit}", ("time_limit_s",))
            limit = DEFAULT_TIME_LIMIT_S

        base = self.base()
        axes = self.axes(base)
        if axes and not has_errors(self.diags):
            self.combinations_fit(axes, combine, samples)
        if base is None or has_errors(self.diags):
            return None
        combos = list(_combinations([len(a) for a in axes], combine, samples or 0, seed))
        variants = self.variants(base, axes, combos)
        return Sweep(
            name=name,
            source=self.src,
            base_path=self.base_path,
            base_name=self.base_path.name,
            combine=combine,
            samples=samples if combine == "sample" else None,
            seed=seed,
            time_limit_s=float(limit),
            axes=tuple(axes),
            variants=variants,
        )

    def base(self) -> RawDocument | None:
        rel = self.get(self.data, (), "base", str, "the path of the base spec", required=True)
        if rel is None:
            return None
        self.base_path = self.path.parent / rel
        doc, diags = load_path(self.base_path, str(self.base_path))
        if doc is None:
            first = diags[0] if diags else None
            self.err("HUB952", f'base spec "{rel}": {first.message if first else "cannot be read"}',
                     ("base",), help="the path is relative to the sweep file; `hubc check BASE` shows the problem",
                     related=((first.location, "here"),) if first and first.location.line else ())
        return doc

    # ------------------------------------------------------------------------ axes
    def axes(self, base: RawDocument | None) -> list[Axis]:
        raw = self.data.get("axis")
        if raw is None:
            self.err("HUB951", "the sweep has no [[axis]]: nothing to vary", (), help='add [[axis]] with `key` and `values`')
            return []
        if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
            self.err("HUB951", "`axis` must be an array of tables ([[axis]])", ("axis",), key=True)
            return []
        axes: list[Axis] = []
        seen: dict[KeyPath, tuple[str, Location]] = {}
        columns: set[str] = set(RESULT_COLUMNS)
        for i, table in enumerate(raw):
            axis = self.axis(i, table, base)
            if axis is None:
                continue
            for s in axis.settings:
                clash = next(((p, v) for p, v in seen.items() if _overlap(p, s.path)), None)
                if clash is not None:
                    other_key, other_at = clash[1]
                    self.diags.append(diag(
                        "HUB957",
                        f"`{s.key}` is set by two axes" if clash[0] == s.path
                        else f"`{s.key}` and `{other_key}` overlap: one is inside the other's value",
                        s.where, ("axis", i), related=((other_at, "the other axis"),),
                        help="merge the values into one axis"))
                seen[s.path] = (s.key, s.where)
            for col in ([axis.name] if axis.labels is not None else []):
                if col in columns:
                    self.err("HUB951", f'the axis name "{col}" is already a results column', ("axis", i, "name"),
                             help="choose another name")
                columns.add(col)
            axes.append(axis)
        return axes

    def axis(self, i: int, t: Mapping[str, Any], base: RawDocument | None) -> Axis | None:
        here = ("axis", i)
        self.unknown_keys(t, AXIS_KEYS, here, "an [[axis]]")
        n_errors = len(self.diags)
        if ("key" in t) == ("keys" in t):
            self.err("HUB951", "an [[axis]] needs `key` (one spec key) or `keys` (several that change together)"
                     + (", not both" if "key" in t else ""), here, key=True)
            return None
        settings: list[Setting] = []
        if "key" in t:
            key = self.get(t, here, "key", str, "a key path string")
            if key is not None:
                settings.append(self.setting(key, (*here, "key"), base))
            multi = False
        else:
            keys = self.get(t, here, "keys", list, "an array of key path strings")
            if keys is not None and not keys:
                self.err("HUB955", "`keys` is empty", (*here, "keys"))
            for j, key in enumerate(keys or ()):
                if not isinstance(key, str):
                    self.err("HUB951", f"`keys` must hold key path strings, not {_describe(key)}", (*here, "keys", j))
                else:
                    settings.append(self.setting(key, (*here, "keys", j), base))
            multi = True
        levels = self.levels(t, here, len(settings), multi)
        labels = None
        name = self.get(t, here, "name", str, "a string")
        if "labels" in t:
            raw = self.get(t, here, "labels", list, "an array of strings")
            if raw is not None:
                if not all(isinstance(x, str) for x in raw):
                    self.err("HUB951", "`labels` must be an array of strings", (*here, "labels"))
                elif levels is not None and len(raw) != len(levels):
                    self.err("HUB955", f"{len(raw)} label(s) for {len(levels)} value(s)", (*here, "labels"),
                             help="give one label per value")
                elif len(set(raw)) != len(raw):
                    self.err("HUB955", "`labels` repeats a label", (*here, "labels"))
                else:
                    labels = tuple(raw)
                if name is None:
                    self.err("HUB951", "an axis with `labels` needs a `name`: the results column of the labels",
                             here, key=True, help='e.g. name = "site"')
        if len(self.diags) > n_errors and has_errors(self.diags[n_errors:]):
            return None
        default_name = settings[0].key if len(settings) == 1 else f"axis-{i + 1}"
        return Axis(name=name or default_name, settings=tuple(settings), levels=tuple(levels or ()),
                    labels=labels, where=self.src.at_key(here))

    def setting(self, key: str, at: KeyPath, base: RawDocument | None) -> Setting:
        where = self.src.at_value(at)
        try:
            segments = keypath.parse(key)
        except keypath.KeyPathError as exc:
            self.diags.append(diag("HUB953", exc.message, where, at, help=exc.hint))
            return Setting(key=key, path=(), where=where)
        if base is None:
            return Setting(key=key, path=(), where=where)
        try:
            path = keypath.resolve(segments, base.data, base.source)
        except keypath.KeyPathError as exc:
            self.diags.append(diag("HUB954", exc.message, where, at, help=exc.hint))
            return Setting(key=key, path=(), where=where)
        return Setting(key=key, path=path, where=where)

    def levels(self, t: Mapping[str, Any], here: KeyPath, width: int, multi: bool) -> list[tuple[Any, ...]] | None:
        if ("values" in t) == ("range" in t):
            code = "HUB955" if "values" in t else "HUB951"
            self.err(code, "an [[axis]] needs `values` or `range`" + (", not both" if "values" in t else ""),
                     here, key=True)
            return None
        if "range" in t:
            if multi:
                self.err("HUB955", "`range` gives one value per level: use `values` with `keys`", (*here, "range"))
                return None
            return [(v,) for v in self.range(t, here)] or None
        values = self.get(t, here, "values", list, "an array")
        if values is None:
            return None
        if not values:
            self.err("HUB955", "`values` is empty: the axis would make no variants", (*here, "values"))
            return None
        if len(values) > MAX_VALUES_PER_AXIS:
            self.err("HUB955", f"{len(values)} values; an axis has at most {MAX_VALUES_PER_AXIS}", (*here, "values"))
            return None
        out = []
        for j, v in enumerate(values):
            if not _finite(v):
                self.err("HUB955", "values must be finite numbers (not inf or nan)", (*here, "values", j))
                continue
            if multi:
                if not isinstance(v, list) or len(v) != width:
                    self.err("HUB955", f"each value of a {width}-key axis is an array of {width} values, one per key, "
                             f"not {_describe(v)}" + (f" of {len(v)}" if isinstance(v, list) else ""),
                             (*here, "values", j), help="write e.g. [35.28, 126.42] for two keys")
                    continue
                out.append(tuple(v))
            else:
                out.append((v,))
        return out

    def range(self, t: Mapping[str, Any], here: KeyPath) -> list[int | float]:
        at = (*here, "range")
        r = self.get(t, here, "range", dict, "an inline table { start, stop, step }")
        if r is None:
            return []
        self.unknown_keys(r, RANGE_KEYS, at, "a range")
        nums = [self.get(r, at, k, (int, float), "a number", required=True) for k in RANGE_KEYS]
        if any(x is None for x in nums):
            return []
        start, stop, step = nums
        if not all(math.isfinite(x) for x in nums):
            self.err("HUB955", "range bounds must be finite numbers", at)
            return []
        if step <= 0:
            self.err("HUB955", f"range step must be positive, not {step}", (*at, "step"))
            return []
        if stop < start:
            self.err("HUB955", f"range stop {stop} is below its start {start}", (*at, "stop"))
            return []
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_VALUES_PER_AXIS:
            self.err("HUB955", f"the range has {count} values; an axis has at most {MAX_VALUES_PER_AXIS}", (*at, "step"),
                     help="use a coarser step")
            return []
        if all(isinstance(x, int) for x in nums):
            return [start + k * step for k in range(count)]
        # 12 significant digits: 0.1 + 2 x 0.1 is 0.3 in the variant, not 0.30000000000000004.
        return [float(f"{start + k * step:.12g}") for k in range(count)]

    def combinations_fit(self, axes: list[Axis], combine: str, samples: int | None) -> None:
        if combine == "zip":
            first = axes[0]
            for k, axis in enumerate(axes[1:], start=1):
                if len(axis) != len(first):
                    self.diags.append(diag(
                        "HUB956", f'with combine = "zip" every axis needs {len(first)} values (as `{first.name}`); '
                        f"`{axis.name}` has {len(axis)}", axis.where, ("axis", k),
                        related=((first.where, "the first axis"),), help='or use combine = "product"'))
            return
        if combine == "sample":
            if samples is not None and samples > MAX_VARIANTS:
                self.err("HUB958", f"samples = {samples}; a sweep has at most {MAX_VARIANTS} variants", ("samples",))
            return
        total = math.prod(len(a) for a in axes)
        if total > MAX_VARIANTS:
            sizes = " x ".join(str(len(a)) for a in axes)
            self.diags.append(diag(
                "HUB958", f"the product of the axes is {total:,} variants ({sizes}); a sweep has at most {MAX_VARIANTS:,}",
                self.src.at_key(("axis",)), ("axis",),
                help='use coarser steps, or combine = "sample" with samples = N to draw N of them'))

    # -------------------------------------------------------------------- variants
    def variants(self, base: RawDocument, axes: list[Axis], combos: list[tuple[int, ...]]) -> tuple[Variant, ...]:
        paths = [s.path for a in axes for s in a.settings]
        spans = keypath.value_spans(base.source, base.data, paths)
        base_dir = self.base_path.parent
        name = self.base_path.name
        out: list[Variant] = []
        by_digest: dict[str, list[int]] = {}
        for number, combo in enumerate(combos, start=1):
            settings = [(s.path, value) for a, level in zip(axes, combo, strict=True)
                        for s, value in zip(a.settings, a.levels[level], strict=True)]
            text = keypath.substitute(base.source.text, spans, settings)
            files = self.named_files(tomllib.loads(text), base_dir)
            digest = spec_digest(name, text, files)
            by_digest.setdefault(digest, []).append(number)
            out.append(Variant(number=number, levels=combo, text=text, files=files, digest=digest))
        dups = [numbers for numbers in by_digest.values() if len(numbers) > 1]
        if dups:
            shown = "; ".join(", ".join(f"#{n}" for n in group) for group in dups[:5])
            self.diags.append(diag(
                "HUB959", f"{sum(len(g) for g in dups)} variants have identical specs ({shown}"
                + (f"; and {len(dups) - 5} more groups" if len(dups) > 5 else "") + "): each is built once",
                self.src.at_key(("axis",)), ("axis",), help="remove the repeated values",
                severity=Severity.WARNING))
        return tuple(out)

    def named_files(self, data: Any, base_dir: Path) -> tuple[tuple[str, bytes], ...]:
        """Files the variant names by a relative path inside the base spec's folder (profile CSVs,
        catalog extensions): shipped with the variant and part of its digest."""
        root = base_dir.resolve()
        found: dict[str, bytes] = {}
        for s in _strings(data):
            if not s or len(s) > 1024 or "\n" in s or "\0" in s or Path(s).is_absolute():
                continue
            try:
                target = (base_dir / s).resolve()
                if not target.is_relative_to(root) or not target.is_file():
                    continue
                if target not in self._file_cache:
                    self._file_cache[target] = target.read_bytes()
            except OSError:
                continue
            found[s] = self._file_cache[target]
        return tuple(sorted(found.items()))


def spec_digest(name: str, text: str, files: tuple[tuple[str, bytes], ...]) -> str:
    """sha256 of what a variant's build reads: the spec's name and text and each file it names."""
    h = hashlib.sha256(b"hubc-sweep-variant/1\0")
    h.update(name.encode("utf-8") + b"\0" + text.encode("utf-8") + b"\0")
    for rel, data in files:
        h.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def _combinations(lengths: list[int], combine: str, samples: int, seed: int) -> Iterator[tuple[int, ...]]:
    """Level indices per variant: the product (first axis slowest), the zip, or a seeded sample
    of distinct points of the product. Sample i draws from its own stream (seed, i), so asking
    for more samples keeps the first ones: a larger sample resumes from the cache."""
    if combine == "product":
        yield from itertools.product(*(range(n) for n in lengths))
    elif combine == "zip":
        yield from ((k,) * len(lengths) for k in range(lengths[0]))
    else:
        want = min(samples, math.prod(lengths))
        seen: set[tuple[int, ...]] = set()
        i = 0
        while len(seen) < want:
            rng = random.Random(f"hubc-sweep:{seed}:{i}")  # str seeds hash with SHA-512: stable everywhere
            i += 1
            combo = tuple(rng.randrange(n) for n in lengths)
            if combo not in seen:
                seen.add(combo)
                yield combo


def _overlap(a: KeyPath, b: KeyPath) -> bool:
    n = min(len(a), len(b))
    return bool(a) and bool(b) and a[:n] == b[:n]


def _strings(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, Mapping):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


def _finite(v: Any) -> bool:
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, list):
        return all(_finite(x) for x in v)
    if isinstance(v, Mapping):
        return all(_finite(x) for x in v.values())
    return True


def _tuple(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__



