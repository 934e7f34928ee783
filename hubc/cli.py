"""The hubc command line. Click commands only: no domain logic, heavy imports inside commands.

Exit codes (one place decides them, `_finish`):
  0  clean (warnings allowed)
  1  errors in the spec or the design
  2  usage error (bad option, missing or unreadable spec file, unusable output folder)
  3  infeasible, or no solution within the time limit
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from hubc import __version__

EXIT_HELP = """\b
Exit codes:
  0  clean (warnings allowed)
  1  errors in the spec or the design
  2  usage error
  3  infeasible, or no solution within the time limit"""

FORMATS = ("text", "json", "sarif", "github")


def _nearby_specs(path: Path) -> list[str]:
    """The `.toml` file whose name is closest to PATH's, as the user would type it: from PATH's
    folder, and from `specs/` when that folder is the current one (or does not exist)."""
    import difflib

    folder = path.parent
    folders = [folder] if folder.is_dir() else []
    if folder == Path(".") or not folder.is_dir():
        folders.append(Path("specs"))
    candidates: dict[str, list[str]] = {}
    for where in folders:
        try:
            names = sorted(p.name for p in where.glob("*.toml") if p.is_file())
        except OSError:
            continue
        for name in names:
            candidates.setdefault(name, []).append(str(where / name))
    close = difflib.get_close_matches(path.name, list(candidates), n=1, cutoff=0.6)
    return [shown for name in close for shown in candidates[name]]


class SpecPath(click.Path):
    """A spec file argument: missing or unreadable is a usage error (exit 2) with a did-you-mean."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)  # a folder or an unreadable file fails here
        if not os.path.lexists(path):
            near = _nearby_specs(path)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            self.fail(f"no such file: {path}{hint}", param, ctx)
        if not path.exists():
            self.fail(f"{path} is a symbolic link to a file that does not exist", param, ctx)
        return path


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


class _Progress:
    """Progress lines on stderr, only for a terminal and unless --quiet."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        if self.enabled:
            click.echo(click.style("  ... ", fg="cyan") + message, err=True)


def _with_referenced_files(diags, sources: dict[str, str], roots: tuple[Path, ...]) -> dict[str, str]:
    """Diagnostics may point into files the spec names (catalog extensions, profile CSVs): read
    those too, so their findings get a source snippet like the spec's own. Only files inside
    `roots` (the specs' folders and --allow-read folders) are read, through the same confined
    reader as the spec's files: output never quotes a line of any other file."""
    from hubc.diagnostics import Diagnostic, Location
    from hubc.spec.files import read_confined
    from hubc.spec.limits import limits

    out = dict(sources)
    cap = max(limits().catalog_file_max_bytes, limits().profile_csv_max_bytes)
    for d in diags:
        name = d.location.file
        if name in out or not d.location.line or not roots:
            continue
        # Catalog findings name the file from the working directory, profile findings from the
        # spec's folder: try both, confined either way.
        candidates = [Path(name)] + ([r / name for r in roots] if not Path(name).is_absolute() else [])
        for candidate in candidates:
            data = read_confined(candidate, roots, cap, name, Location(file=name))
            if not isinstance(data, Diagnostic):
                out[name] = data.decode("utf-8", errors="replace")
                break
    return out


def _render(diags, sources, fmt: str, roots: tuple[Path, ...] = ()) -> str:
    from hubc.render import RENDERERS, render_text

    sources = _with_referenced_files(diags, sources, roots)

    if fmt == "text":
        return render_text(diags, sources, colour=_colour(sys.stdout))
    return RENDERERS[fmt](diags, sources)


def _finish(diags, sources, fmt: str, quiet: bool, code: int | None = None, roots: tuple[Path, ...] = ()) -> None:
    from hubc.pipeline import exit_code

    if diags or not quiet or fmt != "text":
        click.echo(_render(list(diags), sources, fmt, roots), nl=False)
    sys.exit(code if code is not None else exit_code(diags))


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_HELP,
)
@click.version_option(__version__, prog_name="hubc")
def main() -> None:
    """hubc: the design compiler for AI data-center campuses.

    Write a campus as a TOML spec; `hubc check` validates it, `hubc build` sizes, places,
    verifies and writes the design, BOM, diagrams and report.
    """


