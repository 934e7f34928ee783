"""The ordered stages of hubc and the gates between them.

    load -> structure -> check -> (waivers) ===gate: no errors===> build stages -> emit -> BuildPlan

`check_spec` runs the front half and returns every diagnostic. `build_spec` continues with the
stages in `BUILD_STAGES` (each a pure function of the spec and earlier results) and the
emitters in `hubc.emit`, producing a `BuildPlan` {relative path: bytes}. Only the CLI writes
the plan to disk, through `hubc.writer` (staged beside OUT and swapped in whole). A stage signals a user-caused failure by raising
`HubcError` with diagnostics; anything else is a bug and stays a traceback.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import attrs

from hubc.codes import diag
from hubc.diagnostics import Diagnostic, HubcError, Severity, has_errors, sort_diagnostics
from hubc.spec.model import Spec
from hubc.spec.source import RawDocument, SourceFile

if TYPE_CHECKING:
    from hubc.catalog import Catalog
    from hubc.design import Design

Progress = Callable[[str], None]


@attrs.frozen(kw_only=True)
class Checked:
    """The front half's result: the spec (None if it did not structure) and every diagnostic."""

    spec: Spec | None
    source: SourceFile | None
    base_dir: Path
    diagnostics: tuple[Diagnostic, ...]
    waived: int = 0
    # Live waivers of codes only a build stage emits that no check finding matched: the build
    # applies every live waiver to its stages' findings and reports these if still unused.
    pending_waivers: tuple[int, ...] = ()
    # The one catalog (shipped + the spec's `[catalog] files`), loaded while checking and
    # handed to every build stage; None when the spec did not structure.
    catalog: Catalog | None = attrs.field(default=None, eq=False)
    # The file's text for source snippets, even when it did not parse (TOML syntax errors).
    text: str | None = None
    # Folders besides base_dir that files named by the spec may lie in (`--allow-read DIR`).
    allowed_roots: tuple[Path, ...] = ()

    def read_roots(self) -> tuple[Path, ...]:
        """Where files named by the spec may be read from, and so quoted in output."""
        return (self.base_dir, *self.allowed_roots)

    def sources(self) -> dict[str, str]:
        if self.source is not None:
            return {self.source.name: self.source.text}
        return {self.label: self.text} if self.text is not None and self.label else {}

    @property
    def label(self) -> str | None:
        return self.diagnostics[0].location.file if self.diagnostics else None

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.diagnostics)


def _today() -> datetime.date:
    from hubc.core.clock import today

    return today()


def check_document(
    doc: RawDocument,
    base_dir: Path,
    extra: Callable[[Spec, SourceFile], list[Diagnostic]] | None = None,
    allowed_roots: tuple[Path, ...] = (),
    price_demand: bool = True,
) -> Checked:
    from hubc.checks import run_checks
    from hubc.spec.convert import structure

    spec, diags = structure(doc)
    if spec is None:
        return Checked(
            spec=None, source=doc.source, base_dir=base_dir, diagnostics=tuple(sort_diagnostics(diags)),
            allowed_roots=allowed_roots,
        )
    # a campus [[demand]] becomes an explicit split (copies and pods per hall) before the checks:
    # for a build the split at built prices; `price_demand=False` (`hubc check`: validation
    # only) takes the bound master's split and builds no fill
    from hubc.electrical.demand import apply_demand

    spec = apply_demand(spec, priced=price_demand)
    # Catalog extension files (`[catalog] files`) are part of the spec: loaded once here, their
    # problems are check findings at file:line:col in those files, the checks read it (grid
    # profiles) and the build reuses the result.
    from hubc.catalog import load_catalog

    catalog, catalog_diags = load_catalog(spec, base_dir, doc.source, allowed_roots)
    diags = run_checks(spec, doc.source, base_dir, allowed_roots, catalog)
    diags.extend(catalog_diags)
    if extra is not None:
        diags.extend(extra(spec, doc.source))
    kept, waived, pending = apply_waivers(spec, doc.source, diags, _today())
    return Checked(
        spec=spec,
        source=doc.source,
        base_dir=base_dir,
        diagnostics=tuple(sort_diagnostics(kept)),
        waived=waived,
        pending_waivers=pending,
        catalog=catalog,
        allowed_roots=allowed_roots,
    )


def check_spec(path: str | Path, display: str | None = None, allow_read: tuple[Path, ...] = (), price_demand: bool = True) -> Checked:
    from hubc.spec.source import load_path

    path = Path(path)
    doc, diags = load_path(path, display)
    if doc is None:
        return Checked(
            spec=None, source=None, base_dir=path.parent, diagnostics=tuple(diags), text=_snippet_text(path, diags),
            allowed_roots=tuple(allow_read),
        )
    return check_document(doc, path.parent, allowed_roots=tuple(allow_read), price_demand=price_demand)


