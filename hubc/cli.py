"""The hubc command line. Click commands only: no domain logic, heavy imports inside commands.

Exit codes (one place decides them, `_finish`):
  0  clean (warnings allowed)
  1  errors in the spec or the design
  2  usage error (bad option, missing file argument)
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


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ


class _Progress:
    """Progress lines on stderr, only for a terminal and unless --quiet."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()

    def __call__(self, message: str) -> None:
        if self.enabled:
            click.echo(click.style("  ... ", fg="cyan") + message, err=True)


def _render(diags, sources, fmt: str) -> str:
    from hubc.render import RENDERERS, render_text

    if fmt == "text":
        return render_text(diags, sources, colour=_colour(sys.stdout))
    return RENDERERS[fmt](diags, sources)


def _finish(diags, sources, fmt: str, quiet: bool, code: int | None = None) -> None:
    from hubc.pipeline import exit_code

    if diags or not quiet or fmt != "text":
        click.echo(_render(list(diags), sources, fmt), nl=False)
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


@main.command(epilog=EXIT_HELP)
@click.argument("specs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when the spec is clean.")
def check(specs: tuple[Path, ...], fmt: str, quiet: bool) -> None:
    """Validate SPECS and report every problem, with its code and TOML line:col."""
    from hubc.pipeline import check_spec

    diags, sources = [], {}
    for spec in specs:
        checked = check_spec(spec, str(spec))
        diags.extend(checked.diagnostics)
        if checked.source is not None:
            sources[checked.source.name] = checked.source.text
    _finish(diags, sources, fmt, quiet)


@main.command(epilog=EXIT_HELP)
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: build/<campus id>).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Format of the diagnostics.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; diagnostics only.")
def build(spec: Path, out: Path | None, fmt: str, quiet: bool) -> None:
    """Size, place, verify and write the design of SPEC into OUT.

    The build is all or nothing: if any stage fails, OUT is left exactly as it was.
    """
    from hubc.diagnostics import HubcError
    from hubc.pipeline import build_spec, check_spec, write_plan

    checked = check_spec(spec, str(spec))
    sources = {checked.source.name: checked.source.text} if checked.source else {}
    if not checked.ok:
        _finish(checked.diagnostics, sources, fmt, quiet)
    progress = _Progress(quiet)
    try:
        built = build_spec(checked, progress)
    except HubcError as exc:
        _finish(exc.diagnostics, sources, fmt, quiet, exc.exit_code)
        return
    target = out if out is not None else Path("build") / checked.spec.campus.id
    write_plan(built.plan, target)
    if built.diagnostics:
        click.echo(_render(list(built.diagnostics), sources, fmt), nl=False)
    if not quiet and fmt == "text":
        click.echo(f"wrote {len(built.plan)} files to {target}")
    sys.exit(0)


@main.command()
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


@main.command()
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


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the schema to a file instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the spec language (for Taplo / VS Code Even Better TOML)."""
    import json

    from hubc.spec.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, "utf-8")