def _allow_read_option(fn):
    return click.option(
        "--allow-read", "allow_read", multiple=True, metavar="DIR",
        type=click.Path(file_okay=False, path_type=Path),
        help="Also let the spec name files (`[catalog] files`, profile CSVs) under DIR; by default only "
             "files inside the spec's own folder tree are read. Repeatable.",
    )(fn)


@main.command(epilog=EXIT_HELP, short_help="Check specs: every problem, at its TOML line:col.")
@click.argument("specs", nargs=-1, required=True, type=SpecPath())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when the spec is clean.")
@_allow_read_option
def check(specs: tuple[Path, ...], fmt: str, quiet: bool, allow_read: tuple[Path, ...]) -> None:
    """Validate SPECS and report every problem, with its code and TOML line:col."""
    from hubc.pipeline import check_spec

    diags, sources, roots = [], {}, []
    for spec in specs:
        checked = check_spec(spec, str(spec), allow_read, price_demand=False)  # validation only: no fill built
        diags.extend(checked.diagnostics)
        sources.update(checked.sources())
        roots.extend(checked.read_roots())
    _finish(diags, sources, fmt, quiet, roots=tuple(roots))


@main.command(epilog=EXIT_HELP, short_help="Size, place, verify and write the design of SPEC.")
@click.argument("spec", type=SpecPath())
@click.option("-o", "--out", "out", type=click.Path(path_type=str), default=None, metavar="DIR",
              help="Output folder (default: build/<campus id>). Replaced as a whole, never a mix of builds.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Format of the diagnostics.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; diagnostics only.")