def _snippet_text(path: Path, diags: list[Diagnostic]) -> str | None:
    """The text of a spec that did not load, for source snippets: only when it was read and
    is within the size limit (HUB009/HUB012 mean there is nothing, or too much, to show)."""
    if any(d.code in ("HUB009", "HUB012") for d in diags) or not path.is_file():
        return None  # nothing, or too much, to show; a pipe cannot be read twice
    from hubc.spec.limits import limits

    try:
        with open(path, "rb") as fh:
            return fh.read(limits().spec_max_bytes).decode("utf-8", errors="replace")
    except OSError:
        return None


# ------------------------------------------------------------------------------- waivers


def apply_waivers(
    spec: Spec, source: SourceFile, diags: list[Diagnostic], today: datetime.date
) -> tuple[list[Diagnostic], int, tuple[int, ...]]:
    """Drop the check findings a live `[[waive]]` accepts; report expired and unused waivers
    (`hubc.spec.waivers`). Also returns the waivers left for the build's findings."""
    from hubc.spec.waivers import WaiverBook

    if not spec.waive:
        return diags, 0, ()
    book = WaiverBook(spec, source, today)
    out = book.expired()
    out = book.filter(diags) + out + book.unused(after_build=False)
    return out, book.waived, book.pending()


# -------------------------------------------------------------------------------- build


BuildPlan = dict[str, bytes]


@attrs.frozen(kw_only=True)
class Built:
    plan: BuildPlan
    diagnostics: tuple[Diagnostic, ...]
    design: Design = attrs.field(eq=False)


class _TimeLimit(BaseException):
    """Raised by the --time-limit alarm inside whatever the build is doing. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` on the way (ours or a library's) turns it into
    another error."""


@contextlib.contextmanager
def _alarm(seconds: float | None):
    """SIGALRM after `seconds` (main thread, POSIX): interrupts problem preparation, studies and
    emitters alike; solvers are bounded by their own deterministic limits and return first."""
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    expired, done = [], []

    def fire(_signum, _frame):
        if done:  # the build is already leaving the deadline's scope
            return
        expired.append(True)
        raise _TimeLimit

    old = signal.signal(signal.SIGALRM, fire)
    # Fires again every 50 ms after the deadline: an exception raised where Python ignores it
    # (a weakref callback, a __del__) is raised again at the next instruction that can take it.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
        if expired:  # every raise was swallowed and the build finished anyway: still over time
            raise _TimeLimit
    finally:
        done.append(True)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def build_spec(checked: Checked, progress: Progress | None = None, time_limit_s: float | None = None) -> Built:
    """Run the build stages on a checked spec. Raises HubcError on a user-caused failure, and
    with exit code 3 (HUB905) when `time_limit_s` runs out, naming the stage it reached."""
    reached = ["the start"]
    if time_limit_s:
        _load_solver_libraries()  # before the deadline: an alarm inside a C extension's import breaks it
    try:
        with _alarm(time_limit_s):
            return _build(checked, progress, reached)
    except BaseException as exc:
        if not _timed_out(exc):
            raise
        from hubc.diagnostics import Location

        where = Location(file=checked.source.name) if checked.source is not None else Location(file="")
        done = reached[1:-1]
        raise HubcError(
            [
                diag(
                    "HUB905",
                    f'the build reached its {time_limit_s:g} s time limit in stage "{reached[-1]}"'
                    + (f" (finished: {', '.join(done)})" if done else ""),
                    where,
                    help="give the build more time (--time-limit), or build a smaller campus first",
                )
            ],
            3,
        ) from None


def _load_solver_libraries() -> None:
    """Import the compiled libraries the stages use, so the deadline never fires inside their
    module initialisation (which turns any exception into ImportError)."""
    import numpy  # noqa: F401
    import pandapower  # noqa: F401
    from ortools.linear_solver import pywraplp  # noqa: F401
    from ortools.sat.python import cp_model  # noqa: F401


def _timed_out(exc: BaseException | None) -> bool:
    """The deadline, or an error it caused (raised from or during it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, _TimeLimit):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _build(checked: Checked, progress: Progress | None, reached: list[str]) -> Built:
    if not checked.ok:
        raise HubcError(checked.diagnostics, 1)
    from hubc.design import BuildInput, Design
    from hubc.emit import emit_all
    from hubc.stages import BUILD_STAGES

    assert checked.spec is not None and checked.source is not None and checked.catalog is not None
    inp = BuildInput(
        spec=checked.spec, source=checked.source, base_dir=checked.base_dir, catalog=checked.catalog,
        allowed_roots=checked.allowed_roots,
    )
    say = progress or (lambda _msg: None)
    design = Design()
    diags: list[Diagnostic] = list(checked.diagnostics)
    waivers = _build_waivers(checked)
    for stage in BUILD_STAGES:
        reached.append(stage.fills)
        say(f"{stage.fills}: {stage.description}")
        result, stage_diags = stage.run(inp, design, say)
        design = attrs.evolve(design, **{stage.fills: result})
        stage_diags = waivers.filter(list(stage_diags)) if waivers is not None else list(stage_diags)
        diags.extend(stage_diags)
        if has_errors(stage_diags):
            raise HubcError(sort_diagnostics(diags), 1)
    if waivers is not None:
        diags.extend(waivers.unused(after_build=True, among=checked.pending_waivers))
    final = tuple(sort_diagnostics(diags))
    reached.append("emit")
    plan = emit_all(inp, design, final)
    for name in plan:
        _check_plan_path(name)
    return Built(plan=dict(sorted(plan.items())), diagnostics=final, design=design)


def _build_waivers(checked: Checked):
    """The spec's live waivers, applied to every build stage's findings as to the checks'."""
    from hubc.spec.waivers import WaiverBook

    if not checked.spec.waive:
        return None
    book = WaiverBook(checked.spec, checked.source, _today())
    book.expired()  # reported by the check already
    return book