@click.option("--frozen", is_flag=True, help="Fail (exit 1) if the build would change what the lock file records.")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Lock file for --frozen (default: hubc.lock beside the spec, else DIR/hubc.lock).")
@click.option("--wait", "wait_s", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another build writing the same DIR before giving up (exit 2).")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="SECONDS", help="Stop the build (exit 3, nothing written) if it takes longer than this.")
@_allow_read_option
def build(spec: Path, out: str | None, fmt: str, quiet: bool, frozen: bool, lock_path: Path | None,
          wait_s: float, time_limit: float | None, allow_read: tuple[Path, ...]) -> None:
    """Size, place, verify and write the design of SPEC into a folder (-o DIR).

    The build is all or nothing: if any stage fails, DIR is left exactly as it was; otherwise
    the new DIR is swapped in whole, keeping files in it that hubc did not write.
    DIR/hubc.lock records what the build decided; commit it beside the spec and use
    --frozen in CI to fail when a change would alter the design.
    """
    from hubc.diagnostics import HubcError
    from hubc.labels import label_map, relabel, stable_label
    from hubc.pipeline import build_spec, check_spec, frozen_diagnostics
    from hubc.writer import input_files, resolve_target, write_build

    # Outputs name the spec relative to a stable root (hubc.labels); the terminal shows places
    # as typed.
    typed = str(spec)
    checked = check_spec(spec, stable_label(spec), allow_read)
    roots = checked.read_roots()
    catalog = getattr(checked.spec, "catalog", None)
    names = label_map(typed, checked.source.name if checked.source else typed, getattr(catalog, "files", ()))
    sources = {names.get(k, k): v for k, v in checked.sources().items()}

    def shown(diags) -> list:
        return relabel(diags, names)

    if not checked.ok:
        _finish(shown(checked.diagnostics), sources, fmt, quiet, roots=roots)
    raw_out = out if out is not None else str(Path("build") / checked.spec.campus.id)
    try:
        target = resolve_target(raw_out, input_files(spec, checked))
    except HubcError as exc:
        _finish(exc.diagnostics, sources, fmt, quiet, exc.exit_code, roots=roots)
        return
    progress = _Progress(quiet)
    try:
        built = build_spec(checked, progress, time_limit_s=time_limit)
    except HubcError as exc:
        _finish(shown(exc.diagnostics), sources, fmt, quiet, exc.exit_code, roots=roots)
        return
    diags = shown(built.diagnostics)
    if frozen:
        inside_out = lock_path is None and not (spec.parent / "hubc.lock").is_file()
        if lock_path is None:
            lock_path = target.path / "hubc.lock" if inside_out else spec.parent / "hubc.lock"
        problems = frozen_diagnostics(built.plan["hubc.lock"], lock_path, no_symlink=inside_out)
        if problems:
            _finish(diags + problems, sources, fmt, quiet, 1, roots=roots)
    try:
        report = write_build(built.plan, target, wait_s=wait_s, say=progress)
    except HubcError as exc:
        _finish(diags + list(exc.diagnostics), sources, fmt, quiet, exc.exit_code, roots=roots)
        return
    if diags:
        click.echo(_render(diags, sources, fmt, roots), nl=False)
    if report.replaced and fmt == "text":
        click.echo(f"note: replaced {len(report.replaced)} file(s) in {target.shown} that hubc had not written: "
                   + ", ".join(report.replaced[:5]) + (" ..." if len(report.replaced) > 5 else ""), err=True)
    if not quiet and fmt == "text":
        kept = f" (kept {len(report.carried)} file(s) hubc did not write)" if report.carried else ""
        click.echo(f"wrote {len(built.plan)} files to {target.shown}{kept}")
    sys.exit(0)


@main.command(short_help="Explain a diagnostic code (e.g. HUB203).")
@click.argument("code", required=False)
@click.option("--list", "list_all", is_flag=True, help="List every code with its summary.")
def explain(code: str | None, list_all: bool) -> None:
    """Print the long documentation of a diagnostic CODE (e.g. HUB203 or hall-busway-capacity)."""
    from hubc.codes import lookup, registry

    if list_all or code is None:
        for entry in registry().values():
            click.echo(f"{entry.code}  {entry.severity.value:<7}  {entry.slug:<28} {entry.summary}")
        return
    entry = lookup(code)
    if entry is None:
        raise click.UsageError(f"unknown code {code!r}; `hubc explain --list` lists them")
    click.echo(entry.explain(), nl=False)


@main.command(short_help="Write a commented starter spec.")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path), default=Path("campus.toml"))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented starter spec to PATH (default campus.toml) that passes `hubc check`."""
    from importlib import resources

    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; use --force to overwrite it")
    text = (resources.files("hubc") / "templates" / "starter.toml").read_text("utf-8")
    path.write_text(text, "utf-8")
    click.echo(f"wrote {path}; next: hubc check {path}")


@main.command(short_help="Print the JSON Schema of the spec language.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema to a file instead of stdout.")
@click.option("--design", is_flag=True, help="The schema of the design.json that `hubc build` writes, instead.")
def schema(output: Path | None, design: bool) -> None:
    """Print the JSON Schema of the spec language (for Taplo / VS Code Even Better TOML), or
    with --design that of design.json."""
    import json

    if design:
        from hubc.design_json import design_schema as json_schema
    else:
        from hubc.spec.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")


@main.command(short_help="Compare two designs for a review.", epilog="""\b
Exit codes:
  0  no changes (or changes, without --detailed-exitcode)
  1  errors, or a --fail-on threshold exceeded
  2  changes (with --detailed-exitcode); usage errors also exit 2
  3  infeasible, or no solution within the time limit""")
@click.argument("specs", nargs=-1, required=True, type=SpecPath(), metavar="[BASE] SPEC")
@click.option("--base", "base_rev", default=None, metavar="REV",
              help="Compare SPEC with itself at git revision REV (then give no BASE).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 when nothing changed, 2 when something did.")
@click.option("--fail-on", "fail_on", multiple=True, metavar="RULE",
              help="Exit 1 when a change crosses a threshold: METRIC:+N% (e.g. capex_krw:+5%), METRIC:-N, "
                   "`removed` (anything removed or downsized) or `redundancy` (tier/redundancy changed).")
@click.option("-q", "--quiet", is_flag=True, help="No progress.")
@_allow_read_option
def plan(specs: tuple[Path, ...], base_rev: str | None, fmt: str, detailed_exitcode: bool,
         fail_on: tuple[str, ...], quiet: bool, allow_read: tuple[Path, ...]) -> None:
    """Compare the design of SPEC with that of BASE, an older spec, or (with --base REV) with
    SPEC's own design at git revision REV; for a review."""
    from hubc import plan as planmod
    from hubc.diagnostics import HubcError
    from hubc.pipeline import build_spec, check_spec, spec_at_revision

    for rule in fail_on:
        try:
            planmod.parse_fail_on(rule)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    if base_rev is not None:
        if len(specs) != 1:
            raise click.UsageError("with --base REV give exactly one SPEC (and no BASE)")
        try:
            base_path, cleanup = spec_at_revision(specs[0], base_rev)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        pairs = [(base_path, f"{specs[0]}@{base_rev}"), (specs[0], str(specs[0]))]
    else:
        if len(specs) != 2:
            raise click.UsageError("give BASE and SPEC, or one SPEC with --base REV")
        cleanup = None
        pairs = [(specs[0], str(specs[0])), (specs[1], str(specs[1]))]
    progress = _Progress(quiet)
    facts = []
    try:
        for path, label in pairs:
            checked = check_spec(path, label, allow_read)
            sources = checked.sources()
            roots = checked.read_roots()
            if not checked.ok:
                _finish(checked.diagnostics, sources, "text", False, 1, roots=roots)
            try:
                built = build_spec(checked, progress)
            except HubcError as exc:
                _finish(exc.diagnostics, sources, "text", False, exc.exit_code, roots=roots)
                return
            facts.append(planmod.facts(label, checked.spec, built.design))
    finally:
        if cleanup is not None:
            cleanup()
    result = planmod.diff(facts[0], facts[1])
    render = {"text": planmod.render_text, "markdown": planmod.render_markdown, "json": planmod.render_json}[fmt]
    click.echo(render(result), nl=False)
    failed = planmod.failed_thresholds(result, list(fail_on))
    for line in failed:
        click.echo(f"error: fail-on {line}", err=True)
    if failed:
        sys.exit(1)
    sys.exit(2 if detailed_exitcode and result.changed else 0)


@main.command(short_help="Build every variant of a sweep file on Dask and compare them.", epilog="""\b
Exit codes:
  0  every variant built (warnings allowed)
  1  errors in the sweep file, or a variant that did not build (see DIR/index.html)
  2  usage error (missing sweep file, unusable DIR, unreachable scheduler)
  130  interrupted (Ctrl-C): finished variants are kept, a rerun builds the rest""")
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
              help="Output folder (default: build/<sweep file name>).")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Run on an existing Dask cluster (e.g. tcp://scheduler-host:8786); its workers need this hubc installed.")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes of the local cluster (default: one per processor core).")
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
              help="Wall-clock limit per variant (default: the sweep's time_limit_s).")
@click.option("--dry-run", is_flag=True, help="Check the sweep file and list its variants; build nothing.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Format of the sweep file's diagnostics.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; diagnostics only.")
def sweep(sweep_file: Path, out: Path | None, scheduler: str | None, workers: int | None, time_limit: float | None,
          dry_run: bool, fmt: str, quiet: bool) -> None:
    """Build every variant of SWEEP (a base spec and axes of values) on Dask, into a folder (-o DIR).

    Each variant is a complete check + build; its files go to DIR/variants/<digest>/, and one
    row per variant to DIR/results.parquet and results.csv, with a Pareto chart and a sortable
    table in DIR/index.html. Variants already in DIR for this hubc version are not rebuilt.
    """
    from hubc.sweep import ClusterError, OutputFolderError, describe, load_sweep, run_sweep

    if scheduler is not None and workers is not None:
        raise click.UsageError("--workers sizes the local cluster; with --scheduler the cluster has its own workers")
    loaded, diags = load_sweep(sweep_file, str(sweep_file))
    sources = {str(sweep_file): sweep_file.read_bytes().decode("utf-8", errors="replace")}
    if loaded is None:
        _finish(diags, sources, fmt, quiet)
    if diags:
        click.echo(_render(diags, sources, fmt), nl=False)
    target = out if out is not None else Path("build") / sweep_file.stem
    if dry_run:
        click.echo(describe(loaded, target), nl=False)
        sys.exit(0)
    progress = _Progress(quiet)
    try:
        report = run_sweep(loaded, target, scheduler=scheduler, workers=workers, time_limit_s=time_limit,
                           say=progress)
    except (OutputFolderError, ClusterError) as exc:
        raise click.UsageError(str(exc)) from None
    if not quiet:
        click.echo(f"{report.summary()}; results in {target / 'index.html'}")
    sys.exit(130 if report.interrupted else 0 if report.all_ok else 1)