def _check_plan_path(name: str) -> None:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or not p.parts or name != str(p):
        raise ValueError(f"emitter produced an unsafe path {name!r}")  # a bug, not a user error


# ------------------------------------------------------------------------------- frozen

LOCK_CAP = 1 << 20  # bytes: a longer file is not a hubc.lock


def frozen_diagnostics(new_lock: bytes, lock_path: Path, *, no_symlink: bool = False) -> list[Diagnostic]:
    """--frozen: the build must decide exactly what the lock records (HUB803 names each change).

    `no_symlink`: the lock is OUT/hubc.lock, and a symlink there is not followed out of OUT."""
    from hubc.diagnostics import Location
    from hubc.lock import lock_changes, parse_lock

    where = Location(file=str(lock_path))
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (os.O_NOFOLLOW if no_symlink else 0)
    try:
        fd = os.open(lock_path, flags)
    except FileNotFoundError:
        return [diag("HUB803", f"--frozen needs a lock file, and {lock_path} does not exist", where,
                     help="run `hubc build` once and commit OUT/hubc.lock beside the spec")]
    except OSError as exc:
        return [diag("HUB803", f"cannot read the lock file: {exc.strerror or exc}", where)]
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return [diag("HUB803", f"the lock file {lock_path} is not a regular file", where)]
        raw = os.read(fd, LOCK_CAP + 1)
    except OSError as exc:
        return [diag("HUB803", f"cannot read the lock file: {exc.strerror or exc}", where)]
    finally:
        os.close(fd)
    try:
        if len(raw) > LOCK_CAP:
            raise ValueError(f"larger than {LOCK_CAP} bytes")
        old = parse_lock(raw.decode("utf-8"))
        changes = lock_changes(old, parse_lock(new_lock.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError) as exc:
        reason = exc.__class__.__name__ if isinstance(exc, (AttributeError, TypeError)) else str(exc)
        return [diag("HUB803", f"cannot read the lock file: not a hubc.lock ({reason})", where,
                     help="rebuild without --frozen and commit the new hubc.lock")]
    if not changes:
        return []
    shown = changes[:12] + ([f"... and {len(changes) - 12} more"] if len(changes) > 12 else [])
    return [
        diag(
            "HUB803",
            f"the build would change {len(changes)} locked decision(s)",
            where,
            notes=tuple(shown),
            help="review the change; if intended, rebuild without --frozen and commit the new hubc.lock",
        )
    ]


def spec_at_revision(spec: Path, rev: str):
    """Check out the spec's folder at git revision REV into a temporary folder (so files the
    spec references come from the same revision). Returns (path, cleanup)."""
    import subprocess

    spec = spec.resolve()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=spec.parent, capture_output=True,
                             text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise ValueError(f"{spec} is not inside a git repository") from None
    rel_dir = spec.parent.relative_to(top)
    tmp = Path(tempfile.mkdtemp(prefix="hubc-plan-"))
    archive = subprocess.run(["git", "archive", "--format=tar", rev, "--", str(rel_dir) if str(rel_dir) != "." else "."],
                             cwd=top, capture_output=True)
    if archive.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ValueError(f"git cannot read revision {rev!r}: {archive.stderr.decode(errors='replace').strip()}")
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        _extract_data(tar, tmp)
    base = tmp / rel_dir / spec.name
    if not base.is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        raise ValueError(f"{spec.name} does not exist at revision {rev!r}")
    return base, lambda: shutil.rmtree(tmp, ignore_errors=True)


def _extract_data(tar, dest: Path) -> None:
    """Extract an archive's plain files and folders into DEST, nothing outside it.

    tarfile's "data" filter does this from Python 3.11.4 on; older 3.11 releases (Debian 12's
    system Python is 3.11.2) lack it, so there only regular files and folders whose paths stay
    inside DEST are extracted (links and devices are skipped)."""
    import tarfile

    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
        return
    root = dest.resolve()
    for member in tar.getmembers():
        inside = (root / member.name).resolve().is_relative_to(root)
        if inside and (member.isfile() or member.isdir()):
            tar.extract(member, root, set_attrs=False)


def exit_code(diags: tuple[Diagnostic, ...] | list[Diagnostic]) -> int:
    return 1 if any(d.severity is Severity.ERROR for d in diags) else 0
